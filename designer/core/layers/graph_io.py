"""Graph-level node types: Input (a tensor entering the model), Add, Concat and the Output marker."""

from __future__ import annotations

from designer.core.layers.arithmetic import elementwise_spec
from designer.core.layers.common import describe_tensor, unchanged_notes
from designer.core.params import Choice, Integer, Shape
from designer.core.shapes import (
    BATCH_SYMBOL,
    DIM_MEANINGS,
    DimNote,
    Fix,
    Inferred,
    LayerError,
    batch_is_open,
    counted,
    dim_names,
    format_shape,
)
from designer.core.spec import DTYPES, FLOAT, INT, REQUIRED, LayerSpec, ParamSpec


def _input_infer(ctx) -> Inferred:
    given = ctx["shape"]
    open_batch = batch_is_open(given)
    shape = tuple(ctx.batch if d == BATCH_SYMBOL else d for d in given)
    if any(d < 1 for d in shape):
        raise LayerError(f"{ctx.label}: every size in shape must be at least 1, got {list(given)}", param="shape")
    names = ("N", "L") if ctx["dtype"] == INT and len(shape) == 2 else dim_names(len(shape))  # ids: N sequences of L tokens
    notes = [DimNote(n, d, f"{n} = {d}", DIM_MEANINGS.get(n, "")) for n, d in zip(names, shape)]
    if open_batch:
        notes[0] = DimNote(names[0], shape[0], f"{names[0]} = N", "left open: any batch size works")
    if ctx["dtype"] == INT:
        story = (
            f"torch.randint(0, V, ({', '.join(str(d) for d in given)},)) makes this tensor: whole numbers "
            "(int64), such as token ids below a vocabulary size V, for an Embedding to look up.",
        )
        if len(shape) == 2:
            n, length = given
            story += (f"Read it as {counted(n, 'sequence')} of {counted(length, 'token')} each (N={n}, L={length}).",)
    else:
        story = (f"torch.randn({', '.join(str(d) for d in given)}) makes this tensor.",)
    if len(shape) == 4 and ctx["dtype"] == FLOAT:
        n, c, h, w = given
        story += (f"Read it as {counted(n, 'sample')}, each with {counted(c, 'channel')} of {h}×{w} values.",)
    if open_batch:
        story += ("The batch N is left open: sizes that follow it read N, and the design must work for any N.",)
    return Inferred(shape, tuple(notes), story)


def _concat_infer(ctx) -> Inferred:
    first = ctx.inputs[0]
    rank = len(first)
    dim = ctx["dim"]
    if not -rank <= dim < rank:
        raise LayerError(
            f"{ctx.label}: dim {dim} is out of range for {rank}-D inputs (use -{rank}..{rank - 1})",
            param="dim",
            fix="set dim to 1 to join along channels",
            fixes=(Fix.setting("dim", 1),),
        )
    axis = dim % rank
    names = dim_names(rank)
    for port, shape in enumerate(ctx.inputs[1:], start=1):
        if len(shape) != rank:
            raise LayerError(
                f"{ctx.label} joins tensors of the same rank, but {ctx.source(0)} gives {describe_tensor(first)} "
                f"and {ctx.source(port)} gives {describe_tensor(shape)}"
            )
        for i, (a, b) in enumerate(zip(first, shape)):
            if i != axis and a != b:
                raise LayerError(
                    f"{ctx.label} joins along {names[axis]} (dim {axis}), so every other size must match, but "
                    f"{names[i]} is {a} from {ctx.source(0)} and {b} from {ctx.source(port)}",
                    fix="crop, pad or resize one branch so the sizes agree",
                )
    total = sum(s[axis] for s in ctx.inputs)
    out = tuple(total if i == axis else d for i, d in enumerate(first))
    parts = " + ".join(str(s[axis]) for s in ctx.inputs)
    notes = []
    for i, (n, d) in enumerate(zip(names, out)):
        if i == axis:
            notes.append(DimNote(n, d, f"{n}_out = sum of the inputs' {n}", f"{parts} = {d}"))
        else:
            notes.append(DimNote(n, d, f"{n}_out = {n}_in", f"{d} (must match in every input)"))
    return Inferred(out, tuple(notes), (f"Stacks its inputs side by side along {names[axis]}.",))


def _output_infer(ctx) -> Inferred:
    return Inferred(ctx.shape, unchanged_notes(ctx.shape), ("Marks a result of the model's forward().",))


SPECS = [
    LayerSpec(
        "Input",
        "Graph",
        "A tensor entering the model, e.g. a batch of images N×C×H×W.",
        (
            ParamSpec("shape", Shape(), REQUIRED, "the tensor's size, batch first"),
            ParamSpec("dtype", Choice(DTYPES), FLOAT, "the element type: float32 numbers, or int64 token ids"),
        ),
        _input_infer,
        min_inputs=0,
        max_inputs=0,
        kind="input",
        summary=lambda p: format_shape(tuple(p["shape"])) + (f" {p['dtype']}" if p.get("dtype", FLOAT) != FLOAT else ""),
    ),
    elementwise_spec(
        "Add",
        "Graph",
        "Adds two or more tensors element by element (residual connections); sizes broadcast like torch.",
        most=None,
    ),
    LayerSpec(
        "Concat",
        "Graph",
        "Joins two or more tensors along one dimension (torch.cat), e.g. U-Net skip connections.",
        (ParamSpec("dim", Integer(), 1, "the dimension to join along (1 = channels)"),),
        _concat_infer,
        min_inputs=2,
        max_inputs=None,
        kind="concat",
        summary=lambda p: f"dim {p.get('dim', 1)}",
    ),
    LayerSpec(
        "Output",
        "Graph",
        "Marks a tensor the model returns from forward().",
        (),
        _output_infer,
        kind="output",
    ),
]
