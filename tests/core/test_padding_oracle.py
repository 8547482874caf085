"""Padding shape rules against torch on real CPU tensors: Zero/Constant/Reflection/Replication/CircularPad."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core.shapes import LayerError
from tests.core.rules import check_rule_agreement, one_size_zero, rule_run
from tests.core.worked import recompute
from tests.oracle import check_agreement, torch_run

SETTINGS = settings(max_examples=max(settings().max_examples, 400))
RARELY = st.sampled_from([False] * 9 + [True])
FAMILIES = ["Zero", "Constant", "Reflection", "Replication", "Circular"]


@st.composite
def pad_case(draw):
    family = draw(st.sampled_from(FAMILIES))
    n = draw(st.integers(1, 3))
    batched = draw(st.sampled_from([True, True, False]))
    rank = n + (2 if batched else 1)
    if draw(RARELY):
        rank = draw(st.integers(max(n - 1, 1), n + 3))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(max(rank - n, 0))) + tuple(
        draw(st.integers(1, 6)) for _ in range(min(rank, n))
    )
    # Mostly what each mode accepts (reflect pads less than the size); negative (cropping) values and
    # too-large ones turn up now and then.
    limit = 5 if family in ("Zero", "Constant", "Replication") else 2
    side = st.integers(-3, limit) if draw(RARELY) else st.integers(0, limit)
    params = {"padding": draw(side) if draw(st.booleans()) else [draw(side) for _ in range(2 * n)]}
    if family == "Constant":
        params["value"] = draw(st.sampled_from([0, 1.5, -2]))
    return f"{family}Pad{n}d", params, [shape]


@SETTINGS
@given(pad_case())
def test_padding_agrees_with_torch(case):
    check_agreement(*case)


@st.composite
def cropping_case(draw):
    """Negative padding everywhere it is allowed, where the rules are most intricate (circular's copies)."""
    type_name, params, shapes = draw(pad_case())
    n = int(type_name[-2])
    params["padding"] = [draw(st.integers(-4, 4)) for _ in range(2 * n)]
    return type_name, params, shapes


@SETTINGS
@given(cropping_case())
def test_cropping_agrees_with_torch(case):
    check_agreement(*case)


def empty_input_case():
    return one_size_zero(st.one_of(pad_case(), cropping_case()))


@SETTINGS
@given(empty_input_case())
def test_empty_inputs_agree_with_torch(case):
    expected = torch_run(*case[:2], [case[2]])
    if not isinstance(expected, Exception) and min(expected[0]) < 0:
        # ReflectionPad2d on an empty batch hands back a "tensor" with a negative size instead of
        # raising; nothing can use it, so the engine refuses it like every other negative size.
        assert isinstance(rule_run(*case), LayerError)
    else:
        check_rule_agreement(*case)


# ----- explanations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "params", "shape", "expected"),
    [
        ("ZeroPad2d", {"padding": [1, 2, 3, 4]}, (8, 3, 10, 10), (8, 3, 17, 13)),
        ("ConstantPad1d", {"padding": [-2, 3], "value": 0.5}, (4, 6), (4, 7)),
        ("ReflectionPad3d", {"padding": 1}, (2, 4, 3, 3, 3), (2, 4, 5, 5, 5)),
        ("ReplicationPad2d", {"padding": [0, -1, 2, 2]}, (3, 5, 5), (3, 9, 4)),
        ("CircularPad1d", {"padding": [3, 0]}, (1, 2, 3), (1, 2, 6)),
    ],
)
def test_worked_numbers_recompute_to_the_size(type_name, params, shape, expected):
    got = check_agreement(type_name, params, [shape])
    assert got.shape == expected
    n = int(type_name[-2])
    for note, size in zip(got.inferred.dims[-n:], expected[-n:]):
        value, result = recompute(note.worked)
        assert note.size == size == result == value, note.text()


def test_padding_order_is_last_axis_first():
    got = check_agreement("ZeroPad2d", {"padding": [1, 2, 3, 4]}, [(8, 3, 10, 10)])
    h, w = got.inferred.dims[2:]
    assert h.text() == "H_out = H_in + pad_top + pad_bottom = 10 + 3 + 4 = 17"
    assert w.text() == "W_out = W_in + pad_left + pad_right = 10 + 1 + 2 = 13"


@pytest.mark.parametrize(
    ("type_name", "params", "shape", "words"),
    [
        ("ReflectionPad2d", {"padding": 3}, (1, 1, 3, 8), "smaller than the input's H (3)"),
        ("CircularPad1d", {"padding": [4, 0]}, (1, 1, 3), "wraps around more than once"),
        ("ConstantPad1d", {"padding": [-3, -2], "value": 1}, (1, 4), "crops 5 from L, which is only 4"),
        ("ReplicationPad1d", {"padding": [-2, -1]}, (1, 1, 3), "the output L would be 0"),
        ("CircularPad1d", {"padding": [-3, 3]}, (1, 4), "cannot combine this negative"),
    ],
)
def test_refusals_point_at_padding(type_name, params, shape, words):
    got = check_agreement(type_name, params, [shape])
    assert got.error.param == "padding" and words in got.error.message, got.error.sentence()


def test_wrong_rank_for_a_mode_is_explained():
    got = check_agreement("ReflectionPad2d", {"padding": 1}, [(2, 3, 4, 4, 4)])
    assert "needs a 4-D input N×C×H×W (or 3-D without the batch N)" in got.error.message
    assert check_agreement("ZeroPad2d", {"padding": 1}, [(2, 3, 4, 4, 4)]).shape == (2, 3, 4, 6, 6)


def test_cropping_to_nothing_warns():
    got = check_agreement("ZeroPad1d", {"padding": [-2, -2]}, [(3, 4)])
    assert got.shape == (3, 0) and "empty tensor" in got.warnings[0]
