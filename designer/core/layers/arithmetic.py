"""Element-wise arithmetic with torch's broadcasting (Add, Mul, Sub, Div) and MatMul (``torch.matmul``).

Add, Mul, Sub and Div take two tensors (Add any number), or one tensor and a number ``other``
(``x * 0.5``, ``x + 1``): a number broadcasts to every value, so the size stays. They are ops written
as a call in ``forward()`` (``LayerSpec.code``), not modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.core.layers.common import dot, product, unchanged_notes
from designer.core.params import Optional, Real
from designer.core.shapes import DimNote, Inferred, LayerError, Shape, dim_names, format_count, format_shape
from designer.core.spec import FLOAT, INT, LayerSpec, ParamSpec, Term

# type → (verb, symbol in code, what the result is called)
_OPERATIONS = {
    "Add": ("add", "+", "sum"),
    "Mul": ("multiply", "*", "product"),
    "Sub": ("subtract", "-", "difference"),
    "Div": ("divide", "/", "quotient"),
}


def broadcast_shape(ctx, verb: str) -> tuple[Shape, bool]:
    """torch's broadcasting of ``ctx.inputs`` (aligned at the last dim; sizes equal or 1), and whether any
    input was stretched; raises the sentence naming the clashing dim and both sources."""
    rank = max(len(s) for s in ctx.inputs)
    out = []
    for axis in range(rank):
        sizes = []
        for port, shape in enumerate(ctx.inputs):
            offset = axis - (rank - len(shape))
            if offset >= 0:
                sizes.append((shape[offset], port))
        wanted = {s for s, _ in sizes if s != 1}
        if len(wanted) > 1:
            (a, pa), (b, pb) = next((x, y) for x in sizes for y in sizes if x[0] != y[0] and 1 not in (x[0], y[0]))
            label = dim_names(rank)[axis]
            raise LayerError(
                f"{ctx.label} cannot {verb} {format_shape(ctx.inputs[pa])} from {ctx.source(pa)} and "
                f"{format_shape(ctx.inputs[pb])} from {ctx.source(pb)}: {label} (dim {axis}) is {a} in one and {b} in the other",
                fix="make the sizes equal (or 1, which broadcasts)",
            )
        out.append(wanted.pop() if wanted else 1)
    shape = tuple(out)
    return shape, any(s != shape for s in ctx.inputs)


def _broadcast_notes(ctx, shape: Shape) -> tuple[DimNote, ...]:
    rank = len(shape)
    notes = []
    for axis, (name, size) in enumerate(zip(dim_names(rank), shape)):
        sizes = [s[axis - (rank - len(s))] if axis >= rank - len(s) else None for s in ctx.inputs]
        given = [str(s) for s in sizes if s is not None]
        if all(s == size for s in sizes):
            notes.append(DimNote(name, size, f"{name}_out = {name} of the inputs", f"{size} (the same in every input)"))
        else:
            missing = " (an input without this dim counts as 1)" if None in sizes else ""
            notes.append(DimNote(name, size, f"{name}_out = {name} of the inputs", f"{', '.join(given)} → {size}: a 1 is repeated to match{missing}"))
    return tuple(notes)


def _elementwise_infer(ctx) -> Inferred:
    verb, symbol, result = _OPERATIONS[ctx.type_name]
    other = ctx["other"]
    if other is not None:
        shape = ctx.shape
        story = (
            f"Computes x {symbol} {other} for every value: the number {other} reaches every position, so the size "
            f"{format_shape(shape)} stays.",
        )
        # an int64 tensor stays int64 with a whole number (not through a true division), as torch promotes
        whole = ctx.dtype(0) == INT and not isinstance(other, float) and ctx.type_name != "Div"
        return Inferred(shape, unchanged_notes(shape), story, dtype=INT if whole else FLOAT)
    shape, stretched = broadcast_shape(ctx, verb)
    inputs = f" {symbol} ".join(ctx.sources[: len(ctx.inputs)]) if ctx.sources else f"the {len(ctx.inputs)} inputs"
    story = [f"Computes {inputs} value by value: each output value is the {result} of the values at the same position."]
    if stretched:
        story.append(
            "The sizes broadcast as in torch: lined up from the last dim, each size must equal the others or be 1 "
            "(a 1 is repeated to match; a missing leading dim counts as 1)."
        )
    return Inferred(shape, _broadcast_notes(ctx, shape), tuple(story))


def _elementwise_code(symbol: str):
    def code(args: Sequence[str], p: Mapping[str, Term]) -> str:
        if len(args) == 1:  # the one-input form: a number ``other``
            return f"{args[0]} {symbol} {p['other'].code}"
        return f" {symbol} ".join(args)

    return code


def _elementwise_ops(p: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    elements = product(out)
    per_value = max(len(inputs) - 1, 1) if p.get("other") is None else 1
    if per_value == 1:
        return elements, f"one operation per output value = {format_count(elements)}"
    ops = elements * per_value
    return ops, f"output values · (inputs − 1) = {elements}·{per_value} = {format_count(ops)}"


def _arity(most: int | None):
    def arity(given: Mapping[str, Any]) -> tuple[int, int | None]:
        return (1, 1) if given.get("other") is not None else (2, most)

    return arity


def other_param(symbol: str) -> ParamSpec:
    return ParamSpec(
        "other",
        Optional(Real()),
        None,
        f"a number to use instead of a second tensor (x {symbol} other); null: two tensors",
    )


def elementwise_spec(type_name: str, category: str, description: str, most: int | None = 2) -> LayerSpec:
    """Add, Mul, Sub or Div: broadcasting over two (Add: two or more) tensors, or one tensor and ``other``."""
    symbol = _OPERATIONS[type_name][1]
    return LayerSpec(
        type_name,
        category,
        description,
        (other_param(symbol),),
        _elementwise_infer,
        min_inputs=2,
        max_inputs=most,
        kind="op",
        code=_elementwise_code(symbol),
        other_ops=_elementwise_ops,
        arity=_arity(most),
        int64_input="float" if type_name == "Div" else "keep",
        summary=lambda p: f"x {symbol} {p['other']}" if p.get("other") is not None else "",
    )


# ----- MatMul -------------------------------------------------------------------------------------
def _matmul_infer(ctx) -> Inferred:
    a, b = ctx.inputs
    src_a, src_b = ctx.source(0), ctx.source(1)
    if ctx.dtype(0) != ctx.dtype(1):
        raise LayerError(
            f"{ctx.label} multiplies {ctx.dtype(0)} values from {src_a} by {ctx.dtype(1)} values from {src_b}; "
            "torch needs both of one type",
            fix="give both Inputs the same dtype (float32 unless they hold token ids)",
        )
    if not a or not b:
        which = src_a if not a else src_b
        raise LayerError(
            f"{ctx.label} multiplies tensors of at least 1 dim, but {which} gives a single number",
            fix="use Mul to scale by a single number",
        )
    k_a = a[-1]
    k_b = b[-2] if len(b) >= 2 else b[0]
    if k_a != k_b:
        b_what = "the second-to-last size" if len(b) >= 2 else "the size"
        raise LayerError(
            f"{ctx.label} cannot multiply {format_shape(a)} from {src_a} by {format_shape(b)} from {src_b}: "
            f"the last size of the first ({k_a}) must equal {b_what} of the second ({k_b})",
            fix="make the shared size equal, e.g. with a Linear or a Transpose",
        )
    batch_a = a[:-2] if len(a) >= 2 else ()
    batch_b = b[:-2] if len(b) >= 2 else ()
    batch = _batch_broadcast(ctx, batch_a, batch_b)
    rows = (a[-2],) if len(a) >= 2 else ()
    cols = (b[-1],) if len(b) >= 2 else ()
    shape = (*batch, *rows, *cols)
    names = dim_names(len(shape))
    notes = []
    for name, size in zip(names, batch):
        notes.append(DimNote(name, size, f"{name}_out = batch dims of both, broadcast", str(size)))
    if rows:
        notes.append(DimNote(names[len(batch)], rows[0], f"{names[len(batch)]}_out = rows of the first", f"{rows[0]} (from {src_a})"))
    if cols:
        notes.append(DimNote(names[-1], cols[0], f"{names[-1]}_out = columns of the second", f"{cols[0]} (from {src_b})"))
    story = [
        f"Matrix product as torch.matmul: {format_shape(a)} @ {format_shape(b)} → {format_shape(shape)}; each output "
        f"value sums {k_a} products (the shared size, last of the first and "
        f"{'second-to-last' if len(b) >= 2 else 'only'} of the second).",
    ]
    if len(a) == 1 or len(b) == 1:
        story.append("A 1-D operand is a vector: its dim takes part in the product and is removed from the result.")
    if batch:
        story.append("The dims before the last two are batch dims: they broadcast as in Add (equal, or 1).")
    return Inferred(shape, tuple(notes), tuple(story))


def _batch_broadcast(ctx, batch_a: Shape, batch_b: Shape) -> Shape:
    rank = max(len(batch_a), len(batch_b))
    a = (1,) * (rank - len(batch_a)) + tuple(batch_a)
    b = (1,) * (rank - len(batch_b)) + tuple(batch_b)
    out = []
    for axis, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise LayerError(
                f"{ctx.label} cannot multiply {format_shape(ctx.inputs[0])} from {ctx.source(0)} by "
                f"{format_shape(ctx.inputs[1])} from {ctx.source(1)}: their batch dims {format_shape(batch_a) if batch_a else '()'} "
                f"and {format_shape(batch_b) if batch_b else '()'} do not broadcast (dim {axis} of the batch is {x} in one and {y} in the other)",
                fix="make the batch sizes equal (or 1, which broadcasts)",
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def _matmul_macs(p: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    shared = inputs[0][-1]
    values = product(out)
    macs = values * shared
    shown = dot(out) if len(out) > 1 else str(values)
    return macs, f"output values · shared size = {shown}·{shared} = {format_count(macs)}"


def _matmul_ops(p: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    return 0, "0 (every operation is a multiply-add)"


SPECS = [
    elementwise_spec("Mul", "Math", "Multiplies two tensors value by value (x * y, broadcasting), or by a number other (x * 0.5)."),
    elementwise_spec("Sub", "Math", "Subtracts the second tensor from the first value by value (x - y, broadcasting), or a number other (x - 1)."),
    elementwise_spec("Div", "Math", "Divides the first tensor by the second value by value (x / y, broadcasting), or by a number other (x / 2)."),
    LayerSpec(
        "MatMul",
        "Math",
        "Matrix product as torch.matmul (a @ b): batched over leading dims, 1-D operands as vectors.",
        (),
        _matmul_infer,
        min_inputs=2,
        max_inputs=2,
        kind="op",
        code=lambda args, p: f"torch.matmul({args[0]}, {args[1]})",
        macs=_matmul_macs,
        int64_input="keep",
        other_ops=_matmul_ops,
    ),
]
