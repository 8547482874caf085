"""The NCHW lens: showing a tensor's dims in PyTorch's order (N×C×H×W) or TensorFlow/Keras's (N×H×W×C).

Pure formatting. The engine, the files and the exported code always use torch's channels-first order;
the lens only reorders what a label shows, moving the channel dim of a batched tensor with spatial dims
(rank 3 or more) to the end. Tensors without spatial dims (N×F) read the same in both orders.
"""

from __future__ import annotations

from designer.core.shapes import SymbolicShape, dim_names, format_shape, name_and_size

CHANNELS_FIRST = "NCHW"
CHANNELS_LAST = "NHWC"
LENSES = (CHANNELS_FIRST, CHANNELS_LAST)

NOTE = (
    "PyTorch keeps channels second (N×C×H×W); TensorFlow and Keras put them last (N×H×W×C). The same tensor "
    "holds the same numbers either way; only the order of the dims differs. It matters when moving weights "
    "or code between the two: a conv's kernel is [C_out, C_in, kH, kW] in PyTorch but [kH, kW, C_in, C_out] "
    "in Keras, and Flatten reads the values in a different order (C, then H, then W in PyTorch; H, then W, "
    "then C in Keras), so a Linear layer after a Flatten sees its inputs shuffled unless its weights are "
    "reordered. This lens changes only the labels: the design and the exported code stay PyTorch's."
)


def check_lens(lens: str) -> None:
    """Raise ValueError, in a sentence, for anything but NCHW or NHWC."""
    if lens not in LENSES:
        raise ValueError(f"unknown lens {lens!r}; one of {', '.join(LENSES)}")


def reorders(shape: SymbolicShape, lens: str) -> bool:
    """Whether ``lens`` shows this shape differently from torch's order."""
    check_lens(lens)
    return lens == CHANNELS_LAST and len(shape) >= 3


def permute_for_display(shape: SymbolicShape, lens: str) -> SymbolicShape:
    """The dims in the lens's order: ``(64, 512, 4, 4)`` → ``(64, 4, 4, 512)`` for channels-last (``N`` stays N)."""
    if not reorders(shape, lens):
        return tuple(shape)
    return (shape[0], *shape[2:], shape[1])


def display_names(rank: int, lens: str) -> tuple[str, ...]:
    """The dim names in the lens's order: ``N, H, W, C`` for a 4-D tensor seen channels-last."""
    names = dim_names(rank)
    if rank >= 3 and lens == CHANNELS_LAST:
        return (names[0], *names[2:], names[1])
    check_lens(lens)
    return names


def format_for_display(shape: SymbolicShape, lens: str) -> str:
    """``64×4×4×512`` (``N×4×4×512`` with an open batch): the edge label of a shape seen through ``lens``."""
    return format_shape(permute_for_display(shape, lens))


def format_named_for_display(shape: SymbolicShape, lens: str) -> str:
    """``N=64 · H=4 · W=4 · C=512``: every dim named, in the lens's order."""
    shown = permute_for_display(shape, lens)
    return " · ".join(name_and_size(n, d) for n, d in zip(display_names(len(shape), lens), shown)) or "scalar"
