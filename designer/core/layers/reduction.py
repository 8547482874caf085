"""Reductions: Mean and Sum over some dims (``x.mean(dim=..., keepdim=...)``), as torch counts dims."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.core.layers.common import product, wrap_dims
from designer.core.params import Boolean, Ints, Optional
from designer.core.shapes import DimNote, Inferred, LayerError, Shape, dim_names, format_count, format_shape
from designer.core.spec import INT, LayerSpec, ParamSpec, Term


def as_dims(value: Any) -> list[int] | None:
    """A ``dim`` param as a list (an int is a list of one); None stays None."""
    if value is None:
        return None
    return [value] if isinstance(value, int) else list(value)


def _reduce_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    if ctx.type_name == "Mean" and ctx.dtype() == INT:
        raise LayerError(
            f"{ctx.label} averages, which needs floating-point values, but {ctx.source()} gives int64 values "
            "(torch raises: mean(): could not infer output dtype)",
            fix="use Sum, or turn the ids into vectors first (an Embedding)",
        )
    given = as_dims(ctx["dim"])
    dims = wrap_dims(ctx, "dim", given or [], rank)
    if not dims:  # None or an empty list: every dim, as torch does
        dims = list(range(rank))
    keep = ctx["keepdim"]
    what = "average" if ctx.type_name == "Mean" else "sum"
    names = dim_names(rank)
    out, notes = [], []
    for axis, (name, size) in enumerate(zip(names, shape)):
        if axis not in dims:
            out.append(size)
            notes.append(DimNote(name, size, f"{name}_out = {name}_in", f"{size} (unchanged)"))
        elif keep:
            out.append(1)
            notes.append(DimNote(name, 1, f"{name}_out = 1", f"1 (the {what} over {name} = {size}, kept as a dim of size 1)"))
    reduced = [f"{names[d]} = {shape[d]}" for d in sorted(dims) if d < rank]
    over = ", ".join(reduced) or "the single value"
    counted = product(shape[d] for d in dims if d < rank)
    story = [
        f"Each output value is the {what} of {format_count(counted)} values (over {over}): "
        f"{format_shape(shape)} → {format_shape(tuple(out))}."
    ]
    story.append("keepdim=True keeps each reduced dim as size 1, so the result still lines up with the input for broadcasting."
                 if keep else "The reduced dims are removed (keepdim=True would keep them as size 1).")
    if counted == 0 and ctx.type_name == "Mean":
        story.append("The mean of no values is NaN: torch returns NaN here without an error.")
    return Inferred(tuple(out), tuple(notes), tuple(story))


def _reduce_code(method: str):
    def code(args: Sequence[str], p: Mapping[str, Term]) -> str:
        parts = []
        dim, keep = p["dim"], p["keepdim"]
        if not (dim.known and dim.value is None):
            parts.append(f"dim={dim.code}")
        if not (keep.known and keep.value is False):
            parts.append(f"keepdim={keep.code}")
        if parts and parts[0].startswith("keepdim"):
            parts.insert(0, "dim=None")  # torch's mean(keepdim=...) needs dim given too
        return f"{args[0]}.{method}({', '.join(parts)})"

    return code


def _reduce_ops(p: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    values = product(inputs[0])
    return values, f"one addition per input value = {format_count(values)}"


def _mean_ops(p: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    values, results = product(inputs[0]), product(out)
    ops = values + results
    return ops, f"one addition per input value + one division per output value = {values} + {results} = {format_count(ops)}"


def _summary(p: Mapping[str, Any]) -> str:
    dims = as_dims(p.get("dim"))
    text = "all dims" if not dims else f"dim {dims[0] if len(dims) == 1 else dims}"
    return text + (", keepdim" if p.get("keepdim") else "")


def _params(what: str) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("dim", Optional(Ints(min_len=0, allow_scalar=True)), None, f"the dim or dims to {what} over; null: all of them"),
        ParamSpec("keepdim", Boolean(), False, "keep each reduced dim as size 1"),
    )


SPECS = [
    LayerSpec(
        "Mean",
        "Math",
        "Averages over some dims (x.mean(dim=...)), e.g. over H and W for global average pooling.",
        _params("average"),
        _reduce_infer,
        kind="op",
        code=_reduce_code("mean"),
        other_ops=_mean_ops,
        summary=_summary,
    ),
    LayerSpec(
        "Sum",
        "Math",
        "Adds up the values over some dims (x.sum(dim=...)).",
        _params("add up"),
        _reduce_infer,
        kind="op",
        code=_reduce_code("sum"),
        int64_input="keep",
        other_ops=_reduce_ops,
        summary=_summary,
    ),
]
