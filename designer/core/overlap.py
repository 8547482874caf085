"""How a transposed convolution's kernel taps overlap in its output: the map behind checkerboard artifacts.

Input position ``i`` of a transposed convolution adds tap ``j`` of the kernel to output position
``i·stride + j·dilation − padding``; output_padding adds positions at the end that only some taps
reach. Counting the taps that land on each output position gives the overlap map: flat when every
position gets the same number, striped (a checkerboard in 2-D) when the kernel size is not divisible
by the stride (Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).
The taps of different dimensions are independent, so the 2-D map is the outer product of the 1-D ones.
Pure Python: it equals torch's ``conv_transpose2d`` of an all-ones input with an all-ones kernel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designer.core.layers.common import expand


@dataclass(frozen=True)
class Axis:
    """One spatial dimension of a transposed convolution."""

    size_in: int
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    output_padding: int = 0

    @property
    def size_out(self) -> int:
        return (self.size_in - 1) * self.stride - 2 * self.padding + self.dilation * (self.kernel - 1) + self.output_padding + 1

    def taps(self, i: int) -> list[tuple[int, int]]:
        """(kernel tap, output position) for every tap of input position ``i`` that lands inside the output."""
        out = []
        for j in range(self.kernel):
            o = i * self.stride + j * self.dilation - self.padding
            if 0 <= o < self.size_out:
                out.append((j, o))
        return out


def node_axes(params: Mapping[str, Any], spatial_in: Sequence[int]) -> list[Axis]:
    """The axes of a ConvTranspose node from its resolved params and its input's spatial sizes."""
    n = len(spatial_in)
    names = ("kernel_size", "stride", "padding", "dilation", "output_padding")
    per_dim = [expand(params[name], n) for name in names]
    return [Axis(size, *values) for size, *values in zip(spatial_in, *per_dim)]


def counts(axis: Axis) -> list[int]:
    """How many (input position, kernel tap) pairs land on each output position."""
    result = [0] * max(axis.size_out, 0)
    for i in range(axis.size_in):
        for _, o in axis.taps(i):
            result[o] += 1
    return result


def counts_2d(rows: Axis, cols: Axis) -> list[list[int]]:
    """The 2-D overlap map, ``map[h][w]`` = taps landing on output pixel (h, w)."""
    along_h, along_w = counts(rows), counts(cols)
    return [[a * b for b in along_w] for a in along_h]


def interior_pattern(kernel: int, stride: int, dilation: int = 1) -> tuple[int, ...]:
    """Taps per output position away from the borders, for each position modulo the stride.

    Equal entries mean even overlap; with dilation 1 that is exactly "kernel divisible by stride".
    """
    pattern = [0] * stride
    for j in range(kernel):
        pattern[(j * dilation) % stride] += 1
    return tuple(pattern)


def is_even(kernel: int, stride: int, dilation: int = 1) -> bool:
    return len(set(interior_pattern(kernel, stride, dilation))) == 1


def uneven_axes(kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> list[int]:
    """Indices of the spatial dims whose overlap is uneven."""
    return [i for i, (k, s, d) in enumerate(zip(kernel, stride, dilation)) if not is_even(k, s, d)]


def node_map(params: Mapping[str, Any], spatial_in: Sequence[int]) -> list[list[int]]:
    """The map to draw for a ConvTranspose node: one row for 1-D, H×W for 2-D, and for 3-D the H×W map
    of the middle depth slice (every depth slice is the same map times its own depth count)."""
    axes = node_axes(params, spatial_in)
    if len(axes) == 1:
        return [counts(axes[0])]
    if len(axes) == 2:
        return counts_2d(*axes)
    depth = counts(axes[0])
    middle = depth[len(depth) // 2] if depth else 0
    return [[middle * v for v in row] for row in counts_2d(axes[1], axes[2])]


CHECKERBOARD_SOURCE = 'Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016'


def checkerboard_sentence(n: int, params: Mapping[str, Any]) -> str | None:
    """The warning for an n-D transposed conv (``params`` resolved) whose taps overlap unevenly, else None."""
    kernel, stride, dilation = (expand(params[k], n) for k in ("kernel_size", "stride", "dilation"))
    if any(not isinstance(v, int) or v < 1 for v in (*kernel, *stride, *dilation)):
        return None  # the shape rule reports those values itself
    bad = uneven_axes(kernel, stride, dilation)
    if not bad:
        return None
    axis = bad[0]
    k, s, d = kernel[axis], stride[axis], dilation[axis]
    pattern = interior_pattern(k, s, d)
    cause = f"kernel_size {k} is not divisible by stride {s}" if d == 1 else f"kernel_size {k}, stride {s} and dilation {d} do not tile evenly"
    return (
        f"Uneven overlap: {cause}, so neighbouring output positions receive {min(pattern)} or {max(pattern)} kernel taps "
        f"in turn (pattern {'/'.join(str(c) for c in pattern)} repeating every {s}); generated images show this as a "
        f"checkerboard ({CHECKERBOARD_SOURCE}). Use a kernel divisible by the stride (kernel 4, stride 2 doubles a size), "
        f"or Upsample followed by a {n}-D convolution."
    )
