"""The layer catalog: every layer type the app knows, looked up by its torch.nn class name."""

from __future__ import annotations

from designer.core.layers import (
    activation,
    arithmetic,
    attention,
    conv,
    dropout,
    embedding,
    graph_io,
    linear,
    norm,
    padding,
    pool,
    recurrent,
    reduction,
    resample,
    reshape,
    split,
)
from designer.core.spec import LayerSpec

CATEGORIES = (
    "Graph",
    "Convolution",
    "Pooling",
    "Resampling",
    "Normalization",
    "Activation",
    "Dropout",
    "Linear",
    "Padding",
    "Attention",
    "Recurrent",
    "Embedding",
    "Math",
    "Shape",
)

_SPECS: dict[str, LayerSpec] = {}
for _module in (graph_io, conv, pool, resample, norm, activation, dropout, linear, padding, attention, recurrent, embedding, arithmetic, reduction, reshape, split):
    for _spec in _module.SPECS:
        assert _spec.type_name not in _SPECS, _spec.type_name
        assert _spec.category in CATEGORIES, _spec.category
        _SPECS[_spec.type_name] = _spec


class UnknownLayerType(KeyError):
    """A type name that is not in the catalog."""


def get(type_name: str) -> LayerSpec:
    try:
        return _SPECS[type_name]
    except KeyError:
        raise UnknownLayerType(type_name) from None


def exists(type_name: str) -> bool:
    return type_name in _SPECS


def all_specs() -> list[LayerSpec]:
    """Every spec, grouped by category in palette order, then by name."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(_SPECS.values(), key=lambda s: (order[s.category], s.type_name))


def type_names() -> list[str]:
    return [s.type_name for s in all_specs()]
