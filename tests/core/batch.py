"""Test helpers for designs with an open batch: leave every Input's batch open, or fix it at a number."""

from __future__ import annotations

from designer.core import project
from designer.core.graph import Graph


def open_batch(graph: Graph) -> Graph:
    """``graph`` with every Input's batch left open ("N"), changed in place."""
    for node in list(graph.nodes()):
        if node.type_name == "Input":
            graph.set_params(node.id, {"shape": ["N", *node.params["shape"][1:]]})
    return graph


def with_batch(graph: Graph, batch: int) -> Graph:
    """A copy of ``graph`` whose open batches are fixed at ``batch``."""
    concrete = project.loads(project.dumps(graph))
    for node in list(concrete.nodes()):
        if node.type_name == "Input" and node.params["shape"][0] == "N":
            concrete.set_params(node.id, {"shape": [batch, *node.params["shape"][1:]]})
    return concrete
