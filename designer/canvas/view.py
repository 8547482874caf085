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

from PySide6.QtCore import QLineF, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
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

from designer.canvas import big_paste, gestures, style
from designer.canvas import geometry as geo
from designer.canvas.edge_item import EdgeItem
from designer.canvas.minimap import Minimap
from designer.canvas.quick_add import QuickAdd
from designer.canvas.scene import GraphScene
from designer.canvas.size_label import paint_size_label
from designer.core import builders, layout, project
from designer.core.edits import Disconnect, MoveNodes, RemoveNodes, Rename
from designer.core.errors import GraphError
from designer.core.graph import Edge

MIME_TYPE = "application/x-model-designer-project"  # the clipboard's format for copied layers (project JSON)

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
        self._rename: _RenameEditor | None = None
        self._quick_add: QuickAdd | None = None
        self._quick_add_pos = QPointF()
        self._quick_add_edge: Edge | None = None  # set while the search inserts a layer on an edge
        self._paste_count: dict[str, int] = {}
        self._hovered: str | None = None  # the node under the pointer: its edges show sizes when zoomed out
        self.edge_menu_actions: list[QAction] = []  # commands the window adds to an edge's right-click menu
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
        """Show every node, no closer than ``FIT_MAX_ZOOM``, and never so far that the sizes cannot be
        read: a design too big for that is shown at the smallest legible zoom from its inputs (its
        top-left corner), and the minimap shows the rest."""
        rect = self.graph_scene.nodes_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        margin = 24
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
        if not self.document.graph.knows_type(type_name):
            self.status_message.emit(f"There is no layer type called {type_name!r}.")
            return None
        selection = [n for n in self.document.selection if n in self.document.graph]
        after = selection[-1] if selection else None
        upstream = self.document.engine.result(after).shape if after else None
        if scene_pos is not None:
            width, height = geo.node_size(1)
            x, y = scene_pos.x() - width / 2, scene_pos.y() - height / 2
        elif after is not None:
            x, y = self.graph_scene.after(self.graph_scene.nodes[after])
        else:
            centre = self.mapToScene(self.viewport().rect().center())
            x, y = centre.x() - geo.NODE_WIDTH / 2, centre.y() - geo.NODE_HEIGHT / 2
        position = (geo.snap(x), geo.snap(y)) if self.snap_to_grid else (round(x), round(y))
        graph = self.document.graph
        node, edit = builders.add_node_edit(graph, type_name, position, after, upstream)
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
        if node_ids or edges:
            self._apply(RemoveNodes(node_ids, edges=edges))

    def select_all(self) -> None:
        self.graph_scene.set_selection(list(self.graph_scene.nodes))

    def _selection_text(self) -> str | None:
        node_ids = self.graph_scene.selected_node_ids()
        if not node_ids:
            return None
        shown = {n: (round(self.graph_scene.nodes[n].x()), round(self.graph_scene.nodes[n].y())) for n in node_ids}
        return builders.copy_text(self.document.graph, node_ids, shown)

    def copy_selection(self) -> bool:
        """Put the selected nodes (and the edges among them) on the clipboard as project JSON."""
        text = self._selection_text()
        if text is None:
            self.status_message.emit("Select the layers to copy first.")
            return False
        data = QMimeData()
        data.setText(text)
        data.setData(MIME_TYPE, text.encode("utf-8"))
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
        if data is not None and data.hasFormat(MIME_TYPE):
            text = bytes(data.data(MIME_TYPE)).decode("utf-8", "replace")
        else:
            text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.status_message.emit("Nothing to paste: the clipboard is empty.")
            return []
        if not text.lstrip().startswith("{"):
            self.status_message.emit("Nothing to paste: the clipboard holds no layers (copy layers in Model Designer first).")
            return []
        count = self._paste_count.get(text, 0) + 1
        self._paste_count = {text: count}
        return self._paste_text(text, (PASTE_OFFSET * count, PASTE_OFFSET * count), "Paste")

    def duplicate_selection(self) -> list[str]:
        text = self._selection_text()
        if text is None:
            return []
        return self._paste_text(text, (PASTE_OFFSET, PASTE_OFFSET), "Duplicate")

    def _paste_text(self, text: str, offset: tuple[int, int], verb: str) -> list[str]:
        if len(text) > big_paste.BIG_PASTE_CHARS:
            return self._paste_big(text, offset, verb)
        try:
            edit, new_ids = builders.paste_edit(self.document.graph, text, offset, verb)
        except project.ProjectError as exc:
            self.status_message.emit(_sentence(f"Nothing to paste: {exc}"))
            return []
        if not self._apply(edit):
            return []
        self.graph_scene.set_selection(new_ids)
        return new_ids

    def _paste_big(self, text: str, offset: tuple[int, int], verb: str) -> list[str]:
        """Thousands of layers: read off the GUI thread and added in chunks, with progress and Cancel."""
        try:
            made = big_paste.read_with_progress(self, self.document.graph, text, offset, verb)
        except project.ProjectError as exc:
            self.status_message.emit(_sentence(f"Nothing to paste: {exc}"))
            return []
        if made is None:
            self.status_message.emit(f"{verb} cancelled; the design is unchanged.")
            return []
        edit, new_ids = made
        try:
            applied = big_paste.apply_with_progress(self, self.document, edit, len(new_ids))
        except GraphError as exc:
            self.status_message.emit(_sentence(f"Nothing to paste: {exc}"))
            return []
        if not applied:
            self.status_message.emit(f"{verb} cancelled; the design is unchanged.")
            return []
        self.graph_scene.set_selection(new_ids)
        self.status_message.emit(f"Pasted {len(new_ids):,} layers.")
        return new_ids

    def auto_layout(self, direction: str = layout.TB) -> None:
        """Arrange every node in layers, data flowing down (or ``layout.LR``: right); one undo step, then Fit."""
        graph = self.document.graph
        scene = self.graph_scene
        vertical = direction == layout.TB

        def card_size(node_id: str) -> tuple[float, float]:
            item = scene.nodes[node_id]
            return geo.node_size(item.input_count, vertical, item.output_count)

        placed = layout.layered_layout(graph, direction, card_size).positions
        changed = {
            n: pos for n, pos in placed.items() if graph.node(n).position is None or tuple(graph.node(n).position) != tuple(pos)
        }
        if not changed and vertical == scene.vertical:
            self.status_message.emit("The layers are already arranged.")
            self.fit_all()
            return
        if changed and not self._apply(MoveNodes(changed, text="Auto Layout")):
            return
        scene.set_vertical(vertical)
        self.fit_all()

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
        self._quick_add_edge = None
        if self._quick_add is None:
            self._quick_add = QuickAdd(self)
            self._quick_add.chosen.connect(self._quick_add_chosen)
        popup = self._quick_add
        popup.popup(self.viewport().mapToGlobal(view_pos))
        return popup

    # ----- right-click menu -----------------------------------------------------------------------
    def context_menu(self, view_pos: QPoint) -> QMenu:
        """The menu for what lies under ``view_pos``: a layer's commands, an edge's, or the empty canvas's.

        Right-clicking a layer or an edge that is not selected selects it first, so the commands act on
        what the pointer shows.
        """
        menu = QMenu(self)
        scene_pos = self.mapToScene(view_pos)
        item = self.graph_scene.node_at(scene_pos)
        edge = self._edge_at(view_pos) if item is None else None
        if edge is not None:
            return self._edge_menu(menu, edge, scene_pos)
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

    def _edge_menu(self, menu: QMenu, item: EdgeItem, scene_pos: QPointF) -> QMenu:
        edge = item.edge
        if not item.isSelected():
            self.graph_scene.set_selection([], [edge])
        explain = menu.addAction("Explain This Size")
        explain.setStatusTip("Show how this size comes about, with the formula and your numbers")
        explain.triggered.connect(lambda: self.explain_edge(edge))
        insert = menu.addAction("Insert Layer Here…")
        insert.setStatusTip("Put a new layer on this edge, between its two layers")
        insert.triggered.connect(lambda: self.open_insert_on_edge(edge, scene_pos))
        for action in self.edge_menu_actions:
            menu.addAction(action)
        menu.addSeparator()
        delete = menu.addAction("Delete Edge")
        delete.triggered.connect(lambda: self._apply(Disconnect(edge)))
        return menu

    def explain_edge(self, edge: Edge) -> None:
        """Select the layer the edge's size comes from, so the inspector explains it."""
        if edge.source in self.graph_scene.nodes:
            self.graph_scene.set_selection([edge.source])
            self.explain_requested.emit(edge.source)

    def open_insert_on_edge(self, edge: Edge, scene_pos: QPointF) -> QuickAdd:
        """The layer search; the chosen layer goes on ``edge`` (between its source and its target)."""
        popup = self.open_quick_add(self.mapFromScene(scene_pos))
        self._quick_add_edge = edge
        return popup

    def _quick_add_chosen(self, type_name: str) -> None:
        edge, self._quick_add_edge = self._quick_add_edge, None
        if edge is not None:
            self.insert_on_edge(type_name, edge)
        else:
            self.add_node_at(type_name, self._quick_add_pos)

    def insert_on_edge(self, type_name: str, edge: Edge) -> str | None:
        """Add a ``type_name`` layer between ``edge``'s two layers (one undo step); returns its id."""
        graph = self.document.graph
        if not graph.has_edge(edge) or not graph.knows_type(type_name):
            return None
        source, target = self.graph_scene.nodes[edge.source], self.graph_scene.nodes[edge.target]
        middle = (source.sceneBoundingRect().center() + target.sceneBoundingRect().center()) / 2
        width, height = geo.node_size(1, self.graph_scene.vertical)
        position = (round(middle.x() - width / 2), round(middle.y() - height / 2))
        upstream = self.document.engine.edge_shape(edge)
        node, edit = builders.insert_on_edge_edit(graph, type_name, edge, position, upstream)
        if not self._apply(edit):
            return None
        self.graph_scene.set_selection([node.id])
        self.status_message.emit(f"Inserted {type_name} '{node.id}' between '{graph.node(edge.source).label}' and '{graph.node(edge.target).label}'.")
        return node.id

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
            if hit is not None and hit[0] == "out":
                return gestures.NewEdge(self, item.node_id, source_port=hit[1])
            if hit is not None:
                arriving = self.document.graph.input_edges(item.node_id).get(hit[1])
                if arriving is not None:
                    return gestures.NewEdge(self, arriving.source, picked_up=arriving)
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
        item = self.graph_scene.node_at(scene_pos)
        if item is None:
            if self._edge_at(event.position().toPoint()) is None:
                self.open_quick_add(event.position().toPoint())
            return
        if item.title_rect().contains(scene_pos - item.pos()):
            self.start_rename(item.node_id)
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
        self.drop_layer(type_name, event.position())
        self.setFocus()

    # ----- painting -------------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Re-read the style after a light/dark switch: texts are re-measured, everything repainted."""
        self.graph_scene.restyle()
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
            if node is not None and node.output_label:
                anchors.append((node.mapToScene(node.output_label_rect().center()), node.output_label))
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
