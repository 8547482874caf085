"""The NCHW lens reorders labels only: channels move last for tensors with spatial dims."""

import pytest

from designer.core.layout_lens import (
    CHANNELS_FIRST,
    CHANNELS_LAST,
    NOTE,
    display_names,
    format_for_display,
    format_named_for_display,
    permute_for_display,
)


@pytest.mark.parametrize(
    "shape, last",
    [
        ((64, 512, 4, 4), (64, 4, 4, 512)),
        ((8, 3, 100), (8, 100, 3)),
        ((2, 16, 5, 6, 7), (2, 5, 6, 7, 16)),
        ((64, 10), (64, 10)),
        ((10,), (10,)),
        ((), ()),
    ],
)
def test_permute(shape, last):
    assert permute_for_display(shape, CHANNELS_FIRST) == shape
    assert permute_for_display(shape, CHANNELS_LAST) == last
    assert sorted(permute_for_display(shape, CHANNELS_LAST)) == sorted(shape)


def test_names_and_text_follow_the_lens():
    assert display_names(4, CHANNELS_LAST) == ("N", "H", "W", "C")
    assert display_names(3, CHANNELS_LAST) == ("N", "L", "C")
    assert display_names(4, CHANNELS_FIRST) == ("N", "C", "H", "W")
    assert format_for_display((64, 512, 4, 4), CHANNELS_LAST) == "64×4×4×512"
    assert format_named_for_display((64, 512, 4, 4), CHANNELS_LAST) == "N=64 · H=4 · W=4 · C=512"
    assert "Flatten" in NOTE


def test_unknown_lens_is_refused_in_a_sentence():
    with pytest.raises(ValueError, match="one of NCHW, NHWC"):
        permute_for_display((1, 2, 3, 4), "CHWN")
    with pytest.raises(ValueError):
        display_names(2, "bad")
