"""The glossary's worked examples come from torch's own arithmetic: checked against torch here."""

from __future__ import annotations

import re

import pytest

from designer.core.glossary import DIMENSIONS, PARAMETERS, conv_size, conv_transpose_size
from designer.core.shapes import DIM_MEANINGS


@pytest.mark.parametrize(("size", "k", "s", "p", "d"), [(32, 3, 1, 0, 1), (32, 3, 2, 1, 1), (32, 3, 1, 1, 1), (32, 3, 1, 0, 2), (7, 4, 3, 2, 1)])
def test_conv_size_is_torchs(size, k, s, p, d) -> None:
    import torch

    out = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, size, size))
    assert out.shape[-1] == conv_size(size, k, s, p, d)


@pytest.mark.parametrize(("size", "k", "s", "p", "op"), [(16, 3, 2, 1, 1), (4, 4, 2, 1, 0), (5, 3, 3, 0, 2)])
def test_conv_transpose_size_is_torchs(size, k, s, p, op) -> None:
    import torch

    layer = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op)
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == conv_transpose_size(size, k, s, p, op)


def test_every_example_ends_with_the_size_its_formula_gives() -> None:
    for term in PARAMETERS[:-1]:  # groups' example counts weights, not a size
        numbers = dict(re.findall(r"(\w+)=(\d+)", term.example.split(":")[0]))
        n = {k: int(v) for k, v in numbers.items()}
        got = int(term.example.rsplit("= ", 1)[1])
        if "output_padding" in n:
            want = conv_transpose_size(n["H_in"], n["kernel_size"], n["stride"], n["padding"], n["output_padding"])
        else:
            want = conv_size(n["H_in"], n["kernel_size"], n["stride"], n["padding"], n["dilation"])
        assert got == want, term.name


def test_the_glossary_names_every_dimension_and_window_parameter() -> None:
    assert {t.name for t in DIMENSIONS} >= {"N", "C", "H", "W", "L", "D"}
    assert [t.name for t in PARAMETERS] == ["kernel_size", "stride", "padding", "dilation", "output_padding", "groups"]
    for term in DIMENSIONS[:6]:
        assert term.meaning in DIM_MEANINGS[term.name]
    assert all(t.formula and t.example and t.picture for t in PARAMETERS)
