"""Helpers shared by the shape rules: per-dimension expansion, rank checks, torch's dim wrapping and formula text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from designer.core.shapes import DimNote, Fix, LayerError, Shape, dim_names, format_shape

SPATIAL_LABELS = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def expand(value: Any, count: int) -> tuple:
    """torch's ``_ntuple``: an int repeated per dimension, or the list as a tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * count


def dot(values: Sequence[Any]) -> str:
    """``2·3·4``: factors as a formula writes them."""
    return "·".join(str(v) for v in values)


def product(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def describe_tensor(shape: Shape) -> str:
    return f"a {len(shape)}-D tensor {format_shape(shape)}"


def wrap_dim(
    ctx, name: str, dim: int, rank: int, extra: int = 0, fixes: tuple[Fix, ...] = (), fix: str | None = None
) -> int:
    """torch's wrapping of one dim param: -1 is the last dim, a 0-D tensor takes 0 and -1 like a 1-D one,
    and ``extra`` more positions exist where the op adds dims (Unsqueeze). A dim the tensor lacks is an error."""
    span = max(rank + extra, 1)
    if not -span <= dim < span:
        raise LayerError(
            f"{ctx.label}: {name} {dim} does not exist in {describe_tensor(ctx.shape)} from {ctx.source()} "
            f"(use {-span}..{span - 1})",
            param=name,
            fix=fix,
            fixes=fixes,
        )
    return dim % span


def wrap_dims(ctx, name: str, dims: Sequence[int], rank: int) -> list[int]:
    """torch's wrapping of a list of dims, as :func:`wrap_dim` does each, refusing a dim named twice."""
    out: list[int] = []
    for d in dims:
        at = wrap_dim(ctx, name, d, rank)
        if at in out:
            raise LayerError(f"{ctx.label}: {name} {list(dims)} names dim {at} twice", param=name, fix="list each dim once")
        out.append(at)
    return out


def layout(rank: int) -> str:
    return "×".join(dim_names(rank))


def require_spatial_input(ctx, spatial: int, allow_unbatched: bool = True) -> tuple[bool, Shape]:
    """Check a layer that wants [N, C, *spatial] (or [C, *spatial] unbatched).

    Returns (batched, input shape).
    """
    shape = ctx.shape
    batched_rank = spatial + 2
    ok = {batched_rank, batched_rank - 1} if allow_unbatched else {batched_rank}
    if len(shape) not in ok:
        names = layout(batched_rank)
        alt = f" (or {batched_rank - 1}-D without the batch N)" if allow_unbatched else ""
        raise LayerError(
            f"{ctx.label} needs a {batched_rank}-D input {names}{alt}, but receives "
            f"{describe_tensor(shape)} from {ctx.source()}",
            fix=_rank_fix(len(shape), batched_rank),
        )
    return len(shape) == batched_rank, shape


def _rank_fix(have: int, want: int) -> str | None:
    if have > want:
        return "insert a Flatten or pick the layer for that many dimensions"
    if have < want:
        return "insert an Unflatten, or pick the layer for that many dimensions (e.g. the 1d variant)"
    return None


def spatial_labels(spatial: int) -> tuple[str, ...]:
    return SPATIAL_LABELS.get(spatial, tuple(f"S{i + 1}" for i in range(spatial)))


def unchanged_notes(shape: Shape, labels: Sequence[str] | None = None, note: str = "unchanged") -> tuple[DimNote, ...]:
    labels = labels or dim_names(len(shape))
    return tuple(DimNote(lbl, size, f"{lbl}_out = {lbl}_in", f"{size} ({note})") for lbl, size in zip(labels, shape))


def leading_labels(batched: bool) -> tuple[str, ...]:
    return ("N", "C") if batched else ("C",)


def check_positive(ctx, name: str, values: Sequence[int], what: str) -> None:
    if any(v <= 0 for v in values):
        raise LayerError(f"{ctx.label}: {name} must be at least 1 ({what}), got {_show(values)}", param=name)


def check_non_negative(ctx, name: str, values: Sequence[int]) -> None:
    if any(v < 0 for v in values):
        raise LayerError(f"{ctx.label}: {name} cannot be negative, got {_show(values)}", param=name)


def _show(values: Sequence[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(list(values))


def show(values: Sequence[Any]) -> str:
    """One number when all dims agree, else the list: ``4`` or ``[4, 3]``."""
    return _show(values)


def axis_labels(rank: int, spatial: int) -> tuple[str, ...]:
    """Names for the axes of a ``rank``-D tensor whose last ``spatial`` axes a layer works on.

    ``(N, C, H, W)`` for a batch, ``(C, H, W)`` without the batch, ``(H, W)`` for a bare map; a tensor
    with more leading axes than N and C keeps the conventional names of its rank. Needs ``rank >= spatial``.
    """
    lead = rank - spatial
    if lead >= 2:
        return dim_names(rank)
    return ("N", "C")[2 - lead :] + spatial_labels(spatial)


def empty_output_warnings(shape: Shape, labels: Sequence[str]) -> tuple[str, ...]:
    """The warning for an output with a size-0 axis, which torch returns without complaint."""
    zero = [lbl for lbl, size in zip(labels, shape) if size == 0]
    if not zero:
        return ()
    return (f"The output's {', '.join(zero)} is 0: torch returns an empty tensor here, which no later layer can use.",)
