"""Embedding (token ids → vectors) and Parameter (a learnable tensor read in forward: class tokens,
position embeddings, layer scales). Dims of sequences: N batch, L length, E embedding."""

from __future__ import annotations

from designer.core.layers.common import describe_tensor, product
from designer.core.params import Boolean, Integer, Ints, Optional, Real
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, format_count, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, moves_values_only


# ----- Embedding -----------------------------------------------------------------------------------
def _embedding_weights(p):
    return (("weight", (p["num_embeddings"], p["embedding_dim"])),)


def _embedding_infer(ctx) -> Inferred:
    rows, width = ctx["num_embeddings"], ctx["embedding_dim"]
    for name, value in (("num_embeddings", rows), ("embedding_dim", width)):
        if value < 0:
            raise LayerError(f"{ctx.label}: {name} cannot be negative, got {value}", param=name)
    pad = ctx["padding_idx"]
    if pad is not None and not -rows <= pad < rows:
        raise LayerError(
            f"{ctx.label}: padding_idx {pad} must be a row of the table (-{rows}..{rows - 1} for num_embeddings={rows})",
            param="padding_idx",
            fixes=(Fix.setting("padding_idx", None),),
        )
    shape = ctx.shape
    if rows == 0 and product(shape) > 0:
        raise LayerError(
            f"{ctx.label} has no rows (num_embeddings=0), so no token id of {ctx.source()} can be looked up",
            param="num_embeddings",
        )
    out = (*shape, width)
    names = ("N", "L")[: len(shape)] if len(shape) <= 2 else tuple(f"D{i}" for i in range(len(shape)))
    notes = tuple(DimNote(n, d, f"{n} = {n} of the ids", str(d)) for n, d in zip(names, shape))
    notes += (DimNote("E", width, "E = embedding_dim", str(width)),)
    story = (
        f"Looks up a row of {width} numbers for every token id of {describe_tensor(shape)} from {ctx.source()}: "
        f"a table of num_embeddings·embedding_dim = {rows}·{width} = {format_count(rows * width)} learned numbers.",
        f"Every id must be below num_embeddings ({rows}); the output adds a last dim E = {width}: "
        f"{format_shape(shape) if shape else 'one id'} → {format_shape(out)}.",
    )
    return Inferred(out, notes, story)


# ----- Parameter -----------------------------------------------------------------------------------
def _parameter_infer(ctx) -> Inferred:
    shape = tuple(ctx["shape"])
    if any(d < 0 for d in shape):
        raise LayerError(f"{ctx.label}: every size in shape must be at least 0, got {list(shape)}", param="shape")
    # A position embedding 1×L×E (or L×E), a class token 1×1×E, a layer scale E: named as the sequence it joins.
    names = {1: ("E",), 2: ("L", "E"), 3: ("N", "L", "E")}.get(len(shape), tuple(f"D{i}" for i in range(len(shape))))
    notes = tuple(DimNote(n, d, f"{n} = shape[{i}]", str(d)) for i, (n, d) in enumerate(zip(names, shape)))
    story = (
        f"A learned tensor of {counted(product(shape), 'number')} ({format_shape(shape)}), trained like a weight "
        "and read in forward(): a class token, a position embedding or a layer scale.",
        "A size of 1 broadcasts when it is added to or multiplied with a tensor: shape 1×L×E adds the same "
        "position embedding to every sample of the batch.",
    )
    return Inferred(shape, notes, story)


SPECS = [
    LayerSpec(
        type_name="Embedding",
        category="Embedding",
        description="A lookup table: turns int64 token ids N×L into vectors N×L×E (E = embedding_dim).",
        params=(
            ParamSpec("num_embeddings", Integer(1), REQUIRED, "how many different ids (the vocabulary size)"),
            ParamSpec("embedding_dim", Integer(1), REQUIRED, "the length E of each vector: your choice"),
            ParamSpec("padding_idx", Optional(Integer()), None, "an id whose vector stays zero and is not trained"),
            ParamSpec("max_norm", Optional(Real()), None, "rescale looked-up vectors longer than this"),
            ParamSpec("norm_type", Real(), 2.0, "the p of the p-norm for max_norm"),
            ParamSpec("scale_grad_by_freq", Boolean(), False, "scale gradients by how often each id occurs"),
            ParamSpec("sparse", Boolean(), False, "sparse gradients for the table"),
        ),
        infer=_embedding_infer,
        weights=_embedding_weights,
        other_ops=moves_values_only,
        int64_input="index",
        summary=lambda p: f"{p['num_embeddings']}×{p['embedding_dim']}",
    ),
    LayerSpec(
        type_name="Parameter",
        category="Embedding",
        description="A learnable tensor with no input (nn.Parameter): class tokens, position embeddings, layer scales.",
        params=(ParamSpec("shape", Ints(min_len=0, max_len=8), REQUIRED, "the tensor's size, e.g. [1, 16, 64]"),),
        infer=_parameter_infer,
        weights=lambda p: (("data", tuple(p["shape"])),),
        other_ops=moves_values_only,
        min_inputs=0,
        max_inputs=0,
        kind="parameter",
        summary=lambda p: format_shape(tuple(p["shape"])),
    ),
]
