"""The worked-formula arithmetic: exact integers, torch's double-precision scale factors, steps, refusals."""

from fractions import Fraction

import pytest

from designer.core.arith import ArithError, evaluate, parse, render, split_worked, steps


def test_exact_integer_arithmetic_with_floor_and_ceiling():
    assert evaluate("⌊(4 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1") == 2
    assert evaluate("⌈(7 − 2) / 2⌉ + 1") == 4
    assert evaluate("7 / 2") == Fraction(7, 2)
    assert evaluate("−3 + 5") == 2 and evaluate("-3 - -5") == 2


def test_decimals_are_doubles_as_in_torch():
    # torch computes ⌊100·0.29⌋ in double precision: 28.999999999999996 → 28.
    assert evaluate("⌊100·0.29⌋") == 28
    assert evaluate("⌊5 × 1.5⌋") == 7


def test_steps_reduce_innermost_brackets_then_products():
    assert steps("⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1") == [
        "⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1",
        "⌊(8 + 2·1 − 1·2 − 1) / 2⌋ + 1",
        "⌊7 / 2⌋ + 1",
        "3 + 1",
        "4",
    ]
    assert steps("4") == ["4"]
    assert steps("3 − 5") == ["3 − 5", "−2"]


def test_render_round_trips_the_rules_style():
    for text in ("(1 − 1)·1 − 2·0 + 1·(4 − 1) + 0 + 1", "⌈(9 + 2·1 − 3) / 2⌉ + 1", "⌊5 × 1.5⌋"):
        assert render(parse(text)) == text


def test_worked_lines_split_into_expression_and_size():
    assert split_worked("⌊(4 − 1) / 1⌋ + 1 = 4") == ("⌊(4 − 1) / 1⌋ + 1", 4)
    assert split_worked("64 (the batch passes through)") is None
    assert split_worked("sum of the inputs = 7") is None


@pytest.mark.parametrize("text", ["__import__('os')", "(1 + 2", "1 +", "2 ** 3", "⌊3 / 2)", "1 / 0"])
def test_anything_else_is_refused(text):
    with pytest.raises(ArithError):
        evaluate(text)
