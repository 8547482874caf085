"""Shape ops that move or pick values without computing: Reshape, Permute, Transpose, Squeeze, Unsqueeze,
Select, Slice and Expand, each as the tensor method of the same name (Slice as ``x[..., start:end:step]``).

Each is an op written as a call in ``forward()`` (``LayerSpec.code``); dims wrap as in torch (-1 is the
last; a 0-D tensor takes dims 0 and -1 like a 1-D one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.core.layers.common import describe_tensor, product
from designer.core.layers.reduction import as_dims, wrap_dims
from designer.core.params import Integer, Ints, Optional
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, Shape, dim_names, format_count, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, Term, moves_values_only

_MOVES = " Nothing is computed; no parameters."


def _wrap(ctx, name: str, dim: int, rank: int, extra: int = 0) -> int:
    """One dim wrapped as torch wraps it, for a tensor of ``rank`` dims (+``extra`` for Unsqueeze)."""
    span = max(rank + extra, 1)
    if not -span <= dim < span:
        raise LayerError(
            f"{ctx.label}: {name} {dim} does not exist in {describe_tensor(ctx.shape)} from {ctx.source()} "
            f"(use {-span}..{span - 1})",
            param=name,
        )
    return dim % span


def _kept(names: Sequence[str], shape: Shape) -> list[DimNote]:
    return [DimNote(n, s, f"{n}_out = {n}_in", f"{s} (unchanged)") for n, s in zip(names, shape)]


def _unique(labels: Sequence[str]) -> tuple[str, ...]:
    """Labels made unique (``H``, ``H2``) so every output dim has its own name."""
    out: list[str] = []
    for label in labels:
        name, i = label, 2
        while name in out:
            name, i = f"{label}{i}", i + 1
        out.append(name)
    return tuple(out)


def _tuple_args(term: Term) -> str:
    """A list param as call arguments: ``2, -1`` for a literal, the tuple itself for a block argument."""
    if term.known and isinstance(term.value, list) and term.value:
        return ", ".join(str(v) for v in term.value)
    return term.code


# ----- Reshape ------------------------------------------------------------------------------------
def _reshape_infer(ctx) -> Inferred:
    shape, wanted = ctx.shape, list(ctx["shape"])
    numel = product(shape)
    inferred, known = None, 1
    for i, s in enumerate(wanted):
        if s == -1:
            if inferred is not None:
                raise LayerError(f"{ctx.label}: only one size in shape may be -1, got {wanted}", param="shape")
            inferred = i
        elif s >= 0:
            known *= s
        else:
            raise LayerError(f"{ctx.label}: shape may hold sizes and one -1, but not {s}", param="shape")
    if numel == known or (inferred is not None and known > 0 and numel % known == 0):
        if inferred is not None and known == 0:
            raise LayerError(
                f"{ctx.label}: the input holds no values and shape {wanted} has a 0, so the -1 could be any size",
                param="shape",
                fix="replace the -1 by a size",
            )
        out = tuple(numel // known if i == inferred else s for i, s in enumerate(wanted))
    else:
        shown = "·".join(str(s) for s in wanted if s != -1) or "1"
        problem = f"{shown} = {known}, not {numel}" if inferred is None else f"{numel} is not a multiple of {shown} = {known}"
        raise LayerError(
            f"{ctx.label} cannot reshape {format_shape(shape)} from {ctx.source()} ({format_count(numel)} values) "
            f"into {wanted}: {problem}",
            param="shape",
            fix=f"make the sizes multiply to {numel} (one may be -1 to have it worked out)",
        )
    names = dim_names(len(out))
    notes = []
    for i, (n, s) in enumerate(zip(names, out)):
        if i == inferred:
            others = [v for j, v in enumerate(out) if j != i]
            factors = "·".join(str(v) for v in others)
            worked = f"{numel} / {f'({factors})' if len(others) > 1 else factors} = {s}" if others else str(s)
            notes.append(DimNote(n, s, f"{n} = all values / the other sizes", worked + " (the -1 is worked out)"))
        else:
            notes.append(DimNote(n, s, f"{n} = shape[{i}]", str(s)))
    story = (
        f"Lays the same {format_count(numel)} values out as {format_shape(out)} (row by row, the last dim fastest): "
        f"{format_shape(shape)} → {format_shape(out)}.{_MOVES}",
    )
    return Inferred(out, tuple(notes), story)


def _reshape_code(args: Sequence[str], p: Mapping[str, Term]) -> str:
    term = p["shape"]
    return f"{args[0]}.reshape({_tuple_args(term) if term.value != [] else '()'})"


# ----- Permute ------------------------------------------------------------------------------------
def _permute_infer(ctx) -> Inferred:
    shape, dims = ctx.shape, list(ctx["dims"])
    rank = len(shape)
    if len(dims) != rank:
        raise LayerError(
            f"{ctx.label}: dims {dims} lists {len(dims)} dims, but {describe_tensor(shape)} from {ctx.source()} has {rank}",
            param="dims",
            fix=f"list every dim once, e.g. {list(range(rank))} keeps the order",
        )
    order = wrap_dims(ctx, "dims", dims, rank)
    names = dim_names(rank)
    out = tuple(shape[d] for d in order)
    labels = tuple(names[d] for d in order)
    notes = tuple(DimNote(lbl, shape[d], f"dim {i} = dim {d} of the input ({names[d]})", str(shape[d])) for i, (lbl, d) in enumerate(zip(labels, order)))
    story = (
        f"Reorders the dims: {'×'.join(names)} → {'×'.join(labels)}, so {format_shape(shape)} → {format_shape(out)}.{_MOVES}",
    )
    return Inferred(out, notes, story)


# ----- Transpose ----------------------------------------------------------------------------------
def _transpose_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    a = _wrap(ctx, "dim0", ctx["dim0"], rank)
    b = _wrap(ctx, "dim1", ctx["dim1"], rank)
    order = list(range(rank))
    if rank:
        order[a], order[b] = order[b], order[a]
    names = dim_names(rank)
    out = tuple(shape[d] for d in order)
    labels = tuple(names[d] for d in order)
    notes = tuple(
        DimNote(lbl, shape[d], f"dim {i} = dim {d} of the input ({names[d]})" if d != i else f"{lbl}_out = {lbl}_in", str(shape[d]))
        for i, (lbl, d) in enumerate(zip(labels, order))
    )
    swapped = f"{names[a]} (dim {a}) and {names[b]} (dim {b})" if rank else "the single value with itself"
    story = (f"Swaps {swapped}: {format_shape(shape)} → {format_shape(out)}.{_MOVES}",)
    return Inferred(out, notes, story)


# ----- Squeeze and Unsqueeze ----------------------------------------------------------------------
def _squeeze_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    given = as_dims(ctx["dim"])
    chosen = list(range(rank)) if given is None else wrap_dims(ctx, "dim", given, rank)
    names = dim_names(rank)
    removed = [d for d in chosen if d < rank and shape[d] == 1]
    out = tuple(s for d, s in enumerate(shape) if d not in removed)
    kept = [d for d in range(rank) if d not in removed]
    labels = _unique([names[d] for d in kept])
    notes = tuple(DimNote(lbl, shape[d], f"{lbl} = {names[d]}_in", f"{shape[d]} (kept)") for lbl, d in zip(labels, kept))
    story = []
    if removed:
        story.append(f"Removes the size-1 dims {', '.join(f'{names[d]} (dim {d})' for d in removed)}: "
                     f"{format_shape(shape)} → {format_shape(out)}.{_MOVES}")
    else:
        story.append(f"No chosen dim has size 1, so nothing is removed: the size stays {format_shape(shape)}.")
    left = [d for d in chosen if d < rank and shape[d] != 1]
    if left:
        story.append(f"{', '.join(f'{names[d]} = {shape[d]}' for d in left)} is not 1, so torch leaves it in place (no error).")
    return Inferred(out, notes, tuple(story))


def _squeeze_code(args: Sequence[str], p: Mapping[str, Term]) -> str:
    dim = p["dim"]
    if dim.known and dim.value is None:
        return f"{args[0]}.squeeze()"
    return f"{args[0]}.squeeze({dim.code})"


def _unsqueeze_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    at = _wrap(ctx, "dim", ctx["dim"], rank, extra=1)
    out = (*shape[:at], 1, *shape[at:])
    names = dim_names(rank)
    labels = _unique([*names[:at], "1", *names[at:]])
    notes = []
    for i, (lbl, s) in enumerate(zip(labels, out)):
        if i == at:
            notes.append(DimNote(lbl, 1, f"dim {at} is new", "1 (inserted)"))
        else:
            src = names[i if i < at else i - 1]
            notes.append(DimNote(lbl, s, f"{lbl} = {src}_in", f"{s} (unchanged)"))
    story = (f"Inserts a dim of size 1 at position {at}: {format_shape(shape)} → {format_shape(out)}.{_MOVES}",)
    return Inferred(out, tuple(notes), story)


# ----- Select and Slice ---------------------------------------------------------------------------
def _select_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    if rank == 0:
        raise LayerError(f"{ctx.label} picks along a dim, but {ctx.source()} gives a single number (a 0-D tensor)")
    at = _wrap(ctx, "dim", ctx["dim"], rank)
    size, index = shape[at], ctx["index"]
    names = dim_names(rank)
    if not -size <= index < size:
        allowed = f"{-size}..{size - 1}" if size else "none: the dim is empty"
        raise LayerError(
            f"{ctx.label}: index {index} is out of range for {names[at]} = {size} (dim {at}) of {format_shape(shape)} "
            f"from {ctx.source()} (allowed: {allowed})",
            param="index",
            fixes=(Fix.setting("index", 0),) if size else (),
        )
    out = (*shape[:at], *shape[at + 1 :])
    kept = [d for d in range(rank) if d != at]
    notes = tuple(DimNote(names[d], shape[d], f"{names[d]}_out = {names[d]}_in", f"{shape[d]} (unchanged)") for d in kept)
    which = f"{index % size}" + (f" ({index} counts from the end)" if index < 0 else "")
    story = (
        f"Picks position {which} of {names[at]} = {size} (dim {at}) and drops that dim: "
        f"{format_shape(shape)} → {format_shape(out)}, as x.select({at}, {index}).{_MOVES}",
    )
    return Inferred(out, notes, story)


def slice_length(size: int, start: int | None, end: int | None, step: int) -> tuple[int, int, int]:
    """(first, stop, length) of ``[start:end:step]`` over ``size`` positions, as Python and torch clamp them."""
    first = 0 if start is None else (start + size if start < 0 else start)
    stop = size if end is None else (end + size if end < 0 else end)
    first, stop = min(max(first, 0), size), min(max(stop, 0), size)
    stop = max(stop, first)
    return first, stop, (stop - first + step - 1) // step


def _slice_infer(ctx) -> Inferred:
    shape = ctx.shape
    rank = len(shape)
    if rank == 0:
        raise LayerError(f"{ctx.label} cuts along a dim, but {ctx.source()} gives a single number (a 0-D tensor)")
    at = _wrap(ctx, "dim", ctx["dim"], rank)
    start, end, step = ctx["start"], ctx["end"], ctx["step"]
    if step <= 0:
        raise LayerError(
            f"{ctx.label}: step must be at least 1, got {step} (torch does not slice backwards)",
            param="step",
            fixes=(Fix.setting("step", 1),),
        )
    size = shape[at]
    first, stop, length = slice_length(size, start, end, step)
    names = dim_names(rank)
    out = tuple(length if d == at else s for d, s in enumerate(shape))
    notes = []
    for d, (n, s) in enumerate(zip(names, out)):
        if d == at:
            worked = f"⌈({stop} − {first}) / {step}⌉ = {length}"
            notes.append(DimNote(n, length, f"{n}_out = ⌈(stop − start) / step⌉", worked))
        else:
            notes.append(DimNote(n, s, f"{n}_out = {n}_in", f"{s} (unchanged)"))
    spelled = f"{'' if start is None else start}:{'' if end is None else end}" + (f":{step}" if step != 1 else "")
    story = [
        f"Keeps positions [{spelled}] of {names[at]} = {size} (dim {at}): from {first} up to (not including) {stop}"
        + (f", every {step}th" if step != 1 else "")
        + f", so {format_shape(shape)} → {format_shape(out)}.{_MOVES}"
    ]
    if (start is not None and not -size <= start <= size) or (end is not None and not -size <= end <= size):
        story.append(f"A start or end beyond the {size} positions is clamped to them, as in Python (no error).")
    warnings = (f"The slice is empty: {names[at]} becomes 0, and no later layer can use an empty tensor.",) if length == 0 and size else ()
    return Inferred(out, tuple(notes), tuple(story), warnings)


def _slice_code(args: Sequence[str], p: Mapping[str, Term]) -> str:
    dim, start, end, step = p["dim"], p["start"], p["end"], p["step"]
    if not dim.known:  # a block's argument: the dim is only known when the block is used
        return f"torch.ops.aten.slice({args[0]}, {dim.code}, {start.code}, {end.code}, {step.code})"
    first = "" if start.known and start.value is None else start.code
    last = "" if end.known and end.value is None else end.code
    cut = f"{first}:{last}" + ("" if step.known and step.value == 1 else f":{step.code}")
    index = [":"] * dim.value + [cut] if dim.value >= 0 else ["...", cut] + [":"] * (-dim.value - 1)
    return f"{args[0]}[{', '.join(index)}]"


# ----- Expand -------------------------------------------------------------------------------------
def _expand_infer(ctx) -> Inferred:
    shape, size = ctx.shape, list(ctx["size"])
    rank, count = len(shape), len(size)
    if count < rank:
        raise LayerError(
            f"{ctx.label}: size {size} gives {count} sizes, but {describe_tensor(shape)} from {ctx.source()} has {rank} dims",
            param="size",
            fix="give a size for every dim (-1 keeps one), and any new dims in front",
        )
    names = dim_names(count)
    lead = count - rank
    out, notes = [], []
    for i, wanted in enumerate(size):
        have = shape[i - lead] if i >= lead else None
        label = names[i]
        if wanted == -1 and rank:  # (a 0-D tensor takes -1 as a size like any other: see below)
            if have is None:
                raise LayerError(
                    f"{ctx.label}: size[{i}] is -1, but dim {i} is a new leading dim, so there is no size to keep",
                    param="size",
                    fix="give the new leading dims a size",
                )
            out.append(have)
            notes.append(DimNote(label, have, f"{label}_out = {label}_in (-1 keeps it)", f"{have} (unchanged)"))
        elif have is None:
            out.append(wanted)
            notes.append(DimNote(label, wanted, f"{label}_out = size[{i}] (a new dim)", f"{wanted} (the tensor repeated {wanted} times)"))
        elif have == wanted:
            out.append(wanted)
            notes.append(DimNote(label, wanted, f"{label}_out = {label}_in", f"{wanted} (unchanged)"))
        elif have == 1:
            out.append(wanted)
            notes.append(DimNote(label, wanted, f"{label}_out = size[{i}]", f"{wanted} (the 1 repeated {wanted} times)"))
        else:
            raise LayerError(
                f"{ctx.label} cannot expand {format_shape(shape)} from {ctx.source()} to {size}: dim {i} is {have}, and "
                f"only a dim of size 1 can be stretched (to {wanted})",
                param="size",
                fix=f"set size[{i}] to {have} or -1",
            )
    result = tuple(out)
    negative = [v for v in result if v < 0]
    warnings: tuple[str, ...] = ()
    if negative:
        # torch checks only that the sizes multiply, as unsigned 64-bit numbers from the first, without overflow:
        # a negative size is huge there, so only a 0 before anything else big lets it pass.
        if _overflows(result):
            raise LayerError(f"{ctx.label}: size may hold sizes and -1, but not {negative[0]}", param="size")
        warnings = (f"size holds {negative[0]}: torch makes an empty tensor with a negative size here, which no later layer can use.",)
    story = (
        f"Repeats size-1 dims (and adds leading ones) without copying: {format_shape(shape)} → {format_shape(result)}.{_MOVES}",
    )
    return Inferred(result, tuple(notes), story, warnings)


def _overflows(sizes: Sequence[int]) -> bool:
    total = 1
    for size in sizes:
        total *= size % 2**64
        if total >= 2**64:
            return True
    return total > 2**63 - 1  # and the count must fit a signed 64-bit number


def _expand_code(args: Sequence[str], p: Mapping[str, Term]) -> str:
    term = p["size"]
    return f"{args[0]}.expand({_tuple_args(term) if term.value != [] else '()'})"


def _shape_spec(type_name: str, description: str, params: tuple[ParamSpec, ...], infer, code, summary) -> LayerSpec:
    return LayerSpec(
        type_name,
        "Shape",
        description,
        params,
        infer,
        kind="op",
        code=code,
        other_ops=moves_values_only,
        summary=summary,
        int64_input="keep",
    )


def _list(values: Any) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]" if isinstance(values, list) else str(values)


def _dims(p: Mapping[str, Any]) -> str:
    return "all size-1 dims" if p.get("dim") is None else f"dim {_list(p['dim'])}"


SPECS = [
    _shape_spec(
        "Reshape",
        "Lays the same values out in another shape (x.reshape(...)); one size may be -1 to have it worked out.",
        (ParamSpec("shape", Ints(min_len=0), REQUIRED, "the new sizes; one may be -1"),),
        _reshape_infer,
        _reshape_code,
        lambda p: f"→ {_list(p['shape'])}",
    ),
    _shape_spec(
        "Permute",
        "Reorders the dims (x.permute(...)), e.g. N×C×H×W → N×H×W×C with dims [0, 2, 3, 1].",
        (ParamSpec("dims", Ints(min_len=0), REQUIRED, "the input dim that goes to each position"),),
        _permute_infer,
        lambda args, p: f"{args[0]}.permute({_tuple_args(p['dims']) if p['dims'].value != [] else '()'})",
        lambda p: _list(p["dims"]),
    ),
    _shape_spec(
        "Transpose",
        "Swaps two dims (x.transpose(dim0, dim1)), e.g. N×L×E → N×E×L.",
        (
            ParamSpec("dim0", Integer(), REQUIRED, "the first dim to swap"),
            ParamSpec("dim1", Integer(), REQUIRED, "the second dim to swap"),
        ),
        _transpose_infer,
        lambda args, p: f"{args[0]}.transpose({p['dim0'].code}, {p['dim1'].code})",
        lambda p: f"{p['dim0']} ↔ {p['dim1']}",
    ),
    _shape_spec(
        "Squeeze",
        "Removes dims of size 1 (x.squeeze(dim)); a chosen dim whose size is not 1 stays, as in torch.",
        (ParamSpec("dim", Optional(Ints(min_len=0, allow_scalar=True)), None, "the dim or dims to remove if 1; null: every size-1 dim"),),
        _squeeze_infer,
        _squeeze_code,
        _dims,
    ),
    _shape_spec(
        "Unsqueeze",
        "Inserts a dim of size 1 (x.unsqueeze(dim)), e.g. N×F → N×1×F.",
        (ParamSpec("dim", Integer(), REQUIRED, "where the new dim goes (-1: at the end)"),),
        _unsqueeze_infer,
        lambda args, p: f"{args[0]}.unsqueeze({p['dim'].code})",
        lambda p: f"dim {p['dim']}",
    ),
    _shape_spec(
        "Select",
        "Picks one position along a dim and drops that dim (x.select(dim, index), as x[:, 0]); -1 is the last.",
        (
            ParamSpec("dim", Integer(), REQUIRED, "the dim to pick along"),
            ParamSpec("index", Integer(), REQUIRED, "the position to keep (-1: the last)"),
        ),
        _select_infer,
        lambda args, p: f"{args[0]}.select({p['dim'].code}, {p['index'].code})",
        lambda p: f"dim {p['dim']} [{p['index']}]",
    ),
    _shape_spec(
        "Slice",
        "Keeps a range of positions along a dim (x[:, start:end:step]); negatives count from the end, and "
        "a range beyond the size is clamped.",
        (
            ParamSpec("dim", Integer(), 0, "the dim to cut"),
            ParamSpec("start", Optional(Integer()), None, "the first position kept; null: from the start"),
            ParamSpec("end", Optional(Integer()), None, "the position where it stops (not kept); null: to the end"),
            ParamSpec("step", Integer(1), 1, "keep every step-th position (at least 1)"),
        ),
        _slice_infer,
        _slice_code,
        lambda p: f"dim {p['dim']} [{'' if p['start'] is None else p['start']}:{'' if p['end'] is None else p['end']}"
        + (f":{p['step']}]" if p["step"] != 1 else "]"),
    ),
    _shape_spec(
        "Expand",
        "Repeats size-1 dims to a bigger size without copying (x.expand(...)); -1 keeps a dim, new dims go in front.",
        (ParamSpec("size", Ints(min_len=0), REQUIRED, "the size of every dim (-1 keeps it), new leading dims first"),),
        _expand_infer,
        _expand_code,
        lambda p: f"→ {_list(p['size'])}",
    ),
]
