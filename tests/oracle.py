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


def torch_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]):
    """(output shape, parameter count) from torch, or the exception torch raised."""
    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            inputs = [torch.randn(*s) for s in input_shapes]
            kind = catalog.get(type_name).kind
            with torch.no_grad():
                if kind == "input":
                    return tuple(params["shape"]), 0
                if kind == "add":
                    out = inputs[0]
                    for t in inputs[1:]:
                        out = out + t
                    return tuple(out.shape), 0
                if kind == "concat":
                    return tuple(torch.cat(inputs, dim=params.get("dim", 1)).shape), 0
                if kind == "output":
                    return tuple(inputs[0].shape), 0
                module = torch_module(type_name, params).eval()
                out = module(*inputs)
                return tuple(out.shape), sum(p.numel() for p in module.parameters())
    except Exception as exc:  # torch's refusal is the expected answer for invalid configurations
        return exc


def engine_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]) -> NodeResult:
    graph = Graph()
    for i, shape in enumerate(input_shapes):
        graph.add_node(Node(f"x{i}", "Input", {"shape": list(shape)}))
    graph.add_node(Node("layer", type_name, params))
    for i in range(len(input_shapes)):
        graph.connect(Edge(f"x{i}", "layer", i))
    return ShapeEngine(graph).result("layer")


def check_agreement(type_name: str, params: dict, input_shapes: list[tuple[int, ...]]) -> NodeResult:
    """Assert the engine and torch agree: same shape and parameter count, or both refuse."""
    expected = torch_run(type_name, params, input_shapes)
    got = engine_run(type_name, params, input_shapes)
    where = f"{type_name}({params}) on {input_shapes}"
    if isinstance(expected, Exception):
        assert not got.ok, f"{where}: torch raised {type(expected).__name__}: {expected}, engine gave {got.shape}"
        assert got.error is not None and got.error.message, where
    else:
        shape, count = expected
        assert got.ok, f"{where}: torch gave {shape}, engine said: {got.message()}"
        assert got.shape == shape, f"{where}: torch gave {shape}, engine gave {got.shape}"
        assert got.params == count, f"{where}: torch counts {count} parameters, engine {got.params}"
    return got
