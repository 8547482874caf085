"""Run a whole design in torch, node by node, as the oracle for statistics and explanations.

Each node becomes the torch module (or operation) its type names; the result gives, per node, the
output tensor's shape, the parameter and buffer counts, and the FLOPs FlopCounterMode sees.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from tests.oracle import flat_outputs, torch_apply, torch_module


@dataclass
class TorchNode:
    shape: tuple[int, ...]
    params: int
    buffers: int
    flops: int
    weights: dict[str, tuple[int, ...]]


def run_graph(graph: Graph, engine: ShapeEngine, seed: int = 0) -> dict[str, TorchNode]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(seed)
    values: dict[str, torch.Tensor] = {}
    out: dict[str, TorchNode] = {}
    # torch's fused transformer kernels (its "fast path" in eval mode) are invisible to the flop counter.
    fast_path = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        for node_id in engine.order():
            node = graph.node(node_id)
            args = [values[e.source][e.source_port] for e in graph.in_edges(node_id)]
            with FlopCounterMode(display=False) as counter:
                result, module = torch_apply(node.type_name, node.params, args)
            values[node_id] = flat_outputs(result)
            result = values[node_id][0]
            out[node_id] = TorchNode(
                shape=tuple(result.shape),
                params=sum(p.numel() for p in module.parameters()) if module else 0,
                buffers=sum(b.numel() for b in module.buffers()) if module else 0,
                flops=counter.get_total_flops(),
                weights={name: tuple(p.shape) for name, p in module.named_parameters()} if module else {},
            )
    torch.backends.mha.set_fastpath_enabled(fast_path)
    return out


def chain(input_shape: tuple[int, ...], layers: list[tuple[str, dict]]) -> Graph:
    """Input → layer1 → layer2 → ... → Output, with ids x, l1, l2, ..., out."""
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": list(input_shape)}))
    previous = "x"
    for i, (type_name, params) in enumerate(layers, start=1):
        graph.add_node(Node(f"l{i}", type_name, params))
        graph.connect(Edge(previous, f"l{i}"))
        previous = f"l{i}"
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge(previous, "out"))
    return graph


def torch_size(type_name: str, size_in: int, params: dict) -> int | None:
    """The spatial size torch produces for a square input of ``size_in``, or None when torch refuses."""
    import torch

    n = int(type_name[-2])
    if type_name.startswith("Conv"):
        params = {"in_channels": 1, "out_channels": 1, **params}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            out = torch_module(type_name, params)(torch.zeros((1, 1) + (size_in,) * n))
    except (RuntimeError, ValueError):
        return None
    sizes = set(out.shape[2:])
    return sizes.pop() if len(sizes) == 1 else None
