"""GraphView: the node editor widget. Zoom, pan, grid, gestures, drops, clipboard and canvas commands.

API for the main window (everything is one undo step or nothing; refusals go to ``status_message``):

- ``GraphView(scene)`` with ``scene = GraphScene(document)``; ``status_message(str)`` for the status bar.
- ``fit_all()``, ``zoom_in()``, ``zoom_out()``, ``zoom_reset()``, ``zoom()``, ``center_on_node(id)``.
- ``add_node_at(type_name, scene_pos=None)``: a new layer with fitting default params, wired after the
  last selected node; without ``scene_pos`` it goes right of that node, or in the middle of the view.
- ``drop_layer(type_name, view_pos)``: what a palette drop (MIME ``LAYER_MIME``, text = type name) does.
- ``delete_selection()``, ``duplicate_selection()``, ``copy_selection()``, ``cut_selection()``, ``paste()``,
  ``select_all()``, ``auto_layout()``, ``open_quick_add(view_pos=None)``, ``start_rename(node_id)``.
- ``canvas_actions``: QActions with standard shortcuts for all of the above, active while the canvas has
  focus. Put these in menus and toolbars rather than creating second actions with the same shortcuts
  (two enabled actions with one shortcut make Qt ignore both).
- ``snap_to_grid`` and ``show_grid`` (bools, also checkable actions), ``restyle()`` after a scheme change.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QMimeData, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCursor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QMenu

from designer.canvas import clipboard, gestures, style
from designer.canvas import geometry as geo
from designer.canvas.defaults import add_node_edit
from designer.canvas.edge_item import EdgeItem
from designer.canvas.minimap import Minimap
from designer.canvas.quick_add import QuickAdd
from designer.canvas.scene import GraphScene
from designer.core import catalog, layout, project
from designer.core.edits import Compound, Disconnect, MoveNodes, RemoveNodes, Rename
from designer.core.errors import GraphError
from designer.core.graph import Edge

LAYER_MIME = "application/x-model-designer-layer"
MIN_ZOOM, MAX_ZOOM, FIT_MAX_ZOOM = 0.02, 4.0, 1.25
ZOOM_STEP = 1.25
PASTE_OFFSET = 40
_FREE_PAN = 1e6  # the view may scroll far beyond the items; the scene's own index rect stays tight


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")) if text else ""


class _RenameEditor(QLineEdit):
    """The in-place name editor: Enter or focus loss commits, Escape cancels."""

    def __init__(self, view: GraphView, node_id: str) -> None:
        super().__init__(view.viewport())
        self.node_id = node_id
        self._view = view
        self._done = False
        self.editingFinished.connect(self.commit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._done = True
            self._view.end_rename(self, None)
            return
        super().keyPressEvent(event)

    def commit(self) -> None:
        if not self._done:
            self._done = True
            self._view.end_rename(self, self.text())


class GraphView(QGraphicsView):
    """The canvas widget for one ``GraphScene``."""

    status_message = Signal(str)

    def __init__(self, scene: GraphScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.graph_scene = scene
        self.document = scene.document
        self.snap_to_grid = False
        self.show_grid = True
        self._gesture: gestures.Gesture | None = None
        self._fitted = False  # set by fit_all, cleared by any zoom or pan
        self._space_held = False
        self._rename: _RenameEditor | None = None
        self._quick_add: QuickAdd | None = None
        self._quick_add_pos = QPointF()
        self._paste_count: dict[str, int] = {}
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
        # Commands the window adds to a layer's right-click menu (the solver lives above the canvas).
        self.node_menu_actions: list[QAction] = []
        self.minimap = Minimap(self)
        self._make_actions()
        self.document.reset_done.connect(self._after_reset)

    # ----- actions ------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        keys = QKeySequence.StandardKey
        specs = [
            ("delete", "Delete", [QKeySequence(keys.Delete), QKeySequence(Qt.Key.Key_Backspace)], self.delete_selection),
            ("cut", "Cut", [QKeySequence(keys.Cut)], self.cut_selection),
            ("copy", "Copy", [QKeySequence(keys.Copy)], self.copy_selection),
            ("paste", "Paste", [QKeySequence(keys.Paste)], self.paste),
            ("duplicate", "Duplicate", [QKeySequence("Ctrl+D")], self.duplicate_selection),
            ("select_all", "Select All", [QKeySequence(keys.SelectAll)], self.select_all),
            ("zoom_in", "Zoom In", [QKeySequence(keys.ZoomIn), QKeySequence("Ctrl+=")], self.zoom_in),
            ("zoom_out", "Zoom Out", [QKeySequence(keys.ZoomOut)], self.zoom_out),
            ("zoom_reset", "Actual Size", [QKeySequence("Ctrl+0")], self.zoom_reset),
            ("fit_all", "Fit All", [QKeySequence("Ctrl+1")], self.fit_all),
            ("auto_layout", "Auto Layout", [QKeySequence("Ctrl+L")], self.auto_layout),
            ("rename", "Rename", [QKeySequence(Qt.Key.Key_F2)], self._rename_selected),
            ("quick_add", "Add Layer…", [], lambda: self.open_quick_add()),
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
        """Show every node, no closer than ``FIT_MAX_ZOOM``."""
        rect = self.graph_scene.nodes_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        margin = 40
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX_ZOOM or self.zoom() < MIN_ZOOM:
            scale = min(max(self.zoom(), MIN_ZOOM), FIT_MAX_ZOOM)
            self.resetTransform()
            self.scale(scale, scale)
        self.centerOn(rect.center())
        self._fitted = True

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

    # ----- canvas commands --------------------------------------------------------------------------
    def _apply(self, edit) -> bool:
        try:
            self.document.apply(edit)
        except GraphError as exc:
            self.status_message.emit(_sentence(str(exc)))
            return False
        return True

    def add_node_at(self, type_name: str, scene_pos: QPointF | None = None) -> str | None:
        """Add a ``type_name`` layer centred on ``scene_pos``; returns its id (None if refused)."""
        if not catalog.exists(type_name):
            self.status_message.emit(f"There is no layer type called {type_name!r}.")
            return None
        selection = [n for n in self.document.selection if n in self.document.graph]
        after = selection[-1] if selection else None
        upstream = self.document.engine.result(after).shape if after else None
        if scene_pos is not None:
            width, height = geo.node_size(1)
            x, y = scene_pos.x() - width / 2, scene_pos.y() - height / 2
        elif after is not None:
            source = self.graph_scene.nodes[after]
            x, y = source.x() + layout.COLUMN_GAP, source.y()
        else:
            centre = self.mapToScene(self.viewport().rect().center())
            x, y = centre.x() - geo.NODE_WIDTH / 2, centre.y() - geo.NODE_HEIGHT / 2
        position = (geo.snap(x), geo.snap(y)) if self.snap_to_grid else (round(x), round(y))
        graph = self.document.graph
        node, edit = add_node_edit(graph, type_name, position, after, upstream)
        if not self._apply(edit):
            return None
        self.graph_scene.set_selection([node.id])
        wired = f", wired after '{graph.node(after).label}'" if after and graph.inputs(node.id) else ""
        self.status_message.emit(f"Added {type_name} '{node.id}'{wired}.")
        return node.id

    def drop_layer(self, type_name: str, view_pos: QPointF) -> str | None:
        """What dropping a palette entry at ``view_pos`` does (also called by tests)."""
        return self.add_node_at(type_name, self.mapToScene(view_pos.toPoint()))

    def delete_selection(self) -> None:
        node_ids = self.graph_scene.selected_node_ids()
        gone = set(node_ids)
        edges = [e for e in self.graph_scene.selected_edges() if e.source not in gone and e.target not in gone]
        edits = [Disconnect(e) for e in edges] + ([RemoveNodes(node_ids)] if node_ids else [])
        if not edits:
            return
        if len(edits) == 1:
            self._apply(edits[0])
            return
        count = len(node_ids) + len(edges)
        self._apply(Compound(edits, text=f"Delete {count} Items"))

    def select_all(self) -> None:
        self.graph_scene.set_selection(list(self.graph_scene.nodes))

    def _selection_text(self) -> str | None:
        node_ids = self.graph_scene.selected_node_ids()
        if not node_ids:
            return None
        shown = {n: (round(self.graph_scene.nodes[n].x()), round(self.graph_scene.nodes[n].y())) for n in node_ids}
        return clipboard.copy_text(self.document.graph, node_ids, shown)

    def copy_selection(self) -> bool:
        """Put the selected nodes (and the edges among them) on the clipboard as project JSON."""
        text = self._selection_text()
        if text is None:
            self.status_message.emit("Select the layers to copy first.")
            return False
        data = QMimeData()
        data.setText(text)
        data.setData(clipboard.MIME_TYPE, text.encode("utf-8"))
        QGuiApplication.clipboard().setMimeData(data)
        count = len(self.graph_scene.selected_node_ids())
        self.status_message.emit(f"Copied {count} layer{'s' if count != 1 else ''}.")
        return True

    def cut_selection(self) -> None:
        if self.copy_selection():
            self.delete_selection()

    def paste(self) -> list[str]:
        """Add the clipboard's layers under fresh ids, offset from where they were; returns the new ids."""
        data = QGuiApplication.clipboard().mimeData()
        if data is not None and data.hasFormat(clipboard.MIME_TYPE):
            text = bytes(data.data(clipboard.MIME_TYPE)).decode("utf-8", "replace")
        else:
            text = QGuiApplication.clipboard().text()
        count = self._paste_count.get(text, 0) + 1
        self._paste_count = {text: count}
        return self._paste_text(text, (PASTE_OFFSET * count, PASTE_OFFSET * count), "Paste")

    def duplicate_selection(self) -> list[str]:
        text = self._selection_text()
        if text is None:
            return []
        return self._paste_text(text, (PASTE_OFFSET, PASTE_OFFSET), "Duplicate")

    def _paste_text(self, text: str, offset: tuple[int, int], verb: str) -> list[str]:
        try:
            edit, new_ids = clipboard.paste_edit(self.document.graph, text, offset, verb)
        except project.ProjectError as exc:
            self.status_message.emit(f"Nothing to paste: {exc}")
            return []
        if not self._apply(edit):
            return []
        self.graph_scene.set_selection(new_ids)
        return new_ids

    def auto_layout(self) -> None:
        """Arrange every node left to right (one undo step)."""
        graph = self.document.graph
        changed = {
            n: pos
            for n, pos in layout.auto_layout(graph).items()
            if graph.node(n).position is None or tuple(graph.node(n).position) != tuple(pos)
        }
        if not changed:
            self.status_message.emit("The layers are already arranged.")
            return
        self._apply(MoveNodes(changed, text="Auto Layout"))

    # ----- rename in place ----------------------------------------------------------------------------
    def start_rename(self, node_id: str) -> None:
        item = self.graph_scene.nodes.get(node_id)
        if item is None:
            return
        if self._rename is not None:
            self._rename.commit()
        editor = _RenameEditor(self, node_id)
        font = style.current().title_font
        font.setPixelSize(max(9, round(font.pixelSize() * self.zoom())))
        editor.setFont(font)
        editor.setText(self.document.graph.node(node_id).label)
        editor.selectAll()
        rect = self.mapFromScene(item.mapToScene(item.title_rect())).boundingRect()
        editor.setGeometry(rect.adjusted(0, -2, 0, 2))
        editor.show()
        editor.setFocus()
        self._rename = editor

    def end_rename(self, editor: _RenameEditor, text: str | None) -> None:
        if self._rename is editor:
            self._rename = None
        editor.hide()
        editor.deleteLater()
        self.setFocus()
        if text is None or editor.node_id not in self.document.graph:
            return
        node = self.document.graph.node(editor.node_id)
        name = text.strip() or None
        if name == node.id:
            name = None
        if name != node.name:
            self._apply(Rename(editor.node_id, name))

    def _rename_selected(self) -> None:
        selected = self.graph_scene.selected_node_ids()
        if selected:
            self.start_rename(selected[-1])

    # ----- quick add ----------------------------------------------------------------------------------
    def open_quick_add(self, view_pos: QPoint | None = None) -> QuickAdd:
        """Open the layer search at ``view_pos`` (default: the cursor, or the view's centre)."""
        if view_pos is None:
            cursor = self.viewport().mapFromGlobal(QCursor.pos())
            view_pos = cursor if self.viewport().rect().contains(cursor) else self.viewport().rect().center()
        scene_pos = self.mapToScene(view_pos)
        self._quick_add_pos = scene_pos
        if self._quick_add is None:
            self._quick_add = QuickAdd(self)
            self._quick_add.chosen.connect(lambda type_name: self.add_node_at(type_name, self._quick_add_pos))
        popup = self._quick_add
        popup.popup(self.viewport().mapToGlobal(view_pos))
        return popup

    # ----- right-click menu -----------------------------------------------------------------------
    def context_menu(self, view_pos: QPoint) -> QMenu:
        """The menu for what lies under ``view_pos``: a layer's commands, or the empty canvas's.

        Right-clicking a layer that is not selected selects it first, so the commands act on what
        the pointer shows.
        """
        menu = QMenu(self)
        item = self.graph_scene.node_at(self.mapToScene(view_pos))
        if item is not None:
            if not item.isSelected():
                self.graph_scene.set_selection([item.node_id])
            if self._add_fix_actions(menu, item.node_id):
                menu.addSeparator()
            for name in ("rename", "duplicate", "copy", "cut", "delete"):
                menu.addAction(self.canvas_actions[name])
            if self.node_menu_actions:
                menu.addSeparator()
                menu.addActions(self.node_menu_actions)
            return menu
        add_here = menu.addAction("Add Layer Here…")
        add_here.triggered.connect(lambda: self.open_quick_add(view_pos))
        menu.addAction(self.canvas_actions["paste"])
        menu.addSeparator()
        for name in ("select_all", "auto_layout", "fit_all"):
            menu.addAction(self.canvas_actions[name])
        return menu

    def badge_menu(self, node_id: str) -> QMenu:
        """What clicking a layer's error badge offers: its one-click fixes (or says there is none)."""
        menu = QMenu(self)
        if not self._add_fix_actions(menu, node_id):
            menu.addAction("No one-click fix: see the Inspector for what to change").setEnabled(False)
        return menu

    def _add_fix_actions(self, menu: QMenu, node_id: str) -> bool:
        fixes = self.document.fixes(node_id)
        for index, fix in enumerate(fixes):
            action = menu.addAction(("Fix: " if index == 0 else "Or: ") + fix.label)
            action.triggered.connect(lambda _checked=False, f=fix: self.document.apply_fix(f))
        return bool(fixes)

    def contextMenuEvent(self, event) -> None:
        self.context_menu(event.pos()).exec(event.globalPos())

    # ----- mouse --------------------------------------------------------------------------------------
    def _gesture_for(self, event: QMouseEvent) -> gestures.Gesture | None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held):
            return gestures.Pan(self, event)
        if button != Qt.MouseButton.LeftButton:
            return None
        scene_pos = self.mapToScene(event.position().toPoint())
        radius = self.port_hit_radius()
        item = self.graph_scene.node_at(scene_pos, radius)
        if item is not None:
            if item.badge_at(scene_pos):
                self.graph_scene.set_selection([item.node_id])
                self.badge_menu(item.node_id).popup(self.viewport().mapToGlobal(event.position().toPoint()))
                return gestures.Gesture(self)
            hit = item.port_at(scene_pos, radius)
            if hit == ("out", 0):
                return gestures.NewEdge(self, item.node_id)
            if hit is not None:
                source = self.document.graph.inputs(item.node_id).get(hit[1])
                if source is not None:
                    return gestures.NewEdge(self, source, picked_up=Edge(source, item.node_id, hit[1]))
            return gestures.MoveNodes(self, item, event)
        edge = self._edge_at(event.position().toPoint())
        if edge is not None:
            additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
            edges = set(self.graph_scene.selected_edges()) if additive else set()
            edges ^= {edge.edge}
            nodes = self.graph_scene.selected_node_ids() if additive else []
            self.graph_scene.set_selection(nodes, sorted(edges))
            return gestures.Gesture(self)
        return gestures.RubberBand(self, event)

    def _edge_at(self, view_pos: QPoint) -> EdgeItem | None:
        for item in self.items(view_pos):
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
        item = self.graph_scene.node_at(scene_pos)
        if item is None:
            if self._edge_at(event.position().toPoint()) is None:
                self.open_quick_add(event.position().toPoint())
            return
        if item.title_rect().contains(scene_pos - item.pos()):
            self.start_rename(item.node_id)

    def _update_hover_cursor(self, view_pos: QPoint) -> None:
        scene_pos = self.mapToScene(view_pos)
        radius = self.port_hit_radius()
        item = self.graph_scene.node_at(scene_pos, radius)
        on_port = item is not None and item.port_at(scene_pos, radius) is not None
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on_port else Qt.CursorShape.ArrowCursor)

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
            self.open_quick_add()
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
    @staticmethod
    def _dropped_type(data: QMimeData) -> str | None:
        if data.hasFormat(LAYER_MIME):
            name = bytes(data.data(LAYER_MIME)).decode("utf-8", "replace").strip() or data.text().strip()
            return name if catalog.exists(name) else None
        return None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_type(event.mimeData()):
            event.acceptProposedAction()
        else:
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
        self.drop_layer(type_name, event.position())
        self.setFocus()

    # ----- painting -------------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Re-read the style after a light/dark switch: texts are re-measured, everything repainted."""
        for item in self.graph_scene.nodes.values():
            self.graph_scene._update_texts(item)
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
        painter.end()
