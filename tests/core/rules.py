"""Run one shape rule directly on any input shape, including empty ones no Input node can make.

Zero-size tensors reach a layer only from upstream layers (e.g. ``Linear(out_features=0)``), so the
oracle tests use this to compare such shapes with torch without building the graph that makes them.
"""

from __future__ import annotations

from designer.core import catalog
from designer.core.shapes import Inferred, LayerError
from designer.core.spec import RuleContext
from tests.oracle import torch_run


def rule_run(type_name: str, params: dict, shape: tuple[int, ...]) -> Inferred | LayerError:
    spec = catalog.get(type_name)
    assert not spec.check_params(params), spec.check_params(params)
    ctx = RuleContext(type_name, spec.resolve(params), (tuple(shape),), f"{type_name} 'layer'", ("'x0'",))
    try:
        return spec.infer(ctx)
    except LayerError as exc:
        return exc


def check_rule_agreement(type_name: str, params: dict, shape: tuple[int, ...]) -> Inferred | LayerError:
    """Assert the rule and torch agree on ``shape``: same output shape and parameter count, or both refuse."""
    expected = torch_run(type_name, params, [shape])
    got = rule_run(type_name, params, shape)
    where = f"{type_name}({params}) on {shape}"
    if isinstance(expected, Exception):
        assert isinstance(got, LayerError), f"{where}: torch raised {type(expected).__name__}: {expected}, rule gave {got.shape}"
    else:
        out, count = expected
        assert isinstance(got, Inferred), f"{where}: torch gave {out}, rule said: {got.sentence()}"
        assert tuple(got.shape) == out, f"{where}: torch gave {out}, rule gave {got.shape}"
        spec = catalog.get(type_name)
        assert spec.count_params(spec.resolve(params)) == count, f"{where}: torch counts {count} parameters"
    return got
