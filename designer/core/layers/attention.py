"""Attention layers: MultiheadAttention (query, key, value in; attn_output, attn_weights out) and the
transformer layers built on it, with torch's checks. Dims of sequences: N batch, L the query's length,
S the key's and value's length, E embedding (embed_dim or d_model)."""

from __future__ import annotations

from designer.core.layers.common import describe_tensor
from designer.core.params import Boolean, Choice, Integer, Optional, Real
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, format_count, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec


def _check_heads(ctx, width_name: str, heads_name: str) -> tuple[int, int]:
    width, heads = ctx[width_name], ctx[heads_name]
    if width <= 0 or heads <= 0:
        raise LayerError(
            f"{ctx.label}: {width_name} and {heads_name} must be greater than 0, got {width_name}={width} and "
            f"{heads_name}={heads}",
            param=width_name if width <= 0 else heads_name,
        )
    if width % heads:
        divisors = [h for h in range(1, width + 1) if width % h == 0]
        near = min(divisors, key=lambda h: (abs(h - heads), h))
        raise LayerError(
            f"{ctx.label}: {width_name} ({width}) must be divisible by {heads_name} ({heads}): each of the {heads} heads "
            f"gets {width_name}/{heads_name} features",
            param=heads_name,
            fixes=(Fix.setting(heads_name, near),),
        )
    return width, heads


def _check_dropout(ctx) -> None:
    if not 0 <= ctx["dropout"] <= 1:
        raise LayerError(
            f"{ctx.label}: dropout must be a probability between 0 and 1, got {ctx['dropout']}",
            param="dropout",
            fixes=(Fix.setting("dropout", 0.1),),
        )


def _sequence(ctx, port: int, batched: bool, batch_first: bool) -> tuple[int, int | None, int]:
    """(length, batch or None, features) of the input at ``port``."""
    shape = ctx.inputs[port]
    if not batched:
        return shape[0], None, shape[1]
    return (shape[1], shape[0], shape[2]) if batch_first else (shape[0], shape[1], shape[2])


def _ranks(ctx, names: tuple[str, ...]) -> bool:
    """Whether the inputs are batched (3-D) or not (2-D); all must agree, as torch checks."""
    first = ctx.inputs[0]
    if len(first) not in (2, 3):
        raise LayerError(
            f"{ctx.label} takes {names[0]} as a 3-D tensor L×N×E (N×L×E with batch_first) or 2-D L×E without the batch, "
            f"but {ctx.source(0)} gives {describe_tensor(first)}",
        )
    for port in range(1, len(ctx.inputs)):
        if len(ctx.inputs[port]) != len(first):
            raise LayerError(
                f"{ctx.label}: {names[0]} is {len(first)}-D, so {names[port]} must be {len(first)}-D too, but "
                f"{ctx.source(port)} gives {describe_tensor(ctx.inputs[port])}",
            )
    return len(first) == 3


def _layout(batched: bool, batch_first: bool, length: str) -> tuple[str, ...]:
    if not batched:
        return (length, "E")
    return ("N", length, "E") if batch_first else (length, "N", "E")


# ----- MultiheadAttention ----------------------------------------------------------------------------
def _mha_weights(p, prefix: str = ""):
    e = p["embed_dim"]
    kdim = p["kdim"] if p["kdim"] is not None else e
    vdim = p["vdim"] if p["vdim"] is not None else e
    if kdim == e and vdim == e:
        out = [(f"{prefix}in_proj_weight", (3 * e, e))]
    else:
        out = [(f"{prefix}q_proj_weight", (e, e)), (f"{prefix}k_proj_weight", (e, kdim)), (f"{prefix}v_proj_weight", (e, vdim))]
    if p["bias"]:
        out.append((f"{prefix}in_proj_bias", (3 * e,)))
    if p["add_bias_kv"]:
        out += [(f"{prefix}bias_k", (1, 1, e)), (f"{prefix}bias_v", (1, 1, e))]
    out.append((f"{prefix}out_proj.weight", (e, e)))
    if p["bias"]:
        out.append((f"{prefix}out_proj.bias", (e,)))
    return tuple(out)


def _mha_infer(ctx) -> Inferred:
    e, heads = _check_heads(ctx, "embed_dim", "num_heads")
    names = ("query", "key", "value")
    batched = _ranks(ctx, names)
    first = ctx["batch_first"] and batched
    length, batch, q_width = _sequence(ctx, 0, batched, first)
    k_len, k_batch, k_width = _sequence(ctx, 1, batched, first)
    v_len, v_batch, v_width = _sequence(ctx, 2, batched, first)
    if q_width != e:
        raise LayerError(
            f"{ctx.label} expects query vectors of embed_dim={e} features, but {ctx.source(0)} gives {q_width}",
            param="embed_dim",
            fixes=(Fix.setting("embed_dim", q_width),) if q_width % heads == 0 and q_width > 0 else (),
        )
    kdim = ctx["kdim"] if ctx["kdim"] is not None else e
    vdim = ctx["vdim"] if ctx["vdim"] is not None else e
    if (k_len, k_batch) != (v_len, v_batch) or (kdim == e and vdim == e and k_width != v_width):
        raise LayerError(
            f"{ctx.label}: key {format_shape(ctx.inputs[1])} from {ctx.source(1)} and value "
            f"{format_shape(ctx.inputs[2])} from {ctx.source(2)} must have the same "
            + ("shape" if kdim == e and vdim == e else "length S and batch N"),
        )
    for name, width, wanted, param in (("key", k_width, kdim, "kdim"), ("value", v_width, vdim, "vdim")):
        if width != wanted:
            raise LayerError(
                f"{ctx.label} expects {name} vectors of {param}={wanted} features"
                + (" (kdim and vdim default to embed_dim)" if ctx[param] is None else "")
                + f", but {ctx.source(names.index(name))} gives {width}",
                param=param,
                fixes=(Fix.setting(param, width),),
            )
    if batched and k_batch != batch and k_len * k_width:
        raise LayerError(
            f"{ctx.label}: query has a batch of {batch} but key and value have {k_batch}; each query attends within its own sample"
        )
    extra = int(ctx["add_bias_kv"]) + int(ctx["add_zero_attn"])
    source_len = k_len + extra
    out = (batch, length, e) if first else (length, batch, e) if batched else (length, e)
    weights = (batch, length, source_len) if batched else (length, source_len)
    labels = _layout(batched, first, "L")
    notes = tuple(DimNote(n, d, f"{n} = {n} of the query", str(d)) for n, d in zip(labels, out) if n != "E")
    notes = _in_order(labels, notes, DimNote("E", e, "E = embed_dim = num_heads·head_dim", f"{heads}·{e // heads} = {e}"))
    s_note = f"S = key length{' + 1 (add_bias_kv)' if ctx['add_bias_kv'] else ''}{' + 1 (add_zero_attn)' if ctx['add_zero_attn'] else ''}"
    story = (
        f"Each of the {length} query positions looks at all {source_len} key positions ({s_note} = {source_len}), "
        f"in {heads} heads of embed_dim/num_heads = {e}/{heads} = {e // heads} features each.",
        f"attn_output ({format_shape(out)}) has the query's layout; attn_weights ({format_shape(weights)}: "
        + ("N×L×S" if batched else "L×S")
        + ") says how much each query position attends to each key position, averaged over the heads "
        "(need_weights and average_attn_weights are on, torch's defaults).",
    )
    return Inferred(out, notes, story, outputs=(out, weights))


def _in_order(labels, notes, e_note) -> tuple[DimNote, ...]:
    by_label = {n.label: n for n in notes}
    by_label["E"] = e_note
    return tuple(by_label[label] for label in labels)


def _mha_macs(p, inputs, out) -> tuple[int, str]:
    q, k = inputs[0], inputs[1]
    batched = len(q) == 3
    first = p["batch_first"] and batched
    length, batch = (q[1], q[0]) if first else (q[0], q[1] if batched else 1)
    k_len = (k[1] if first else k[0]) + int(p["add_bias_kv"]) + int(p["add_zero_attn"])
    e = p["embed_dim"]
    kdim = p["kdim"] if p["kdim"] is not None else e
    vdim = p["vdim"] if p["vdim"] is not None else e
    raw_k = k[1] if first else k[0]
    projections = batch * (length * e * e + raw_k * e * (kdim + vdim) + length * e * e)
    scores = 2 * batch * length * k_len * e
    total = projections + scores
    return total, (
        f"projections N·(L·E·E + S·E·(kdim+vdim) + L·E·E) = {format_count(projections)}, plus scores and mixing "
        f"2·N·L·S·E = 2·{batch}·{length}·{k_len}·{e} = {format_count(scores)}; total {format_count(total)}"
    )


# ----- Transformer layers ------------------------------------------------------------------------------
def _transformer_weights(decoder: bool):
    def weights(p):
        d, ff, bias = p["d_model"], p["dim_feedforward"], p["bias"]
        attn = {"embed_dim": d, "kdim": None, "vdim": None, "bias": bias, "add_bias_kv": False}
        out = list(_mha_weights(attn, "self_attn."))
        if decoder:
            out += _mha_weights(attn, "multihead_attn.")
        out += [("linear1.weight", (ff, d))] + ([("linear1.bias", (ff,))] if bias else [])
        out += [("linear2.weight", (d, ff))] + ([("linear2.bias", (d,))] if bias else [])
        for i in range(1, 4 if decoder else 3):
            out += [(f"norm{i}.weight", (d,))] + ([(f"norm{i}.bias", (d,))] if bias else [])
        return tuple(out)

    return weights


def _transformer_infer(decoder: bool):
    def infer(ctx) -> Inferred:
        _check_dropout(ctx)
        d, heads = _check_heads(ctx, "d_model", "nhead")
        if ctx["dim_feedforward"] < 0:
            raise LayerError(f"{ctx.label}: dim_feedforward cannot be negative, got {ctx['dim_feedforward']}",
                             param="dim_feedforward", fixes=(Fix.setting("dim_feedforward", 4 * d),))
        names = ("tgt", "memory") if decoder else ("src",)
        batched = _ranks(ctx, names)
        first = ctx["batch_first"] and batched
        length, batch, width = _sequence(ctx, 0, batched, first)
        if width != d:
            raise LayerError(
                f"{ctx.label} expects {names[0]} vectors of d_model={d} features, but {ctx.source(0)} gives {width}",
                param="d_model",
                fixes=(Fix.setting("d_model", width),) if width % heads == 0 and width > 0 else (),
            )
        if decoder:
            m_len, m_batch, m_width = _sequence(ctx, 1, batched, first)
            if m_width != d:
                raise LayerError(
                    f"{ctx.label} expects memory (the encoder's output) of d_model={d} features, but {ctx.source(1)} "
                    f"gives {m_width}",
                    param="d_model",
                )
            if batched and m_batch != batch and m_len:
                raise LayerError(f"{ctx.label}: tgt has a batch of {batch} but memory has {m_batch}; they must match")
        shape = ctx.inputs[0]
        labels = _layout(batched, first, "L")
        notes = tuple(
            DimNote(n, s, "E_out = E_in = nhead·(d_model/nhead)", f"{heads}·{d // heads} = {s}")
            if n == "E"
            else DimNote(n, s, f"{n}_out = {n}_in", str(s))
            for n, s in zip(labels, shape)
        )
        order = "LayerNorm first (pre-norm)" if ctx["norm_first"] else "LayerNorm after each residual add (post-norm)"
        blocks = "self-attention, attention over memory and a feed-forward network" if decoder else "self-attention and a feed-forward network"
        story = (
            f"{blocks[:1].upper() + blocks[1:]}, each added back to its input, {order}; the size stays "
            f"{format_shape(shape)}.",
            f"{heads} heads of d_model/nhead = {d}/{heads} = {d // heads} features; the feed-forward network "
            f"widens E={d} to dim_feedforward={ctx['dim_feedforward']} and back, with {ctx['activation']}.",
            f"{counted(sum(_size(s) for _, s in _transformer_weights(decoder)(ctx.params)), 'parameter')}.",
        )
        return Inferred(shape, notes, story)

    return infer


def _size(shape) -> int:
    out = 1
    for v in shape:
        out *= max(v, 0)
    return out


def _transformer_macs(decoder: bool):
    def macs(p, inputs, out) -> tuple[int, str]:
        shape = inputs[0]
        batched = len(shape) == 3
        first = p["batch_first"] and batched
        length, batch = (shape[1], shape[0]) if first else (shape[0], shape[1] if batched else 1)
        d, ff = p["d_model"], p["dim_feedforward"]
        tokens = batch * length
        self_attn = tokens * 4 * d * d
        total = self_attn + tokens * 2 * d * ff
        formula = (f"self-attention projections N·L·4·E² = {batch}·{length}·4·{d}² = {format_count(self_attn)}, "
                   f"feed-forward N·L·2·E·F = {batch}·{length}·2·{d}·{ff} = {format_count(tokens * 2 * d * ff)}")
        if decoder:
            m_len = inputs[1][1] if first else inputs[1][0]
            cross = tokens * 2 * d * d + batch * m_len * 2 * d * d
            total += cross
            formula += f", projections of the attention over memory (N·L + N·S)·2·E² = {format_count(cross)}"
        return total, f"{formula}; total {format_count(total)}"

    return macs


def _transformer_other_ops(decoder: bool):
    def other_ops(p, inputs, out) -> tuple[int, str]:
        """The attention scores and the mixing of values (no weights): 2·N·L·S·E per attention."""
        shape = inputs[0]
        batched = len(shape) == 3
        first = p["batch_first"] and batched
        length, batch = (shape[1], shape[0]) if first else (shape[0], shape[1] if batched else 1)
        d = p["d_model"]
        ops = 2 * batch * length * length * d
        text = f"self-attention scores and mixing 2·N·L²·E = 2·{batch}·{length}²·{d} = {format_count(ops)}"
        if decoder:
            m_len = inputs[1][1] if first else inputs[1][0]
            cross = 2 * batch * length * m_len * d
            ops += cross
            text += f", over memory 2·N·L·S·E = {format_count(cross)}"
        return ops, f"{text} multiply-adds; total {format_count(ops)}"

    return other_ops


def _transformer_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("d_model", Integer(1), REQUIRED, "the embedding size E of every position"),
        ParamSpec("nhead", Integer(1), REQUIRED, "attention heads; d_model must be divisible by it"),
        ParamSpec("dim_feedforward", Integer(0), 2048, "the feed-forward network's hidden width"),
        ParamSpec("dropout", Real(0.0, 1.0), 0.1, "dropout probability (training only)"),
        ParamSpec("activation", Choice(("relu", "gelu")), "relu", "the feed-forward network's activation"),
        ParamSpec("layer_norm_eps", Real(), 1e-5, "added inside LayerNorm for stability"),
        ParamSpec("batch_first", Boolean(), False, "inputs and output are (N, L, E) instead of (L, N, E)"),
        ParamSpec("norm_first", Boolean(), False, "LayerNorm before attention and feed-forward (pre-norm)"),
        ParamSpec("bias", Boolean(), True, "learn biases in the linear layers and LayerNorms"),
    )


SPECS = [
    LayerSpec(
        type_name="MultiheadAttention",
        category="Attention",
        description="Multi-head attention: every query position mixes the values, weighted by how well it matches each key.",
        params=(
            ParamSpec("embed_dim", Integer(1), REQUIRED, "the query's embedding size E"),
            ParamSpec("num_heads", Integer(1), REQUIRED, "parallel heads; embed_dim must be divisible by it"),
            ParamSpec("dropout", Real(0.0, 1.0), 0.0, "dropout on the attention weights (training only)"),
            ParamSpec("bias", Boolean(), True, "learn biases in the input and output projections"),
            ParamSpec("add_bias_kv", Boolean(), False, "append a learned position to key and value (S + 1)"),
            ParamSpec("add_zero_attn", Boolean(), False, "append a zero position to key and value (S + 1)"),
            ParamSpec("kdim", Optional(Integer(1)), None, "the key's features (null: embed_dim)"),
            ParamSpec("vdim", Optional(Integer(1)), None, "the value's features (null: embed_dim)"),
            ParamSpec("batch_first", Boolean(), False, "inputs and output are (N, L, E) instead of (L, N, E)"),
        ),
        infer=_mha_infer,
        weights=_mha_weights,
        macs=_mha_macs,
        min_inputs=3,
        max_inputs=3,
        summary=lambda p: f"E {p['embed_dim']}, {p['num_heads']} heads",
        output_count=lambda p: 2,
        output_names=("attn_output", "attn_weights"),
        input_names=("query", "key", "value"),
    ),
    LayerSpec(
        type_name="TransformerEncoderLayer",
        category="Attention",
        description="One transformer encoder block: self-attention and a feed-forward network, each with a residual add and LayerNorm.",
        params=_transformer_params(),
        infer=_transformer_infer(False),
        weights=_transformer_weights(False),
        macs=_transformer_macs(False),
        other_ops=_transformer_other_ops(False),
        summary=lambda p: f"E {p['d_model']}, {p['nhead']} heads",
        input_names=("src",),
    ),
    LayerSpec(
        type_name="TransformerDecoderLayer",
        category="Attention",
        description="One transformer decoder block: self-attention, attention over the encoder's memory, and a feed-forward network.",
        params=_transformer_params(),
        infer=_transformer_infer(True),
        weights=_transformer_weights(True),
        macs=_transformer_macs(True),
        other_ops=_transformer_other_ops(True),
        min_inputs=2,
        max_inputs=2,
        summary=lambda p: f"E {p['d_model']}, {p['nhead']} heads",
        input_names=("tgt", "memory"),
    ),
]
