"""Conv and ConvTranspose shape rules against torch on real CPU tensors, valid and invalid configs."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.oracle import check_agreement, engine_run, torch_run

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


# Found by Hypothesis (issue 13): an output size of 0, which torch's oneDNN path returns as an empty tensor
# and its native path refuses ("Output size is too small"), whatever the batch or thread count.
EMPTY_OUTPUT = {"in_channels": 2, "out_channels": 3, "kernel_size": 1, "padding": 2, "dilation": 2, "output_padding": 1}


@SETTINGS
@given(conv_case(True))
@example(("ConvTranspose1d", EMPTY_OUTPUT, [(2, 2, 3)]))
@example(("ConvTranspose1d", EMPTY_OUTPUT, [(2, 3)]))
@example(("ConvTranspose2d", EMPTY_OUTPUT, [(2, 2, 3, 3)]))
@example(("ConvTranspose2d", EMPTY_OUTPUT, [(1, 2, 3, 3)]))
@example(("ConvTranspose3d", EMPTY_OUTPUT, [(2, 2, 3, 3, 3)]))
@example(("ConvTranspose3d", EMPTY_OUTPUT, [(2, 3, 3, 3)]))
@example(("ConvTranspose1d", {"in_channels": 2, "out_channels": 2, "kernel_size": 2, "padding": 1, "groups": 2}, [(1, 2, 1)]))
def test_conv_transpose_agrees_with_torch(case):
    check_agreement(*case)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("batch", [1, 2])
def test_an_empty_transposed_output_is_refused_with_the_reason(n, batch, threads):
    """The safe answer where torch's two CPU paths disagree: refuse, and say why, on every rank, batch and thread count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch_answer = torch_run(f"ConvTranspose{n}d", EMPTY_OUTPUT, [(batch, 2, *[3] * n)])
    finally:
        torch.set_num_threads(before)
    got = engine_run(f"ConvTranspose{n}d", EMPTY_OUTPUT, [(batch, 2, *[3] * n)])
    assert isinstance(torch_answer, Exception) or 0 in torch_answer[0]
    assert not got.ok and got.error.backend_dependent and got.error.param == "padding"
    label = "L" if n == 1 else "D" if n == 3 else "H"
    assert f"the output {label} would be 0 (input {label}=3)" in got.error.message
    assert "refuses it on others (oneDNN or its own kernel" in got.error.message
    assert got.error.fix == "use less padding or a larger kernel_size or stride"


def test_an_empty_transposed_output_that_torch_returns_is_still_refused():
    """groups=2 sends this one through oneDNN, which returns 1×2×0: the engine refuses it all the same."""
    params = {"in_channels": 2, "out_channels": 2, "kernel_size": 2, "padding": 1, "groups": 2}
    torch_answer = torch_run("ConvTranspose1d", params, [(1, 2, 1)])
    got = check_agreement("ConvTranspose1d", params, [(1, 2, 1)])
    assert not isinstance(torch_answer, Exception) and torch_answer[0] == (1, 2, 0)
    assert got.error.backend_dependent


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


def test_transposed_dilation_zero_is_refused_on_every_backend_and_rank():
    """Found by Hypothesis: oneDNN (batch > 1) takes dilation 0 on a 1-wide kernel in 1-D and 2-D only; the
    native path refuses it. The engine refuses it everywhere, and says why where torch might take it."""
    for n, batch in [(1, 1), (1, 2), (2, 2), (3, 2)]:
        got = check_agreement(
            f"ConvTranspose{n}d",
            {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "dilation": 0},
            [(batch, 1, *([3] * n))],
        )
        assert got.error.param == "dilation" and got.error.fix == "set dilation to 1"
        assert got.error.backend_dependent == (n < 3)
    wide = engine_run("ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "dilation": 0}, [(2, 1, 5, 5)])
    assert not wide.error.backend_dependent and "CPU paths" not in wide.error.message
