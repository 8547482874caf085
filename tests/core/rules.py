"""Oracle helpers beyond ``tests.oracle``: rules run on empty shapes, and torch's warnings.

Zero-size tensors reach a layer only from upstream layers (e.g. ``Linear(out_features=0)``), so
``check_rule_agreement`` runs a shape rule directly on such a shape, without the graph that makes it.
``check_warnings_agree`` checks that the engine warns exactly where torch warns.
"""

from __future__ import annotations

import warnings

from hypothesis import strategies as st

from designer.core import catalog
from designer.core.shapes import Inferred, LayerError
from designer.core.spec import RuleContext
from tests.oracle import backend_dependent_refusal, engine_run, torch_module, torch_run


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
    elif isinstance(got, LayerError) and backend_dependent_refusal(got, expected[0]):
        pass  # torch took the path that runs it; another torch (batch, threads, build) refuses it
    else:
        out, count = expected
        assert isinstance(got, Inferred), f"{where}: torch gave {out}, rule said: {got.sentence()}"
        assert tuple(got.shape) == out, f"{where}: torch gave {out}, rule gave {got.shape}"
        spec = catalog.get(type_name)
        assert spec.count_params(spec.resolve(params)) == count, f"{where}: torch counts {count} parameters"
    return got


def torch_warnings(type_name: str, params: dict, shapes: list[tuple[int, ...]]) -> list[str] | None:
    """The warnings torch gives building and running the module in eval mode; None if it refuses."""
    import torch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = torch_module(type_name, params).eval()
            with torch.no_grad():
                module(*[torch.randn(*s) for s in shapes])
        except Exception:  # a refusal is check_agreement's business
            return None
    return [str(w.message) for w in caught]


def check_warnings_agree(type_name: str, params: dict, shapes: list[tuple[int, ...]]) -> None:
    """Where torch accepts the configuration, the engine warns if and only if torch warns."""
    expected = torch_warnings(type_name, params, shapes)
    if expected is None:
        return
    got = engine_run(type_name, params, shapes)
    where = f"{type_name}({params}) on {shapes}"
    assert bool(got.warnings) == bool(expected), f"{where}: torch warned {expected}, engine warned {got.warnings}"


@st.composite
def one_size_zero(draw, cases: st.SearchStrategy):
    """A single-input case from ``cases`` with one input size set to 0, as an upstream pool or crop can make."""
    type_name, params, (shape,) = draw(cases)
    axis = draw(st.integers(0, len(shape) - 1))
    return type_name, params, tuple(0 if i == axis else d for i, d in enumerate(shape))
