"""The words behind every size: the dimension names and the window parameters, each with its formula.

Plain data for Help ▸ Shapes and Parameters (and anything else that teaches). The worked examples are
computed by the same arithmetic the shape rules use (``conv_size``, ``conv_transpose_size``), never
typed in, and tests compare them with torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core.shapes import DIM_MEANINGS

CONV_FORMULA = "H_out = ⌊(H_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
TRANSPOSED_FORMULA = "H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1"
GROUPS_FORMULA = "weight = out_channels × (in_channels / groups) × kernel_size…"


def conv_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """One spatial size after a convolution or pooling window (torch's formula, floor rounding)."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def conv_transpose_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """One spatial size after a transposed convolution."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``picture`` names the drawing the help window makes for it."""

    name: str
    title: str
    meaning: str
    formula: str = ""
    example: str = ""
    picture: str = ""


def _conv_example(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> str:
    out = conv_size(size, k, s, p, d)
    return (
        f"H_in={size}, kernel_size={k}, stride={s}, padding={p}, dilation={d}: "
        f"⌊({size} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"
    )


def _transposed_example(size: int, k: int, s: int, p: int, op: int) -> str:
    out = conv_transpose_size(size, k, s, p, op)
    return (
        f"H_in={size}, kernel_size={k}, stride={s}, padding={p}, output_padding={op}: "
        f"({size} − 1)·{s} − 2·{p} + 1·({k} − 1) + {op} + 1 = {out}"
    )


DIMENSIONS: tuple[Term, ...] = tuple(
    Term(name, f"{name}: {DIM_MEANINGS[name].split(':')[0]}", DIM_MEANINGS[name].split(": ", 1)[1], picture=f"dim_{name}")
    for name in ("N", "C", "H", "W", "L", "D")
) + (
    Term(
        "N×C×H×W",
        "Reading a size",
        "A size lists its dimensions in order: 64×3×32×32 is a batch of 64 images, each with 3 channels "
        "of 32 rows by 32 columns. Images have H and W, signals have L, volumes have D, H and W; "
        "after a Flatten, F counts the numbers per sample.",
        picture="dims",
    ),
)

PARAMETERS: tuple[Term, ...] = (
    Term(
        "kernel_size",
        "kernel_size: the window",
        "How many positions the window (the filter) covers along each dimension; a larger window sees more "
        "at once and, without padding, leaves a smaller output.",
        CONV_FORMULA,
        _conv_example(32, 3),
        "kernel",
    ),
    Term(
        "stride",
        "stride: the step",
        "How far the window moves from one output position to the next; stride 2 roughly halves H and W.",
        CONV_FORMULA,
        _conv_example(32, 3, s=2, p=1),
        "stride",
    ),
    Term(
        "padding",
        "padding: the border",
        "How many rows and columns of zeros (or copies, see padding_mode) are added on each side of the input "
        "before the window slides; kernel_size // 2 keeps the size with stride 1. In a transposed convolution "
        "padding instead trims the output.",
        CONV_FORMULA,
        _conv_example(32, 3, p=1),
        "padding",
    ),
    Term(
        "dilation",
        "dilation: gaps between taps",
        "The spacing between the positions the window reads: dilation 2 skips every other position, so a "
        "3-wide window spans 5 positions without more weights.",
        CONV_FORMULA + "; the window spans dilation·(kernel_size − 1) + 1",
        _conv_example(32, 3, d=2),
        "dilation",
    ),
    Term(
        "output_padding",
        "output_padding: the missing row",
        "Transposed convolutions only: extra rows and columns added on one side of the output, to reach the "
        "exact size a strided convolution came from (it must be smaller than stride or dilation).",
        TRANSPOSED_FORMULA,
        _transposed_example(16, 3, 2, 1, 1),
        "output_padding",
    ),
    Term(
        "groups",
        "groups: separate channel groups",
        "Splits the input and output channels into groups that are convolved separately; groups = in_channels "
        "gives one filter per channel (depthwise). Both channel counts must divide by groups.",
        GROUPS_FORMULA,
        "in_channels=64, out_channels=64, kernel_size=3, groups=64: weight 64 × (64/64) × 3 × 3 = 576 "
        "numbers, instead of 36,864 with groups=1",
        "groups",
    ),
)
