"""Automatic layout: data flows left to right, one column per topological generation.

Used for the built-in examples, for files without positions and by the GUI's "Arrange" action.
Nodes on a cycle share a column (their strongly connected component counts as one step). A long,
thin design (a 20-layer generator is one row of 20 columns) is wrapped into bands read top to
bottom like lines of text, so that it fits a window at a zoom where its labels stay readable.
"""

from __future__ import annotations

import networkx as nx

from designer.core.graph import Graph

COLUMN_GAP = 270  # a 140 px node plus room for an edge label such as 64×512×32×32
ROW_GAP = 140
BAND_GAP = 100  # extra space between wrapped bands, for the edges that return to the left
TARGET_ASPECT = 1.4  # width / height of the canvas in a typical window with its docks open
MIN_BAND_COLUMNS = 4


def auto_layout(graph: Graph) -> dict[str, tuple[int, int]]:
    """Integer (x, y) for every node: columns ``COLUMN_GAP`` apart, rows ``ROW_GAP`` apart, centred on y=0."""
    file_order = {node_id: i for i, node_id in enumerate(graph.node_ids())}
    rows: dict[str, float] = {}
    columns = _columns(graph)
    per_band = _band_width(len(columns), max((len(c) for c in columns), default=1))
    band_height = max((len(c) for c in columns), default=1) * ROW_GAP + BAND_GAP
    positions: dict[str, tuple[int, int]] = {}
    for column, members in enumerate(columns):
        # Each node goes near the mean row of what feeds it, so branches stay apart and edges cross less.
        def weight(node_id: str) -> tuple[float, int]:
            fed_by = [rows[p] for p in graph.topology().predecessors(node_id) if p in rows]
            return (sum(fed_by) / len(fed_by) if fed_by else 0.0, file_order[node_id])

        members = sorted(members, key=weight)
        for row, node_id in enumerate(members):
            rows[node_id] = row - (len(members) - 1) / 2
            band, x = divmod(column, per_band)
            positions[node_id] = (x * COLUMN_GAP, round(rows[node_id] * ROW_GAP) + band * band_height)
    return positions


def _band_width(columns: int, tallest: int) -> int:
    """How many columns go in one band: the count whose wrapped drawing is closest to TARGET_ASPECT."""
    if columns <= 2 * MIN_BAND_COLUMNS:
        return max(columns, 1)
    band_height = tallest * ROW_GAP + BAND_GAP

    def aspect_error(per_band: int) -> float:
        bands = -(-columns // per_band)
        return abs(per_band * COLUMN_GAP / (bands * band_height) - TARGET_ASPECT)

    return min(range(MIN_BAND_COLUMNS, columns + 1), key=aspect_error)


def _columns(graph: Graph) -> list[list[str]]:
    condensed = nx.condensation(graph.topology())
    return [
        [node_id for component in generation for node_id in condensed.nodes[component]["members"]]
        for generation in nx.topological_generations(condensed)
    ]
