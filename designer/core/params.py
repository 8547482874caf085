"""Parameter kinds: the JSON types a layer parameter may take, exactly as the torch.nn constructor takes them.

A kind only checks the *type* of a value ("an integer or a list of 2 integers"); whether the value
makes sense for the tensor flowing in (a kernel larger than the input, a stride of 0) is the layer's
shape rule's business, so that those errors appear on the node exactly where torch raises.
The GUI reads a kind's ``editor`` to choose a widget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from designer.core.shapes import BATCH_SYMBOL


def is_int(value: Any) -> bool:
    """True for a JSON integer (Python's bool is an int subclass, but never a valid integer here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """True for a finite JSON number."""
    if is_int(value):
        return True
    return isinstance(value, float) and math.isfinite(value)


class Kind:
    """Base of all parameter kinds."""

    editor = "text"

    def describe(self) -> str:
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Integer(Kind):
    """A single integer; ``minimum`` is a hint for editors, the shape rule enforces torch's own limits."""

    minimum: int | None = None
    editor = "int"

    def describe(self) -> str:
        return "an integer"

    def accepts(self, value: Any) -> bool:
        return is_int(value)


@dataclass(frozen=True)
class Real(Kind):
    """A finite number; integers are accepted as torch accepts them."""

    minimum: float | None = None
    maximum: float | None = None
    editor = "float"

    def describe(self) -> str:
        return "a number"

    def accepts(self, value: Any) -> bool:
        return is_real(value)


@dataclass(frozen=True)
class Boolean(Kind):
    editor = "bool"

    def describe(self) -> str:
        return "true or false"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


@dataclass(frozen=True)
class Choice(Kind):
    """One of a fixed set of strings; the only way a string parameter reaches torch or exported code."""

    values: tuple[str, ...]
    editor = "choice"

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values


@dataclass(frozen=True)
class IntOrInts(Kind):
    """An integer, or a list with one integer per spatial dimension (torch's ``_ntuple``)."""

    count: int
    minimum: int | None = None
    editor = "int_or_ints"

    def describe(self) -> str:
        return f"an integer or a list of {self.count} integers"

    def accepts(self, value: Any) -> bool:
        if is_int(value):
            return True
        return isinstance(value, list) and len(value) == self.count and all(is_int(v) for v in value)


@dataclass(frozen=True)
class RealOrReals(Kind):
    """A number, or a list with one number per spatial dimension (Upsample's ``scale_factor``)."""

    editor = "real_or_reals"

    def describe(self) -> str:
        return "a number or a list of numbers"

    def accepts(self, value: Any) -> bool:
        if is_real(value):
            return True
        return isinstance(value, list) and len(value) >= 1 and all(is_real(v) for v in value)


@dataclass(frozen=True)
class Ints(Kind):
    """A list of integers of length ``min_len``..``max_len`` (None entries where ``allow_none``)."""

    min_len: int = 1
    max_len: int | None = None
    allow_none: bool = False
    allow_scalar: bool = False
    editor = "ints"

    def describe(self) -> str:
        what = "integers or nulls" if self.allow_none else "integers"
        if self.max_len == self.min_len:
            size = f"a list of {self.min_len} {what}"
        elif self.max_len is None:
            size = f"a list of at least {self.min_len} {what}" if self.min_len else f"a list of {what}"
        else:
            size = f"a list of {self.min_len} to {self.max_len} {what}"
        return ("an integer or " if self.allow_scalar else "") + size

    def accepts(self, value: Any) -> bool:
        if self.allow_scalar and is_int(value):
            return True
        if not isinstance(value, list):
            return False
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            return False
        return all(is_int(v) or (self.allow_none and v is None) for v in value)


@dataclass(frozen=True)
class Shape(Kind):
    """The shape of an Input: a list of integers, the first of which may be "N" (any batch size)."""

    editor = "shape"

    def describe(self) -> str:
        return 'a list of 1 to 8 integers (the first may be "N" for any batch size)'

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, list) or not 1 <= len(value) <= 8:
            return False
        return all(is_int(v) or (i == 0 and v == BATCH_SYMBOL) for i, v in enumerate(value))


@dataclass(frozen=True)
class AnyOf(Kind):
    """The first of several kinds that accepts the value (conv padding: ints, or 'same'/'valid')."""

    kinds: tuple[Kind, ...]

    @property
    def editor(self) -> str:  # type: ignore[override]
        return "/".join(k.editor for k in self.kinds)

    def describe(self) -> str:
        return " or ".join(k.describe() for k in self.kinds)

    def accepts(self, value: Any) -> bool:
        return any(k.accepts(value) for k in self.kinds)


@dataclass(frozen=True)
class Optional(Kind):
    """``null`` (Python None) or a value of the inner kind."""

    inner: Kind

    @property
    def editor(self) -> str:  # type: ignore[override]
        return "optional " + self.inner.editor

    def describe(self) -> str:
        return f"null or {self.inner.describe()}"

    def accepts(self, value: Any) -> bool:
        return value is None or self.inner.accepts(value)
