"""Conv and ConvTranspose shape rules against torch on real CPU tensors, valid and invalid configs."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 400))


def per_dim(n, lo, hi, rare=None):
    """An int or a list of n ints in lo..hi; ``rare`` (an invalid value) turns up about one time in ten."""
    values = list(range(lo, hi + 1)) * 3 + ([rare] if rare is not None else [])
    one = st.sampled_from(values)
    return st.one_of(one, st.lists(one, min_size=n, max_size=n))


@st.composite
def conv_case(draw, transposed):
    n = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1] * 6 + [2, 2, 3, 0]))
    cin = draw(st.integers(1, 4)) * max(groups, 1) + draw(st.sampled_from([0, 0, 0, 0, 1]))
    cout = draw(st.integers(1, 4)) * max(groups, 1) + draw(st.sampled_from([0, 0, 0, 0, 1]))
    params = {"in_channels": cin, "out_channels": cout, "kernel_size": draw(per_dim(n, 1, 5, rare=0))}
    if draw(st.booleans()):
        params["stride"] = draw(per_dim(n, 1, 3, rare=0))
    if draw(st.booleans()):
        if transposed:
            params["padding"] = draw(per_dim(n, 0, 3, rare=-1))
        else:
            params["padding"] = draw(st.one_of(per_dim(n, 0, 3, rare=-1), st.sampled_from(["same", "valid"])))
    if draw(st.booleans()):
        params["dilation"] = draw(per_dim(n, 1, 3, rare=0))
    if transposed and draw(st.booleans()):
        params["output_padding"] = draw(per_dim(n, 0, 2, rare=-1))
    if groups != 1 or draw(st.booleans()):
        params["groups"] = groups
    if draw(st.booleans()):
        params["bias"] = draw(st.booleans())
    if draw(st.integers(0, 3 if not transposed else 12)) == 0:
        params["padding_mode"] = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    batched = draw(st.integers(0, 4)) > 0
    rank = n + (2 if batched else 1) + draw(st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1]))
    rank = max(rank, 1)
    channels = cin if draw(st.integers(0, 5)) else draw(st.integers(1, 6))
    spatial = [draw(st.integers(1, 9)) for _ in range(max(rank - 1 - int(batched), 0))]
    shape = ([draw(st.integers(1, 3))] if batched else []) + [channels] + spatial
    return f"{'ConvTranspose' if transposed else 'Conv'}{n}d", params, [tuple(shape[:rank])]


@SETTINGS
@given(conv_case(False))
def test_conv_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(conv_case(True))
def test_conv_transpose_agrees_with_torch(case):
    check_agreement(*case)


def test_dcgan_first_layer_explained():
    got = check_agreement(
        "ConvTranspose2d",
        {"in_channels": 100, "out_channels": 512, "kernel_size": 4, "stride": 1, "padding": 0, "bias": False},
        [(64, 100, 1, 1)],
    )
    assert got.shape == (64, 512, 4, 4)
    h = got.inferred.dims[2]
    assert h.label == "H" and h.worked == "(1 − 1)·1 − 2·0 + 1·(4 − 1) + 0 + 1 = 4"
    assert got.inferred.story[0].startswith("512 filters, each 100×4×4: weight [100, 512, 4, 4], 819,200 parameters")


def test_filter_story_with_bias_matches_issue_example():
    got = check_agreement("ConvTranspose2d", {"in_channels": 100, "out_channels": 512, "kernel_size": 4}, [(64, 100, 1, 1)])
    assert "819,712 parameters with bias" in got.inferred.story[0]


def test_channel_mismatch_names_both_nodes_and_the_fix():
    got = check_agreement("ConvTranspose2d", {"in_channels": 256, "out_channels": 128, "kernel_size": 4}, [(1, 128, 4, 4)])
    assert got.error.sentence() == (
        "ConvTranspose2d 'layer' expects 256 input channels but receives 128 from 'x0'; set in_channels to 128"
    )
    assert got.error.param == "in_channels"


def test_transposed_dilation_zero_depends_on_backend_and_rank():
    """Found by Hypothesis: oneDNN (batch > 1) takes dilation 0 on a 1-wide kernel in 1-D and 2-D only."""
    for n, batch in [(1, 1), (1, 2), (2, 2), (3, 2)]:
        check_agreement(
            f"ConvTranspose{n}d",
            {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "dilation": 0},
            [(batch, 1, *([3] * n))],
        )
