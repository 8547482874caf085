"""Node ids: the one place that says how a new node's id is made.

A new layer gets its type's stem and the first number nobody uses (``conv3``); a pasted node keeps its
old id's stem the same way (``FreshIds``, linear however many are pasted). The importer keeps the names PyTorch gave (``layer1.0.conv1``)
and only makes a taken one unique with a suffix (``conv_2``): names people recognise beat numbering.
"""

from __future__ import annotations

import re
from collections.abc import Container

from designer.core import limits


def id_stem(type_name: str) -> str:
    """The base of a new node's id: ``Conv2d`` → ``conv``, ``BatchNorm1d`` → ``batchnorm``, ``ReLU`` → ``relu``."""
    return re.sub(r"\d+d$", "", type_name).lower() or type_name.lower()


class FreshIds:
    """Fresh ids from old ones: ``conv3`` → the first free ``conv<n>``, the same stem and a number nobody
    uses yet. Counts per stem, so pasting thousands of nodes stays linear; ids stay within the text limit."""

    def __init__(self, taken: Container[str]) -> None:
        self.taken = taken  # read, never copied (the graph's own ids)
        self._made: set[str] = set()
        self._next: dict[str, int] = {}

    def __call__(self, old_id: str) -> str:
        stem = (old_id.rstrip("0123456789") or "node")[: limits.MAX_TEXT - 12]
        i = self._next.get(stem, 1)
        while f"{stem}{i}" in self.taken or f"{stem}{i}" in self._made:
            i += 1
        self._next[stem] = i + 1
        new_id = f"{stem}{i}"
        self._made.add(new_id)
        return new_id


def fresh_id(base: str, taken: Container[str]) -> str:
    """A fresh id for a new node from any text: its letters and digits in lower case, numbered as by
    ``FreshIds`` (``conv`` → ``conv1``; for a new layer, ``base`` is its type's ``id_stem``)."""
    return FreshIds(taken)("".join(ch for ch in base.lower() if ch.isalnum()))


def unique_name(base: str, taken: Container[str]) -> str:
    """``base`` itself when free, else ``base_2``, ``base_3``, ... (the importer keeps torch's names so)."""
    name, i = base, 2
    while name in taken:
        name = f"{base}_{i}"
        i += 1
    return name
