"""One class per mouse gesture on the canvas. The view starts a gesture on a press and feeds it moves.

A gesture changes only the view while the mouse is down (a temporary curve, item positions, a rubber
band); on release it builds at most one core edit and applies it through the document, so every
gesture is one undo step or nothing. A refused edit changes nothing and is reported as a status message.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QPainterPath, QPen
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QRubberBand

from designer.canvas import geometry as geo
from designer.canvas import style
from designer.canvas.node_item import NodeItem
from designer.core import edits
from designer.core.edits import Compound, Connect, Disconnect
from designer.core.graph import Edge

_MAX_MARKED_NODES = 400  # port highlighting is for what the user can see; huge views skip it


def _pos(event: QMouseEvent) -> QPoint:
    return event.position().toPoint()


class Gesture:
    """Base: ``move`` while the button is down, then ``release`` or ``cancel`` (Escape, focus lost)."""

    def __init__(self, view) -> None:
        self.view = view
        self.scene = view.graph_scene
        self.document = view.graph_scene.document

    def move(self, event: QMouseEvent) -> None:
        pass

    def release(self, event: QMouseEvent) -> None:
        pass

    def cancel(self) -> None:
        pass


class Pan(Gesture):
    """Middle button, or space held with the left button: drag the canvas."""

    def __init__(self, view, event: QMouseEvent) -> None:
        super().__init__(view)
        self._last = _pos(event)
        view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, event: QMouseEvent) -> None:
        delta = _pos(event) - self._last
        self._last = _pos(event)
        self.view.scroll_by(-delta.x(), -delta.y())

    def release(self, event: QMouseEvent) -> None:
        self.view.restore_cursor()

    def cancel(self) -> None:
        self.view.restore_cursor()


class MoveNodes(Gesture):
    """Press on a node and drag: the selected nodes follow the mouse; release records one MoveNodes edit."""

    def __init__(self, view, item: NodeItem, event: QMouseEvent) -> None:
        super().__init__(view)
        self._item = item
        self._press = _pos(event)
        self._press_scene = view.mapToScene(self._press)
        self._moved = False
        additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        self._was_selected = item.isSelected()
        selected = self.scene.selected_node_ids()
        if additive:
            ids = [n for n in selected if n != item.node_id] if item.isSelected() else selected + [item.node_id]
            self.scene.set_selection(ids, self.scene.selected_edges())
        elif not item.isSelected():
            self.scene.set_selection([item.node_id])
        self._additive = additive
        self._start = {n: QPointF(self.scene.nodes[n].pos()) for n in self.scene.selected_node_ids()}

    def move(self, event: QMouseEvent) -> None:
        if not self._start:
            return
        if not self._moved and (_pos(event) - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        self._moved = True
        delta = self.view.mapToScene(_pos(event)) - self._press_scene
        if self.view.snap_to_grid and self._item.node_id in self._start:
            anchor = self._start[self._item.node_id]
            snapped = QPointF(geo.snap(anchor.x() + delta.x()), geo.snap(anchor.y() + delta.y()))
            delta = snapped - anchor
        self.scene.place_nodes({n: p + delta for n, p in self._start.items()}, routed=False)

    def release(self, event: QMouseEvent) -> None:
        if not self._moved:
            if not self._additive and self._was_selected:
                self.scene.set_selection([self._item.node_id])
            return
        positions = {}
        for node_id, start in self._start.items():
            pos = self.scene.nodes[node_id].pos()
            if (round(pos.x()), round(pos.y())) != (round(start.x()), round(start.y())):
                positions[node_id] = (round(pos.x()), round(pos.y()))
        if not positions:
            self.cancel()
            return
        if not self.view.editor.apply(edits.MoveNodes(positions)):
            self.cancel()

    def cancel(self) -> None:
        self.scene.place_nodes({n: p for n, p in self._start.items() if n in self.scene.nodes})


class NewEdge(Gesture):
    """Drag from an output port (or pick up an edge by its input end) and drop it on an input port.

    While dragging, the visible nodes' input ports are marked as accepting the edge or not, as the
    model's ``connect_problem`` says. Release on an accepting port pushes one Connect (a Compound
    Disconnect + Connect when an existing edge was picked up and re-plugged); releasing a picked-up
    edge on empty canvas disconnects it; anything refused changes nothing.
    """

    def __init__(self, view, source: str, picked_up: Edge | None = None, source_port: int = 0) -> None:
        super().__init__(view)
        self.source = source
        self.picked_up = picked_up
        self.source_port = picked_up.source_port if picked_up is not None else source_port
        self._problems: dict[tuple[str, int], str | None] = {}
        self._marked: list[NodeItem] = []
        self._target: tuple[str, int] | None = None
        s = style.current()
        pen = QPen(s.selection, 2.0, Qt.PenStyle.DashLine)
        self._curve = QGraphicsPathItem()
        self._curve.setPen(pen)
        self._curve.setZValue(3)
        self.scene.addItem(self._curve)
        if picked_up is not None and picked_up in self.scene.edges:
            self.scene.edges[picked_up].setVisible(False)
        self._mark_visible_ports()

    # ----- rules --------------------------------------------------------------------------------
    def problem(self, node_id: str, port: int) -> str | None:
        """Why the dragged edge cannot go into ``port`` of ``node_id`` (None: it can), remembered per drag."""
        key = (node_id, port)
        if key not in self._problems:
            edge = Edge(self.source, node_id, port, self.source_port)
            if self.picked_up is not None and edge == self.picked_up:
                self._problems[key] = None
            else:
                self._problems[key] = self.document.graph.connect_problem(edge)
        return self._problems[key]

    def _mark_visible_ports(self) -> None:
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        items = [i for i in self.scene.items(visible) if isinstance(i, NodeItem)]
        if len(items) > _MAX_MARKED_NODES:
            return
        for item in items:
            item.set_port_marks({p: self.problem(item.node_id, p) is None for p in range(item.input_count)})
            self._marked.append(item)

    def _target_at(self, scene_pos: QPointF) -> tuple[str, int] | None:
        radius = self.view.port_hit_radius()
        item = self.scene.node_at(scene_pos, radius)
        if item is None or item.node_id == self.source or item.input_count == 0:
            return None
        hit = item.port_at(scene_pos, radius)
        if hit is not None and hit[0] == "in":
            return item.node_id, hit[1]
        local = scene_pos - item.pos()
        port = geo.nearest_input_port((local.x(), local.y()), item.input_count, item.vertical)
        return (item.node_id, port) if port is not None else None

    # ----- events -------------------------------------------------------------------------------
    def move(self, event: QMouseEvent) -> None:
        scene_pos = self.view.mapToScene(_pos(event))
        self._target = self._target_at(scene_pos)
        end = scene_pos
        if self._target is not None:
            problem = self.problem(*self._target)
            if problem is None:
                end = self.scene.nodes[self._target[0]].input_port_pos(self._target[1])
                self.view.status_message.emit("")
            else:
                self.view.status_message.emit(problem[0].upper() + problem[1:] + ".")
        start = self.scene.nodes[self.source].output_port_pos(self.source_port)
        flow = -1 if self.source in self.scene.flipped else 1
        c0, c1 = geo.edge_controls(start.x(), start.y(), end.x(), end.y(), self.scene.vertical, flow)
        path = QPainterPath(start)
        path.cubicTo(QPointF(*c0), QPointF(*c1), end)
        self._curve.setPath(path)

    def release(self, event: QMouseEvent) -> None:
        self.move(event)
        target = self._target
        self._finish()
        edit = None
        if target is None:
            if self.picked_up is not None:
                edit = Disconnect(self.picked_up)
        elif self.picked_up is not None and target == (self.picked_up.target, self.picked_up.target_port):
            edit = None
        elif self.problem(*target) is not None:
            return  # refused: the status bar already says why
        else:
            new = Connect(Edge(self.source, target[0], target[1], self.source_port))
            edit = new if self.picked_up is None else Compound([Disconnect(self.picked_up), new], text="Reconnect")
        if edit is not None:
            self.view.editor.apply(edit)

    def cancel(self) -> None:
        self._finish()

    def _finish(self) -> None:
        for item in self._marked:
            if item.scene() is not None:
                item.set_port_marks(None)
        self._marked = []
        if self._curve.scene() is not None:
            self.scene.removeItem(self._curve)
        if self.picked_up is not None and self.picked_up in self.scene.edges:
            self.scene.edges[self.picked_up].setVisible(True)


class RubberBand(Gesture):
    """Press on empty canvas and drag: select the nodes the band touches (Ctrl/Shift adds to the selection)."""

    def __init__(self, view, event: QMouseEvent) -> None:
        super().__init__(view)
        self._origin = _pos(event)
        self._additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        self._initial = self.scene.selected_node_ids() if self._additive else []
        if not self._additive:
            self.scene.set_selection([])
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, view.viewport())
        self._band.setGeometry(QRect(self._origin, self._origin))
        self._band.show()

    def move(self, event: QMouseEvent) -> None:
        rect = QRect(self._origin, _pos(event)).normalized()
        self._band.setGeometry(rect)
        area: QRectF = self.view.mapToScene(rect).boundingRect()
        touched = [i for i in self.scene.items(area) if isinstance(i, NodeItem) and i.sceneBoundingRect().intersects(area)]
        inside = [i.node_id for i in sorted(touched, key=lambda i: (i.x(), i.y()))]
        self.scene.set_selection(self._initial + [n for n in inside if n not in self._initial])

    def release(self, event: QMouseEvent) -> None:
        if (_pos(event) - self._origin).manhattanLength() >= QApplication.startDragDistance():
            self.move(event)
        self._band.hide()
        self._band.deleteLater()

    def cancel(self) -> None:
        self._band.hide()
        self._band.deleteLater()
        self.scene.set_selection(self._initial)
