"""Reversible edits of a Graph: what undo commands (and scripts and tests) apply and revert.

Each edit records what it needs to undo itself when applied; ``revert`` restores the graph exactly,
file order of nodes and edges included. Edits touch only the model; views follow its events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.core.graph import Edge, Graph, Node, Position, Removal

if TYPE_CHECKING:
    from designer.core.blocks import BlockDef


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
    index: int | None = None  # where in file order (default last)

    def __post_init__(self) -> None:
        self.text = self.text or f"Add {self.node.type_name}"

    def apply(self, graph: Graph) -> None:
        graph.add_node(self.node.copy(), self.index)

    def revert(self, graph: Graph) -> None:
        graph.remove_node(self.node.id)


@dataclass
class RemoveNodes(Edit):
    """Delete nodes with their edges, and further ``edges`` (a selection), as one step in linear time."""

    node_ids: list[str]
    text: str = ""
    edges: list[Edge] = field(default_factory=list)
    _removal: Removal | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.node_ids = list(dict.fromkeys(self.node_ids))
        self.edges = list(dict.fromkeys(self.edges))
        count = len(self.node_ids) + len(self.edges)
        if not self.text and self.edges:
            self.text = "Disconnect" if count == 1 else f"Delete {count} Items"
        self.text = self.text or ("Delete Node" if count == 1 else f"Delete {count} Nodes")

    def apply(self, graph: Graph) -> None:
        self._removal = graph.remove_items(self.node_ids, self.edges)

    def revert(self, graph: Graph) -> None:
        graph.restore(self._removal)


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


_ABSENT = object()


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

    def changed_names(self) -> frozenset[str]:
        """The parameters this edit gave another value, added or removed (known once it is applied)."""
        old = self._old or {}
        return frozenset(k for k in old.keys() | self.params.keys() if old.get(k, _ABSENT) != self.params.get(k, _ABSENT))

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
class ReplaceNode(Edit):
    """Put ``node`` in place of the node with its id: the same file position and the same edges (Make Unique
    gives an instance another block this way)."""

    node: Node
    text: str = "Replace Node"
    _removal: Removal | None = field(default=None, repr=False)

    def apply(self, graph: Graph) -> None:
        removal = graph.remove_items([self.node.id])
        try:
            graph.add_node(self.node.copy(), removal.nodes[0][0])
            for index, edge in removal.edges:
                graph.connect(edge, index)
        except Exception:
            if self.node.id in graph:
                graph.remove_items([self.node.id])
            graph.restore(removal)
            raise
        self._removal = removal

    def revert(self, graph: Graph) -> None:
        graph.remove_items([self.node.id])
        graph.restore(self._removal)


@dataclass
class DefineBlock(Edit):
    """Add a block definition to the design (its instances are added by the edits that follow)."""

    block: BlockDef
    text: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or f"Define Block {self.block.name}"

    def apply(self, graph: Graph) -> None:
        graph.define_block(self.block)

    def revert(self, graph: Graph) -> None:
        graph.remove_block(self.block.name)


@dataclass
class RemoveBlock(Edit):
    """Take an unused block definition out of the design."""

    name: str
    text: str = ""
    _removed: tuple[int, BlockDef] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or f"Remove Block {self.name}"

    def apply(self, graph: Graph) -> None:
        self._removed = graph.remove_block(self.name)

    def revert(self, graph: Graph) -> None:
        index, block = self._removed
        graph.define_block(block, index)


@dataclass
class EditBlock(Edit):
    """``edit`` made to the definition of block ``block`` (from inside one of its instances): every use of
    the block follows, as one undo step. ``designer.core.block_edits`` makes these from what a user does
    to the copy they look at."""

    block: str
    edit: Edit
    text: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or f"{self.edit.text} in {self.block}"

    def apply(self, graph: Graph) -> None:
        graph.edit_block(self.block, self.edit.apply, self.edit.revert)

    def revert(self, graph: Graph) -> None:
        graph.edit_block(self.block, self.edit.revert, self.edit.apply)


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
            _revert_all(graph, self.edits[: self._done])
            raise

    def revert(self, graph: Graph) -> None:
        _revert_all(graph, self.edits)

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
        _revert_all(graph, self.edits[: self._done])
        self._done = 0


def _revert_all(graph: Graph, edits: list[Edit]) -> None:
    """Revert ``edits`` last first; consecutive added nodes leave in one linear-time removal (undoing a
    paste of thousands of layers)."""
    added: list[str] = []
    for edit in reversed(edits):
        if isinstance(edit, AddNode):
            added.append(edit.node.id)
            continue
        if added:
            graph.remove_items(added)
            added = []
        edit.revert(graph)
    if added:
        graph.remove_items(added)
