"""Pooling shape rules against torch on real CPU tensors: MaxPool, AvgPool and the adaptive pools."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.rules import check_rule_agreement, one_size_zero
from tests.core.worked import recompute
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 400))


def compact(draw, values):
    """One int when all dims agree (and a coin says so), else the list: both spellings torch takes."""
    return values[0] if len(set(values)) == 1 and draw(st.booleans()) else list(values)


@st.composite
def input_shape(draw, n, rare_rank=True):
    """[N, C, *spatial] mostly, [C, *spatial] often, a wrong rank now and then; small sizes."""
    batched = draw(st.sampled_from([True, True, True, False]))
    rank = n + (2 if batched else 1)
    if rare_rank:
        rank = max(rank + draw(st.sampled_from([0] * 27 + [-1, 1, 2])), 1)
    lead = [draw(st.integers(1, 3)) for _ in range(max(rank - n, 0))]
    spatial = [draw(st.sampled_from([1, 2, *range(4, 11), *range(4, 11), *range(4, 11)])) for _ in range(min(rank, n))]
    return tuple(lead + spatial)


RARELY = st.sampled_from([False] * 9 + [True])

# One value torch refuses per parameter; a case carries at most one, about one time in ten.
BROKEN = {"kernel_size": 0, "stride": [0, -1], "padding": [-1, 3], "dilation": 0, "divisor_override": 0}


@st.composite
def window_case(draw):
    n = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["Max", "Avg"]))
    kernel = [draw(st.integers(1, 4)) for _ in range(n)]
    params = {"kernel_size": compact(draw, kernel)}
    if draw(st.booleans()):
        params["stride"] = None if draw(st.integers(0, 4)) == 0 else compact(draw, [draw(st.integers(1, 3)) for _ in range(n)])
    if draw(st.booleans()):
        params["padding"] = compact(draw, [draw(st.integers(0, k // 2)) for k in kernel])
    if kind == "Max" and draw(st.booleans()):
        params["dilation"] = compact(draw, [draw(st.sampled_from([1, 1, 2, 3])) for _ in range(n)])
    if draw(st.booleans()):
        params["ceil_mode"] = draw(st.booleans())
    if kind == "Avg" and draw(st.booleans()):
        params["count_include_pad"] = draw(st.booleans())
    if kind == "Avg" and n > 1 and draw(st.integers(0, 3)) == 0:
        params["divisor_override"] = draw(st.sampled_from([None, 1, 3, -2]))
    if draw(RARELY):
        name = draw(st.sampled_from([k for k in BROKEN if k != "dilation" or kind == "Max"]))
        if name != "divisor_override" or (kind == "Avg" and n > 1):
            params[name] = draw(st.sampled_from(BROKEN[name] if isinstance(BROKEN[name], list) else [BROKEN[name]]))
    return f"{kind}Pool{n}d", params, [draw(input_shape(n))]


@st.composite
def adaptive_case(draw):
    n = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["Avg", "Max"]))
    sizes = [1, 2, 3, 4, 7] * 3 + [0, -1]
    entry = st.sampled_from(sizes + ([None] * 3 if n > 1 else []))
    output_size = draw(st.one_of(st.sampled_from(sizes), st.lists(entry, min_size=n, max_size=n)))
    return f"Adaptive{kind}Pool{n}d", {"output_size": output_size}, [draw(input_shape(n))]


@SETTINGS
@given(window_case())
def test_max_and_avg_pool_agree_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(adaptive_case())
def test_adaptive_pools_agree_with_torch(case):
    check_agreement(*case)


def empty_input_case():
    return one_size_zero(st.one_of(window_case(), adaptive_case()))


@SETTINGS
@given(empty_input_case())
def test_empty_inputs_agree_with_torch(case):
    check_rule_agreement(*case)


# ----- explanations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "params", "shape", "expected"),
    [
        ("MaxPool2d", {"kernel_size": 2, "stride": 2}, (64, 3, 32, 32), (64, 3, 16, 16)),
        ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2}, (1, 8, 17, 9), (1, 8, 8, 4)),
        ("MaxPool1d", {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}, (1, 1, 5), (1, 1, 3)),
        ("MaxPool1d", {"kernel_size": 3, "stride": 2, "ceil_mode": True}, (4, 2), (4, 1)),
        ("AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, (3, 7, 7), (3, 4, 4)),
        ("AvgPool3d", {"kernel_size": [1, 2, 2], "ceil_mode": True}, (2, 4, 3, 5, 5), (2, 4, 3, 3, 3)),
    ],
)
def test_worked_numbers_recompute_to_the_size(type_name, params, shape, expected):
    got = check_agreement(type_name, params, [shape])
    assert got.shape == expected
    n = int(type_name[-2])
    for note, size in zip(got.inferred.dims[-n:], expected[-n:]):
        value, result = recompute(note.worked)
        assert note.size == size == result == value, note.text()


def test_ceil_mode_correction_is_explained():
    got = check_agreement("MaxPool1d", {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}, [(1, 1, 5)])
    length = got.inferred.dims[2]
    assert length.worked == "⌈(5 + 2·1 − 1·(2 − 1) − 1) / 2⌉ + 1 − 1 = 3"
    assert "right padding" in length.formula
    assert any("torch drops it, leaving 3" in line for line in got.inferred.story)


def test_dcgan_style_halving_reads_like_the_brief():
    got = check_agreement("MaxPool2d", {"kernel_size": 2, "stride": 2}, [(64, 3, 32, 32)])
    assert got.inferred.dims[2].text() == (
        "H_out = ⌊(H_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1 = ⌊(32 + 2·0 − 1·(2 − 1) − 1) / 2⌋ + 1 = 16"
    )


@pytest.mark.parametrize(
    ("type_name", "params", "shape", "param", "words"),
    [
        ("MaxPool2d", {"kernel_size": 2, "padding": 2}, (1, 1, 8, 8), "padding", "at most half of kernel_size"),
        ("MaxPool2d", {"kernel_size": 5}, (1, 1, 3, 3), "kernel_size", "the output H would be 0"),
        ("AvgPool3d", {"kernel_size": 3, "padding": 1}, (1, 1, 2, 3, 3), "kernel_size", "smaller than kernel_size"),
        ("AvgPool2d", {"kernel_size": 2, "divisor_override": 0}, (1, 1, 4, 4), "divisor_override", "cannot be 0"),
        ("AdaptiveMaxPool2d", {"output_size": [-1, 2]}, (1, 1, 4, 4), "output_size", "cannot be negative"),
    ],
)
def test_refusals_name_the_parameter(type_name, params, shape, param, words):
    got = check_agreement(type_name, params, [shape])
    assert got.error.param == param and words in got.error.message, got.error.sentence()


def test_adaptive_null_keeps_the_input_size_and_zero_warns():
    got = check_agreement("AdaptiveAvgPool2d", {"output_size": [None, 7]}, [(2, 3, 32, 10)])
    assert got.shape == (2, 3, 32, 7)
    assert got.inferred.dims[2].text() == "H_out = H_in (output_size is null here) = 32"
    empty = check_agreement("AdaptiveMaxPool1d", {"output_size": 0}, [(2, 3, 5)])
    assert empty.shape == (2, 3, 0) and "empty tensor" in empty.warnings[0]


def test_global_average_accepts_any_rank_like_torch():
    assert check_agreement("AdaptiveAvgPool2d", {"output_size": 1}, [(5, 6)]).shape == (1, 1)
    assert not check_agreement("AdaptiveAvgPool2d", {"output_size": [1, 1]}, [(5, 6)]).ok
    assert not check_agreement("AdaptiveMaxPool2d", {"output_size": 1}, [(5, 6)]).ok
