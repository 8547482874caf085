"""The graph model: nodes (layer type, params, name, position) and edges into numbered input ports.

The graph owns its adjacency outright (each node's inputs by port and its out-edges); ``topology()``
builds a networkx ``MultiDiGraph`` from it on demand (cached until the next change of structure) for
whole-graph algorithms such as strongly connected components and layout. Node records and the order of nodes and edges (file order, kept for
exact round trips) live beside it. Bulk removal and restore (``remove_items``/``restore``) cost time
linear in the graph, however many nodes they touch. The model validates every edit, raises a typed
error when it refuses one, and tells its listeners what changed with past-tense events after the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from designer.core import blocks, catalog, limits
from designer.core.errors import (
    BlockError,
    CycleError,
    DuplicateIdError,
    LimitError,
    ParamError,
    PortError,
    PortInUseError,
    UnknownNodeError,
    UnknownTypeError,
)
from designer.core.ids import fresh_id
from designer.core.shapes import batch_is_open

Position = tuple[float, float]


@dataclass
class Node:
    """One layer. ``params`` holds only what the user gave (torch's defaults fill the rest)."""

    id: str
    type_name: str
    params: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    position: Position | None = None
    repeat: int | None = None  # a block instance only: that many copies chained (see designer.core.blocks)

    @property
    def leaves_batch_open(self) -> bool:
        """An Input whose shape starts with ``N``: the design must work for any batch size."""
        return self.type_name == "Input" and batch_is_open(self.params.get("shape"))

    @property
    def label(self) -> str:
        """The name shown to people: the display name, else the id."""
        return self.name or self.id

    def copy(self) -> Node:
        return Node(self.id, self.type_name, _deep_copy(self.params), self.name, self.position, self.repeat)


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


class Edge(NamedTuple):
    """Output port ``source_port`` of ``source`` feeding input port ``target_port`` of ``target``.

    A NamedTuple: hashable, ordered, and cheap to build on the engine's hot path. Most layers have one
    output, port 0; ``LSTM``, ``Chunk`` or ``MultiheadAttention`` have more.
    """

    source: str
    target: str
    target_port: int = 0
    source_port: int = 0


# Past-tense events, fired after the change.
@dataclass(frozen=True)
class NodeAdded:
    node_id: str


@dataclass(frozen=True)
class NodeRemoved:
    node_id: str


@dataclass(frozen=True)
class EdgeAdded:
    edge: Edge


@dataclass(frozen=True)
class EdgeRemoved:
    edge: Edge


@dataclass(frozen=True)
class ParamsChanged:
    node_id: str


@dataclass(frozen=True)
class NodeRenamed:
    node_id: str


@dataclass(frozen=True)
class NodeMoved:
    node_id: str


@dataclass(frozen=True)
class ProjectRenamed:
    name: str


@dataclass(frozen=True)
class BlockDefined:
    """A block definition joined the design (its instances may follow)."""

    name: str


@dataclass(frozen=True)
class BlockRemoved:
    """A block definition left the design (nothing used it any more)."""

    name: str


@dataclass(frozen=True)
class BlockEdited:
    """A block definition's own graph changed (an edit made from inside one of its instances); the
    definition's graph fired its own events before this one."""

    name: str


GraphEvent = (
    NodeAdded | NodeRemoved | EdgeAdded | EdgeRemoved | ParamsChanged | NodeRenamed | NodeMoved | ProjectRenamed
    | BlockDefined | BlockRemoved | BlockEdited
)


@dataclass(frozen=True)
class Removal:
    """What ``Graph.remove_items`` took out, each with its file position, so ``restore`` puts it back exactly."""

    nodes: tuple[tuple[int, Node], ...]  # (index in node order before the removal, node), ascending
    edges: tuple[tuple[int, Edge], ...]  # (index in edge order before the removal, edge), ascending


class Graph:
    """A model design: a directed graph of layers. All edits go through these methods.

    ``blocks`` holds the design's block definitions (name → BlockDef), shared by the design and the
    graphs of its blocks; a node whose type is one of them is an instance. A block's own graph has
    ``arguments`` (name → default): its params may then refer to them and its Inputs carry no shape.
    """

    def __init__(
        self, name: str = "Untitled", library: dict[str, blocks.BlockDef] | None = None, arguments: dict | None = None
    ) -> None:
        _check_text(name, "the design's name", None)
        self.name = name
        self.blocks: dict[str, blocks.BlockDef] = {} if library is None else library
        self.arguments = arguments
        self._nodes: dict[str, Node] = {}
        self._edges: dict[Edge, None] = {}
        self._in: dict[str, dict[int, Edge]] = {}  # node id → {input port → the edge arriving there}
        self._out: dict[str, dict[Edge, None]] = {}  # node id → its out-edges, in file order
        self._topology: nx.MultiDiGraph | None = None  # built on demand, dropped when the structure changes
        self._node_index: dict[str, int] | None = None  # file positions, rebuilt lazily after a reorder
        self._listeners: list[Callable[[GraphEvent], None]] = []

    # ----- observation -------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[GraphEvent], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[GraphEvent], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: GraphEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _emit_all(self, events: list[GraphEvent]) -> None:
        """The events of one bulk change, in order, each to every listener."""
        listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                listener(event)

    # ----- queries -----------------------------------------------------------------------------
    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node {node_id!r}", node_id) from None

    def nodes(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def edges(self) -> Iterator[Edge]:
        return iter(self._edges)

    def edge_count(self) -> int:
        return len(self._edges)

    def has_edge(self, edge: Edge) -> bool:
        return edge in self._edges

    def inputs(self, node_id: str) -> dict[int, str]:
        """Port number → source node id, for the node's connected inputs."""
        return {port: edge.source for port, edge in self._in[node_id].items()}

    def input_edges(self, node_id: str) -> dict[int, Edge]:
        """Port number → the edge arriving there (its ``source_port`` says which output feeds it)."""
        return dict(self._in[node_id])

    def in_edges(self, node_id: str) -> list[Edge]:
        return [self._in[node_id][port] for port in sorted(self._in[node_id])]

    def out_edges(self, node_id: str) -> list[Edge]:
        return list(self._out[node_id])

    def successors(self, node_id: str) -> Iterable[str]:
        return dict.fromkeys(edge.target for edge in self._out[node_id]).keys()

    def predecessors(self, node_id: str) -> Iterable[str]:
        return dict.fromkeys(edge.source for edge in self._in[node_id].values()).keys()

    def topology(self) -> nx.MultiDiGraph:
        """The structure as a networkx graph (one edge per input port, keyed by the port), read-only by
        convention; built on the first call after a change of structure."""
        if self._topology is None:
            topo = nx.MultiDiGraph()
            topo.add_nodes_from(self._nodes)
            topo.add_edges_from((e.source, e.target, e.target_port) for e in self._edges)
            self._topology = topo
        return self._topology

    def reaches(self, start: str, goal: str) -> bool:
        """Whether data leaving ``start`` can arrive at ``goal`` along edges."""
        seen, stack = {start}, [start]
        while stack:
            node_id = stack.pop()
            if node_id == goal:
                return True
            for edge in self._out[node_id]:
                if edge.target not in seen:
                    seen.add(edge.target)
                    stack.append(edge.target)
        return False

    def new_id(self, base: str) -> str:
        """A fresh id like ``conv3`` built from ``base`` (``ids.fresh_id``)."""
        return fresh_id(base, self._nodes)

    def index_of(self, node_id: str) -> int:
        """The node's position in file order (constant time between reorders)."""
        if self._node_index is None:
            self._node_index = {n: i for i, n in enumerate(self._nodes)}
        try:
            return self._node_index[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node {node_id!r}", node_id) from None

    # ----- checks ------------------------------------------------------------------------------
    def connect_problem(self, edge: Edge) -> str | None:
        """Why ``edge`` cannot be added, or None when it can (what a dragging gesture asks)."""
        try:
            self._check_connect(edge)
        except (UnknownNodeError, CycleError, PortError) as exc:
            return str(exc)
        return None

    def _check_connect(self, edge: Edge, strict: bool = True) -> None:
        """Refuse edges the model cannot hold; ``strict`` also refuses cycles and ports beyond the arity.

        Files may hold such graphs (the engine then marks the nodes involved); edits never make them.
        """
        source, target = self.node(edge.source), self.node(edge.target)
        if not isinstance(edge.target_port, int) or edge.target_port < 0:
            raise PortError(f"input port numbers start at 0, got {edge.target_port!r}", target.id)
        if not isinstance(edge.source_port, int) or edge.source_port < 0:
            raise PortError(f"output port numbers start at 0, got {edge.source_port!r}", source.id)
        problem = (
            limits.port_problem(edge.target_port)
            or limits.port_problem(edge.source_port)
            or limits.count_problem(0, len(self._edges) + 1)
        )
        if problem:
            raise LimitError(problem, target.id)
        if edge.target_port in self._in[target.id]:
            raise PortInUseError(
                f"input {edge.target_port} of '{target.label}' is already connected; remove that edge first", target.id
            )
        if not strict:
            return
        most = self.spec(target.type_name).input_range(target.params)[1]
        if most == 0:
            raise PortError(f"{target.type_name} '{target.label}' takes no inputs", target.id)
        if most is not None and edge.target_port >= most:
            raise PortError(f"{target.type_name} '{target.label}' has no input port {edge.target_port}", target.id)
        if edge.source_port:
            outputs = self.output_count(source.id)
            if outputs is not None and edge.source_port >= outputs:
                raise PortError(
                    f"{source.type_name} '{source.label}' has {outputs} output{'s' if outputs != 1 else ''}, so there is no output {edge.source_port}",
                    source.id,
                )
        if self.reaches(target.id, source.id):
            raise CycleError(
                f"connecting '{source.label}' to '{target.label}' would make a cycle: data must flow one way",
                target.id,
            )

    def spec(self, type_name: str) -> catalog.LayerSpec:
        """The spec of a layer type or, for a block's name, the spec derived from its definition."""
        if catalog.exists(type_name):
            return catalog.get(type_name)
        if type_name in self.blocks:
            return self.blocks[type_name].spec()
        raise catalog.UnknownLayerType(type_name)

    def output_count(self, node_id: str) -> int | None:
        """How many outputs the node can have by its settings (None: it depends on the input's size, as
        ``Split`` by a size does); the engine gives the exact count."""
        node = self.node(node_id)
        if node.type_name in self.blocks:
            return max(len(self.blocks[node.type_name].outputs()), 1)  # one per Output node of its block
        if not catalog.exists(node.type_name):
            return 1
        spec = catalog.get(node.type_name)
        try:
            return spec.output_count(spec.resolve(node.params))
        except (ArithmeticError, KeyError, TypeError, ValueError):
            return None

    def knows_type(self, type_name: str) -> bool:
        return catalog.exists(type_name) or type_name in self.blocks

    def check_params(self, node_id: str, type_name: str, params: Mapping[str, Any]) -> None:
        if catalog.exists(type_name):
            check = catalog.get(type_name).check_params
        elif type_name in self.blocks:
            self._check_containment(node_id, type_name)
            block = self.blocks[type_name]
            check = lambda given: blocks.instance_problems(block, given)  # noqa: E731
        else:
            raise UnknownTypeError(f"unknown layer type {type_name!r}", node_id)
        depth = limits.PARAM_DEPTH if self.arguments is None else limits.BLOCK_PARAM_DEPTH  # as deep as the file holds it
        found = limits.value_problem(dict(params), depth + 1)
        if found is not None:  # what a file could not hold (designer.core.limits), before any other check
            path, sentence = found
            raise LimitError(sentence, node_id, _param_path(path) if path else None)
        if self.arguments is not None:
            problems = blocks.inner_problems(type_name, params, self.arguments, check)
        else:
            problems = check(params)
        if problems:
            param, sentence = problems[0]
            raise ParamError(sentence, node_id, param)

    def _check_containment(self, node_id: str, type_name: str) -> None:
        """In a block's own graph, refuse an instance of a block that contains this one, or of itself."""
        if self.arguments is None:  # the design's own graph: no block to contain
            return
        owner = next((b.name for b in self.blocks.values() if b.graph is self), None)
        if owner is None:
            return
        uses = {owner: self.blocks[owner].uses() | {type_name}}
        uses.update((b.name, b.uses()) for b in self.blocks.values() if b.name != owner)
        cycle = blocks.find_cycle(uses)
        if cycle is not None:
            raise BlockError(blocks.cycle_sentence(cycle), node_id)

    def check_repeat(self, node_id: str, type_name: str, repeat: int | None) -> None:
        if repeat is None:
            return
        if type_name not in self.blocks or catalog.exists(type_name):
            raise ParamError(f"only a block can repeat; {type_name} is a single layer", node_id, "repeat")
        if blocks.is_reference(repeat) and self.arguments is not None:  # inside a block: {"arg": "n"}
            name = repeat[blocks.ARG]
            if name not in self.arguments:
                declared = ", ".join(self.arguments) or "none"
                raise ParamError(f"repeat refers to the argument {name!r}, which the block does not declare "
                                 f"(its arguments: {declared})", node_id, "repeat")
            repeat = self.arguments[name]
        problem = blocks.repeat_problem(self.blocks[type_name], repeat)
        if problem:
            raise ParamError(problem, node_id, "repeat")

    # ----- edits -------------------------------------------------------------------------------
    def add_node(self, node: Node, index: int | None = None) -> Node:
        """Add ``node`` (at ``index`` in file order, default last)."""
        if not isinstance(node.id, str) or not node.id:
            raise UnknownNodeError("a node id must be a non-empty string", None)
        if node.id in self._nodes:
            raise DuplicateIdError(f"a node with id {node.id!r} exists already", node.id)
        _check_text(node.id, "the id", node.id)
        problem = limits.count_problem(len(self._nodes) + 1)
        if problem:
            raise LimitError(problem, node.id)
        if node.name is not None:
            _check_text(node.name, "the name", node.id)
        _check_position(node.position, node.id)
        self.check_params(node.id, node.type_name, node.params)
        self.check_repeat(node.id, node.type_name, node.repeat)
        if index is None or index >= len(self._nodes):
            if self._node_index is not None:
                self._node_index[node.id] = len(self._nodes)
            self._nodes[node.id] = node
        else:
            items = list(self._nodes.items())
            items.insert(index, (node.id, node))
            self._nodes = dict(items)
            self._node_index = None
        self._in[node.id], self._out[node.id] = {}, {}
        self._topology = None
        self._emit(NodeAdded(node.id))
        return node

    def remove_node(self, node_id: str) -> tuple[Node, int, list[tuple[Edge, int]]]:
        """Remove a node and its edges; returns what undo needs: the node, its index, edges with indices."""
        removal = self.remove_items([node_id])
        (index, node), = removal.nodes
        return node, index, [(edge, i) for i, edge in removal.edges]

    def remove_items(self, node_ids: Iterable[str], edges: Iterable[Edge] = ()) -> Removal:
        """Remove nodes with all their edges, and further ``edges``, in time linear in the graph.

        Events follow the change: every ``EdgeRemoved`` (in reverse file order), then every ``NodeRemoved``.
        """
        gone = dict.fromkeys(node_ids)
        for node_id in gone:
            self.node(node_id)
        doomed = dict.fromkeys(edges)
        for edge in doomed:
            if edge not in self._edges:
                raise PortError(f"there is no edge from {edge.source!r} to input {edge.target_port} of {edge.target!r}")
        for node_id in gone:
            doomed.update((edge, None) for edge in self._in[node_id].values())
            doomed.update(self._out[node_id])
        removal = Removal(
            nodes=tuple((i, node) for i, (n, node) in enumerate(self._nodes.items()) if n in gone),
            edges=tuple((i, e) for i, e in enumerate(self._edges) if e in doomed),
        )
        for edge in doomed:
            del self._in[edge.target][edge.target_port]
            del self._out[edge.source][edge]
        self._edges = {e: None for e in self._edges if e not in doomed}
        self._nodes = {n: node for n, node in self._nodes.items() if n not in gone}
        for node_id in gone:
            del self._in[node_id], self._out[node_id]
        self._node_index = self._topology = None
        self._emit_all([EdgeRemoved(edge) for _, edge in reversed(removal.edges)])
        self._emit_all([NodeRemoved(node.id) for _, node in reversed(removal.nodes)])
        return removal

    def restore(self, removal: Removal) -> None:
        """Put back what ``remove_items`` took out, at its old file positions (linear time).

        Events follow the change: every ``NodeAdded``, then every ``EdgeAdded``, in file order.
        """
        for _, node in removal.nodes:
            if node.id in self._nodes:
                raise DuplicateIdError(f"a node with id {node.id!r} exists already", node.id)
        self._nodes = dict(_insert_at(list(self._nodes.items()), [(i, (n.id, n)) for i, n in removal.nodes]))
        for _, node in removal.nodes:
            self._in[node.id], self._out[node.id] = {}, {}
        self._node_index = self._topology = None
        restored = []
        nodes, inputs = self._nodes, self._in
        for index, edge in removal.edges:
            if edge.source not in nodes or edge.target not in nodes or edge.target_port in inputs[edge.target]:
                continue  # the graph moved on since the removal; keep what still fits
            self._link(edge)
            restored.append((index, edge))
        self._edges = dict.fromkeys(_insert_at(list(self._edges), restored))
        self._order_out_edges({edge.source for _, edge in restored})
        self._emit_all([NodeAdded(node.id) for _, node in removal.nodes])
        self._emit_all([EdgeAdded(edge) for _, edge in restored])

    def _order_out_edges(self, sources: set[str]) -> None:
        """Put the out-edges of ``sources`` back in file order after edges were inserted among others."""
        for source in sources:
            self._out[source] = {}
        for edge in self._edges:
            if edge.source in sources:
                self._out[edge.source][edge] = None

    def _link(self, edge: Edge) -> None:
        self._in[edge.target][edge.target_port] = edge
        self._out[edge.source][edge] = None
        self._topology = None

    def connect(self, edge: Edge, index: int | None = None, strict: bool = True) -> None:
        """Add an edge (at ``index`` in edge order, default last); see ``_check_connect`` for ``strict``."""
        self._check_connect(edge, strict)
        if index is None or index >= len(self._edges):
            self._edges[edge] = None
        else:
            items = list(self._edges)
            items.insert(index, edge)
            self._edges = dict.fromkeys(items)
        self._link(edge)
        if index is not None and index < len(self._edges) - 1:
            self._order_out_edges({edge.source})
        self._emit(EdgeAdded(edge))

    def disconnect(self, edge: Edge) -> int:
        """Remove an edge; returns its index in edge order (for undo)."""
        if edge not in self._edges:
            raise PortError(f"there is no edge from {edge.source!r} to input {edge.target_port} of {edge.target!r}")
        index = _index(self._edges, edge)
        del self._edges[edge]
        del self._in[edge.target][edge.target_port]
        del self._out[edge.source][edge]
        self._topology = None
        self._emit(EdgeRemoved(edge))
        return index

    def set_params(self, node_id: str, params: Mapping[str, Any]) -> None:
        """Replace the node's given params (validated against the catalog first)."""
        node = self.node(node_id)
        self.check_params(node_id, node.type_name, params)
        node.params = _deep_copy(dict(params))
        self._emit(ParamsChanged(node_id))

    def rename(self, node_id: str, name: str | None) -> None:
        node = self.node(node_id)
        if name:
            _check_text(name, "the name", node_id)
        node.name = name or None
        self._emit(NodeRenamed(node_id))

    def move(self, node_id: str, position: Position | None) -> None:
        node = self.node(node_id)
        _check_position(position, node_id)
        node.position = position
        self._emit(NodeMoved(node_id))

    def set_name(self, name: str) -> None:
        _check_text(name, "the design's name", None)
        self.name = name
        self._emit(ProjectRenamed(name))

    # ----- block definitions (edited on the design's own graph, which owns the shared library) ----------
    def define_block(self, block: blocks.BlockDef, index: int | None = None) -> None:
        """Add ``block`` to the design's definitions (at ``index`` in file order, default last)."""
        if not blocks.valid_block_name(block.name):
            raise BlockError(f"the block name {block.name!r} is not usable: give an identifier that is no layer type")
        if block.name in self.blocks:
            raise BlockError(f"the design has a block called {block.name} already")
        if block.graph.blocks is not self.blocks:
            raise BlockError(f"the block {block.name} belongs to another design")
        items = list(self.blocks.items())
        items.insert(len(items) if index is None else index, (block.name, block))
        self.blocks.clear()  # in place: the graphs of the other blocks share this dictionary
        self.blocks.update(items)
        self._emit(BlockDefined(block.name))

    def remove_block(self, name: str) -> tuple[int, blocks.BlockDef]:
        """Take the unused definition ``name`` out; returns its file index and itself (for undo)."""
        if name not in self.blocks:
            raise BlockError(f"the design has no block called {name!r}")
        places = [("the design", self), *((f"the block {b.name}", b.graph) for b in self.blocks.values())]
        users = [where for where, g in places if any(n.type_name == name for n in g.nodes())]
        if users:
            raise BlockError(f"the block {name} is still used (in {', '.join(users)}); remove those uses first")
        index = list(self.blocks).index(name)
        block = self.blocks.pop(name)
        self._emit(BlockRemoved(name))
        return index, block

    def edit_block(self, name: str, change: Callable[[Graph], None], undo: Callable[[Graph], None]) -> None:
        """Run ``change`` on the graph of block ``name``; every use of the block follows.

        Refused, with ``undo`` run to put the definition back exactly, when the change leaves a use of
        ``name`` that its definition no longer allows (a repeat needs one Input and one Output). A block
        made to contain itself is refused by the graph of the block as the instance is added."""
        block = self.blocks.get(name)
        if block is None:
            raise BlockError(f"the design has no block called {name!r}")
        change(block.graph)
        problem = self._library_problem(name)
        if problem is not None:
            undo(block.graph)
            raise BlockError(problem)
        self._emit(BlockEdited(name))

    def _library_problem(self, edited: str) -> str | None:
        """Why the definitions as they are now cannot stand, after an edit of block ``edited``, or None."""
        places = [("the design", self), *((f"the block {b.name}", b.graph) for b in self.blocks.values())]
        for where, graph in places:
            for node in graph.nodes():
                if node.type_name == edited and node.repeat is not None:
                    try:
                        graph.check_repeat(node.id, node.type_name, node.repeat)
                    except ParamError as exc:
                        return f"'{node.label}' in {where} uses {edited} with repeat: {exc.message}"
        return None


def _insert_at(items: list, inserts: list[tuple[int, Any]]) -> list:
    """``items`` with each ``(index, item)`` of ``inserts`` (ascending) placed back at ``index``."""
    out: list = []
    rest = iter(items)
    for index, item in inserts:
        while len(out) < index:
            try:
                out.append(next(rest))
            except StopIteration:
                break
        out.append(item)
    out.extend(rest)
    return out


def _index(ordered: dict, key: Any) -> int:
    """The position of ``key`` in file order; the last one answers at once (undo removes newest first)."""
    if ordered and next(reversed(ordered)) == key:
        return len(ordered) - 1
    return list(ordered).index(key)


def _check_text(text: Any, what: str, node_id: str | None) -> None:
    if not isinstance(text, str):
        raise LimitError(f"{what} must be a text, got {type(text).__name__}", node_id)
    problem = limits.text_problem(text, what)
    if problem:
        raise LimitError(problem, node_id, what.removeprefix("the "))


def _check_position(position: Any, node_id: str) -> None:
    problem = limits.position_problem(position)
    if problem:
        raise LimitError(problem, node_id, "position")


def _param_path(path: list[str | int]) -> str:
    return str(path[0]) + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path[1:])
