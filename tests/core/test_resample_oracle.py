"""Upsample, PixelShuffle and PixelUnshuffle shape rules against torch on real CPU tensors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.rules import check_rule_agreement, one_size_zero
from tests.core.worked import recompute
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 400))
RARELY = st.sampled_from([False] * 9 + [True])
MODES_BY_RANK = {
    3: ["nearest", "nearest-exact", "area", "linear"],
    4: ["nearest", "nearest-exact", "area", "bilinear", "bicubic"],
    5: ["nearest", "nearest-exact", "area", "trilinear"],
}
ALL_MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]
# Factors whose double-precision products with small sizes land just off an integer (10 × 0.7 = 7.0 in
# double, 6.99… exactly), plus plain ones.
SCALES = [2, 2, 3, 0.5, 1.5, 2.5, 0.7, 1.1, 0.3, 1 / 3, 2.2]


def spatial(draw, rank):
    return [draw(st.integers(1, 3)), draw(st.integers(1, 4))] + [draw(st.integers(1, 9)) for _ in range(rank - 2)]


@st.composite
def upsample_case(draw):
    rank = draw(st.sampled_from([3, 4, 5]))
    mode = draw(st.sampled_from(ALL_MODES)) if draw(RARELY) else draw(st.sampled_from(MODES_BY_RANK[rank]))
    if draw(RARELY):
        rank = draw(st.sampled_from([2, 3, 4, 5, 6]))
    dims = rank - 2
    params = {"mode": mode} if mode != "nearest" or draw(st.booleans()) else {}
    count = draw(st.sampled_from([1, 2, 3])) if draw(RARELY) else max(dims, 1)
    factor = st.one_of(st.sampled_from(SCALES), st.floats(0.05, 3.0))
    which = draw(st.sampled_from(["scale", "scale", "scales", "size", "sizes"]))
    if which == "scale":
        params["scale_factor"] = draw(factor)
    elif which == "scales":
        params["scale_factor"] = [draw(factor) for _ in range(count)]
    elif which == "size":
        params["size"] = draw(st.integers(1, 12))
    else:
        params["size"] = [draw(st.integers(1, 12)) for _ in range(count)]
    if draw(RARELY):
        extra = draw(st.sampled_from(["size", "scale_factor", "zero", "negative"]))
        if extra == "size":
            params["size"] = draw(st.sampled_from([4, [4, 4], 0]))
        elif extra == "scale_factor":
            params["scale_factor"] = draw(st.sampled_from([2, 0, [2.0, 0.0], 0.0]))
        elif extra == "zero":
            params["scale_factor"] = draw(st.sampled_from([0.1, [0.05, 1.0], -0.2]))
        else:
            params.pop("scale_factor", None)
            params["size"] = draw(st.sampled_from([-1, 0, [0, 3]]))
    interpolating = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if draw(st.booleans()) and (interpolating or draw(RARELY)):
        params["align_corners"] = draw(st.booleans())
    if draw(st.booleans()) and ("scale_factor" in params or draw(RARELY)):
        params["recompute_scale_factor"] = draw(st.sampled_from([True, False, None]))
    return "Upsample", params, [tuple(spatial(draw, rank))]


@st.composite
def pixel_case(draw):
    up = draw(st.booleans())
    r = draw(st.sampled_from([1, 2, 2, 3] * 3 + [0, -1]))
    rank = draw(st.sampled_from([3, 4, 4, 4, 5] * 3 + [2]))
    lead = [draw(st.integers(1, 3)) for _ in range(rank - 3)]
    rr = max(r, 1)
    if up:
        c = rr * rr * draw(st.integers(1, 3)) + (draw(st.integers(1, 3)) if draw(RARELY) else 0)
        h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    else:
        c = draw(st.integers(1, 4))
        h = rr * draw(st.integers(1, 4)) + (1 if draw(RARELY) else 0)
        w = rr * draw(st.integers(1, 4)) + (1 if draw(RARELY) else 0)
    shape = tuple(lead + [c, h, w])[-rank:]
    name, key = ("PixelShuffle", "upscale_factor") if up else ("PixelUnshuffle", "downscale_factor")
    return name, {key: r}, [shape]


@SETTINGS
@given(upsample_case())
def test_upsample_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(pixel_case())
def test_pixel_shuffle_agrees_with_torch(case):
    check_agreement(*case)


def empty_input_case():
    return one_size_zero(st.one_of(upsample_case(), pixel_case()))


@SETTINGS
@given(empty_input_case())
def test_empty_inputs_agree_with_torch(case):
    check_rule_agreement(*case)


# ----- explanations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "shape", "expected"),
    [
        ({"scale_factor": 2}, (64, 512, 4, 4), (64, 512, 8, 8)),
        ({"scale_factor": 0.7, "mode": "linear"}, (1, 1, 10), (1, 1, 7)),
        ({"scale_factor": [1.5, 1 / 3], "mode": "bicubic"}, (2, 3, 5, 9), (2, 3, 7, 3)),
        ({"scale_factor": 0.5, "mode": "area"}, (1, 2, 7, 7, 7), (1, 2, 3, 3, 3)),
        ({"scale_factor": 1.1, "recompute_scale_factor": True}, (1, 1, 10, 20), (1, 1, 11, 22)),
    ],
)
def test_upsample_worked_numbers_recompute_to_the_size(params, shape, expected):
    got = check_agreement("Upsample", params, [shape])
    assert got.shape == expected
    for note, size in zip(got.inferred.dims[2:], expected[2:]):
        value, result = recompute(note.worked)
        assert note.size == size == result == value, note.text()


def test_upsample_reads_like_a_formula():
    got = check_agreement("Upsample", {"scale_factor": 2, "mode": "bilinear"}, [(64, 512, 4, 4)])
    assert got.inferred.dims[2].text() == "H_out = ⌊H_in × scale_factor⌋ = ⌊4 × 2⌋ = 8"


@pytest.mark.parametrize(
    ("type_name", "params", "shape", "param", "words"),
    [
        ("Upsample", {"scale_factor": 2, "mode": "bilinear"}, (1, 3, 8), "mode", "needs a 4-D input"),
        ("Upsample", {"scale_factor": 2, "align_corners": False}, (1, 3, 8), "align_corners", "only applies"),
        ("Upsample", {"scale_factor": 2, "size": 4}, (1, 3, 8), "scale_factor", "not both"),
        ("Upsample", {"scale_factor": 0}, (1, 3, 8), "scale_factor", "counts as unset"),
        ("Upsample", {"size": [4, 4]}, (1, 3, 8), "size", "2 entries but the input has 1 spatial axes"),
        ("Upsample", {"size": 4, "recompute_scale_factor": True}, (1, 3, 8), "recompute_scale_factor", "only applies"),
        ("Upsample", {"scale_factor": 0.1}, (1, 3, 8), "scale_factor", "the output L would be 0"),
        ("PixelShuffle", {"upscale_factor": 2}, (1, 6, 4, 4), "upscale_factor", "divisible by upscale_factor² = 4"),
        ("PixelUnshuffle", {"downscale_factor": 2}, (1, 3, 5, 4), "downscale_factor", "H (5) must be divisible"),
        ("PixelShuffle", {"upscale_factor": 0}, (1, 4, 4, 4), "upscale_factor", "at least 1"),
    ],
)
def test_refusals_name_the_parameter(type_name, params, shape, param, words):
    got = check_agreement(type_name, params, [shape])
    assert got.error.param == param and words in got.error.message, got.error.sentence()


def test_area_may_shrink_to_nothing_with_a_warning():
    got = check_agreement("Upsample", {"scale_factor": 0.1, "mode": "area"}, [(1, 3, 8)])
    assert got.shape == (1, 3, 0) and "empty tensor" in got.warnings[0]


def test_pixel_shuffle_explains_channels_to_space():
    got = check_agreement("PixelShuffle", {"upscale_factor": 3}, [(2, 18, 4, 5)])
    assert got.shape == (2, 2, 12, 15)
    assert [n.text() for n in got.inferred.dims[1:]] == [
        "C_out = C_in / upscale_factor² = 18 / 3² = 2",
        "H_out = H_in × upscale_factor = 4 × 3 = 12",
        "W_out = W_in × upscale_factor = 5 × 3 = 15",
    ]
