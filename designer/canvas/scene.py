"""GraphScene: the graphics items of one Document, kept in step with the model and the shape engine.

The document's one ``graph_changed`` per edit (a ``DesignChange``, after the engine's refresh) creates,
removes, moves and re-texts items, then repaints only the nodes and relabels only the edges whose
results changed; ``reset_done`` rebuilds everything. Selection
is synchronised both ways with ``document.select()`` / ``selection_changed``. The scene never edits
the model: gestures and the view do that through ``document.apply``.

Positions come from the model; a node without one is shown where ``auto_layout`` would put it (and
keeps that place until the user moves it, which records a real position). Which way data flows (top
to bottom, or left to right) follows the design's positions when it is built (``layout.flow_direction``)
and the last Layout; a card whose data runs the other way (a band of a long design running back,
``layout.against_flow``) turns its ports round. Edges are routed around the cards in their way
(``layout.edge_route``); of the
edges leaving one output, the first shows the size, and a node whose output feeds nothing shows its
own size.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneHelpEvent, QToolTip

from designer.canvas import geometry as geo
from designer.canvas import style, tooltips
from designer.canvas.edge_item import EdgeItem
from designer.canvas.node_item import NodeItem
from designer.core import layout
from designer.core.change import DesignChange
from designer.core.engine import Changes
from designer.core.graph import (
    Edge,
    EdgeAdded,
    EdgeRemoved,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamsChanged,
    ProjectRenamed,
)
from designer.core.layout_lens import (
    CHANNELS_FIRST,
    check_lens,
    format_for_display,
    format_named_for_display,
    reorders,
)

BULK_EDGES = 64  # new edges in one change above which they are routed against one grid of the cards
_labels: dict[tuple[tuple[int | str, ...], str], str] = {}  # (shape, lens) -> label text; a design has few distinct shapes


class Overview:
    """The whole graph as batched primitives for the zoomed-out view: lines, and boxes per look."""

    def __init__(self, scene: GraphScene) -> None:
        self.lines = [QLineF(item.endpoints()[0], item.endpoints()[1]) for item in scene.edges.values()]
        self.boxes: dict[tuple[str, str], list[QRectF]] = {}
        self.selected: list[QRectF] = []
        left = top = float("inf")
        right = bottom = float("-inf")
        for item in scene.nodes.values():
            rect = item.card_rect().translated(item.pos())
            self.boxes.setdefault((item.category, item.status), []).append(rect)
            if item.isSelected():
                self.selected.append(rect)
            left, top = min(left, rect.left()), min(top, rect.top())
            right, bottom = max(right, rect.right()), max(bottom, rect.bottom())
        self.bounds = QRectF(left, top, right - left, bottom - top) if scene.nodes else QRectF()

    def paint(self, painter: QPainter, s: style.Style) -> None:
        """Every edge as a line and every node as a box in its category's colour, in a few batched calls."""
        painter.setPen(s.overview_edge_pen)
        painter.drawLines(self.lines)
        painter.setPen(Qt.PenStyle.NoPen)
        for (category, status), rects in self.boxes.items():
            color = s.error if status == "error" else s.category(category)
            if status == "blocked":
                color = QColor(color)
                color.setAlphaF(0.4)
            painter.setBrush(color)
            painter.drawRects(rects)
        if self.selected:
            pen = QPen(s.selection, 2)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRects(self.selected)


class GraphScene(QGraphicsScene):
    """Observes ``document``; ``nodes`` and ``edges`` map model ids to their items."""

    def __init__(self, document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.torch_notes: dict[str, str] = {}  # node id → where the last check with PyTorch disagreed with it
        self._syncing_selection = False
        self._overview: Overview | None = None
        self.vertical = True  # data flows top to bottom; False: left to right
        self.flipped: set[str] = set()  # nodes against the flow (``layout.against_flow``): ports turned round
        self._flow_check_pending = False
        self._sinks: set[str] = set()  # nodes with an output that feeds nothing: they show its size
        self.lens = CHANNELS_FIRST  # the order edge labels show dims in (layout_lens); shapes stay torch's
        # BSP suits a scene where few items move at a time; measured far faster than NoIndex at 5,000 nodes.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        document.graph_changed.connect(self._on_change)
        document.reset_done.connect(self.rebuild)
        document.selection_changed.connect(self._on_document_selection)
        self.selectionChanged.connect(self._on_scene_selection)
        self.rebuild()

    # ----- building -----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Drop every item and build them again from the document (new, open, revert)."""
        self._syncing_selection = True
        # Thousands of new wrappers would trigger many full garbage collections that find nothing to free.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.clear()
            self.nodes.clear()
            self.edges.clear()
            self._sinks.clear()
            graph = self.document.graph
            missing = any(node.position is None for node in graph.nodes())
            engine = self.document.engine
            size = lambda n: geo.node_size(geo.shown_inputs(graph, n), True, engine.output_ports(n))  # noqa: E731
            fallback = layout.layered_layout(graph, layout.TB, size).positions if missing else {}
            placed = {node.id: node.position or fallback.get(node.id) for node in graph.nodes()}
            pairs = [(e.source, e.target) for e in graph.edges()]
            flow = layout.flow_direction(placed, pairs)
            self.vertical = flow == layout.TB
            self.flipped = layout.against_flow(placed, pairs, flow)
            for node in graph.nodes():
                self._add_node_item(node.id, fallback.get(node.id))
            grid = layout.CardGrid({n: self._card(item) for n, item in self.nodes.items()})
            for edge in graph.edges():
                self._add_edge_item(edge, grid)
            for node_id in self.nodes:
                self._update_size_labels(node_id)
            for node_id in self.document.selection:
                if node_id in self.nodes:
                    self.nodes[node_id].setSelected(True)
        finally:
            self._syncing_selection = False
            if collecting:
                gc.enable()
        self._overview = None

    def _add_node_item(self, node_id: str, fallback: tuple[float, float] | None = None) -> NodeItem:
        graph = self.document.graph
        node = graph.node(node_id)
        item = NodeItem(node_id)
        item.set_vertical(self.vertical)
        item.set_flipped(node_id in self.flipped)
        item.setPos(QPointF(*(node.position or fallback or self._free_spot(node_id))))
        self._update_ports(item, move_edges=False)
        self._update_texts(item)
        self._update_status(item)
        self.addItem(item)
        self.nodes[node_id] = item
        if not graph.out_edges(node_id):
            self._update_size_labels(node_id)
        return item

    def _free_spot(self, node_id: str) -> tuple[float, float]:
        """Where to show a node that arrives without a position: right of its first source, or below all."""
        inputs = self.document.graph.inputs(node_id)
        for port in sorted(inputs):
            source = self.nodes.get(inputs[port])
            if source is not None:
                return self.after(source)
        if not self.nodes:
            return 0.0, 0.0
        bottom = max(item.y() + item.card_rect().height() for item in self.nodes.values())
        return 0.0, geo.snap(bottom + geo.GRID * 3)

    def after(self, item: NodeItem) -> tuple[float, float]:
        """Where a layer that follows ``item`` goes: one layer further along the flow."""
        if self.vertical:
            return item.x(), item.y() + item.card_rect().height() + layout.RANK_GAP[layout.TB]
        return item.x() + item.card_rect().width() + layout.RANK_GAP[layout.LR], item.y()

    def _add_edge_item(self, edge: Edge, grid: layout.CardGrid | None = None) -> EdgeItem:
        """The edge's item; ``grid`` (all cards, while building) answers the router faster than the scene."""
        source, target = self.nodes[edge.source], self.nodes[edge.target]
        start, end = source.output_port_pos(edge.source_port), target.input_port_pos(edge.target_port)
        item = EdgeItem(edge, start, end, self._edge_label(edge), self.vertical)
        item.set_route(self._route(edge, start, end, grid), self.vertical, self._leaves(edge))
        self.addItem(item)
        self.edges[edge] = item
        if grid is None:
            self._update_size_labels(edge.source)
        return item

    @staticmethod
    def _card(item: NodeItem) -> tuple[float, float, float, float]:
        rect = item.card_rect().translated(item.pos())
        return rect.left(), rect.top(), rect.right(), rect.bottom()

    def _route(self, edge: Edge, start: QPointF, end: QPointF, grid: layout.CardGrid | None = None) -> list[tuple[float, float]]:
        """The edge's points around the cards in its way (its own two cards do not count)."""
        a, b = (start.x(), start.y()), (end.x(), end.y())
        ends = (edge.source, edge.target)
        if grid is not None:
            cards = grid.near(a, b, ends)
        else:
            reach = geo.NODE_WIDTH
            area = QRectF(start, end).normalized().adjusted(-reach, -reach, reach, reach)
            cards = [self._card(i) for i in self.items(area) if isinstance(i, NodeItem) and i.node_id not in ends]
        enter = -1 if edge.target in self.flipped else 1
        return layout.edge_route(a, b, cards, layout.TB if self.vertical else layout.LR, self._leaves(edge), enter)

    def _leaves(self, edge: Edge) -> int:
        """-1 when the edge leaves a card against the flow (upwards, or to the left), else 1."""
        return -1 if edge.source in self.flipped else 1

    def _update_size_labels(self, node_id: str) -> None:
        """One size per output: on the first edge leaving it, or on the node when nothing consumes it."""
        item = self.nodes.get(node_id)
        if item is None:
            return
        out_edges = sorted(e for e in self.document.graph.out_edges(node_id) if e in self.edges)
        shown: dict[int, str | None] = {}
        for edge in out_edges:
            port = edge.source_port
            edge_item = self.edges[edge]
            edge_item.set_label_align(geo.label_align(port, item.output_count, self.vertical))
            edge_item.set_label(self._edge_label(edge), port not in shown)
            shown.setdefault(port, edge_item.label)
        labels = self._node_labels(node_id, shown)
        item.set_output_labels(labels)
        if len(shown) < item.output_count:
            self._sinks.add(node_id)
        else:
            self._sinks.discard(node_id)

    def _edge_shown(self, node_id: str) -> dict[int, str | None]:
        """The sizes the edges leaving ``node_id`` show, by output port."""
        shown: dict[int, str | None] = {}
        for edge in sorted(self.document.graph.out_edges(node_id)):
            item = self.edges.get(edge)
            if item is not None:
                shown.setdefault(edge.source_port, self._edge_label(edge))
        return shown

    def _node_labels(self, node_id: str, shown: dict[int, str | None]) -> dict[int, str]:
        """The sizes of the outputs no edge shows, each size once (an LSTM's h_n and c_n are alike)."""
        try:
            shapes = self.document.engine.result(node_id).display_outputs
        except KeyError:
            return {}
        labels: dict[int, str] = {}
        seen = set(shown.values())
        for port, shape in enumerate(shapes):
            if port in shown or shape is None:
                continue
            text = self._format(shape)
            if text not in seen:
                labels[port] = text
                seen.add(text)
        return labels

    def _edge_label(self, edge: Edge) -> str | None:
        shape = self.document.engine.edge_display_shape(edge)
        return self._format(shape) if shape is not None else None

    def _format(self, shape) -> str:
        key = (shape, self.lens)
        label = _labels.get(key)
        if label is None:
            label = format_for_display(shape, self.lens)
            if len(_labels) < 10_000:
                _labels[key] = label
        return label

    def set_lens(self, lens: str) -> None:
        """Show edge labels in ``lens``'s dim order (``NCHW`` or ``NHWC``) and relabel every edge."""
        check_lens(lens)
        if lens == self.lens:
            return
        self.lens = lens
        for node_id in self.nodes:
            self._update_size_labels(node_id)

    def restyle(self) -> None:
        """Re-measure every card's texts in the current style (after a light/dark switch)."""
        for item in self.nodes.values():
            self._update_texts(item)

    # ----- per-item refresh ---------------------------------------------------------------------
    def _update_texts(self, item: NodeItem) -> None:
        """The card's texts and what depends on the params alone (so shape passes need not redo it)."""
        node = self.document.graph.node(item.node_id)
        graph = self.document.graph
        if not graph.knows_type(node.type_name):
            item.set_texts(node.label, node.type_name, "", "Graph")
            return
        spec = graph.spec(node.type_name)
        try:
            summary = spec.summary(spec.resolve(node.params))
        except (KeyError, TypeError, ValueError, IndexError):
            summary = ""  # a summary is a convenience; the inspector and the engine report bad values
        item.set_texts(node.label, node.type_name, summary, spec.category)

    def _update_ports(self, item: NodeItem, move_edges: bool = True) -> None:
        graph = self.document.graph
        connected = frozenset(graph.inputs(item.node_id))
        count = geo.shown_inputs(graph, item.node_id)
        if item.set_ports(count, connected, self.document.engine.output_ports(item.node_id)) and move_edges:
            self._update_edge_geometry(item.node_id)
            self._update_size_labels(item.node_id)

    def _update_status(self, item: NodeItem) -> None:
        result = self.document.engine.result(item.node_id)
        status = "error" if item.node_id in self.torch_notes else result.status()
        item.set_status(status, bool(result.warnings))

    def mark_torch_disagreements(self, notes: dict[str, str]) -> None:
        """Badge the nodes a check with PyTorch disagreed with (their tooltips say how) until the design changes."""
        marked = set(self.torch_notes) | set(notes)
        self.torch_notes = dict(notes)
        for node_id in marked:
            if node_id in self.nodes:
                self._update_status(self.nodes[node_id])

    def _update_edge_geometry(self, node_id: str, routed: bool = True) -> None:
        graph = self.document.graph
        for edge in graph.in_edges(node_id) + graph.out_edges(node_id):
            item = self.edges.get(edge)
            if item is not None:
                source, target = self.nodes[edge.source], self.nodes[edge.target]
                start, end = source.output_port_pos(edge.source_port), target.input_port_pos(edge.target_port)
                if routed:
                    item.set_route(self._route(edge, start, end), self.vertical, self._leaves(edge))
                else:
                    item.set_route([(start.x(), start.y()), (end.x(), end.y())], self.vertical, self._leaves(edge))

    def place_nodes(self, positions: dict[str, QPointF], routed: bool = True) -> None:
        """Show nodes at ``positions`` without touching the model (a drag in progress, or a model move).

        While dragging (``routed`` False) edges follow as plain curves, so a frame stays cheap; the
        release moves the model, and the edges are routed around cards again."""
        for node_id, pos in positions.items():
            self.nodes[node_id].setPos(pos)
        for node_id in positions:
            self._update_edge_geometry(node_id, routed)
        self._overview = None

    def follow_flow(self) -> None:
        """Turn the ports the way the design's edges run now (after a layout, or its undo, or moves)."""
        self._flow_check_pending = False
        positions, edges = self._drawn()
        direction = layout.flow_direction(positions, edges)
        if (direction == layout.TB) != self.vertical:
            self.set_vertical(direction == layout.TB)
            return
        flipped = layout.against_flow(positions, edges, direction)
        turned = flipped ^ self.flipped
        if not turned:
            return
        self.flipped = flipped
        for node_id in turned:
            if node_id in self.nodes:
                self.nodes[node_id].set_flipped(node_id in flipped)
        for node_id in turned:
            if node_id in self.nodes:
                self._update_edge_geometry(node_id)
                self._update_size_labels(node_id)
        self._overview = None

    def _check_flow_soon(self) -> None:
        """Once per batch of changes (a layout, its undo, a paste): ``follow_flow`` when they are done."""
        if not self._flow_check_pending:
            self._flow_check_pending = True
            QTimer.singleShot(0, self, self.follow_flow)  # dropped if the scene goes first

    def _drawn(self) -> tuple[dict[str, tuple[float, float]], list[tuple[str, str]]]:
        """Where the cards stand now, and the (source, target) of every edge drawn."""
        positions = {node_id: (item.x(), item.y()) for node_id, item in self.nodes.items()}
        return positions, [(e.source, e.target) for e in self.edges]

    def set_vertical(self, vertical: bool) -> None:
        """Turn every card's ports for data flowing down (True) or right (the Layout's direction)."""
        if vertical == self.vertical:
            return
        self.vertical = vertical
        positions, edges = self._drawn()
        self.flipped = layout.against_flow(positions, edges, layout.TB if vertical else layout.LR)
        for node_id, item in self.nodes.items():
            item.set_vertical(vertical)
            item.set_flipped(node_id in self.flipped)
        grid = layout.CardGrid({n: self._card(item) for n, item in self.nodes.items()})
        for edge, item in self.edges.items():
            source, target = self.nodes[edge.source], self.nodes[edge.target]
            start, end = source.output_port_pos(edge.source_port), target.input_port_pos(edge.target_port)
            item.set_route(self._route(edge, start, end, grid), vertical, self._leaves(edge))
        for node_id in self.nodes:
            self._update_size_labels(node_id)
        self._overview = None

    # ----- model and engine notifications ---------------------------------------------------------
    def _on_change(self, change: DesignChange) -> None:
        """Replay the edit's events (each only as far as it still holds), then repaint changed results."""
        if self.torch_notes and any(not isinstance(e, (NodeMoved, NodeRenamed, ProjectRenamed)) for e in change.events):
            self.mark_torch_disagreements({})  # the check ran on the design as it was
        self._overview = None
        handlers = {
            NodeAdded: self._node_added,
            NodeRemoved: self._node_removed,
            EdgeAdded: self._edge_added,
            EdgeRemoved: self._edge_removed,
            ParamsChanged: self._node_edited,
            NodeRenamed: self._node_renamed,
            NodeMoved: self._node_moved,
        }
        # Many new edges at once (a big paste) are routed against one grid of the cards, not the scene's
        # index, which Qt rebuilds after every added item: that made a 20,000-layer paste quadratic.
        bulk = sum(isinstance(e, EdgeAdded) for e in change.events) > BULK_EDGES
        grid = None
        for event in change.events:
            if bulk and isinstance(event, EdgeAdded):
                grid = grid or layout.CardGrid({n: self._card(item) for n, item in self.nodes.items()})
                self._edge_added(event, grid)
                continue
            if isinstance(event, (NodeAdded, NodeRemoved, NodeMoved)):
                grid = None  # the cards changed
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
        self._repaint_results(change.shapes)

    def _live_item(self, node_id: str) -> NodeItem | None:
        return self.nodes.get(node_id) if node_id in self.document.graph else None

    def _node_added(self, event: NodeAdded) -> None:
        if event.node_id in self.document.graph and event.node_id not in self.nodes:
            self._add_node_item(event.node_id)
            self._check_flow_soon()

    def _node_removed(self, event: NodeRemoved) -> None:
        self._sinks.discard(event.node_id)
        item = self.nodes.pop(event.node_id, None)
        if item is not None:
            self._remove_quietly(item)

    def _edge_added(self, event: EdgeAdded, grid: layout.CardGrid | None = None) -> None:
        edge = event.edge
        if self.document.graph.has_edge(edge) and edge not in self.edges and {edge.source, edge.target} <= self.nodes.keys():
            self._add_edge_item(edge, grid)
            if grid is not None:
                self._update_size_labels(edge.source)
            self._update_ports(self.nodes[edge.target])
            self._check_flow_soon()

    def _edge_removed(self, event: EdgeRemoved) -> None:
        item = self.edges.pop(event.edge, None)
        if item is not None:
            self._remove_quietly(item)
        if self._live_item(event.edge.source) is not None:
            self._update_size_labels(event.edge.source)
        target = self._live_item(event.edge.target)
        if target is not None:
            self._update_ports(target)
        self._check_flow_soon()

    def _node_edited(self, event: ParamsChanged) -> None:
        item = self._live_item(event.node_id)
        if item is not None:
            self._update_texts(item)
            self._update_status(item)
            self._update_ports(item)  # a number ``other`` on Mul, Add, ... takes the place of an input

    def _node_renamed(self, event: NodeRenamed) -> None:
        item = self._live_item(event.node_id)
        if item is not None:
            self._update_texts(item)

    def _node_moved(self, event: NodeMoved) -> None:
        if self._live_item(event.node_id) is not None:
            position = self.document.graph.node(event.node_id).position
            if position is not None:
                self.place_nodes({event.node_id: QPointF(*position)})
            self._check_flow_soon()

    def _remove_quietly(self, item) -> None:
        """Remove an item without echoing the selection change to the document: the document drops
        removed nodes from its selection itself, once per edit (a node at a time was quadratic)."""
        syncing, self._syncing_selection = self._syncing_selection, True
        try:
            self.removeItem(item)
        finally:
            self._syncing_selection = syncing

    def _repaint_results(self, changes: Changes) -> None:
        for node_id in changes.nodes:
            item = self.nodes.get(node_id)
            if item is not None:
                self._update_status(item)
                self._update_ports(item)
                if node_id in self._sinks:
                    item.set_output_labels(self._node_labels(node_id, self._edge_shown(node_id)))
        for edge in changes.edges:
            item = self.edges.get(edge)
            if item is not None:
                item.set_label(self._edge_label(edge))

    # ----- selection ------------------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        """Selected nodes in the order they were selected (the document keeps that order)."""
        selected = {item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)}
        ordered = [n for n in self.document.selection if n in selected]
        return ordered + sorted(selected.difference(ordered))

    def selected_edges(self) -> list[Edge]:
        return sorted(item.edge for item in self.selectedItems() if isinstance(item, EdgeItem))

    def _on_scene_selection(self) -> None:
        self._overview = None
        if not self._syncing_selection:
            self._syncing_selection = True
            try:
                self.document.select(self.selected_node_ids())
            finally:
                self._syncing_selection = False

    def _on_document_selection(self, node_ids: list[str]) -> None:
        if self._syncing_selection:
            return
        self._syncing_selection = True
        try:
            wanted = {n for n in node_ids if n in self.nodes}
            for item in self.selectedItems():
                if not (isinstance(item, NodeItem) and item.node_id in wanted):
                    item.setSelected(False)
            for node_id in wanted:
                self.nodes[node_id].setSelected(True)
        finally:
            self._syncing_selection = False
        self._overview = None

    def set_selection(self, node_ids: list[str], edges: list[Edge] = ()) -> None:
        """Select exactly these nodes and edges, and tell the document once."""
        self._syncing_selection = True
        try:
            wanted_nodes, wanted_edges = set(node_ids), set(edges)
            for item in self.selectedItems():
                keep = (isinstance(item, NodeItem) and item.node_id in wanted_nodes) or (
                    isinstance(item, EdgeItem) and item.edge in wanted_edges
                )
                if not keep:
                    item.setSelected(False)
            for node_id in node_ids:
                if node_id in self.nodes:
                    self.nodes[node_id].setSelected(True)
            for edge in edges:
                if edge in self.edges:
                    self.edges[edge].setSelected(True)
        finally:
            self._syncing_selection = False
        self._overview = None
        self.document.select([n for n in node_ids if n in self.nodes])

    # ----- queries for the view and gestures --------------------------------------------------------
    def node_at(self, scene_pos: QPointF, slack: float = 0.0) -> NodeItem | None:
        """The topmost node whose card (grown by ``slack`` for the ports) contains ``scene_pos``."""
        reach = max(slack, 0.5)  # an empty rectangle would find nothing
        area = QRectF(scene_pos.x() - reach, scene_pos.y() - reach, 2 * reach, 2 * reach)
        for item in self.items(area):
            if isinstance(item, NodeItem):
                local = item.card_rect().adjusted(-slack, -slack, slack, slack)
                if local.contains(scene_pos - item.pos()):
                    return item
        return None

    def overview(self) -> Overview:
        """Batched primitives of the whole graph, rebuilt only after something changed."""
        if self._overview is None:
            self._overview = Overview(self)
        return self._overview

    def nodes_rect(self) -> QRectF:
        """What the design draws: the cards (badges and sizes under last layers included) and the edges
        with their sizes (a size above a card of a band running back, a turn between two bands)."""
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        for edge in self.edges.values():
            rect = rect.united(edge.sceneBoundingRect())
        return rect

    def _lens_line(self, edge: Edge) -> str:
        shape = self.document.engine.edge_display_shape(edge)
        if shape is None or not reorders(shape, self.lens):
            return ""
        return f"\n\nShown channels-last ({self.lens}): {format_for_display(shape, self.lens)}   ({format_named_for_display(shape, self.lens)})"

    # ----- Qt overrides -----------------------------------------------------------------------------
    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        text = ""
        for item in self.items(event.scenePos()):
            if isinstance(item, NodeItem):
                text = tooltips.node_tooltip(self.document, item.node_id)
                if item.node_id in self.torch_notes:
                    text = f"Check with PyTorch: {self.torch_notes[item.node_id]}\n\n{text}"
                break
            if isinstance(item, EdgeItem):
                text = tooltips.edge_tooltip(self.document, item.edge) + self._lens_line(item.edge)
                break
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
            event.setAccepted(True)
        else:
            QToolTip.hideText()
            event.ignore()
