"""Activations and other element-wise layers (ReLU … Softmax, Identity): the shape passes through.

What can go wrong is in the parameters: torch turns each number into a 32-bit float when it runs
the layer and refuses one that does not fit; Hardtanh and CELU refuse some values outright; PReLU's
slopes must match the channels; Softmax's dim must exist.
"""

from __future__ import annotations

from designer.core.layers.common import describe_tensor, unchanged_notes, wrap_dim
from designer.core.params import Boolean, Choice, Integer, Optional, Real
from designer.core.shapes import Fix, Inferred, LayerError, counted, dim_names
from designer.core.spec import LayerSpec, ParamSpec, moves_values_only

FLOAT32_MAX = 3.4028234663852886e38

_INPLACE = ParamSpec("inplace", Boolean(), False, "overwrite the input instead of making a new tensor (saves memory)")


def check_float32(ctx, name: str, value: float, what: str | None = None) -> None:
    """torch converts scalar arguments to the tensor's float32 and refuses values beyond its range."""
    if abs(value) > FLOAT32_MAX:
        raise LayerError(
            f"{ctx.label}: {what or name} is {value:g}, too large for 32-bit floats (at most ±3.4e38)",
            param=name,
            fix=f"choose a smaller {name}",
        )


def _pass_through(ctx, what: str, *more: str, warnings: tuple[str, ...] = ()) -> Inferred:
    shape = ctx.shape
    return Inferred(shape, unchanged_notes(shape), (what, *more, "The shape does not change."), warnings)


def _checked(text: str, *floats: str):
    """A rule for an element-wise layer whose only possible problem is a number out of float32 range.

    ``text`` explains the layer; ``{param}`` fields show the user's values.
    """

    def infer(ctx) -> Inferred:
        for name in floats:
            check_float32(ctx, name, ctx[name])
        return _pass_through(ctx, text.format(**ctx.params))

    return infer


def _hardtanh_infer(ctx) -> Inferred:
    lo, hi = ctx["min_val"], ctx["max_val"]
    if hi <= lo:
        raise LayerError(
            f"{ctx.label}: max_val ({hi}) must be greater than min_val ({lo})",
            param="max_val",
            fix="make max_val larger than min_val",
        )
    check_float32(ctx, "min_val", lo)
    check_float32(ctx, "max_val", hi)
    return _pass_through(ctx, f"Clips every value into [{lo}, {hi}].")


def _celu_infer(ctx) -> Inferred:
    alpha = ctx["alpha"]
    if alpha == 0:
        raise LayerError(f"{ctx.label}: alpha cannot be 0 (CELU divides by it)", param="alpha", fixes=(Fix.setting("alpha", 1.0),))
    check_float32(ctx, "alpha", alpha)
    check_float32(ctx, "alpha", 1 / alpha, "1/alpha")
    return _pass_through(ctx, f"Like ELU with alpha={alpha}, but smooth for every alpha: max(0,x) + min(0, α·(exp(x/α) − 1)).")


def _prelu_infer(ctx) -> Inferred:
    count = ctx["num_parameters"]
    if count < 0:
        raise LayerError(f"{ctx.label}: num_parameters cannot be negative, got {count}", param="num_parameters", fixes=(Fix.setting("num_parameters", 1),))
    check_float32(ctx, "init", ctx["init"])
    shape = ctx.shape
    channels = shape[1] if len(shape) >= 2 else 1
    if count != 1 and channels != count:
        where = f"its channel dim (dim 1) is {channels}" if len(shape) >= 2 else "a 1-D input counts as 1 channel"
        raise LayerError(
            f"{ctx.label} has num_parameters={count} (one slope per channel), but {ctx.source()} gives "
            f"{describe_tensor(shape)} and {where}",
            param="num_parameters",
            fix=f"set num_parameters to {channels} (or 1 to share one slope)",
            fixes=(Fix.setting("num_parameters", channels), Fix.setting("num_parameters", 1)),
        )
    slopes = "one learned slope shared by all channels" if count == 1 else f"one learned slope for each of the {count} channels"
    return _pass_through(
        ctx, f"Like LeakyReLU, but the slope for negative values is learned: {slopes} ({counted(count, 'parameter')})."
    )


def _softmax_infer(log: bool):
    def infer(ctx) -> Inferred:
        shape = ctx.shape
        rank = len(shape)
        dim = ctx["dim"]
        warnings = ()
        if dim is None:
            dim = 0 if rank in (0, 1, 3) else 1
            warnings = (
                f"dim is not set, so torch guesses dim {dim} for a {rank}-D input and warns; set dim explicitly "
                f"(usually -1, the last dim)",
            )
        axis = wrap_dim(ctx, "dim", dim, rank, fixes=(Fix.setting("dim", -1),), fix="set dim to -1 for the last dim")
        name = dim_names(rank)[axis] if rank else "the value"
        what = "log-probabilities (their exponentials sum to 1)" if log else "probabilities that sum to 1"
        story = f"Turns the {shape[axis] if rank else 1} values along {name} (dim {axis}) of each slice into {what}."
        return _pass_through(ctx, story, warnings=warnings)

    return infer


def _prelu_weights(p):
    return (("weight", (p["num_parameters"],)),)


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# What torch does with an int64 tensor: these keep it, these turn it into floats; the rest refuse it.
_INT64_INPUT = {"ReLU": "keep", "ReLU6": "keep", "Hardtanh": "keep", "Identity": "keep", "Tanh": "float", "Sigmoid": "float"}


def _spec(name, description, params, infer, summary=None, weights=None, other_ops=None) -> LayerSpec:
    return LayerSpec(
        int64_input=_INT64_INPUT.get(name, "refuse"),
        type_name=name,
        category="Activation",
        description=description,
        params=params,
        infer=infer,
        summary=summary or (lambda p: ""),
        weights=weights,
        other_ops=other_ops,
    )


_alpha = ParamSpec("alpha", Real(), 1.0, "how far negative outputs may go (they approach −alpha)")

SPECS = [
    _spec("ReLU", "Keeps positive values and sets negative ones to 0.", (_INPLACE,), _checked("max(0, x) for every value.")),
    _spec("ReLU6", "ReLU capped at 6: clips every value into [0, 6].", (_INPLACE,), _checked("min(max(0, x), 6) for every value.")),
    _spec(
        "LeakyReLU",
        "Like ReLU, but negative values are multiplied by a small slope instead of set to 0.",
        (ParamSpec("negative_slope", Real(), 0.01, "slope for negative values"), _INPLACE),
        _checked("x for positive values, negative_slope·x = {negative_slope}·x for negative ones.", "negative_slope"),
        summary=lambda p: f"slope {_num(p['negative_slope'])}",
    ),
    _spec(
        "PReLU",
        "LeakyReLU with a learned slope for negative values (one, or one per channel).",
        (
            ParamSpec("num_parameters", Integer(1), 1, "how many slopes to learn: 1, or the number of channels"),
            ParamSpec("init", Real(), 0.25, "starting value of the slopes"),
        ),
        _prelu_infer,
        summary=lambda p: f"{p['num_parameters']} slope" + ("s" if p["num_parameters"] != 1 else ""),
        weights=_prelu_weights,
    ),
    _spec(
        "ELU",
        "Exponential linear unit: like ReLU for positive values, a smooth curve down to −alpha for negative ones.",
        (_alpha, _INPLACE),
        _checked("x for positive values, alpha·(exp(x) − 1) with alpha={alpha} for negative ones.", "alpha"),
        summary=lambda p: f"α {_num(p['alpha'])}",
    ),
    _spec(
        "SELU",
        "Scaled ELU with fixed constants, for self-normalizing networks.",
        (_INPLACE,),
        _checked("scale·(max(0,x) + min(0, α·(exp(x) − 1))) with fixed α ≈ 1.673 and scale ≈ 1.051."),
    ),
    _spec("CELU", "Continuously differentiable ELU.", (_alpha, _INPLACE), _celu_infer, summary=lambda p: f"α {_num(p['alpha'])}"),
    _spec(
        "GELU",
        "Gaussian error linear unit: a smooth ReLU used in transformers.",
        (ParamSpec("approximate", Choice(("none", "tanh")), "none", "'tanh' uses a faster approximation"),),
        lambda ctx: _pass_through(
            ctx, "x·Φ(x), where Φ is the normal distribution's CDF" + (" (tanh approximation)." if ctx["approximate"] == "tanh" else ".")
        ),
        summary=lambda p: "tanh" if p["approximate"] == "tanh" else "",
    ),
    _spec("SiLU", "Sigmoid linear unit (swish): x·sigmoid(x).", (_INPLACE,), _checked("x·sigmoid(x) for every value.")),
    _spec("Mish", "Mish: x·tanh(softplus(x)), a smooth ReLU.", (_INPLACE,), _checked("x·tanh(softplus(x)) for every value.")),
    _spec("Hardswish", "A cheap, piecewise-linear version of swish (MobileNetV3).", (_INPLACE,), _checked("x·ReLU6(x + 3)/6 for every value.")),
    _spec("Hardsigmoid", "A cheap, piecewise-linear version of sigmoid.", (_INPLACE,), _checked("ReLU6(x + 3)/6 for every value.")),
    _spec(
        "Hardtanh",
        "Clips every value into [min_val, max_val].",
        (
            ParamSpec("min_val", Real(), -1.0, "lowest output value"),
            ParamSpec("max_val", Real(), 1.0, "highest output value; must be above min_val"),
            _INPLACE,
        ),
        _hardtanh_infer,
        summary=lambda p: f"[{_num(p['min_val'])}, {_num(p['max_val'])}]",
    ),
    _spec("Tanh", "Squashes every value into (−1, 1).", (), _checked("tanh(x) for every value.")),
    _spec("Sigmoid", "Squashes every value into (0, 1).", (), _checked("1 / (1 + exp(−x)) for every value.")),
    _spec(
        "Softplus",
        "A smooth ReLU: log(1 + exp(beta·x)) / beta.",
        (
            ParamSpec("beta", Real(), 1.0, "sharpness of the curve"),
            ParamSpec("threshold", Real(), 20.0, "above beta·x > threshold the output is just x"),
        ),
        _checked("log(1 + exp(beta·x)) / beta with beta={beta}; linear above the threshold {threshold}.", "beta", "threshold"),
        summary=lambda p: f"β {_num(p['beta'])}",
    ),
    _spec(
        "Softmax",
        "Turns the values along one dim into probabilities that sum to 1 (for classification).",
        (ParamSpec("dim", Optional(Integer()), None, "the dim that sums to 1; -1 is the last (null: torch guesses)"),),
        _softmax_infer(False),
        summary=lambda p: "dim ?" if p["dim"] is None else f"dim {p['dim']}",
    ),
    _spec(
        "LogSoftmax",
        "The logarithm of Softmax: log-probabilities along one dim (pairs with NLLLoss).",
        (ParamSpec("dim", Optional(Integer()), None, "the dim to normalize; -1 is the last (null: torch guesses)"),),
        _softmax_infer(True),
        summary=lambda p: "dim ?" if p["dim"] is None else f"dim {p['dim']}",
    ),
    _spec(
        "Identity",
        "Passes its input through unchanged (a placeholder).",
        (),
        _checked("Returns its input as it is."),
        other_ops=moves_values_only,
    ),
]
