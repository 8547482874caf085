"""The worked examples of Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).

Each row is one figure/relationship of the guide: input size i, kernel k, stride s, padding p, dilation d,
output_padding a, and the size o the guide derives. The engine must give o, and torch must agree.
"""

import pytest

from tests.oracle import check_agreement

# (what the guide calls it, type, i, k, s, p, d, a, o)
GUIDE = [
    ("no zero padding, unit strides (fig. 2.1)", "Conv2d", 4, 3, 1, 0, 1, 0, 2),
    ("arbitrary padding, unit strides (fig. 2.2)", "Conv2d", 5, 4, 1, 2, 1, 0, 6),
    ("half padding (fig. 2.3)", "Conv2d", 5, 3, 1, 1, 1, 0, 5),
    ("full padding (fig. 2.4)", "Conv2d", 5, 3, 1, 2, 1, 0, 7),
    ("no padding, strides (fig. 2.5)", "Conv2d", 5, 3, 2, 0, 1, 0, 2),
    ("padding, strides (fig. 2.6)", "Conv2d", 5, 3, 2, 1, 1, 0, 3),
    ("padding, strides, odd (fig. 2.7)", "Conv2d", 6, 3, 2, 1, 1, 0, 3),
    ("pooling (relationship 7)", "MaxPool2d", 5, 3, 1, 0, 1, 0, 3),
    ("transposed, no padding, unit strides (fig. 4.1)", "ConvTranspose2d", 2, 3, 1, 0, 1, 0, 4),
    ("transposed, arbitrary padding (fig. 4.2)", "ConvTranspose2d", 6, 4, 1, 2, 1, 0, 5),
    ("transposed, half padding (fig. 4.3)", "ConvTranspose2d", 5, 3, 1, 1, 1, 0, 5),
    ("transposed, full padding (fig. 4.4)", "ConvTranspose2d", 7, 3, 1, 2, 1, 0, 5),
    ("transposed, no padding, strides (fig. 4.5)", "ConvTranspose2d", 2, 3, 2, 0, 1, 0, 5),
    ("transposed, padding, strides (fig. 4.6)", "ConvTranspose2d", 3, 3, 2, 1, 1, 0, 5),
    ("transposed, padding, strides, odd (fig. 4.7)", "ConvTranspose2d", 3, 3, 2, 1, 1, 1, 6),
    ("dilated convolution (fig. 5.1)", "Conv2d", 7, 3, 1, 0, 2, 0, 3),
]


@pytest.mark.parametrize("case", GUIDE, ids=[row[0] for row in GUIDE])
def test_guide_example(case):
    _, type_name, i, k, s, p, d, a, o = case
    if type_name == "MaxPool2d":
        params = {"kernel_size": k, "stride": s, "padding": p}
    else:
        params = {"in_channels": 1, "out_channels": 1, "kernel_size": k, "stride": s, "padding": p, "dilation": d}
        if type_name.startswith("ConvTranspose"):
            params["output_padding"] = a
    got = check_agreement(type_name, params, [(1, 1, i, i)])
    assert got.shape == (1, 1, o, o)
    h = got.inferred.dims[2]
    assert h.label == "H" and h.size == o and h.worked.endswith(f"= {o}")
