"""Sensible parameters for a layer the user has just added, and the first value of an emptied field.

Required parameters need values before the model accepts a node. When the new layer follows a node
whose output size is known, the sizes it must agree with are read from that shape (in_channels from C,
in_features from the last dim, ...); everything else gets a small, valid, common choice. The shape
engine then shows what those choices produce, and the inspector changes them.
"""

from __future__ import annotations

from typing import Any

from designer.core.params import (
    AnyOf,
    Boolean,
    Choice,
    Integer,
    IntOrInts,
    Ints,
    Kind,
    Optional,
    Real,
    RealOrReals,
    Shape,
)
from designer.core.shapes import Shape as TensorShape
from designer.core.spec import LayerSpec, ParamSpec

DEFAULT_INPUT_SHAPE = [1, 3, 64, 64]
DEFAULT_WIDTH = 64  # channels or features when nothing upstream says otherwise

_CHANNEL_NAMES = ("in_channels", "num_features", "num_channels", "channels")
_SAME_AS_INPUT = {"out_channels": "in_channels", "out_features": "in_features"}


def default_params(spec: LayerSpec, upstream: TensorShape | None = None) -> dict[str, Any]:
    """Values for the required parameters of ``spec``, fitted to an input of shape ``upstream``."""
    params: dict[str, Any] = {}
    for p in spec.params:
        if p.required:
            params[p.name] = _guess(p, upstream, params)
    return params


def _guess(p: ParamSpec, upstream: TensorShape | None, chosen: dict[str, Any]) -> Any:
    rank = len(upstream) if upstream else 0
    if p.name in _CHANNEL_NAMES and rank >= 2:
        return upstream[1]
    if p.name == "in_features" and rank >= 1:
        return upstream[-1]
    if p.name in _SAME_AS_INPUT and _SAME_AS_INPUT[p.name] in chosen:
        return chosen[_SAME_AS_INPUT[p.name]]  # keeps the size, so the first edit shows what changes it
    if p.name == "normalized_shape" and rank >= 1:
        return [upstream[-1]]
    if p.name == "num_groups":
        channels = upstream[1] if rank >= 2 else DEFAULT_WIDTH
        return next(g for g in (32, 16, 8, 4, 2, 1) if channels % g == 0)
    if p.name == "kernel_size":
        return 3
    if p.name == "chunks":
        return 2
    if p.name == "split_size_or_sections":  # two pieces of dim 0 (Split's own default dim)
        return max(1, -(-upstream[0] // 2)) if rank else 1
    return first_value(p.kind, p.name)


def first_value(kind: Kind, name: str = "") -> Any:
    """A small, valid, common value of ``kind`` (for a new layer's parameter ``name``, or an editor whose
    field appears empty, such as an optional switched on)."""
    if isinstance(kind, Shape):
        return list(DEFAULT_INPUT_SHAPE)
    if isinstance(kind, Optional):
        return None
    if isinstance(kind, AnyOf):
        return first_value(kind.kinds[0], name)
    if isinstance(kind, Choice):
        return kind.values[0]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, (Integer, IntOrInts)):
        if any(word in name for word in ("channels", "features", "size", "dim")):
            return DEFAULT_WIDTH
        return max(1, kind.minimum or 1)
    if isinstance(kind, Real):
        return kind.minimum if kind.minimum is not None and kind.minimum > 1 else 1.0
    if isinstance(kind, RealOrReals):
        return 2.0
    if isinstance(kind, Ints):
        return [1] * max(kind.min_len, 1)
    return None
