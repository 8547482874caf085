"""Test helpers for designs with an open batch: leave every Input's batch open, or fix it at a number."""

from __future__ import annotations

from designer.core import project
from designer.core.graph import Edge, Graph, Node


def open_batch(graph: Graph) -> Graph:
    """``graph`` with every Input's batch left open ("N"), changed in place."""
    for node in list(graph.nodes()):
        if node.type_name == "Input":
            graph.set_params(node.id, {**node.params, "shape": ["N", *node.params["shape"][1:]]})
    return graph


def with_batch(graph: Graph, batch: int) -> Graph:
    """A copy of ``graph`` whose open batches are fixed at ``batch``."""
    concrete = project.loads(project.dumps(graph))
    for node in list(concrete.nodes()):
        if node.type_name == "Input" and node.params["shape"][0] == "N":
            concrete.set_params(node.id, {**node.params, "shape": [batch, *node.params["shape"][1:]]})
    return concrete


def batch_plus_four(name: str = "made from N") -> Graph:
    """x (N×3) and y (4×3) joined along the batch, then flattened: sizes N+4 and 3·N+12 follow N."""
    g = Graph(name)
    g.add_node(Node("x", "Input", {"shape": ["N", 3]}))
    g.add_node(Node("y", "Input", {"shape": [4, 3]}))
    g.add_node(Node("cat", "Concat", {"dim": 0}))
    g.add_node(Node("flat", "Flatten", {"start_dim": 0}))
    g.connect(Edge("x", "cat", 0))
    g.connect(Edge("y", "cat", 1))
    g.connect(Edge("cat", "flat"))
    return g
