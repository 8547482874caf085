"""How PyTorch operations become catalog layers, for the importer (torch is imported lazily).

A layer comes from an ``nn.Module`` (its settings read back from its attributes), from a function or
method call (``F.relu``, ``torch.flatten``, ``x.relu()``, ``aten.max_pool2d``: the arguments build the
equivalent module, read back the same way), or from a reshape (``view``, ``reshape``, ``squeeze``, …),
which is Flatten, Unflatten or nothing, decided from the shapes torch saw. Settings are accepted only
when the module they build has exactly the original's configuration and weight names, shapes and
dtypes, so an import never quietly changes a layer.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any

from designer.core import catalog
from designer.core.params import Boolean

IDENTITY = "identity"  # passes its input through: no node (nn.Identity, x.contiguous(), …)
RESHAPE = "reshape"  # Flatten, Unflatten or identity, from the shapes
PAD = "pad"  # F.pad: the ZeroPad/ConstantPad/ReflectionPad/ReplicationPad/CircularPad layer of its mode and size
# In-place flags are dropped: the design is a data-flow graph, so each layer's result is a new value.
_DROPPED = frozenset({"inplace", "_stacklevel"})
_NOT_CONFIG = frozenset({"training", "inplace"})


class Unmappable(Exception):
    """An operation with no catalog equivalent; ``str()`` is a sentence saying why."""


@dataclass(frozen=True)
class Form:
    """A call that computes a catalog layer: which one, and its arguments after the tensor, in order."""

    type_name: str
    names: tuple[str, ...] = ()
    defaults: tuple[tuple[str, Any], ...] = ()  # the call's own defaults where the module's differ
    fixed: tuple[tuple[str, Any], ...] = ()  # arguments the module cannot express: must keep this value


def _key(kind: str, name: str) -> tuple[str, str]:
    return (kind, name)


@functools.cache
def forms() -> dict[Any, Form]:
    """Call → Form, keyed by the function object, ``("method", name)`` or ``("aten", name)``."""
    import torch
    import torch.nn.functional as F

    table: dict[Any, Form] = {}

    def add(form: Form, functions=(), methods=(), aten=()) -> None:
        for function in functions:
            if function is not None:
                table[function] = form
        table.update({_key("method", m): form for m in methods})
        table.update({_key("aten", a): form for a in aten})

    for type_name, name, names in (
        ("ReLU", "relu", ("inplace",)),
        ("Sigmoid", "sigmoid", ()),
        ("Tanh", "tanh", ()),
    ):
        functions = [getattr(F, name, None), getattr(torch, name), getattr(torch, name + "_", None)]
        add(Form(type_name, names), functions, (name, name + "_"), (name, name + "_"))
    for type_name, name, names, in_aten in (
        ("LeakyReLU", "leaky_relu", ("negative_slope", "inplace"), True),
        ("GELU", "gelu", ("approximate",), True),
        ("SiLU", "silu", ("inplace",), True),
        ("Mish", "mish", ("inplace",), True),
        ("Hardswish", "hardswish", ("inplace",), True),
        ("Hardsigmoid", "hardsigmoid", ("inplace",), True),
        ("Hardtanh", "hardtanh", ("min_val", "max_val", "inplace"), True),
        ("Softplus", "softplus", ("beta", "threshold"), True),
        ("ELU", "elu", ("alpha", "inplace"), False),  # aten.elu takes scale arguments too
        ("CELU", "celu", ("alpha", "inplace"), False),
        ("SELU", "selu", ("inplace",), False),
        ("ReLU6", "relu6", ("inplace",), False),
    ):
        aten = (name, name + "_") if in_aten else ()
        add(Form(type_name, names), (getattr(F, name), getattr(F, name + "_", None)), (), aten)
    for type_name in ("Softmax", "LogSoftmax"):
        name = "softmax" if type_name == "Softmax" else "log_softmax"
        add(Form(type_name, ("dim", "_stacklevel", "dtype"), fixed=(("dtype", None),)), (getattr(F, name),))
        add(Form(type_name, ("dim", "dtype"), fixed=(("dtype", None),)), (getattr(torch, name),), (name,), (name,))
    for n in (1, 2, 3):
        pool = (("stride", None), ("padding", 0))
        add(
            Form(f"MaxPool{n}d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"), pool, (("return_indices", False),)),
            (getattr(F, f"max_pool{n}d"),),
            (),
            (f"max_pool{n}d",),
        )
        add(
            Form(f"AvgPool{n}d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"), pool),
            (getattr(F, f"avg_pool{n}d"),),
            (),
            (f"avg_pool{n}d",),
        )
        add(Form(f"AdaptiveAvgPool{n}d", ("output_size",)), (getattr(F, f"adaptive_avg_pool{n}d"),), (), (f"adaptive_avg_pool{n}d",))
        add(
            Form(f"AdaptiveMaxPool{n}d", ("output_size", "return_indices"), fixed=(("return_indices", False),)),
            (getattr(F, f"adaptive_max_pool{n}d"),),
        )
    for type_name, name in (("Dropout", "dropout"), ("Dropout1d", "dropout1d"), ("Dropout2d", "dropout2d"), ("Dropout3d", "dropout3d"), ("AlphaDropout", "alpha_dropout")):
        # Only the eval-mode call (training=self.training, False at import) equals the nn module.
        add(Form(type_name, ("p", "training", "inplace"), fixed=(("training", False),)), (getattr(F, name),), (), (name,))
    upsample = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias")
    add(Form("Upsample", upsample, fixed=(("antialias", False),)), (F.interpolate, F.upsample))
    add(Form("PixelShuffle", ("upscale_factor",)), (F.pixel_shuffle, torch.pixel_shuffle), (), ("pixel_shuffle",))
    add(Form("PixelUnshuffle", ("downscale_factor",)), (F.pixel_unshuffle, torch.pixel_unshuffle), (), ("pixel_unshuffle",))
    add(Form("Add", ("other", "alpha"), fixed=(("alpha", 1),)), (operator.add, operator.iadd, torch.add), ("add", "add_", "__add__", "__iadd__"), ("add", "add_"))
    add(Form("Concat", ("dim",), (("dim", 0),)), (torch.cat, torch.concat, torch.concatenate), (), ("cat", "concat"))
    add(Form(IDENTITY), (torch.clone,), ("contiguous", "clone", "detach"), ("clone", "contiguous", "alias"))
    # Eval-mode stochastic depth and dropout-like calls pass their input through (training=False only).
    eval_only = (("training", False),)
    table[_key("named", "stochastic_depth")] = Form(IDENTITY, ("p", "mode", "training"), fixed=eval_only)  # torchvision.ops
    for name in ("dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"):
        add(Form(IDENTITY, ("p", "training", "inplace"), fixed=eval_only), (getattr(torch, name, None),))
    add(Form(IDENTITY, ("p", "training", "inplace"), fixed=eval_only), (F.feature_alpha_dropout,))
    add(Form(PAD, ("pad", "mode", "value"), (("mode", "constant"), ("value", None))), (F.pad,), (), ("pad",))
    add(Form(PAD, ("pad", "value"), (("value", 0),)), (), (), ("constant_pad_nd",))
    reshapes = ("view", "reshape", "flatten", "squeeze", "unsqueeze")
    add(Form(RESHAPE), (torch.flatten, torch.reshape, torch.squeeze, torch.unsqueeze), reshapes, (*reshapes, "_unsafe_view"))
    return {key: form for key, form in table.items() if form.type_name in (IDENTITY, RESHAPE, PAD) or catalog.exists(form.type_name)}


def bind(form: Form, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments after the tensor by name, with the call's defaults; refuses what the layer cannot do."""
    if len(args) > len(form.names):
        raise Unmappable(f"it passes {len(args)} arguments after the tensor; the layer takes at most {len(form.names)}")
    given = dict(form.defaults)
    given.update(zip(form.names, args))
    for name, value in kwargs.items():
        if name not in form.names and name != "axis":
            raise Unmappable(f"the argument {name}= has no {form.type_name} equivalent")
        given["dim" if name == "axis" else name] = value
    for name, value in form.fixed:
        if name in given and given[name] != value:
            raise Unmappable(f"{name}={given[name]!r} has no {form.type_name} equivalent (only {name}={value!r})")
        given.pop(name, None)
    if given.get("stride") in ([], ()):  # aten's spelling of "the kernel size"
        given["stride"] = None
    return {k: v for k, v in given.items() if k not in _DROPPED}


def call_settings(form: Form, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The catalog params of the module that computes what ``form`` called with ``kwargs`` (bound) computes."""
    try:
        module = _build(form.type_name, kwargs)
    except Exception as exc:  # a call torch itself would refuse with these arguments
        raise Unmappable(f"{form.type_name} cannot be built from its arguments ({exc})") from None
    return module_settings(module, form.type_name)


def catalog_type(module: Any) -> str | None:
    """The catalog type a module is, when it is a torch.nn layer the catalog knows (or a subclass
    that does not change ``forward``); None otherwise."""
    import torch

    for cls in type(module).__mro__:
        if getattr(torch.nn, cls.__name__, None) is cls and catalog.exists(cls.__name__):
            if catalog.get(cls.__name__).kind == "module" and type(module).forward is cls.forward:
                return cls.__name__
            return None
    return None


# A layer's call passes its inputs first: attention's query, key, value; a decoder layer's tgt, memory.
_CALL_INPUTS = {"MultiheadAttention": 3, "TransformerDecoderLayer": 2}


def call_inputs(module: Any, type_name: str, args: tuple, kwargs: dict[str, Any], value) -> list[Any]:
    """The tensors a layer's call passes as its inputs, in port order. Every other argument must have the
    value the design's call leaves it at (no masks, no initial state), except attention's ``need_weights``
    (whether the weights come back changes no other output); ``value`` reads an argument's plain value."""
    import inspect

    signature = inspect.signature(type(module).forward)
    try:
        bound = signature.bind(module, *args, **kwargs).arguments
    except TypeError as exc:
        raise Unmappable(f"it is called with arguments its forward() does not take ({exc})") from None
    names = list(signature.parameters)[1:]
    count = _CALL_INPUTS.get(type_name, 1)
    if any(name not in bound for name in names[:count]):
        raise Unmappable(f"it is called without {', '.join(n for n in names[:count] if n not in bound)}")
    plain = {}
    for name in names[count:]:
        if name in bound:
            try:
                plain[name] = value(bound[name])
            except Unmappable:  # a tensor: a mask, an initial state
                raise Unmappable(
                    f"it is called with a tensor as {name}, and the design's {type_name} takes only {', '.join(names[:count])}"
                ) from None
    for name, given in plain.items():
        default = signature.parameters[name].default
        free = name == "need_weights" or (name == "average_attn_weights" and plain.get("need_weights") is False)
        if not free and given != default:
            raise Unmappable(f"{name}={_short(given)} has no {type_name} equivalent (the design's call leaves it at {default!r})")
    return [bound[name] for name in names[:count]]


def _transformer_layer(module: Any) -> dict[str, Any]:
    """A transformer layer keeps its constructor arguments in its parts (the attention, linear1, norm1)."""
    activation = module.activation
    return {
        "d_model": module.self_attn.embed_dim,
        "nhead": module.self_attn.num_heads,
        "dim_feedforward": module.linear1.out_features,
        "dropout": module.dropout.p,
        "activation": getattr(activation, "__name__", type(activation).__name__).lower(),
        "layer_norm_eps": module.norm1.eps,
        "batch_first": module.self_attn.batch_first,
        "norm_first": module.norm_first,
        "bias": module.linear1.bias is not None,
    }


# Layers whose constructor arguments are not attributes of the same names: where they are instead.
_READERS = {"TransformerEncoderLayer": _transformer_layer, "TransformerDecoderLayer": _transformer_layer}


def module_settings(module: Any, type_name: str) -> dict[str, Any]:
    """Catalog params that rebuild ``module`` exactly, in their simplest form (defaults left out)."""
    spec = catalog.get(type_name)
    target = _config(module)
    settings = {}
    read = _READERS[type_name](module) if type_name in _READERS else {}
    for param in spec.params:
        if param.name in read:
            settings[param.name] = _json(read[param.name], param.name)
        if param.name in _DROPPED or not hasattr(module, param.name) or param.name in read:
            continue
        value = getattr(module, param.name)
        if isinstance(param.kind, Boolean) and (value is None or _is_tensor(value)):
            value = value is not None  # ``bias``: the parameter exists or not
        settings[param.name] = _json(value, param.name)
    if _rebuilt(type_name, settings) != target:
        differs = _differences(_rebuilt(type_name, settings), target)
        raise Unmappable(f"its settings cannot all be written as {type_name} parameters ({differs} would differ)")
    for name in list(settings):
        simpler = _simpler(settings[name], spec.param(name))
        for candidate in simpler:
            trial = dict(settings)
            if candidate is _OMIT:
                del trial[name]
            else:
                trial[name] = candidate
            if (candidate is _OMIT or spec.param(name).kind.accepts(candidate)) and _rebuilt(type_name, trial) == target:
                settings = trial
                break
    problems = spec.check_params(settings)
    if problems:
        raise Unmappable(problems[0][1])
    return settings


_OMIT = object()


def _simpler(value: Any, param) -> list[Any]:
    """Shorter spellings to try, best first: leave it out (when not required), one number for a list."""
    out = [] if param.required else [_OMIT]
    if isinstance(value, list) and value and all(v == value[0] for v in value):
        out.append(value[0])
    return out


_PADS = {"constant": "ConstantPad", "reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}


def pad_settings(bound: dict[str, Any], rank: int) -> tuple[str, dict[str, Any]]:
    """(type, params) of the padding layer that computes ``F.pad(x, pad, mode, value)`` on a ``rank``-D tensor:
    ZeroPad for zeros, ConstantPad for another value, else the mode's own layer; a pad of the last dims only
    is widened with zeros to the dims the layer pads (``(1, 1)`` on N×C×H×W is ZeroPad2d((1, 1, 0, 0)))."""
    pad, mode, value = bound.get("pad"), bound.get("mode", "constant"), bound.get("value")
    if not isinstance(pad, (list, tuple)) or not pad or len(pad) % 2 or not all(type(p) is int for p in pad):
        raise Unmappable(f"its padding {_short(pad)} is not an even number of sizes")
    if mode not in _PADS:
        raise Unmappable(f"mode={mode!r} has no padding layer")
    pad, dims = list(pad), len(pad) // 2
    while rank not in (dims + 1, dims + 2) and dims < 3:
        pad, dims = [*pad, 0, 0], dims + 1
    if rank not in (dims + 1, dims + 2):
        raise Unmappable(f"it pads {len(pad) // 2} dimensions of a {rank}-D tensor, which no padding layer does")
    if mode == "constant" and not value:
        type_name, kwargs = f"ZeroPad{dims}d", {"padding": pad}
    elif mode == "constant":
        type_name, kwargs = f"ConstantPad{dims}d", {"padding": pad, "value": value}
    elif value:
        raise Unmappable(f"value={value!r} means nothing with mode={mode!r}")
    else:
        type_name, kwargs = f"{_PADS[mode]}{dims}d", {"padding": pad}
    return type_name, call_settings(Form(type_name), kwargs)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def reshape_settings(before: tuple[int, ...], after: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """(type, params) for a reshape from ``before`` to ``after``: identity, Flatten or Unflatten."""
    if before == after:
        return IDENTITY, {}
    removed = len(before) - len(after)
    if removed > 0:
        starts = sorted(range(len(after)), key=lambda s: s != 1)  # nn.Flatten's own default first
        for start in starts:
            end = start + removed
            if after == before[:start] + (_product(before[start : end + 1]),) + before[end + 1 :]:
                params = {"start_dim": start, "end_dim": end - len(before)} if start != 1 else {"end_dim": end - len(before)}
                if params.get("end_dim") == -1:
                    del params["end_dim"]
                return "Flatten", params
    elif removed < 0:
        added = -removed
        for dim in range(len(before)):
            sizes = after[dim : dim + added + 1]
            if after == before[:dim] + sizes + before[dim + 1 :] and _product(sizes) == before[dim]:
                return "Unflatten", {"dim": dim, "unflattened_size": list(sizes)}
    raise Unmappable(
        f"it reshapes {_shape(before)} into {_shape(after)}, which is not a Flatten or Unflatten of neighbouring dimensions"
    )


# ----- helpers -------------------------------------------------------------------------------------
def _build(type_name: str, settings: dict[str, Any]):
    import torch

    kwargs = {k: _tuples(v) for k, v in settings.items()}
    with torch.device("meta"):  # settings only: no memory for weights
        return getattr(torch.nn, type_name)(**kwargs)


def built_state(type_name: str, settings: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The ``state_dict`` names and sizes of the layer ``settings`` build."""
    return {k: tuple(t.shape) for k, t in _build(type_name, settings).state_dict().items()}


def _rebuilt(type_name: str, settings: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return _config(_build(type_name, settings))
    except Exception:  # settings torch refuses are simply not a spelling of the original
        return None


def _config(module: Any) -> dict[str, Any]:
    """What makes two modules of one class compute the same thing: public settings, weight names/shapes."""
    config = {k: _plain(v) for k, v in vars(module).items() if not k.startswith("_") and k not in _NOT_CONFIG}
    config["state"] = sorted((k, tuple(t.shape), str(t.dtype)) for k, t in module.state_dict(keep_vars=True).items())
    # The parts' own settings too: a transformer layer's batch_first and dropout live in its attention and dropouts.
    config["parts"] = {name: _config(part) for name, part in module.named_children()}
    return config


def _differences(a: dict[str, Any] | None, b: dict[str, Any]) -> str:
    if a is None:
        return "the layer itself"
    names = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return ", ".join("weights" if n == "state" else n for n in names)


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return type(value).__name__


def _json(value: Any, name: str) -> Any:
    if isinstance(value, (tuple, list)):
        return [_json(v, name) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise Unmappable(f"its {name} is a {type(value).__name__}, which a design cannot hold")


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _is_tensor(value: Any) -> bool:
    import torch

    return isinstance(value, torch.Tensor)


def _product(sizes: tuple[int, ...]) -> int:
    out = 1
    for s in sizes:
        out *= s
    return out


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape) or "a scalar"
