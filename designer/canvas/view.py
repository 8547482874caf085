"""GraphView: the node editor's viewport. Zoom, pan, grid, gestures, drops, hover and painting.

Every change to the design goes through ``view.editor`` (``designer.canvas.editing.CanvasEditor``),
which owns the editing commands, their actions and the right-click menus; the view keeps what is about
looking and pointing:

- ``GraphView(scene)`` with ``scene = GraphScene(document)``; ``status_message(str)`` for the status bar
  (the editor's sentences arrive here too).
- ``fit_all()``, ``zoom_in()``, ``zoom_out()``, ``zoom_reset()``, ``zoom()``, ``center_on_node(id)``,
  ``look_at(scene_pos)``, ``edge_at(view_pos)``, ``explain_edge(edge)``.
- ``canvas_actions``: the viewing actions (zoom, Fit All, minimap, grid), active while the canvas has focus.
- ``snap_to_grid`` and ``show_grid`` (bools, also checkable actions), ``restyle()`` after a scheme change.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView

from designer.canvas import geometry as geo
from designer.canvas import gestures, style
from designer.canvas.edge_item import EdgeItem
from designer.canvas.editing import CanvasEditor
from designer.canvas.minimap import Minimap
from designer.canvas.scene import GraphScene
from designer.canvas.size_label import paint_size_label
from designer.core.graph import Edge

LAYER_MIME = "application/x-model-designer-layer"
MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.02, 4.0, 1.25
ZOOM_STEP = 1.25
_FREE_PAN = 1e6  # the view may scroll far beyond the items; the scene's own index rect stays tight


class GraphView(QGraphicsView):
    """The canvas widget for one ``GraphScene``."""

    status_message = Signal(str)
    explain_requested = Signal(str)  # a node id: show how its output size comes about (the inspector does)
    enter_requested = Signal(str)  # a block instance was double-clicked: look inside it

    def __init__(self, scene: GraphScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.graph_scene = scene
        self.document = scene.document
        self.snap_to_grid = False
        self.show_grid = True
        self._gesture: gestures.Gesture | None = None
        self._fitted = False  # set by fit_all, cleared by any zoom or pan
        self._space_held = False
        self._hovered: str | None = None  # the node under the pointer: its edges show sizes when zoomed out
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        # Measured at 5,000 nodes: minimal updates keep a drag frame under a millisecond; full updates do not.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSceneRect(QRectF(-_FREE_PAN, -_FREE_PAN, 2 * _FREE_PAN, 2 * _FREE_PAN))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.canvas_actions: dict[str, QAction] = {}
        self.minimap = Minimap(self)
        self._make_actions()
        self.editor = CanvasEditor(self)
        self.editor.status_message.connect(self.status_message)
        self.document.reset_done.connect(self._after_reset)

    # ----- actions ------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        keys = QKeySequence.StandardKey
        specs = [
            ("zoom_in", "Zoom In", [QKeySequence(keys.ZoomIn), QKeySequence("Ctrl+=")], self.zoom_in),
            ("zoom_out", "Zoom Out", [QKeySequence(keys.ZoomOut)], self.zoom_out),
            ("zoom_reset", "Actual Size", [QKeySequence("Ctrl+0")], self.zoom_reset),
            ("fit_all", "Fit All", [QKeySequence("Ctrl+1")], self.fit_all),
        ]
        for name, text, shortcuts, slot in specs:
            action = QAction(text, self)
            action.setShortcuts(shortcuts)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda checked=False, slot=slot: slot())
            self.addAction(action)
            self.canvas_actions[name] = action
        minimap = QAction("Show Minimap", self)
        minimap.setCheckable(True)
        minimap.setChecked(True)
        minimap.setStatusTip("A map of the whole design in the canvas's corner while it does not fit the view")
        minimap.toggled.connect(lambda on: self.minimap.set_wanted(on))
        self.canvas_actions["show_minimap"] = minimap
        for name, text, attr in (("snap_to_grid", "Snap to Grid", "snap_to_grid"), ("show_grid", "Show Grid", "show_grid")):
            action = QAction(text, self)
            action.setCheckable(True)
            action.setChecked(getattr(self, attr))
            action.toggled.connect(lambda on, attr=attr: self._set_flag(attr, on))
            self.canvas_actions[name] = action

    def _set_flag(self, attr: str, on: bool) -> None:
        setattr(self, attr, on)
        self.viewport().update()

    # ----- zoom and navigation --------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``scale`` (clamped), keeping the scene point under view position ``anchor`` in place."""
        scale = min(max(scale, MIN_ZOOM), MAX_ZOOM)
        factor = scale / self.zoom()
        if abs(factor - 1.0) < 1e-9:
            return
        self._fitted = False
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        before = self.mapToScene(anchor.toPoint())
        self.scale(factor, factor)
        after = self.mapToScene(anchor.toPoint())
        delta = (after - before) * self.zoom()
        self.scroll_by(-delta.x(), -delta.y())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        """Show every node, no closer than ``FIT_MAX_ZOOM``, and never so far that the sizes cannot be
        read: a design too big for that is shown at the smallest legible zoom from its inputs (its
        top-left corner), and the minimap shows the rest."""
        rect = self.graph_scene.nodes_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        margin = 12  # the rect holds the sizes and the edges' turns already
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio)
        legible = style.LABEL_LOD
        if self.zoom() > FIT_MAX_ZOOM or self.zoom() < legible:
            scale = min(max(self.zoom(), legible), FIT_MAX_ZOOM)
            self.resetTransform()
            self.scale(scale, scale)
        if self.zoom() <= legible + 1e-6 and not self._shows(rect):
            view = self.viewport().rect()
            corner = rect.topLeft() - QPointF(margin, margin)
            self.centerOn(corner + QPointF(view.width() / 2, view.height() / 2) / self.zoom())
        else:
            self.centerOn(rect.center())
        self._fitted = True
        self.minimap.refresh()

    def _shows(self, rect: QRectF) -> bool:
        view = self.viewport().rect()
        return rect.width() * self.zoom() <= view.width() and rect.height() * self.zoom() <= view.height()

    def center_on_node(self, node_id: str) -> None:
        item = self.graph_scene.nodes.get(node_id)
        if item is not None:
            self._fitted = False
            self.centerOn(item.sceneBoundingRect().center())

    def look_at(self, scene_pos: QPointF) -> None:
        """Centre the view on ``scene_pos`` (the minimap's clicks); the view stops following fits."""
        self._fitted = False
        self.centerOn(scene_pos)

    def scroll_by(self, dx: float, dy: float) -> None:
        self._fitted = False
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def port_hit_radius(self) -> float:
        """Ports are easy to hit at any zoom: at least a few screen pixels around the dot."""
        return max(geo.PORT_HIT_RADIUS, 8.0 / self.zoom())

    def _after_reset(self) -> None:
        self.fit_all()

    # ----- pointing at the design -------------------------------------------------------------------
    def explain_edge(self, edge: Edge) -> None:
        """Select the layer the edge's size comes from, so the inspector explains it."""
        if edge.source in self.graph_scene.nodes:
            self.graph_scene.set_selection([edge.source])
            self.explain_requested.emit(edge.source)

    def contextMenuEvent(self, event) -> None:
        self.editor.context_menu(event.pos()).exec(event.globalPos())

    # ----- mouse --------------------------------------------------------------------------------------
    def _gesture_for(self, event: QMouseEvent) -> gestures.Gesture | None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held):
            return gestures.Pan(self, event)
        if button != Qt.MouseButton.LeftButton:
            return None
        scene_pos = self.mapToScene(event.position().toPoint())
        peek = self.editor.peeks.peek_at(scene_pos)
        if peek is not None:
            if peek.close_rect().contains(peek.mapFromScene(scene_pos)):
                self.editor.peeks.close(peek.node_id)
            return gestures.Gesture(self)
        radius = self.port_hit_radius()
        item = self.graph_scene.node_at(scene_pos, radius)
        if item is not None:
            if item.badge_at(scene_pos):
                self.graph_scene.set_selection([item.node_id])
                self.editor.badge_menu(item.node_id).popup(self.viewport().mapToGlobal(event.position().toPoint()))
                return gestures.Gesture(self)
            hit = item.port_at(scene_pos, radius)
            if hit is not None and hit[0] == "out":
                return gestures.NewEdge(self, item.node_id, source_port=hit[1])
            if hit is not None:
                arriving = self.document.graph.input_edges(item.node_id).get(hit[1])
                if arriving is not None:
                    return gestures.NewEdge(self, arriving.source, picked_up=arriving)
            return gestures.MoveNodes(self, item, event)
        edge = self.edge_at(event.position().toPoint())
        if edge is not None:
            additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
            edges = set(self.graph_scene.selected_edges()) if additive else set()
            edges ^= {edge.edge}
            nodes = self.graph_scene.selected_node_ids() if additive else []
            self.graph_scene.set_selection(nodes, sorted(edges))
            return gestures.Gesture(self)
        return gestures.RubberBand(self, event)

    def edge_at(self, view_pos: QPoint) -> EdgeItem | None:
        """The edge under ``view_pos``, within a few screen pixels of its line at any zoom."""
        reach = 6
        area = self.mapToScene(QRect(view_pos.x() - reach, view_pos.y() - reach, 2 * reach, 2 * reach))
        for item in self.scene().items(area, Qt.ItemSelectionMode.IntersectsItemShape):
            if isinstance(item, EdgeItem) and item.isVisible():
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._gesture is not None:
            return
        self._gesture = self._gesture_for(event)
        if self._gesture is None:
            super().mousePressEvent(event)
        else:
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._gesture is not None:
            self._gesture.move(event)
            return
        if not self._space_held and event.buttons() == Qt.MouseButton.NoButton:
            self._update_hover_cursor(event.position().toPoint())
            self._update_hover(event.position().toPoint())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture is not None:
            gesture.release(event)
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        peek = self.editor.peeks.peek_at(scene_pos)
        if peek is not None:
            self.enter_requested.emit(peek.node_id)
            return
        item = self.graph_scene.node_at(scene_pos)
        if item is None:
            if self.edge_at(event.position().toPoint()) is None:
                self.editor.open_quick_add(event.position().toPoint())
            return
        if item.title_rect().contains(scene_pos - item.pos()):
            self.editor.start_rename(item.node_id)
        elif self.document.graph.node(item.node_id).type_name in self.document.graph.blocks:
            self.enter_requested.emit(item.node_id)

    def _update_hover_cursor(self, view_pos: QPoint) -> None:
        scene_pos = self.mapToScene(view_pos)
        radius = self.port_hit_radius()
        item = self.graph_scene.node_at(scene_pos, radius)
        on_port = item is not None and item.port_at(scene_pos, radius) is not None
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on_port else Qt.CursorShape.ArrowCursor)

    def _update_hover(self, view_pos: QPoint) -> None:
        item = self.graph_scene.node_at(self.mapToScene(view_pos))
        hovered = item.node_id if item is not None else None
        if hovered != self._hovered:
            self._hovered = hovered
            if not style.labels_legible(self.zoom()):
                self.viewport().update()

    def restore_cursor(self) -> None:
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_held else Qt.CursorShape.ArrowCursor)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.minimap.place()
        # A design just fitted stays fitted while the window settles (docks, screenshot size, the
        # user resizing); once the user zooms or pans, the view is theirs.
        if self._fitted:
            self.fit_all()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * ZOOM_STEP**steps, event.position())
        event.accept()

    # ----- keyboard -----------------------------------------------------------------------------------
    def event(self, event) -> bool:
        # Tab would move the focus; on the canvas it opens the quick-add search at the cursor.
        if event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Tab and not event.modifiers():
            self.editor.open_quick_add()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() == Qt.Key.Key_Escape:
            if self._gesture is not None:
                gesture, self._gesture = self._gesture, None
                gesture.cancel()
            else:
                self.graph_scene.set_selection([])
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.restore_cursor()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space_held = False
        super().focusOutEvent(event)

    # ----- drops from the palette ---------------------------------------------------------------------
    def _dropped_type(self, data: QMimeData) -> str | None:
        if data.hasFormat(LAYER_MIME):
            name = bytes(data.data(LAYER_MIME)).decode("utf-8", "replace").strip() or data.text().strip()
            return name if self.document.graph.knows_type(name) else None  # a layer type or one of the blocks
        return None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_type(event.mimeData()):
            event.acceptProposedAction()
            return
        if not event.mimeData().hasUrls():  # files go on to the window, which opens them
            self.status_message.emit("Only layers from the Layers panel (or project files) can be dropped here.")
        event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._dropped_type(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        type_name = self._dropped_type(event.mimeData())
        if type_name is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.editor.drop_layer(type_name, event.position())
        self.setFocus()

    # ----- painting -------------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Re-read the style after a light/dark switch: texts are re-measured, everything repainted."""
        self.graph_scene.restyle()
        self.editor.peeks.restyle()
        self.viewport().update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        s = style.current()
        painter.fillRect(rect, s.background)
        if not self.show_grid:
            return
        scale = self.zoom()
        step = geo.GRID
        while step * scale < 8:  # never denser than a line every 8 pixels
            step *= geo.MAJOR_GRID
        major = step * geo.MAJOR_GRID
        for spacing, color in ((step, s.grid_minor), (major, s.grid_major)):
            pen = QPen(color, 0)
            painter.setPen(pen)
            left = int(rect.left() // spacing) * spacing
            top = int(rect.top() // spacing) * spacing
            xs = [left + i * spacing for i in range(int((rect.right() - left) // spacing) + 1)]
            ys = [top + i * spacing for i in range(int((rect.bottom() - top) // spacing) + 1)]
            lines = [QLineF(x, rect.top(), x, rect.bottom()) for x in xs]
            lines += [QLineF(rect.left(), y, rect.right(), y) for y in ys]
            painter.drawLines(lines)

    def screen_labels(self) -> list[tuple[QRectF, str]]:
        """Zoomed out (labels below a legible size), the sizes on the edges of the hovered and selected
        layers and of selected edges: pills in viewport pixels, at full size, none on top of another."""
        if style.labels_legible(self.zoom()):
            return []
        scene = self.graph_scene
        focus = list(scene.selected_node_ids()[:50])
        if self._hovered in scene.nodes and self._hovered not in focus:
            focus.append(self._hovered)
        anchors: list[tuple[QPointF, str]] = []
        graph = self.document.graph
        for node_id in focus:
            for edge in graph.in_edges(node_id) + graph.out_edges(node_id):
                item = scene.edges.get(edge)
                if item is not None and item.label:
                    anchors.append((item.label_anchor() if item.show_label else QPointF(*item.route()[0]), item.label))
            node = scene.nodes.get(node_id)
            if node is not None:
                anchors.extend((node.mapToScene(rect.center()), text) for rect, text in node.output_label_rects())
        for edge in scene.selected_edges()[:50]:
            item = scene.edges.get(edge)
            if item is not None and item.label:
                anchors.append((item.label_anchor(), item.label))
        s = style.current()
        pills: list[tuple[QRectF, str]] = []
        for x, y, text in dict.fromkeys((a.x(), a.y(), t) for a, t in anchors):
            centre = self.viewportTransform().map(QPointF(x, y))
            width = s.label_width(text) + 2 * geo.LABEL_PAD_X
            pill = QRectF(centre.x() - width / 2, centre.y() - geo.LABEL_HEIGHT / 2, width, geo.LABEL_HEIGHT)
            while any(pill.intersects(other) for other, _ in pills):
                pill.translate(0, geo.LABEL_HEIGHT + 2)
            pills.append((pill, text))
        return pills

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        pills = self.screen_labels()
        if not pills:
            return
        s = style.current()
        painter.save()
        painter.resetTransform()
        for pill, text in pills:
            paint_size_label(painter, s, pill, text)
        painter.restore()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.zoom() >= style.OVERVIEW_LOD:
            super().paintEvent(event)
            return
        # Zoomed far out: thousands of items would each be asked to paint a few pixels; draw them in batches.
        s = style.current()
        painter = QPainter(self.viewport())
        painter.setClipRegion(event.region())
        painter.setTransform(self.viewportTransform())
        self.drawBackground(painter, self.mapToScene(event.rect()).boundingRect())
        self.graph_scene.overview().paint(painter, s)
        self.drawForeground(painter, QRectF())
        painter.end()
