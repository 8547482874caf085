"""Recurrent layers: LSTM (outputs output, h_n, c_n), GRU and RNN (output, h_n), as torch.nn builds them.

Dims are named as for sequences read step by step: N batch, T time steps, H features (H_in arriving,
H_out leaving); D is 2 for a bidirectional layer, else 1.
"""

from __future__ import annotations

from designer.core.layers.common import describe_tensor
from designer.core.params import Boolean, Choice, Integer, Real
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, format_count
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, weights_count

_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
_OUTPUTS = {"LSTM": ("output", "h_n", "c_n"), "GRU": ("output", "h_n"), "RNN": ("output", "h_n")}


def _hidden_out(p) -> int:
    return p.get("proj_size", 0) or p["hidden_size"]


def _weights(type_name: str):
    def weights(p):
        gate = _GATES[type_name] * p["hidden_size"]
        real = _hidden_out(p)
        directions = 2 if p["bidirectional"] else 1
        out = []
        for layer in range(p["num_layers"]):
            fan_in = p["input_size"] if layer == 0 else real * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                out += [(f"weight_ih{suffix}", (gate, fan_in)), (f"weight_hh{suffix}", (gate, real))]
                if p["bias"]:
                    out += [(f"bias_ih{suffix}", (gate,)), (f"bias_hh{suffix}", (gate,))]
                if p.get("proj_size", 0) > 0:
                    out.append((f"weight_hr{suffix}", (p["proj_size"], p["hidden_size"])))
        return tuple(out)

    return weights


def _check_settings(ctx) -> None:
    """The constructor's refusals, in torch's order."""
    dropout = ctx["dropout"]
    if not 0 <= dropout <= 1:
        raise LayerError(
            f"{ctx.label}: dropout must be a probability between 0 and 1, got {dropout}",
            param="dropout",
            fixes=(Fix.setting("dropout", 0.0),),
        )
    for name in ("hidden_size", "num_layers"):
        if ctx[name] <= 0:
            raise LayerError(f"{ctx.label}: {name} must be greater than zero, got {ctx[name]}", param=name,
                             fixes=(Fix.setting(name, 1),))
    proj = ctx.params.get("proj_size", 0)
    if proj < 0:
        raise LayerError(f"{ctx.label}: proj_size must be 0 (no projection) or positive, got {proj}", param="proj_size",
                         fixes=(Fix.setting("proj_size", 0),))
    if proj >= ctx["hidden_size"]:
        raise LayerError(
            f"{ctx.label}: proj_size ({proj}) must be smaller than hidden_size ({ctx['hidden_size']})",
            param="proj_size",
            fixes=(Fix.setting("proj_size", 0),),
        )
    if ctx["input_size"] <= 0:
        raise LayerError(f"{ctx.label}: input_size must be greater than zero, got {ctx['input_size']}", param="input_size")


def _infer(type_name: str):
    def infer(ctx) -> Inferred:
        _check_settings(ctx)
        shape = ctx.shape
        if len(shape) not in (2, 3):
            raise LayerError(
                f"{ctx.label} reads a sequence: a 3-D input T×N×H_in (N×T×H_in with batch_first) or 2-D T×H_in "
                f"without the batch, but receives {describe_tensor(shape)} from {ctx.source()}",
                fix="reshape it to (N, T, H_in) and set batch_first, or put a Flatten/Permute before it",
            )
        batched = len(shape) == 3
        first = ctx["batch_first"] and batched
        steps = shape[1] if first else shape[0]
        batch = (shape[0] if first else shape[1]) if batched else None
        features = shape[-1]
        if features != ctx["input_size"]:
            raise LayerError(
                f"{ctx.label} expects input_size={ctx['input_size']} features per step, but {ctx.source()} gives "
                f"{features} (the last dim of {describe_tensor(shape)})",
                param="input_size",
                fixes=(Fix.setting("input_size", features),),
            )
        if steps == 0:
            raise LayerError(f"{ctx.label} needs at least one time step, but T = 0 in {describe_tensor(shape)} "
                             f"from {ctx.source()}")
        d = 2 if ctx["bidirectional"] else 1
        layers, hidden, out_h = ctx["num_layers"], ctx["hidden_size"], _hidden_out(ctx.params)
        width = d * out_h
        if batched:
            output = (batch, steps, width) if first else (steps, batch, width)
            h_n, c_n = (d * layers, batch, out_h), (d * layers, batch, hidden)
        else:
            output, h_n, c_n = (steps, width), (d * layers, out_h), (d * layers, hidden)
        labels = ("N", "T") if first else ("T", "N") if batched else ("T",)
        notes = tuple(DimNote(label, size, f"{label} = {label} of the input", str(size)) for label, size in zip(labels, output))
        which = "proj_size" if ctx.params.get("proj_size", 0) else "hidden_size"
        notes += (DimNote("H_out", width, f"H_out = D·{which}", f"{d}·{out_h} = {width}"),)
        labels += ("H_out",)
        outputs = (output, h_n, c_n) if type_name == "LSTM" else (output, h_n)
        story = [
            f"Reads {counted(steps, 'time step')} of {features} features one after another"
            + (f", for {counted(batch, 'sequence')} at once" if batched else "")
            + f", through {counted(layers, 'layer')} of {hidden} hidden units"
            + (" in both directions" if d == 2 else "")
            + ".",
            f"output: every step's last-layer state, {' × '.join(f'{n}={s}' for n, s in zip(labels, output))}.",
            f"h_n: the final state of each layer and direction, D·num_layers = {d}·{layers} = {d * layers} of them, "
            f"each {out_h} wide (the batch comes second even with batch_first).",
        ]
        if type_name == "LSTM":
            story.append(f"c_n: the final cell state, shaped like h_n but {hidden} wide (hidden_size).")
        count = weights_count(_weights(type_name)(ctx.params))
        story.append(f"{counted(count, 'parameter')} in {_GATES[type_name]} gate(s) per layer and direction.")
        warnings = ()
        if ctx["dropout"] > 0 and layers == 1:
            warnings = (
                f"dropout={ctx['dropout']} acts between stacked layers only, and num_layers is 1, so it does nothing "
                "(torch warns too)",
            )
        return Inferred(output, notes, tuple(story), warnings, outputs=outputs)

    return infer


def _macs(type_name: str):
    def macs(p, inputs, out) -> tuple[int, str]:
        shape = inputs[0]
        cells = shape[0] * shape[1] if len(shape) == 3 else shape[0]  # steps · batch
        per_step = sum(
            (s[0] * s[1] if len(s) == 2 else 0) for name, s in _weights(type_name)(p) if name.startswith("weight")
        )
        total = cells * per_step
        return total, (
            f"steps·batch·(weights multiplied per step) = {cells}·{format_count(per_step)} = {format_count(total)}"
        )

    return macs


def _params(type_name: str) -> tuple[ParamSpec, ...]:
    params = [
        ParamSpec("input_size", Integer(1), REQUIRED, "features per time step that arrive (H_in)"),
        ParamSpec("hidden_size", Integer(1), REQUIRED, "features of the hidden state: your choice"),
        ParamSpec("num_layers", Integer(1), 1, "recurrent layers stacked on each other"),
    ]
    if type_name == "RNN":
        params.append(ParamSpec("nonlinearity", Choice(("tanh", "relu")), "tanh", "the activation inside each step"))
    params += [
        ParamSpec("bias", Boolean(), True, "learn biases b_ih and b_hh"),
        ParamSpec("batch_first", Boolean(), False, "input and output are (N, T, H) instead of (T, N, H)"),
        ParamSpec("dropout", Real(0.0, 1.0), 0.0, "dropout between stacked layers (not after the last)"),
        ParamSpec("bidirectional", Boolean(), False, "also read the sequence backwards (D = 2)"),
    ]
    if type_name == "LSTM":
        params.append(ParamSpec("proj_size", Integer(0), 0, "project h to this size (0: no projection)"))
    return tuple(params)


_DESCRIPTIONS = {
    "LSTM": "Long short-term memory: reads a sequence step by step; outputs every step's state, h_n and c_n.",
    "GRU": "Gated recurrent unit: reads a sequence step by step; outputs every step's state and h_n.",
    "RNN": "Plain recurrent layer (tanh or ReLU): reads a sequence step by step; outputs every step's state and h_n.",
}


def _spec(type_name: str) -> LayerSpec:
    names = _OUTPUTS[type_name]
    return LayerSpec(
        type_name=type_name,
        category="Recurrent",
        description=_DESCRIPTIONS[type_name],
        params=_params(type_name),
        infer=_infer(type_name),
        weights=_weights(type_name),
        macs=_macs(type_name),
        summary=lambda p: f"{p['input_size']}→{p['hidden_size']}"
        + (f" ×{p['num_layers']}" if p["num_layers"] != 1 else "")
        + (" bi" if p["bidirectional"] else ""),
        output_count=lambda p: len(names),
        output_names=names,
        # forward() returns (output, (h_n, c_n)) for LSTM, (output, h_n) otherwise.
        output_pattern="{0}, ({1}, {2})" if type_name == "LSTM" else "{0}, {1}",
    )


SPECS = [_spec(t) for t in ("LSTM", "GRU", "RNN")]
