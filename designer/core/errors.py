"""Typed errors raised by the graph model when an edit is refused; each carries the node id and a sentence."""

from __future__ import annotations


class GraphError(ValueError):
    """An edit the model refuses. ``node_id`` and ``param`` say where; ``str()`` is the sentence."""

    def __init__(self, message: str, node_id: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.node_id = node_id
        self.param = param


class UnknownNodeError(GraphError):
    """No node has that id."""


class DuplicateIdError(GraphError):
    """A node with that id exists already."""


class UnknownTypeError(GraphError):
    """The layer type is not in the catalog."""


class ParamError(GraphError):
    """A parameter is unknown, missing, or of the wrong JSON type."""


class CycleError(GraphError):
    """The edge would make the data flow in a circle."""


class PortError(GraphError):
    """The input port does not exist on the target, or the edge is not there."""


class PortInUseError(PortError):
    """The input port already has an edge."""


class LimitError(GraphError):
    """A value beyond the design's limits (``designer.core.limits``): too long, too large, too many."""


class BlockError(GraphError):
    """A block definition cannot join or leave the design (name taken or unusable, still in use)."""
