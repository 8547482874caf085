"""Functional calls that compute a layer with the weights of the module making them, for the importer.

timm's ``BatchNormAct2d`` is an ``nn.BatchNorm2d`` with its own ``forward``, which calls
``F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, ...)``; other code calls
``F.layer_norm``, ``F.group_norm`` or ``F.linear`` on its own weights the same way. Such a call *is* the
torch.nn layer, living at that module's path: :func:`owned_layer` says which layer, with which settings,
and only when its weights are exactly the module's own (same names, sizes, nothing left over), so
the layer at that path loads the module's ``state_dict`` entries as they are. torch is never imported
here: the tensors come from the model the importer holds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from designer.core import import_rules
from designer.core.import_rules import Form, Unmappable


@dataclass(frozen=True)
class Weight:
    """An argument that is a tensor of the model: its full name (``stages.0.bn.running_mean``)."""

    name: str

    @property
    def owner(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        return self.name.rpartition(".")[2]


# The call's arguments, in order; which of them are the owner's tensors, under which attribute name.
_SIGNATURES = {
    "batch_norm": ("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"),
    "layer_norm": ("input", "normalized_shape", "weight", "bias", "eps"),
    "group_norm": ("input", "num_groups", "weight", "bias", "eps"),
    "linear": ("input", "weight", "bias"),
}
_TENSORS = {
    "batch_norm": ("running_mean", "running_var", "weight", "bias"),
    "layer_norm": ("weight", "bias"),
    "group_norm": ("weight", "bias"),
    "linear": ("weight", "bias"),
}
_DEFAULTS = {"training": False, "momentum": 0.1, "eps": 1e-5, "weight": None, "bias": None}


@functools.cache
def functions() -> dict[Any, str]:
    """The functional calls this module maps, by function object: ``F.batch_norm`` → ``"batch_norm"``."""
    import torch.nn.functional as F

    return {F.batch_norm: "batch_norm", F.layer_norm: "layer_norm", F.group_norm: "group_norm", F.linear: "linear"}


def bind(kind: str, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by name, with its defaults."""
    names = _SIGNATURES[kind]
    if len(args) > len(names) or any(k not in names for k in kwargs):
        raise Unmappable(f"it is called with arguments F.{kind} does not take")
    bound = {k: v for k, v in _DEFAULTS.items() if k in names}
    bound.update(zip(names, args))
    bound.update(kwargs)
    return bound


def owned_layer(kind: str, bound: dict[str, Any], model: Any, rank: int) -> tuple[str, str, dict[str, Any]]:
    """(owner path, catalog type, settings) of the layer a call equals; ``bound`` holds :class:`Weight` for
    the model's tensors and plain values for the rest. Refuses with a sentence when it is not that layer."""
    tensors = {name: bound[name] for name in _TENSORS[kind] if bound.get(name) is not None}
    if not tensors or not all(isinstance(t, Weight) for t in tensors.values()):
        raise Unmappable(f"F.{kind} here uses tensors that are not one module's own weights, and a layer owns its weights")
    owners = {t.owner for t in tensors.values()}
    if len(owners) != 1 or any(t.attribute != name for name, t in tensors.items()):
        listed = ", ".join(t.name for t in tensors.values())
        raise Unmappable(f"F.{kind} uses {listed}: not the weight, bias (and running statistics) of one module under those names")
    owner = next(iter(owners))
    module = model.get_submodule(owner) if owner else model
    type_name, settings = _layer(kind, bound, {name: getattr(module, name) for name in tensors}, rank)
    built = import_rules.built_state(type_name, settings)
    own = {name: tuple(t.shape) for name, t in _direct_tensors(module).items()}
    if built != own:
        extra = sorted(set(own) - set(built))
        lacking = sorted(set(built) - set(own))
        what = f"{owner or 'the model'} also holds {', '.join(extra)}" if extra else f"{owner or 'the model'} has no {', '.join(lacking)}"
        raise Unmappable(f"F.{kind} equals nn.{type_name} only with exactly its weights, and {what}")
    return owner, type_name, settings


def _layer(kind: str, bound: dict[str, Any], tensors: dict[str, Any], rank: int) -> tuple[str, dict[str, Any]]:
    if kind == "batch_norm":
        if bound["training"] is not False or "running_mean" not in tensors or "running_var" not in tensors:
            raise Unmappable("F.batch_norm normalizes with the batch's own statistics here (training=True); only the eval-mode call is a BatchNorm layer")
        dims = {2: 1, 3: 1, 4: 2, 5: 3}.get(rank)
        if dims is None:
            raise Unmappable(f"F.batch_norm on a {rank}-D input has no BatchNorm layer")
        momentum = bound["momentum"] if isinstance(bound["momentum"], float) or bound["momentum"] is None else 0.1
        type_name = f"BatchNorm{dims}d"
        kwargs = {"num_features": int(tensors["running_mean"].numel()), "eps": bound["eps"], "momentum": momentum}
        kwargs.update(_affine(tensors, "affine"))
    elif kind == "layer_norm":
        type_name = "LayerNorm"
        kwargs = {"normalized_shape": list(bound["normalized_shape"]), "eps": bound["eps"]}
        kwargs.update(_affine(tensors, "elementwise_affine"))
    elif kind == "group_norm":
        if "weight" not in tensors:
            raise Unmappable("F.group_norm without a weight has no GroupNorm layer with these weights")
        type_name = "GroupNorm"
        kwargs = {"num_groups": bound["num_groups"], "num_channels": int(tensors["weight"].numel()), "eps": bound["eps"]}
        kwargs.update(_affine(tensors, "affine"))
    else:
        if "weight" not in tensors or tensors["weight"].dim() != 2:
            raise Unmappable("F.linear needs its module's 2-D weight to be a Linear layer")
        type_name = "Linear"
        out_features, in_features = (int(d) for d in tensors["weight"].shape)
        kwargs = {"in_features": in_features, "out_features": out_features, "bias": "bias" in tensors}
    return type_name, import_rules.call_settings(Form(type_name), kwargs)


def _affine(tensors: dict[str, Any], flag: str) -> dict[str, bool]:
    """A norm's learnable scale and shift: ``affine=False`` without a weight, ``bias=False`` (torch ≥ 2.1's
    argument) only when there is a weight but no bias, so older spellings stay as they were."""
    if "weight" not in tensors:
        return {flag: False}
    return {} if "bias" in tensors else {"bias": False}


def _direct_tensors(module: Any) -> dict[str, Any]:
    """The module's own parameters and persistent buffers (not its children's): what its state_dict holds itself."""
    state = module.state_dict(keep_vars=True)
    return {k: v for k, v in state.items() if "." not in k}
