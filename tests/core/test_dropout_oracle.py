"""Dropout shape rules against torch on real CPU tensors (eval mode), valid and invalid configs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.rules import check_rule_agreement, check_warnings_agree
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 300))

TYPES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]
# The ranks each variant is made for; the others are rare (refused by Dropout1d, warned about by 2d/3d).
USUAL = {"Dropout": (1, 2, 3, 4), "AlphaDropout": (1, 2, 3, 4), "Dropout1d": (2, 3), "Dropout2d": (3, 4), "Dropout3d": (4, 5)}


def mostly(value, *rare):
    """``value`` about nine times in ten, else one of the ``rare`` alternatives."""
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


@st.composite
def dropout_case(draw):
    type_name = draw(st.sampled_from(TYPES))
    params = {}
    if draw(st.booleans()):
        params["p"] = draw(mostly(draw(st.sampled_from([0, 0.1, 0.5, 1, 1.0])), -0.1, 1.5))
    if draw(st.booleans()):
        params["inplace"] = draw(st.booleans())
    rank = draw(mostly(draw(st.sampled_from(USUAL[type_name])), 1, 2, 3, 5, 6))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    return type_name, params, [shape]


@SETTINGS
@given(dropout_case())
def test_dropout_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(dropout_case(), st.data())
def test_empty_inputs_agree_with_torch(case, data):
    type_name, params, (shape,) = case
    axis = data.draw(st.integers(0, len(shape) - 1))
    check_rule_agreement(type_name, params, tuple(0 if i == axis else d for i, d in enumerate(shape)))



@SETTINGS
@given(dropout_case())
def test_warnings_agree_with_torch(case):
    check_warnings_agree(*case)

@pytest.mark.parametrize(("type_name", "rank"), [("Dropout2d", 2), ("Dropout2d", 5), ("Dropout3d", 3), ("Dropout3d", 6)])
def test_deprecated_ranks_warn_but_pass(type_name, rank):
    got = check_agreement(type_name, {}, [(2,) * rank])
    assert got.shape == (2,) * rank
    assert "torch only warns for now but will refuse it in a future release" in got.warnings[0]


def test_dropout2d_on_3d_input_explains_torchs_reading():
    got = check_agreement("Dropout2d", {}, [(8, 16, 32)])
    assert got.warnings == (
        "Dropout2d reads a 3-D input as N×C×L and drops channels of it like Dropout1d (torch warns and will read it "
        "as C×H×W in the future); use Dropout1d to say so",
    )


def test_dropout1d_refuses_images():
    got = check_agreement("Dropout1d", {"p": 0.2}, [(8, 3, 32, 32)])
    assert got.error.sentence() == (
        "Dropout1d 'layer' needs a 3-D input N×C×L (or 2-D without the batch N), but receives a 4-D tensor 8×3×32×32 "
        "from 'x0'; use Dropout2d/Dropout3d for feature maps, or Dropout for single values"
    )


def test_probability_out_of_range():
    got = check_agreement("Dropout", {"p": 1.5}, [(8, 10)])
    assert got.error.param == "p"
    assert got.error.sentence() == (
        "Dropout 'layer': p is the probability of dropping, so it must be between 0 and 1, got 1.5; set p to 0.5"
    )
