"""Exact arithmetic of the worked formulas shape rules write, reduced one bracket level at a time.

A shape rule's ``DimNote.worked`` reads like ``⌊(4 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 2``. This module
parses such text (numbers, ``+ − - · × * /``, parentheses, ``⌊⌋`` floor and ``⌈⌉`` ceiling) with a small
recursive-descent parser, never ``eval``, so an explanation can show the steps and a test can check
that the numbers really give the size the engine reports. Integers are exact fractions; a number
written with a decimal point (a scale factor) is a double, and so is whatever it touches, because
torch computes ``⌊size · scale⌋`` in double precision (``⌊100·0.29⌋`` is 28 there, not 29).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[-+−·×*/()⌊⌋⌈⌉])")
_CLOSE = {"(": ")", "⌊": "⌋", "⌈": "⌉"}
_MUL = {"·", "×", "*"}
_ADD = {"+", "-", "−"}


class ArithError(ValueError):
    """The text is not a formula this module understands."""


Number = Fraction | float


@dataclass(frozen=True)
class Num:
    value: Number


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Bracket:
    """``(x)``, ``⌊x⌋`` or ``⌈x⌉``, named by its opening character."""

    kind: str
    inner: object


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ArithError(f"cannot read {text[pos:]!r}")
        out.append(match.group(1))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ArithError("the formula ends too early")
        self.pos += 1
        return token

    def expr(self):
        node = self.term()
        while self.peek() in _ADD:
            node = BinOp(self.take(), node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek() in _MUL or self.peek() == "/":
            node = BinOp(self.take(), node, self.unary())
        return node

    def unary(self):
        if self.peek() in ("-", "−"):
            self.take()
            return Neg(self.unary())
        return self.atom()

    def atom(self):
        token = self.take()
        if token in _CLOSE:
            inner = self.expr()
            if self.take() != _CLOSE[token]:
                raise ArithError(f"a {token} is not closed")
            return Bracket(token, inner)
        if token[0].isdigit():
            return Num(float(token) if "." in token else Fraction(token))
        raise ArithError(f"unexpected {token!r}")


def parse(text: str):
    """The syntax tree of ``text``; raises :class:`ArithError` when it is not a formula."""
    parser = _Parser(_tokens(text))
    node = parser.expr()
    if parser.peek() is not None:
        raise ArithError(f"unexpected {parser.peek()!r}")
    return node


def value(node) -> Number:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        return -value(node.operand)
    if isinstance(node, Bracket):
        inner = value(node.inner)
        if node.kind == "⌊":
            return Fraction(math.floor(inner))  # exact from here on, as torch's integer sizes are
        if node.kind == "⌈":
            return Fraction(math.ceil(inner))
        return inner
    left, right = value(node.left), value(node.right)
    if node.op in _MUL:
        return left * right
    if node.op == "/":
        if right == 0:
            raise ArithError("division by zero")
        return left / right
    return left + right if node.op == "+" else left - right


def evaluate(text: str) -> Number:
    """The exact value of a formula such as ``⌊(9 − 3) / 2⌋ + 1``."""
    return value(parse(text))


def show_number(number: Number) -> str:
    sign, number = ("−", -number) if number < 0 else ("", number)
    if isinstance(number, float):
        return sign + (str(int(number)) if number.is_integer() else repr(number))
    if number.denominator == 1:
        return sign + str(number.numerator)
    as_float = float(number)
    return sign + (repr(as_float) if Fraction(as_float) == number else f"{number.numerator}/{number.denominator}")


def render(node) -> str:
    """The formula as text in the rules' own style (``2·1``, ``a − b``, ``⌊x / 2⌋``, ``4 × 1.5``)."""
    if isinstance(node, Num):
        return show_number(node.value)
    if isinstance(node, Neg):
        return "−" + render(node.operand)
    if isinstance(node, Bracket):
        return f"{node.kind}{render(node.inner)}{_CLOSE[node.kind]}"
    op = node.op
    if op == "·":
        return f"{render(node.left)}·{render(node.right)}"
    return f"{render(node.left)} {'−' if op == '-' else op} {render(node.right)}"


def _has_bracket(node) -> bool:
    if isinstance(node, Bracket):
        return True
    if isinstance(node, Neg):
        return _has_bracket(node.operand)
    if isinstance(node, BinOp):
        return _has_bracket(node.left) or _has_bracket(node.right)
    return False


def _reduce_innermost(node):
    """Replace every bracket that holds no other bracket by its value."""
    if isinstance(node, Bracket):
        if not _has_bracket(node.inner):
            return Num(value(node))
        return Bracket(node.kind, _reduce_innermost(node.inner))
    if isinstance(node, Neg):
        return Neg(_reduce_innermost(node.operand))
    if isinstance(node, BinOp):
        return BinOp(node.op, _reduce_innermost(node.left), _reduce_innermost(node.right))
    return node


def _reduce_products(node):
    """Replace every product or quotient in a bracket-free sum by its value."""
    if isinstance(node, BinOp) and node.op in _ADD:
        return BinOp(node.op, _reduce_products(node.left), _reduce_products(node.right))
    return Num(value(node))


def steps(text: str) -> list[str]:
    """The formula, then the same with the innermost brackets worked out, ..., then the products, then its value."""
    node = parse(text)
    out = [render(node)]
    while _has_bracket(node):
        node = _reduce_innermost(node)
        out.append(render(node))
    node = _reduce_products(node)
    if render(node) != out[-1]:
        out.append(render(node))
    final = show_number(value(node))
    if out[-1] != final:
        out.append(final)
    return out


def split_worked(worked: str) -> tuple[str, int] | None:
    """``("⌊(4 − 1) / 1⌋ + 1", 4)`` from ``"⌊(4 − 1) / 1⌋ + 1 = 4"``; None when it is not of that form."""
    head, sep, tail = worked.rpartition("=")
    tail = tail.strip()
    if not sep or not re.fullmatch(r"-?\d+", tail):
        return None
    try:
        parse(head)
    except ArithError:
        return None
    return head.strip(), int(tail)
