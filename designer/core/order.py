"""The execution order of a design: the one order in which the engine computes, the exporter writes
``forward()``, and statistics, problems and the solver list nodes.

A node comes after every node feeding it; among nodes ready at the same time the one earlier in the
file comes first, so the order is stable under edits elsewhere and reads like the file. Nodes on a
cycle have no such place: they come first, in file order, and the engine marks them.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple

import networkx as nx

from designer.core.graph import Graph


class ExecutionOrder(NamedTuple):
    nodes: list[str]  # every node id once
    cyclic: frozenset[str]  # the ids on a cycle (at the front of ``nodes``)


def execution_order(graph: Graph) -> ExecutionOrder:
    """Every node of ``graph`` once, in execution order (see the module docstring)."""
    position = {node_id: i for i, node_id in enumerate(graph.node_ids())}
    ordered = _ready_first(graph, position, frozenset())
    if len(ordered) == len(position):
        return ExecutionOrder(ordered, frozenset())
    topo = graph.topology()
    cyclic = frozenset(
        n for comp in nx.strongly_connected_components(topo) for n in comp if len(comp) > 1 or topo.has_edge(n, n)
    )
    return ExecutionOrder(sorted(cyclic, key=position.__getitem__) + _ready_first(graph, position, cyclic), cyclic)


def _ready_first(graph: Graph, position: dict[str, int], skip: frozenset[str]) -> list[str]:
    """Kahn's algorithm with the ready nodes in a heap keyed by file position; ``skip`` is left out,
    and so is everything downstream of a cycle not in ``skip``."""
    links = {(e.source, e.target) for e in graph.edges() if e.source not in skip and e.target not in skip}
    waiting = dict.fromkeys((n for n in position if n not in skip), 0)
    feeds: dict[str, list[str]] = {}
    for source, target in links:
        waiting[target] += 1
        feeds.setdefault(source, []).append(target)
    ready = [position[n] for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    node_ids = list(position)
    ordered = []
    while ready:
        node_id = node_ids[heapq.heappop(ready)]
        ordered.append(node_id)
        for target in feeds.get(node_id, ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                heapq.heappush(ready, position[target])
    return ordered
