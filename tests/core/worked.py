"""Recompute a DimNote's worked arithmetic (``⌊(32 + 2·0 − 2) / 2⌋ + 1 = 16``) to check it gives the size.

Integers divide exactly (as fractions) and products with a decimal are done in double precision,
as torch does them; only arithmetic, ⌊⌋ and ⌈⌉ are understood, nothing is executed.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction

_SYMBOLS = {"·": "*", "×": "*", "−": "-", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")"}
_FUNCS = {"floor": math.floor, "ceil": math.ceil}


def _value(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        (arg,) = node.args
        return _FUNCS[node.func.id](_value(arg))
    if isinstance(node, ast.BinOp):
        a, b = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b if isinstance(a, float) or isinstance(b, float) else Fraction(a, b)
    raise ValueError(f"not plain arithmetic: {ast.dump(node)}")


def recompute(worked: str) -> tuple[int, int]:
    """(what the left side evaluates to, the number after the last ``=``) of a worked line.

    Text in parentheses after the result (``16 (unchanged)``) is ignored.
    """
    expr, result = worked.rsplit(" = ", 1)
    text = expr
    for symbol, python in _SYMBOLS.items():
        text = text.replace(symbol, python)
    return _value(ast.parse(text, mode="eval").body), int(result.split(" ")[0])
