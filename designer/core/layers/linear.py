"""Linear, Flatten and Unflatten: the layers that change how features are laid out."""

from __future__ import annotations

from designer.core.layers.common import describe_tensor, product, unchanged_notes, wrap_dim
from designer.core.params import Boolean, Integer, Ints
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, dim_names, format_count, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, weights_count


def _times(values) -> str:
    return "·".join(str(v) for v in values)


def _grouped(values) -> str:
    """``4`` or ``(4·4)``: a product in parentheses when it has more than one factor."""
    values = list(values)
    return _times(values) if len(values) == 1 else f"({_times(values)})"


# ----- Linear ----------------------------------------------------------------------------------
def _linear_weights(p):
    out = p["out_features"]
    return (("weight", (out, p["in_features"])),) + ((("bias", (out,)),) if p["bias"] else ())


def _linear_macs(p, inputs, out) -> tuple[int, str]:
    rows = product(out[:-1])
    macs = rows * p["in_features"] * p["out_features"]
    return macs, (
        f"rows·in_features·out_features = {rows}·{p['in_features']}·{p['out_features']} = {format_count(macs)}"
        " (rows: every position except the last dim; bias not counted)"
    )


def _linear_infer(ctx) -> Inferred:
    fan_in, fan_out = ctx["in_features"], ctx["out_features"]
    for name, value in (("in_features", fan_in), ("out_features", fan_out)):
        if value < 0:
            raise LayerError(f"{ctx.label}: {name} cannot be negative, got {value}", param=name)
    shape = ctx.shape
    if not shape:
        raise LayerError(f"{ctx.label} needs at least a 1-D input, but receives a single number from {ctx.source()}")
    labels = dim_names(len(shape))
    last = shape[-1]
    if last != fan_in:
        raise _in_features_error(ctx, shape, labels)
    out = (*shape[:-1], fan_out)
    notes = unchanged_notes(shape[:-1], labels[:-1]) + (
        DimNote(labels[-1], fan_out, f"{labels[-1]}_out = out_features", str(fan_out)),
    )
    count = weights_count(_linear_weights(ctx.params))
    bias = " plus a bias" if ctx["bias"] else ""
    story = [
        f"Each of the {fan_out} outputs is a weighted sum of all {fan_in} inputs{bias}: weight "
        f"[{fan_out}, {fan_in}], {counted(count, 'parameter')}.",
        "out_features is yours to choose; in_features must equal the size of the last dim that arrives.",
    ]
    if len(shape) > 2:
        story.append(
            f"On a {len(shape)}-D input Linear works on the last dim ({labels[-1]}) only; the other dims pass through."
        )
    warnings = ()
    if fan_in * fan_out == 0:
        warnings = ("The weight has no elements (in_features or out_features is 0); torch warns that it cannot initialise it.",)
    return Inferred(out, notes, tuple(story), warnings)


def _in_features_error(ctx, shape, labels) -> LayerError:
    fan_in, last = ctx["in_features"], shape[-1]
    if len(shape) <= 2:
        return LayerError(
            f"{ctx.label} expects {fan_in} input features (in_features) but receives {last} from {ctx.source()} "
            f"({describe_tensor(shape)})",
            param="in_features",
            fixes=(Fix.setting("in_features", last),),
        )
    per_sample = shape[1:]
    flat = product(per_sample)
    names = "·".join(labels[1:])
    return LayerError(
        f"{ctx.label} expects in_features={fan_in}, but {ctx.source()} gives {describe_tensor(shape)} and Linear "
        f"reads only its last dim ({labels[-1]}={last})",
        param="in_features",
        fix=f"insert a Flatten before it and set in_features to {names} = {_times(per_sample)} = {flat} "
        f"(or set in_features to {last} to act on the last dim only)",
        fixes=(Fix.setting("in_features", last),),
    )


# ----- Flatten ---------------------------------------------------------------------------------
def _flatten_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    start = wrap_dim(ctx, "start_dim", ctx["start_dim"], rank)
    end = wrap_dim(ctx, "end_dim", ctx["end_dim"], rank)
    if rank == 0:
        return Inferred((1,), (DimNote("F", 1, "F = 1", "a single number becomes a list of one"),), ("Makes a 1-D tensor.",))
    if start > end:
        raise LayerError(
            f"{ctx.label}: start_dim ({ctx['start_dim']} → dim {start}) comes after end_dim ({ctx['end_dim']} → dim {end}) "
            f"for {describe_tensor(shape)} from {ctx.source()}",
            param="start_dim",
            fix="make start_dim come before end_dim (the default 1 and -1 keep the batch and join the rest)",
        )
    labels = dim_names(rank)
    joined, sizes = labels[start : end + 1], shape[start : end + 1]
    merged = product(sizes)
    out = (*shape[:start], merged, *shape[end + 1 :])
    if start == end:
        return Inferred(shape, unchanged_notes(shape), (f"start_dim and end_dim are both dim {start}: nothing to join.",))
    names = "·".join(joined)
    label = "F" if end == rank - 1 and start <= 1 else names
    note = DimNote(label, merged, names if label == names else f"{label} = {names}", f"{_times(sizes)} = {merged}")
    notes = unchanged_notes(shape[:start], labels[:start]) + (note,) + unchanged_notes(shape[end + 1 :], labels[end + 1 :])
    story = (
        f"Joins {', '.join(joined)} into one dim of {format_count(merged)} values: {format_shape(shape)} → "
        f"{format_shape(out)}. Nothing is computed; no parameters.",
    )
    return Inferred(out, notes, story)


# ----- Unflatten -------------------------------------------------------------------------------
def _unflatten_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    if rank == 0:
        raise LayerError(f"{ctx.label} needs at least a 1-D input to split, but receives a single number from {ctx.source()}")
    axis = wrap_dim(ctx, "dim", ctx["dim"], rank)
    label, size = dim_names(rank)[axis], shape[axis]
    sizes = list(ctx["unflattened_size"])
    pieces = _split(ctx, sizes, label, size)
    out = (*shape[:axis], *pieces, *shape[axis + 1 :])
    out_labels = _piece_labels(rank, axis, len(pieces), label)
    notes = list(unchanged_notes(shape[:axis], dim_names(rank)[:axis]))
    for i, (lbl, piece) in enumerate(zip(out_labels, pieces)):
        if sizes[i] == -1:
            others = [p for j, p in enumerate(pieces) if j != i]
            other_labels = [s for j, s in enumerate(out_labels) if j != i]
            if others:
                formula = f"{lbl} = {label} / {_grouped(other_labels)}"
                worked = f"{size} / {_grouped(others)} = {piece}"
            else:
                formula = f"{lbl} = {label}" if lbl != label else f"{lbl}_out = {lbl}_in"
                worked = str(piece)
            notes.append(DimNote(lbl, piece, formula, worked + " (the -1 is worked out)"))
        else:
            notes.append(DimNote(lbl, piece, f"{lbl} = unflattened_size[{i}]", str(piece)))
    notes.extend(unchanged_notes(shape[axis + 1 :], dim_names(rank)[axis + 1 :]))
    story = (
        f"Splits {label} = {size} (dim {axis}) into {format_shape(tuple(pieces))}: {format_shape(shape)} → "
        f"{format_shape(out)}. Nothing is computed; no parameters.",
    )
    return Inferred(out, tuple(notes), story)


def _split(ctx, sizes: list[int], label: str, size: int) -> list[int]:
    """torch's ``infer_size``: at most one -1, no other negatives, and the product must come out right."""
    inferred, known = None, 1
    for i, s in enumerate(sizes):
        if s == -1:
            if inferred is not None:
                raise LayerError(
                    f"{ctx.label}: only one entry of unflattened_size may be -1, got {sizes}",
                    param="unflattened_size",
                )
            inferred = i
        elif s >= 0:
            known *= s
        else:
            raise LayerError(
                f"{ctx.label}: unflattened_size may hold sizes and one -1, but not {s}",
                param="unflattened_size",
            )
    if known == size or (inferred is not None and known > 0 and size % known == 0):
        if inferred is None:
            return sizes
        if known == 0:
            raise LayerError(
                f"{ctx.label}: with a 0 in unflattened_size {sizes}, the -1 could be any size",
                param="unflattened_size",
                fix="replace the -1 by a size",
            )
        return [size // known if i == inferred else s for i, s in enumerate(sizes)]
    shown = _times(s for s in sizes if s != -1) or "1"
    if inferred is None:
        problem = f"but {shown} = {known}, not {size}"
    else:
        problem = f"but {size} cannot be split evenly by {shown} = {known}"
    raise LayerError(
        f"{ctx.label} splits {label} = {size} from {ctx.source()} into {sizes}, {problem}",
        param="unflattened_size",
        fix=f"make the sizes multiply to {size} (one of them may be -1 to have it worked out)",
    )


def _piece_labels(rank: int, axis: int, count: int, label: str) -> tuple[str, ...]:
    """Conventional names when splitting the last dim (N×F → N×C×H×W), else numbered pieces of the dim."""
    out_names = dim_names(rank - 1 + count)
    if axis == rank - 1 and out_names[:axis] == dim_names(rank)[:axis]:
        return out_names[axis:]
    return tuple(f"{label}{i + 1}" for i in range(count)) if count > 1 else (label,)


SPECS = [
    LayerSpec(
        type_name="Linear",
        category="Linear",
        description="Fully connected layer: every output is a learned weighted sum of all inputs in the last dim.",
        params=(
            ParamSpec("in_features", Integer(0), REQUIRED, "size of the last dim that arrives (e.g. C·H·W after a Flatten)"),
            ParamSpec("out_features", Integer(0), REQUIRED, "how many outputs: your choice"),
            ParamSpec("bias", Boolean(), True, "add a learnable bias per output"),
        ),
        infer=_linear_infer,
        weights=_linear_weights,
        macs=_linear_macs,
        summary=lambda p: f"{p['in_features']}→{p['out_features']}" + ("" if p["bias"] else " no bias"),
    ),
    LayerSpec(
        type_name="Flatten",
        category="Linear",
        description="Joins several dims into one, e.g. N×C×H×W → N×(C·H·W) before a Linear layer.",
        params=(
            ParamSpec("start_dim", Integer(), 1, "first dim to join (1 keeps the batch N)"),
            ParamSpec("end_dim", Integer(), -1, "last dim to join (-1 is the last)"),
        ),
        infer=_flatten_infer,
        summary=lambda p: f"dims {p['start_dim']}..{p['end_dim']}",
        int64_input="keep",
    ),
    LayerSpec(
        type_name="Unflatten",
        category="Linear",
        description="Splits one dim into several, e.g. N×8192 → N×512×4×4 (the opposite of Flatten).",
        params=(
            ParamSpec("dim", Integer(), REQUIRED, "the dim to split (1 is the first after the batch)"),
            ParamSpec("unflattened_size", Ints(min_len=1), REQUIRED, "the new sizes; one may be -1 to work it out"),
        ),
        infer=_unflatten_infer,
        int64_input="keep",
        summary=lambda p: f"dim {p['dim']} → {format_shape(tuple(p['unflattened_size']))}",
    ),
]
