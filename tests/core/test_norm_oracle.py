"""Normalization shape rules against torch on real CPU tensors (eval mode), valid and invalid configs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.rules import check_rule_agreement, check_warnings_agree
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 300))


def mostly(value, *rare):
    """``value`` about nine times in ten, else one of the ``rare`` alternatives."""
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


def sizes(draw, count, hi=3):
    """Small sizes; 1, the edge of several torch checks, turns up about one time in ten."""
    return [draw(mostly(draw(st.integers(2, hi)), 1)) for _ in range(count)]


def flags(draw, params, defaults):
    for name, default in defaults.items():
        if draw(st.booleans()):
            params[name] = draw(st.booleans()) if draw(st.integers(0, 2)) else default


@st.composite
def batch_norm_case(draw):
    n = draw(st.integers(1, 3))
    nf = draw(st.integers(1, 4))
    params = {"num_features": draw(mostly(nf, 0, -1, nf + 1))}
    flags(draw, params, {"affine": True, "bias": True})
    params["track_running_stats"] = draw(st.sampled_from([True, True, False]))
    if draw(st.booleans()):
        params["eps"] = draw(mostly(1e-3, 0, -1e-3))
    if draw(st.booleans()):
        params["momentum"] = draw(st.sampled_from([0.1, 0.5, None]))
    ranks = (2, 3) if n == 1 else (n + 2,)
    rank = draw(mostly(draw(st.sampled_from(ranks)), 1, ranks[0] - 1, ranks[-1] + 1))
    shape = [draw(mostly(draw(st.integers(2, 3)), 1))] + [nf] + sizes(draw, max(rank - 2, 0))
    return f"BatchNorm{n}d", params, [tuple(shape[:rank])]


@st.composite
def instance_norm_case(draw):
    n = draw(st.integers(1, 3))
    nf = draw(st.integers(1, 4))
    params = {"num_features": draw(mostly(nf, 0, -1, nf + 1))}
    flags(draw, params, {"affine": False, "track_running_stats": False, "bias": True})
    if draw(st.booleans()):
        params["eps"] = draw(st.sampled_from([1e-5, 0, -1.0]))  # only BatchNorm checks eps
    if draw(st.booleans()):
        params["momentum"] = draw(st.sampled_from([0.1, None]))
    batched = draw(st.booleans())
    rank = n + 1 + int(batched) + draw(mostly(0, -1, 1))
    channels = draw(mostly(nf, 1, nf + 2))
    shape = ([draw(mostly(2, 1))] if batched else []) + [channels] + sizes(draw, n + 1)
    return f"InstanceNorm{n}d", params, [tuple(shape[: max(rank, 1)])]


@st.composite
def group_norm_case(draw):
    groups = draw(st.integers(1, 4))
    per_group = draw(st.sampled_from([2, 1, 3]))
    nc = groups * per_group
    params = {
        "num_groups": draw(mostly(groups, 0, -groups, groups + 1, 2 * groups)),
        "num_channels": draw(mostly(nc, nc + 1, -nc, 2 * nc)),
    }
    flags(draw, params, {"affine": True, "bias": True})
    if draw(st.booleans()):
        params["eps"] = draw(st.sampled_from([1e-5, 0, -1.0]))  # only BatchNorm checks eps
    rank = draw(mostly(draw(st.integers(2, 5)), 1))
    channels = draw(mostly(nc, nc + 1, 2 * nc))
    shape = [draw(mostly(2, 1))] + [channels] + sizes(draw, 3)
    return "GroupNorm", params, [tuple(shape[:rank])]


@st.composite
def layer_norm_case(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    k = draw(st.integers(1, rank))
    wanted = list(shape[rank - k :])
    if draw(st.integers(0, 9)) == 0:
        wanted = draw(st.sampled_from([[*wanted, 2], [w + 1 for w in wanted], [0], [-1], [2, *wanted]]))
    value = wanted[0] if len(wanted) == 1 and draw(st.booleans()) else wanted
    params = {"normalized_shape": value}
    flags(draw, params, {"elementwise_affine": True, "bias": True})
    if draw(st.booleans()):
        params["eps"] = draw(st.sampled_from([1e-5, 0, -1.0]))  # only BatchNorm checks eps
    return "LayerNorm", params, [shape]


@st.composite
def lrn_case(draw):
    params = {"size": draw(mostly(draw(st.integers(1, 6)), 0, -2))}
    for name in ("alpha", "beta", "k"):
        if draw(st.booleans()):
            params[name] = draw(st.sampled_from([0, 1e-4, 0.75, 2.0, -1.0]))
    rank = draw(mostly(draw(st.integers(3, 6)), 1, 2))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    return "LocalResponseNorm", params, [shape]


@SETTINGS
@given(batch_norm_case())
def test_batch_norm_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(instance_norm_case())
def test_instance_norm_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(group_norm_case())
def test_group_norm_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(layer_norm_case())
def test_layer_norm_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(lrn_case())
def test_local_response_norm_agrees_with_torch(case):
    check_agreement(*case)


def _with_zero(case, draw):
    """The same case with one input size set to 0, as an upstream Linear(out_features=0) can make."""
    type_name, params, (shape,) = case
    axis = draw(st.integers(0, len(shape) - 1))
    return type_name, params, tuple(0 if i == axis else d for i, d in enumerate(shape))


@SETTINGS
@given(st.data())
def test_empty_inputs_agree_with_torch(data):
    strategy = st.one_of(batch_norm_case(), instance_norm_case(), group_norm_case(), layer_norm_case(), lrn_case())
    check_rule_agreement(*_with_zero(data.draw(strategy), data.draw))



@SETTINGS
@given(st.one_of(batch_norm_case(), instance_norm_case(), group_norm_case(), layer_norm_case(), lrn_case()))
def test_warnings_agree_with_torch(case):
    check_warnings_agree(*case)

# ----- explanations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "params", "shape", "sentence", "param"),
    [
        (
            "BatchNorm2d",
            {"num_features": 64},
            (8, 32, 4, 4),
            "BatchNorm2d 'layer' expects 64 channels (num_features) but receives 32 from 'x0'; set num_features to 32",
            "num_features",
        ),
        (
            "BatchNorm2d",
            {"num_features": 3},
            (8, 3, 4),
            "BatchNorm2d 'layer' needs a 4-D input N×C×H×W, but receives a 3-D tensor 8×3×4 from 'x0'; "
            "use BatchNorm1d for a 3-D input",
            None,
        ),
        (
            "GroupNorm",
            {"num_groups": 3, "num_channels": 8},
            (2, 8, 4, 4),
            "GroupNorm 'layer': num_channels (8) must be divisible by num_groups (3); "
            "choose num_groups among the divisors of 8",
            "num_groups",
        ),
        (
            "LayerNorm",
            {"normalized_shape": 512},
            (2, 10, 256),
            "LayerNorm 'layer' normalizes the last 1 dim(s), which must be [512], but 'x0' gives 2×10×256 "
            "(last 1: [256]); set normalized_shape to 256",
            "normalized_shape",
        ),
    ],
)
def test_error_sentences(type_name, params, shape, sentence, param):
    got = check_agreement(type_name, params, [shape])
    assert got.error.sentence() == sentence
    assert got.error.param == param


def test_batch_norm_without_running_stats_refuses_a_single_value_per_channel():
    got = check_agreement("BatchNorm1d", {"num_features": 10, "track_running_stats": False}, [(1, 10)])
    assert got.error.param == "track_running_stats"
    assert "only 1 value per channel" in got.error.message


def test_instance_norm_channel_mismatch_without_affine_only_warns():
    got = check_agreement("InstanceNorm2d", {"num_features": 3}, [(2, 5, 4, 4)])
    assert got.shape == (2, 5, 4, 4)
    assert got.warnings and "num_features is 3 but the input has 5 channels" in got.warnings[0]


def test_batch_norm_story_counts_parameters():
    got = check_agreement("BatchNorm2d", {"num_features": 64}, [(8, 64, 4, 4)])
    assert "128 parameters" in got.inferred.story[2]
    assert [d.label for d in got.inferred.dims] == ["N", "C", "H", "W"]
