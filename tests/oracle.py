"""torch as the oracle: run one layer on real CPU tensors and compare with the engine's answer."""

from __future__ import annotations

import warnings
from typing import Any

from designer.core import catalog
from designer.core.engine import NodeResult, ShapeEngine
from designer.core.graph import Edge, Graph, Node


def to_torch_value(value: Any) -> Any:
    """Lists become tuples, as the exporter writes them."""
    if isinstance(value, list):
        return tuple(to_torch_value(v) for v in value)
    return value


def torch_module(type_name: str, params: dict):
    from torch import nn

    kwargs = {k: to_torch_value(v) for k, v in params.items()}
    return getattr(nn, type_name)(**kwargs)


def torch_apply(type_name: str, params: dict, inputs: list):
    """One node's work in torch on ``inputs``: (output tensor, module or None for graph-level nodes)."""
    import torch

    kind = catalog.get(type_name).kind
    if kind == "input":
        return torch.randn(*params["shape"]), None
    if kind == "add":
        out = inputs[0]
        for t in inputs[1:]:
            out = out + t
        return out, None
    if kind == "concat":
        return torch.cat(inputs, dim=params.get("dim", 1)), None
    if kind == "output":
        return inputs[0], None
    module = torch_module(type_name, params).eval()
    return module(*inputs), module


def torch_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]):
    """(output shape, parameter count) from torch, or the exception torch raised."""
    import torch

    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            out, module = torch_apply(type_name, params, [torch.randn(*s) for s in input_shapes])
            return tuple(out.shape), sum(p.numel() for p in module.parameters()) if module else 0
    except Exception as exc:  # torch's refusal is the expected answer for invalid configurations
        return exc


def single_layer(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]) -> Graph:
    """One layer fed by one Input per port."""
    graph = Graph()
    for i, shape in enumerate(input_shapes):
        graph.add_node(Node(f"x{i}", "Input", {"shape": list(shape)}))
    graph.add_node(Node("layer", type_name, params))
    for i in range(len(input_shapes)):
        graph.connect(Edge(f"x{i}", "layer", i))
    return graph


def engine_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]) -> NodeResult:
    return ShapeEngine(single_layer(type_name, params, input_shapes)).result("layer")


def backend_dependent_refusal(error, torch_shape: tuple[int, ...]) -> bool:
    """The engine's safe refusal of something torch runs only on some CPU paths (LayerError.backend_dependent).

    Accepted only where the cause is visible in torch's answer: an empty output, or a transposed
    convolution's dilation 0 on a 1-wide kernel (its ``param`` is dilation)."""
    if error is None or not error.backend_dependent:
        return False
    return 0 in torch_shape or error.param == "dilation"


def check_agreement(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]) -> NodeResult:
    """Assert the engine and torch agree: same shape and parameter count, or both refuse."""
    expected = torch_run(type_name, params, input_shapes)
    got = engine_run(type_name, params, input_shapes)
    where = f"{type_name}({params}) on {input_shapes}"
    if isinstance(expected, Exception):
        assert not got.ok, f"{where}: torch raised {type(expected).__name__}: {expected}, engine gave {got.shape}"
        assert got.error is not None and got.error.message, where
    elif backend_dependent_refusal(got.error, expected[0]):
        pass  # torch took the path that runs it; another torch (batch, threads, build) refuses it
    else:
        shape, count = expected
        assert got.ok, f"{where}: torch gave {shape}, engine said: {got.message()}"
        assert got.shape == shape, f"{where}: torch gave {shape}, engine gave {got.shape}"
        assert got.param_count == count, f"{where}: torch counts {count} parameters, engine {got.param_count}"
    return got
