"""Reversible edits of a Graph: what undo commands (and scripts and tests) apply and revert.

Each edit records what it needs to undo itself when applied; ``revert`` restores the graph exactly,
file order of nodes and edges included. Edits touch only the model; views follow its events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from designer.core.graph import Edge, Graph, Node, Position


class Edit:
    """Base: ``apply`` then ``revert`` leaves the graph as it was; ``text`` names it for the Edit menu."""

    text = "Edit"

    def apply(self, graph: Graph) -> None:
        raise NotImplementedError

    def revert(self, graph: Graph) -> None:
        raise NotImplementedError


@dataclass
class AddNode(Edit):
    node: Node
    text: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or f"Add {self.node.type_name}"

    def apply(self, graph: Graph) -> None:
        graph.add_node(self.node.copy())

    def revert(self, graph: Graph) -> None:
        graph.remove_node(self.node.id)


@dataclass
class RemoveNodes(Edit):
    node_ids: list[str]
    text: str = ""
    _removed: list[tuple[Node, int, list[tuple[Edge, int]]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.node_ids = list(dict.fromkeys(self.node_ids))
        count = len(self.node_ids)
        self.text = self.text or ("Delete Node" if count == 1 else f"Delete {count} Nodes")

    def apply(self, graph: Graph) -> None:
        self._removed = []
        # Remove later nodes first so that restoring in reverse puts every index back exactly.
        for node_id in sorted(self.node_ids, key=graph.index_of, reverse=True):
            self._removed.append(graph.remove_node(node_id))

    def revert(self, graph: Graph) -> None:
        # Each removal recorded indices as they were at its time, so undo them in reverse, one by one.
        for node, index, edges in reversed(self._removed):
            graph.add_node(node, index)
            for edge, edge_index in sorted(edges, key=lambda item: item[1]):
                graph.connect(edge, edge_index, strict=False)


@dataclass
class Connect(Edit):
    edge: Edge
    text: str = "Connect"

    def apply(self, graph: Graph) -> None:
        graph.connect(self.edge)

    def revert(self, graph: Graph) -> None:
        graph.disconnect(self.edge)


@dataclass
class Disconnect(Edit):
    edge: Edge
    text: str = "Disconnect"
    _index: int = field(default=-1, repr=False)

    def apply(self, graph: Graph) -> None:
        self._index = graph.disconnect(self.edge)

    def revert(self, graph: Graph) -> None:
        graph.connect(self.edge, self._index, strict=False)


@dataclass
class SetParams(Edit):
    node_id: str
    params: dict[str, Any]
    text: str = ""
    _old: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or "Change Parameters"

    def apply(self, graph: Graph) -> None:
        self._old = graph.node(self.node_id).params
        graph.set_params(self.node_id, self.params)

    def revert(self, graph: Graph) -> None:
        graph.set_params(self.node_id, self._old or {})

    @property
    def params_before(self) -> dict[str, Any] | None:
        """The node's params before this edit was applied (None before that)."""
        return self._old


@dataclass
class Rename(Edit):
    node_id: str
    name: str | None
    text: str = "Rename"
    _old: str | None = field(default=None, repr=False)

    def apply(self, graph: Graph) -> None:
        self._old = graph.node(self.node_id).name
        graph.rename(self.node_id, self.name)

    def revert(self, graph: Graph) -> None:
        graph.rename(self.node_id, self._old)


@dataclass
class MoveNodes(Edit):
    positions: dict[str, Position]
    text: str = ""
    _old: dict[str, Position | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        count = len(self.positions)
        self.text = self.text or ("Move Node" if count == 1 else f"Move {count} Nodes")

    def apply(self, graph: Graph) -> None:
        self._old = {n: graph.node(n).position for n in self.positions}
        for node_id, pos in self.positions.items():
            graph.move(node_id, pos)

    def revert(self, graph: Graph) -> None:
        for node_id, pos in self._old.items():
            graph.move(node_id, pos)


@dataclass
class Compound(Edit):
    """Several edits as one undo step (paste, insert-and-wire, auto-layout)."""

    edits: list[Edit]
    text: str = "Edit"
    _done: int = field(default=0, repr=False)

    def apply(self, graph: Graph) -> None:
        self._done = 0
        try:
            for edit in self.edits:
                edit.apply(graph)
                self._done += 1
        except Exception:
            # All or nothing: put back what was applied before the refusal, then re-raise it.
            for edit in reversed(self.edits[: self._done]):
                edit.revert(graph)
            raise

    def revert(self, graph: Graph) -> None:
        for edit in reversed(self.edits):
            edit.revert(graph)

    # A big compound (a paste of thousands of layers) can be applied a piece at a time, so that the
    # window shows progress and a cancel puts back exactly what was applied.
    @property
    def applied(self) -> int:
        """How many of ``edits`` the last ``apply`` or ``apply_next`` calls have applied."""
        return self._done

    def apply_next(self, graph: Graph, count: int) -> bool:
        """Apply the next ``count`` edits; True once all are applied. A refusal reverts every applied
        edit and re-raises, as ``apply`` does."""
        stop = min(len(self.edits), self._done + count)
        try:
            while self._done < stop:
                self.edits[self._done].apply(graph)
                self._done += 1
        except Exception:
            self.revert_applied(graph)
            raise
        return self._done == len(self.edits)

    def revert_applied(self, graph: Graph) -> None:
        """Revert what ``apply_next`` applied so far (a cancelled piecewise apply)."""
        for edit in reversed(self.edits[: self._done]):
            edit.revert(graph)
        self._done = 0
