"""Activation shape rules against torch on real CPU tensors, valid and invalid configs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core.layers.activation import FLOAT32_MAX
from tests.core.rules import check_rule_agreement, check_warnings_agree
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 300))

PLAIN = ["ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Tanh", "Sigmoid", "Identity", "GELU"]
PARAMETRIC = ["LeakyReLU", "PReLU", "ELU", "CELU", "Hardtanh", "Softplus", "Softmax", "LogSoftmax"]
INPLACE = {"ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Hardtanh"}
# Beyond float32's range (torch refuses), at its edge (accepted), and ordinary values.
HUGE = [1e39, -1e39, 3.4028235e38, FLOAT32_MAX, -FLOAT32_MAX]


def mostly(value, *rare):
    """``value`` about nine times in ten, else one of the ``rare`` alternatives."""
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


def real(draw, *ordinary):
    return draw(mostly(draw(st.sampled_from(ordinary)), draw(st.sampled_from(HUGE))))


@st.composite
def activation_case(draw):
    rank = draw(st.integers(1, 5))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    # Layers with parameters come up more often: that is where torch can refuse.
    type_name = draw(st.sampled_from([*PLAIN, *PARAMETRIC * 4]))
    params = {}
    if type_name == "GELU" and draw(st.booleans()):
        params["approximate"] = draw(st.sampled_from(["none", "tanh"]))
    elif type_name == "LeakyReLU" and draw(st.integers(0, 3)):
        params["negative_slope"] = real(draw, 0.01, 0.2, -1.0, 0)
    elif type_name in ("ELU", "CELU") and draw(st.integers(0, 3)):
        params["alpha"] = real(draw, 1.0, 0.5, -2.0, 3)
        if type_name == "CELU":
            params["alpha"] = draw(mostly(params["alpha"], 0, 0.0, 1e-39, -2.9e-39, 3e-39))
    elif type_name == "Hardtanh":
        lo = real(draw, -1.0, 0, -3.5, 2)
        hi = draw(mostly(lo + draw(st.sampled_from([0.5, 1, 6])), lo, lo - 1, 1e39))
        params.update(min_val=lo, max_val=hi)
    elif type_name == "Softplus":
        for name in ("beta", "threshold"):
            if draw(st.booleans()):
                params[name] = real(draw, 1.0, 2, 0, -1.5, 20.0)
    elif type_name == "PReLU":
        channels = shape[1] if rank >= 2 else 1
        params["num_parameters"] = draw(mostly(draw(st.sampled_from([1, channels])), channels + 1, 0, -1))
        if draw(st.booleans()):
            params["init"] = real(draw, 0.25, -1.0, 0)
    elif type_name in ("Softmax", "LogSoftmax") and draw(st.integers(0, 5)):
        params["dim"] = draw(mostly(draw(st.integers(-rank, rank - 1)), rank, -rank - 1))
    if type_name in INPLACE and draw(st.booleans()):
        params["inplace"] = draw(st.booleans())
    return type_name, params, [shape]


@SETTINGS
@given(activation_case())
def test_activations_agree_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(activation_case(), st.data())
def test_empty_inputs_agree_with_torch(case, data):
    type_name, params, (shape,) = case
    axis = data.draw(st.integers(0, len(shape) - 1))
    check_rule_agreement(type_name, params, tuple(0 if i == axis else d for i, d in enumerate(shape)))



@SETTINGS
@given(activation_case())
def test_warnings_agree_with_torch(case):
    check_warnings_agree(*case)

# ----- explanations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "params", "shape", "sentence", "param"),
    [
        (
            "PReLU",
            {"num_parameters": 64},
            (8, 32, 4, 4),
            "PReLU 'layer' has num_parameters=64 (one slope per channel), but 'x0' gives a 4-D tensor 8×32×4×4 and "
            "its channel dim (dim 1) is 32; set num_parameters to 32 (or 1 to share one slope)",
            "num_parameters",
        ),
        (
            "Softmax",
            {"dim": 2},
            (8, 10),
            "Softmax 'layer': dim 2 does not exist in a 2-D tensor 8×10 from 'x0' (use -2..1); set dim to -1 for the last dim",
            "dim",
        ),
        (
            "Hardtanh",
            {"min_val": 2.0, "max_val": 1.0},
            (8, 10),
            "Hardtanh 'layer': max_val (1.0) must be greater than min_val (2.0); make max_val larger than min_val",
            "max_val",
        ),
        (
            "CELU",
            {"alpha": 0},
            (8, 10),
            "CELU 'layer': alpha cannot be 0 (CELU divides by it); set alpha to 1.0",
            "alpha",
        ),
        (
            "LeakyReLU",
            {"negative_slope": 1e39},
            (8, 10),
            "LeakyReLU 'layer': negative_slope is 1e+39, too large for 32-bit floats (at most ±3.4e38); "
            "choose a smaller negative_slope",
            "negative_slope",
        ),
    ],
)
def test_error_sentences(type_name, params, shape, sentence, param):
    got = check_agreement(type_name, params, [shape])
    assert got.error.sentence() == sentence
    assert got.error.param == param


@pytest.mark.parametrize(("shape", "guess"), [((10,), 0), ((8, 10), 1), ((8, 3, 10), 0), ((8, 3, 4, 4), 1)])
def test_softmax_without_dim_warns_with_torchs_guess(shape, guess):
    got = check_agreement("Softmax", {}, [shape])
    assert got.warnings == (
        f"dim is not set, so torch guesses dim {guess} for a {len(shape)}-D input and warns; set dim explicitly "
        f"(usually -1, the last dim)",
    )


def test_softmax_story_names_the_dim():
    got = check_agreement("Softmax", {"dim": -1}, [(64, 10)])
    assert got.inferred.story[0] == "Turns the 10 values along F (dim 1) of each slice into probabilities that sum to 1."
    assert not got.warnings


def test_prelu_counts_one_slope_per_channel():
    got = check_agreement("PReLU", {"num_parameters": 16}, [(2, 16, 8, 8)])
    assert got.param_count == 16
