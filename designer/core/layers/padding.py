"""Padding layers: Zero/Constant/Reflection/Replication/CircularPad 1d/2d/3d.

``padding`` is one integer for every side, or 2·n integers in torch's order: the last axis first
(left, right), then top, bottom, then front, back. Negative values crop. The checks mirror ATen's
``constant_pad_nd``, the reflection/replication kernels and ``_pad_circular``.
"""

from __future__ import annotations

from designer.core import torch_version
from designer.core.layers.common import (
    axis_labels,
    describe_tensor,
    empty_output_warnings,
    expand,
    require_spatial_input,
    show,
    unchanged_notes,
)
from designer.core.params import IntOrInts, Real
from designer.core.shapes import DimNote, Inferred, LayerError
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec

_SIDES = (("left", "right"), ("top", "bottom"), ("front", "back"))
_FILL = {
    "Zero": "with zeros",
    "Constant": "with a constant value",
    "Reflection": "by mirroring the input at its edges (the edge itself is not repeated)",
    "Replication": "by repeating the edge values outward",
    "Circular": "by wrapping around (the left padding copies the right end, and so on)",
}
# torch 2.14's 2-D and 3-D replication kernels refuse an output size of 0 on any axis; 2.13 and before
# returned an empty tensor while some other padded axis was non-empty.
REPLICATION_NEEDS_EVERY_SIZE: torch_version.Version = (2, 14, 0)
_WHAT = {1: "the last axis (L or W)", 2: "the last two axes (H, W)", 3: "the last three axes (D, H, W)"}


def _pairs(padding, n: int) -> list[tuple[int, int]]:
    """(before, after) per padded axis, the last axis first, as torch reads the padding list."""
    values = expand(padding, 2 * n)
    return [(values[2 * i], values[2 * i + 1]) for i in range(n)]


def _signed(value: int) -> str:
    return f"+ {value}" if value >= 0 else f"− {-value}"


def _note(lbl: str, i: int, size: int, lo: int, hi: int) -> DimNote:
    before, after = _SIDES[i]
    out = size + lo + hi
    return DimNote(lbl, out, f"{lbl}_out = {lbl}_in + pad_{before} + pad_{after}", f"{size} {_signed(lo)} {_signed(hi)} = {out}")


def _check_rank(ctx, family: str, n: int) -> None:
    if family in ("Zero", "Constant"):
        if len(ctx.shape) < n:
            raise LayerError(
                f"{ctx.label} pads the last {n} axes, but receives {describe_tensor(ctx.shape)} from {ctx.source()}",
                fix="pick the padding layer for fewer dimensions",
            )
    else:
        require_spatial_input(ctx, n)


def _check_constant(ctx, lbl: str, size: int, lo: int, hi: int) -> None:
    # torch first cuts the negative padding off the input, one side after the other.
    if size + min(lo, 0) + min(hi, 0) < 0:
        raise LayerError(
            f"{ctx.label}: the negative padding crops {-min(lo, 0) - min(hi, 0)} from {lbl}, which is only {size}",
            param="padding",
            fix=f"crop at most {size} in total along {lbl}",
        )


def _check_reflection(ctx, lbl: str, size: int, lo: int, hi: int) -> None:
    if lo >= size or hi >= size:
        raise LayerError(
            f"{ctx.label}: reflect padding must be smaller than the input's {lbl} ({size}), got {max(lo, hi)}",
            param="padding",
            fix=f"pad by at most {size - 1} along {lbl}, or use ReplicationPad",
        )


def _check_sizes(ctx, family: str, n: int, labels, out_sizes) -> None:
    """Outputs torch's reflection/replication kernels accept: at least 1 in 1-D; in 2-D/3-D none negative and
    (as the kernels only test that the output is not empty everywhere) at least one axis of size 1 or more,
    except that replication needs every axis at least 1 from torch 2.14 on."""
    every = n == 1 or _replication_needs_every_size(family, n)
    since = f" ({torch_version.show(REPLICATION_NEEDS_EVERY_SIZE)} and later)" if n > 1 and every else ""
    for lbl, out in zip(labels, out_sizes):
        if out < 0 or (every and out < 1):
            raise LayerError(
                f"{ctx.label}: the output {lbl} would be {out}; {family.lower()} padding needs it at least 1{since}",
                param="padding",
                fix="crop less",
            )
    if max(out_sizes) < 1:
        raise LayerError(f"{ctx.label}: every output size would be 0", param="padding", fix="crop less")


def _replication_needs_every_size(family: str, n: int) -> bool:
    return family == "Replication" and n > 1 and torch_version.at_least(REPLICATION_NEEDS_EVERY_SIZE)


def _version_warnings(family: str, n: int, out: list[int]) -> tuple[str, ...]:
    """An empty output the followed torch gives but newer ones refuse: the design would break on upgrade."""
    if family == "Replication" and n > 1 and 0 in out[-n:] and not _replication_needs_every_size(family, n):
        return (
            f"{torch_version.show(REPLICATION_NEEDS_EVERY_SIZE)} and later refuse this empty output "
            f"(the rules follow {torch_version.describe()}).",
        )
    return ()


def _slice(size: int, start: int, end: int) -> tuple[int, int]:
    """ATen's slice bounds: negative ends count from the back, then both are clamped into the axis."""
    start = start + size if start < 0 else start
    end = end + size if end < 0 else end
    start = min(max(start, 0), size)
    return start, min(max(end, start), size)


def _dense(sizes, strides) -> bool:
    """c10's is_non_overlapping_and_dense for a view of a contiguous tensor."""
    need = 1
    for axis in sorted((a for a in range(len(sizes)) if sizes[a] >= 2), key=lambda a: strides[a]):
        if strides[axis] != need:
            return False
        need *= sizes[axis]
    return True


def _circular_copies_fit(shape, pairs, out_shape) -> bool:
    """Whether ATen's ``_pad_circular`` copies succeed (padding values already checked).

    With negative padding the kernel's slices can come out with mismatched lengths (copy_ then refuses
    to broadcast them), or a wrap copy can read and write overlapping memory (copy_ refuses that when both
    regions are dense); which happens depends on every size, so the kernel's steps are replayed here.
    """
    rank = len(shape)
    for i, (lo, hi) in enumerate(pairs):
        axis = rank - 1 - i
        a = _slice(out_shape[axis], max(lo, 0), out_shape[axis] - max(hi, 0))
        b = _slice(shape[axis], max(-lo, 0), shape[axis] - max(-hi, 0))
        if b[1] - b[0] not in (a[1] - a[0], 1):
            return False
    strides = [1] * rank
    for axis in range(rank - 2, -1, -1):
        strides[axis] = strides[axis + 1] * out_shape[axis + 1]
    for i, (lo, hi) in enumerate(pairs):
        axis = rank - 1 - i
        size = out_shape[axis]
        copies = []
        if lo > 0:
            copies.append((_slice(size, 0, lo), _slice(size, size - lo - max(hi, 0), size - max(hi, 0))))
        if hi > 0:
            copies.append((_slice(size, size - hi, size), _slice(size, max(lo, 0), max(lo, 0) + hi)))
        rest = 1
        for other, s in enumerate(out_shape):
            rest *= s if other != axis else 1
        for dst, src in copies:
            if not _copy_allowed(dst, src, axis, out_shape, strides, rest):
                return False
    return True


def _copy_allowed(dst, src, axis, out_shape, strides, rest) -> bool:
    d_len, s_len = dst[1] - dst[0], src[1] - src[0]
    d_count, s_count = rest * d_len, rest * s_len
    if d_count and s_count:
        d_sizes = [d_len if a == axis else s for a, s in enumerate(out_shape)]
        s_sizes = [s_len if a == axis else s for a, s in enumerate(out_shape)]
        if _dense(d_sizes, strides) and _dense(s_sizes, strides):
            d0, s0 = dst[0] * strides[axis], src[0] * strides[axis]
            same = d0 == s0 and d_count == s_count
            if not same and d0 < s0 + s_count and s0 < d0 + d_count:
                return False
    return s_len in (d_len, 1)


def _check_circular(ctx, labels, pairs, out_shape) -> None:
    shape = ctx.shape
    for lbl, (lo, hi), axis in zip(labels, pairs, range(len(shape) - 1, -1, -1)):
        size = shape[axis]
        if lo > size or hi > size:
            raise LayerError(
                f"{ctx.label}: circular padding of {max(lo, hi)} wraps around more than once along {lbl} (size {size})",
                param="padding",
                fix=f"pad by at most {size} along {lbl}",
            )
        if out_shape[axis] < 0:
            raise LayerError(f"{ctx.label}: the negative padding crops more than {lbl} ({size}) has", param="padding", fix="crop less")
    if not _circular_copies_fit(shape, pairs, out_shape):
        raise LayerError(
            f"{ctx.label}: torch cannot combine this negative (cropping) padding with wrapping on {describe_tensor(shape)}",
            param="padding",
            fix="crop with a ZeroPad or ConstantPad first, then pad circularly with non-negative values",
        )


def _check_not_empty(ctx, n: int) -> None:
    """The reflection and replication kernels take an empty batch, and no other size 0."""
    shape = ctx.shape
    names = axis_labels(len(shape), n)
    for axis in range(1 if len(shape) == n + 2 else 0, len(shape)):
        if shape[axis] == 0:
            raise LayerError(
                f"{ctx.label} cannot pad {describe_tensor(shape)} from {ctx.source()}: its {names[axis]} is 0",
                fix="check the layer before it, which makes an empty tensor",
            )


def _infer(family: str, n: int):
    def infer(ctx) -> Inferred:
        _check_rank(ctx, family, n)
        shape = ctx.shape
        rank = len(shape)
        pairs = _pairs(ctx["padding"], n)
        names = axis_labels(rank, n)
        labels = [names[rank - 1 - i] for i in range(n)]
        out = list(shape)
        for i, (lo, hi) in enumerate(pairs):
            out[rank - 1 - i] = shape[rank - 1 - i] + lo + hi
        if family in ("Reflection", "Replication"):
            _check_not_empty(ctx, n)
        for lbl, (lo, hi), i in zip(labels, pairs, range(n)):
            size = shape[rank - 1 - i]
            if family in ("Zero", "Constant"):
                _check_constant(ctx, lbl, size, lo, hi)
            elif family == "Reflection":
                _check_reflection(ctx, lbl, size, lo, hi)
        if family in ("Reflection", "Replication"):
            _check_sizes(ctx, family, n, labels, [out[rank - 1 - i] for i in range(n)])
        if family == "Circular":
            _check_circular(ctx, labels, pairs, out)
        notes = list(unchanged_notes(shape[: rank - n], names[: rank - n]))
        for i in reversed(range(n)):
            notes.append(_note(labels[i], i, shape[rank - 1 - i], *pairs[i]))
        fill = f"with the value {ctx['value']}" if family == "Constant" else _FILL[family]
        story = [
            f"Pads {_WHAT[n]} {fill}; the other axes pass through.",
            "padding lists the last axis first: (left, right" + (", top, bottom" if n > 1 else "") + (", front, back" if n > 2 else "") + ").",
        ]
        if any(v < 0 for pair in pairs for v in pair):
            story.append("Negative padding crops that many positions from that side instead.")
        warnings = empty_output_warnings(tuple(out), names) + _version_warnings(family, n, out)
        return Inferred(tuple(out), tuple(notes), tuple(story), warnings)

    return infer


def _summary(params) -> str:
    padding = params["padding"]
    text = f"p{show(padding) if isinstance(padding, list) else padding}"
    return f"{text} = {params['value']}" if "value" in params else text


def _make(family: str, n: int) -> LayerSpec:
    sides = ", ".join(side for pair in _SIDES[:n] for side in pair)
    params = [ParamSpec("padding", IntOrInts(2 * n), REQUIRED, f"positions added per side: one number, or [{sides}]")]
    if family == "Constant":
        params.append(ParamSpec("value", Real(), REQUIRED, "the number written into the padding"))
    return LayerSpec(
        type_name=f"{family}Pad{n}d",
        category="Padding",
        description=f"Pads {_WHAT[n]} {_FILL[family]}; negative padding crops.",
        params=tuple(params),
        infer=_infer(family, n),
        summary=_summary,
        int64_input="keep",
        rank=n,
    )


SPECS = [_make(family, n) for family in _FILL for n in (1, 2, 3)]
