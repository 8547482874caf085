"""What one edit, undo or redo changed, as views are told about it: the graph's events and the
shapes that came out different, in one record announced once, after the engine's refresh (so every
query a listener makes reads the final results).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from designer.core.engine import Changes
from designer.core.graph import (
    BlockDefined,
    BlockRemoved,
    Edge,
    EdgeAdded,
    EdgeRemoved,
    GraphEvent,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamsChanged,
    ProjectRenamed,
)


@dataclass(frozen=True)
class DesignChange:
    """The graph events of one edit, in the order they happened, and the engine's changed results."""

    events: tuple[GraphEvent, ...] = ()
    shapes: Changes = field(default_factory=Changes)

    def _ids(self, kind: type) -> frozenset[str]:
        return frozenset(e.node_id for e in self.events if type(e) is kind)

    @cached_property
    def added(self) -> frozenset[str]:
        return self._ids(NodeAdded)

    @cached_property
    def removed(self) -> frozenset[str]:
        return self._ids(NodeRemoved)

    @cached_property
    def params_changed(self) -> frozenset[str]:
        return self._ids(ParamsChanged)

    @cached_property
    def renamed(self) -> frozenset[str]:
        return self._ids(NodeRenamed)

    @cached_property
    def moved(self) -> frozenset[str]:
        return self._ids(NodeMoved)

    @cached_property
    def edges_added(self) -> tuple[Edge, ...]:
        return tuple(e.edge for e in self.events if type(e) is EdgeAdded)

    @cached_property
    def edges_removed(self) -> tuple[Edge, ...]:
        return tuple(e.edge for e in self.events if type(e) is EdgeRemoved)

    @property
    def project_renamed(self) -> bool:
        return any(type(e) is ProjectRenamed for e in self.events)

    @property
    def blocks_changed(self) -> bool:
        """Whether block definitions joined or left the design (the palette lists them)."""
        return any(type(e) in (BlockDefined, BlockRemoved) for e in self.events)

    @property
    def structure_changed(self) -> bool:
        """Whether nodes or edges came or went."""
        return bool(self.added or self.removed or self.edges_added or self.edges_removed)

    def touches(self, node_id: str) -> bool:
        """Whether an event of this change names ``node_id`` (added, removed, edited, renamed or moved)."""
        return any(getattr(e, "node_id", None) == node_id for e in self.events)
