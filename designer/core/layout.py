"""Automatic layout: data flows left to right, one column per topological generation.

Used for the built-in examples, for files without positions and by the GUI's "Arrange" action.
Nodes on a cycle share a column (their strongly connected component counts as one step).
"""

from __future__ import annotations

import networkx as nx

from designer.core.graph import Graph

COLUMN_GAP = 240
ROW_GAP = 140


def auto_layout(graph: Graph) -> dict[str, tuple[int, int]]:
    """Integer (x, y) for every node: columns ``COLUMN_GAP`` apart, rows ``ROW_GAP`` apart, centred on y=0."""
    file_order = {node_id: i for i, node_id in enumerate(graph.node_ids())}
    rows: dict[str, float] = {}
    positions: dict[str, tuple[int, int]] = {}
    for column, members in enumerate(_columns(graph)):
        # Each node goes near the mean row of what feeds it, so branches stay apart and edges cross less.
        def weight(node_id: str) -> tuple[float, int]:
            fed_by = [rows[p] for p in graph.topology().predecessors(node_id) if p in rows]
            return (sum(fed_by) / len(fed_by) if fed_by else 0.0, file_order[node_id])

        members = sorted(members, key=weight)
        for row, node_id in enumerate(members):
            rows[node_id] = row - (len(members) - 1) / 2
            positions[node_id] = (column * COLUMN_GAP, round(rows[node_id] * ROW_GAP))
    return positions


def _columns(graph: Graph) -> list[list[str]]:
    condensed = nx.condensation(graph.topology())
    return [
        [node_id for component in generation for node_id in condensed.nodes[component]["members"]]
        for generation in nx.topological_generations(condensed)
    ]
