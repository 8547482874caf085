"""The limits of a design, and the one sentence that explains each: one owner for every bound.

Everything that brings data into a design asks these functions: the project loader (files, pastes,
recovery copies), the graph model's edits (add, rename, parameters, connect, move), and through them the
importer and every GUI gesture. So a design the app holds is a design it can save, and a file it saves
is a file it opens again. Each ``*_problem`` function returns a sentence in the user's words, or None.

JSON numbers that Python would turn into an error or into infinity are kept as markers by
``parse_hooks`` so that the loader can name the node and parameter that holds them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

MAX_FILE_BYTES = 16 * 1024 * 1024  # a saved project file
MAX_NODES = 20_000  # layers in one design
MAX_EDGES = 100_000  # edges in one design
MAX_DEPTH = 16  # levels of nesting in a project file
PARAM_DEPTH = MAX_DEPTH - 4  # inside a parameter: a file nests it in {nodes: [{params: {...}}]}
BLOCK_PARAM_DEPTH = PARAM_DEPTH - 2  # inside a block's node: {blocks: {Name: {nodes: [{params: {...}}]}}}
MAX_TEXT = 1_000  # characters in any text: names, ids, keys
MAX_LIST = 1_000  # items in any list but the design's own nodes and edges
MAX_PORT = 1_023  # the highest input port number
MAX_INT = 2**63 - 1  # the largest integer (torch's int64)
MAX_COORDINATE = 1e9  # how far from the origin a layer may sit on the canvas
INT_DIGITS = 4_300  # Python's own limit for reading an integer from text


class HugeNumber:
    """A JSON integer with more digits than Python reads, kept so its place can be named."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a number with {self.digits:,} digits>"


class NotFinite:
    """A JSON number that reads as infinity or NaN (``1e309``, ``Infinity``, ``NaN``), kept as written."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _parse_int(text: str) -> int | HugeNumber:
    digits = len(text) - (text[0] == "-")
    return HugeNumber(digits) if digits > INT_DIGITS else int(text)


def _parse_float(text: str) -> float | NotFinite:
    value = float(text)
    return value if math.isfinite(value) else NotFinite(text)


def parse_hooks() -> dict[str, Any]:
    """Keyword arguments for ``json.loads`` that turn hostile numbers into markers ``value_problem`` names."""
    return {"parse_int": _parse_int, "parse_float": _parse_float, "parse_constant": NotFinite}


# ----- sentences ------------------------------------------------------------------------------------
def text_problem(text: str, what: str = "the text") -> str | None:
    """Why ``text`` cannot be part of a design: too long, or a character UTF-8 cannot store."""
    if len(text) > MAX_TEXT:
        return f"{what} is {len(text):,} characters long; the limit is {MAX_TEXT:,}"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        return (
            f"{what} holds a broken character at position {exc.start + 1} (the lone surrogate "
            f"\\u{ord(char):04x}, which is not text and cannot be saved); remove it"
        )
    return None


def number_problem(value: Any) -> str | None:
    """Why a number cannot be part of a design: too many digits, too large, infinite or NaN."""
    if isinstance(value, HugeNumber):
        return f"a number with more than {INT_DIGITS:,} digits is far too large (the limit is {MAX_INT:,})"
    if isinstance(value, NotFinite):
        if value.text.lstrip("-+").lower().startswith("nan"):
            return f"{value.text} (not a number) is not a size or a value a layer takes"
        written = "" if value.text.lstrip("-+") == "Infinity" else f"{value.text} is too large for a number and reads as infinity; "
        return f"{written}infinity is not a size"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN (not a number) is not a size or a value a layer takes"
        if math.isinf(value):
            return "infinity is not a size"
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        if digits > INT_DIGITS:
            return f"a number with more than {INT_DIGITS:,} digits is far too large (the limit is {MAX_INT:,})"
        return f"the number {_short_number(value)} is too large (the limit is {MAX_INT:,})"
    return None


def _short_number(value: int) -> str:
    text = str(value)
    return text if len(text) <= 30 else f"{text[:12]}…{text[-6:]} ({len(text.lstrip('-')):,} digits)"


def value_problem(value: Any, depth: int = PARAM_DEPTH) -> tuple[list[str | int], str] | None:
    """The first place (a path of keys and indices) in a JSON value that breaks a limit, and why.

    ``depth`` is how many levels of lists and objects may still open below ``value``.
    """
    return next(_value_problems(value, [], depth), None)


def _value_problems(value: Any, path: list[str | int], depth: int) -> Iterator[tuple[list[str | int], str]]:
    if depth < 0:
        problem = f"values are nested more than {MAX_DEPTH} levels deep"
    elif isinstance(value, str):
        problem = text_problem(value)
    elif isinstance(value, (dict, list)):
        problem = None
        if len(value) > MAX_LIST and isinstance(value, list):
            problem = f"a list of {len(value):,} items is longer than the limit of {MAX_LIST:,}"
        if problem is None:
            for key, item in value.items() if isinstance(value, dict) else enumerate(value):
                if isinstance(key, str):
                    key_problem = text_problem(key, "the key")
                    if key_problem:
                        yield path, key_problem
                        return
                yield from _value_problems(item, [*path, key], depth - 1)
            return
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, (int, float, HugeNumber, NotFinite)):
        problem = number_problem(value)
    else:
        problem = f"a {type(value).__name__} cannot be stored in a design"
    if problem:
        yield path, problem


def position_problem(position: Any) -> str | None:
    """Why a canvas position cannot be stored: it must be two finite numbers within reach of the origin."""
    if position is None:
        return None
    if not (isinstance(position, (tuple, list)) and len(position) == 2):
        return f"a position is two numbers [x, y], got {position!r:.60}"
    for value in position:
        problem = number_problem(value)
        if problem:
            return problem
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"a position is two numbers [x, y], got {position!r:.60}"
        if abs(value) > MAX_COORDINATE:
            return f"a position is at most {MAX_COORDINATE:,.0f} from the origin, got {value:.4g}"
    return None


def count_problem(nodes: int, edges: int = 0) -> str | None:
    """Why a design of this many nodes and edges is too big."""
    if nodes > MAX_NODES:
        return f"a design holds at most {MAX_NODES:,} layers, and this one would have {nodes:,}"
    if edges > MAX_EDGES:
        return f"a design holds at most {MAX_EDGES:,} edges, and this one would have {edges:,}"
    return None


def port_problem(port: Any) -> str | None:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= MAX_PORT:
        return f"an input port is a whole number from 0 to {MAX_PORT:,}, got {port!r:.40}"
    return None


def size_problem(size: int) -> str | None:
    """Why a project text of ``size`` bytes cannot be a project file."""
    if size > MAX_FILE_BYTES:
        return f"the design takes {_megabytes(size)} as a file; project files are limited to {_megabytes(MAX_FILE_BYTES)}"
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size % (1024 * 1024) else f"{size // (1024 * 1024)} MB"
