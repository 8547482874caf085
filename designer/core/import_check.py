"""The importer's last word: the design's exported code, built in memory, must load the original model's
weights strictly and compute what the original computes (torch is imported lazily, only here).

An import that passes every mapping rule can still be wrong (a rule with a bug, a weight name the
exporter cannot keep); this check is what lets the importer say "imported" and mean it. It exports the
design exactly as ``model-designer export`` will, executes that code (our own, generated from the
design: names reach it only as identifiers or ``repr()`` literals), loads ``model.state_dict()`` with
``strict=True`` and runs both models on the inputs the import traced with.
"""

from __future__ import annotations

from typing import Any

from designer.core.export import ExportError, export
from designer.core.graph import Graph

RTOL = 1e-4  # float32 through the same kernels agrees to rounding; a wrong layer is off by far more
ATOL = 1e-5  # scaled by the largest value the original returns, so big activations are judged fairly
SHOWN = 5  # weight names listed in a refusal; the rest are counted


def refusal(graph: Graph, model: Any, inputs: list, kwargs: dict[str, Any]) -> str | None:
    """Why the design is not the model (a sentence), or None when its code loads the weights and agrees."""
    import torch

    try:
        exported = export(graph, "ImportedModel", keep_names=True)
    except ExportError as exc:
        return f"its design cannot be exported ({exc}), please report this"
    namespace: dict[str, Any] = {"__name__": "designer_import_check"}
    exec(compile(exported.code, "<imported model>", "exec"), namespace)  # our own generated code, see above
    copy = namespace[exported.class_name]().eval()
    problem = _weights_problem(copy.state_dict(), model.state_dict())
    if problem:
        return problem
    try:
        copy.load_state_dict(model.state_dict(), strict=True)
    except RuntimeError as exc:
        return f"the exported code does not load the model's weights: {' '.join(str(exc).split())[:300]}"
    with torch.no_grad():
        expected = _tensors(model(*inputs, **kwargs))
        got = _tensors(copy(*inputs))
    if len(got) != len(expected):
        return f"the exported code returns {len(got)} tensors where the model returns {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        which = "its output" if len(expected) == 1 else f"its output {i}"
        if a.shape != b.shape or a.dtype != b.dtype:
            return f"{which} is {_shape(a)} {a.dtype} in the exported code but {_shape(b)} {b.dtype} in the model"
        scale = float(b.abs().max()) if b.numel() and b.is_floating_point() and torch.isfinite(b).all() else 1.0
        if not torch.allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, scale), equal_nan=True):
            worst = float((a.double() - b.double()).abs().nan_to_num(float("inf")).max())
            return (
                f"{which} differs from the model's by up to {worst:.3g} on the same inputs and weights "
                f"(allowed: {RTOL:g} relative, {ATOL * max(1.0, scale):.3g} absolute), so some layer is not what the model computes"
            )
    return None


def _weights_problem(got: dict[str, Any], expected: dict[str, Any]) -> str | None:
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    resized = [k for k in expected if k in got and tuple(got[k].shape) != tuple(expected[k].shape)]
    parts = []
    if missing:
        parts.append(f"lacks {_listed(missing)}")
    if extra:
        parts.append(f"has {_listed(extra)} that the model does not")
    if resized:
        sizes = ", ".join(f"{k} ({_shape(got[k])} instead of {_shape(expected[k])})" for k in resized[:SHOWN])
        parts.append(f"sizes {sizes} differently")
    return f"the exported code {'; '.join(parts)}, so it cannot load the model's weights strictly" if parts else None


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
    return f"{len(names)} weight{'s' if len(names) > 1 else ''} ({shown})"


def _tensors(value: Any) -> list:
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return [value]


def _shape(tensor: Any) -> str:
    return "×".join(str(d) for d in tensor.shape) or "a scalar"
