"""CanvasEditor: the editing controller of one canvas. It owns the editing commands and their actions.

Adding, deleting, the clipboard, duplicating, renaming in place, inserting on an edge, one-click fixes,
auto layout and the canvas's right-click menus live here; each builds its edit with ``core.builders``
(or a core edit) and applies it through the document as one undo step, and a refusal becomes a sentence
on ``status_message``. The view (``GraphView``) keeps the viewport: zoom, pan, gestures, drops and
painting, and asks this controller for every change to the design.

API for the main window and tests (``view.editor``):

- ``add_node_at(type_name, scene_pos=None)``: a new layer with fitting default params, wired after the
  last selected node; without ``scene_pos`` it goes right of that node, or in the middle of the view.
- ``drop_layer(type_name, view_pos)``: what a palette drop does.
- ``delete_selection()``, ``duplicate_selection()``, ``copy_selection()``, ``cut_selection()``, ``paste()``,
  ``select_all()``, ``auto_layout()``, ``open_quick_add(view_pos=None)``, ``start_rename(node_id)``,
  ``insert_on_edge(type_name, edge)``, ``context_menu(view_pos)``, ``badge_menu(node_id)``.
- ``blocks`` (``canvas.block_commands``): Group into Block (Ctrl+G), Ungroup (Ctrl+Shift+G), Make Unique.
- ``actions``: QActions with standard shortcuts for the commands above, active while the canvas has
  focus. Put these in menus and toolbars rather than creating second actions with the same shortcuts
  (two enabled actions with one shortcut make Qt ignore both). ``node_menu_actions`` and
  ``edge_menu_actions``: commands the window adds to a layer's or an edge's right-click menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QMenu

from designer.canvas import big_paste, style
from designer.canvas import geometry as geo
from designer.canvas.block_commands import BlockCommands
from designer.canvas.edge_item import EdgeItem
from designer.canvas.peek import InstancePeeks
from designer.canvas.quick_add import QuickAdd
from designer.core import builders, layout, project
from designer.core.edits import Disconnect, MoveNodes, RemoveNodes, Rename
from designer.core.errors import GraphError
from designer.core.graph import Edge

if TYPE_CHECKING:
    from designer.canvas.view import GraphView

MIME_TYPE = "application/x-model-designer-project"  # the clipboard's format for copied layers (project JSON)
PASTE_OFFSET = 40


def sentence(text: str) -> str:
    """``text`` as a status-bar sentence: capitalised, ending in a full stop."""
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")) if text else ""


class _RenameEditor(QLineEdit):
    """The in-place name editor: Enter or focus loss commits, Escape cancels."""

    def __init__(self, editor: CanvasEditor, node_id: str) -> None:
        super().__init__(editor.view.viewport())
        self.node_id = node_id
        self._editor = editor
        self._done = False
        self.editingFinished.connect(self.commit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._done = True
            self._editor.end_rename(self, None)
            return
        super().keyPressEvent(event)

    def commit(self) -> None:
        if not self._done:
            self._done = True
            self._editor.end_rename(self, self.text())


class CanvasEditor(QObject):
    """Edits the design shown in ``view`` (a ``GraphView``): every command is one undo step or nothing."""

    status_message = Signal(str)

    def __init__(self, view: GraphView) -> None:
        super().__init__(view)
        self.view = view
        self.scene = view.graph_scene
        self.document = view.document
        self._rename: _RenameEditor | None = None
        self._quick_add: QuickAdd | None = None
        self._quick_add_pos = QPointF()
        self._quick_add_edge: Edge | None = None  # set while the search inserts a layer on an edge
        self._paste_count: dict[str, int] = {}
        self.actions: dict[str, QAction] = {}
        self.node_menu_actions: list[QAction] = []  # the window's commands for a layer's right-click menu
        self.edge_menu_actions: list[QAction] = []  # ... and for an edge's
        self._make_actions()
        self.blocks = BlockCommands(self)  # group, ungroup, make unique: their actions join ``actions``
        self.peeks = InstancePeeks(self)  # expand in place: its action joins ``actions``

    def _make_actions(self) -> None:
        keys = QKeySequence.StandardKey
        specs = [
            ("delete", "Delete", [QKeySequence(keys.Delete), QKeySequence(Qt.Key.Key_Backspace)], self.delete_selection),
            ("cut", "Cut", [QKeySequence(keys.Cut)], self.cut_selection),
            ("copy", "Copy", [QKeySequence(keys.Copy)], self.copy_selection),
            ("paste", "Paste", [QKeySequence(keys.Paste)], self.paste),
            ("duplicate", "Duplicate", [QKeySequence("Ctrl+D")], self.duplicate_selection),
            ("select_all", "Select All", [QKeySequence(keys.SelectAll)], self.select_all),
            ("auto_layout", "Auto Layout", [QKeySequence("Ctrl+L")], self.auto_layout),
            ("auto_layout_lr", "Auto Layout Left to Right", [QKeySequence("Ctrl+Shift+L")], lambda: self.auto_layout(layout.LR)),
            ("rename", "Rename", [QKeySequence(Qt.Key.Key_F2)], self._rename_selected),
            ("quick_add", "Add Layer…", [], lambda: self.open_quick_add()),
        ]
        for name, text, shortcuts, slot in specs:
            action = QAction(text, self.view)
            action.setShortcuts(shortcuts)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda checked=False, slot=slot: slot())
            self.view.addAction(action)
            self.actions[name] = action

    def apply(self, edit) -> bool:
        """Apply ``edit`` as one undo step; a refusal goes to the status bar. True when it was applied."""
        try:
            self.document.apply(edit)
        except GraphError as exc:
            self.status_message.emit(sentence(str(exc)))
            return False
        return True

    # ----- adding ---------------------------------------------------------------------------------------
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
            x, y = self.scene.after(self.scene.nodes[after])
        else:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            x, y = centre.x() - geo.NODE_WIDTH / 2, centre.y() - geo.NODE_HEIGHT / 2
        position = (geo.snap(x), geo.snap(y)) if self.view.snap_to_grid else (round(x), round(y))
        graph = self.document.graph
        node, edit = builders.add_node_edit(graph, type_name, position, after, upstream)
        if not self.apply(edit):
            return None
        graph = self.document.graph  # inside an instance the document shows the block's new copy now
        self.scene.set_selection([node.id])
        wired = f", wired after '{graph.node(after).label}'" if after and graph.inputs(node.id) else ""
        self.status_message.emit(f"Added {type_name} '{node.id}'{wired}.")
        return node.id

    def drop_layer(self, type_name: str, view_pos: QPointF) -> str | None:
        """What dropping a palette entry at ``view_pos`` does (also called by tests)."""
        return self.add_node_at(type_name, self.view.mapToScene(view_pos.toPoint()))

    def insert_on_edge(self, type_name: str, edge: Edge) -> str | None:
        """Add a ``type_name`` layer between ``edge``'s two layers (one undo step); returns its id."""
        graph = self.document.graph
        if not graph.has_edge(edge) or not graph.knows_type(type_name):
            return None
        source, target = self.scene.nodes[edge.source], self.scene.nodes[edge.target]
        middle = (source.sceneBoundingRect().center() + target.sceneBoundingRect().center()) / 2
        width, height = geo.node_size(1, self.scene.vertical)
        position = (round(middle.x() - width / 2), round(middle.y() - height / 2))
        upstream = self.document.engine.edge_shape(edge)
        node, edit = builders.insert_on_edge_edit(graph, type_name, edge, position, upstream)
        if not self.apply(edit):
            return None
        graph = self.document.graph  # inside an instance the document shows the block's new copy now
        self.scene.set_selection([node.id])
        self.status_message.emit(
            f"Inserted {type_name} '{node.id}' between '{graph.node(edge.source).label}' and '{graph.node(edge.target).label}'."
        )
        return node.id

    def open_quick_add(self, view_pos: QPoint | None = None) -> QuickAdd:
        """Open the layer search at ``view_pos`` (default: the cursor, or the view's centre)."""
        viewport = self.view.viewport()
        if view_pos is None:
            cursor = viewport.mapFromGlobal(QCursor.pos())
            view_pos = cursor if viewport.rect().contains(cursor) else viewport.rect().center()
        self._quick_add_pos = self.view.mapToScene(view_pos)
        self._quick_add_edge = None
        if self._quick_add is None:
            self._quick_add = QuickAdd(self.view)
            self._quick_add.chosen.connect(self._quick_add_chosen)
        popup = self._quick_add
        popup.popup(viewport.mapToGlobal(view_pos))
        return popup

    def open_insert_on_edge(self, edge: Edge, scene_pos: QPointF) -> QuickAdd:
        """The layer search; the chosen layer goes on ``edge`` (between its source and its target)."""
        popup = self.open_quick_add(self.view.mapFromScene(scene_pos))
        self._quick_add_edge = edge
        return popup

    def _quick_add_chosen(self, type_name: str) -> None:
        edge, self._quick_add_edge = self._quick_add_edge, None
        if edge is not None:
            self.insert_on_edge(type_name, edge)
        else:
            self.add_node_at(type_name, self._quick_add_pos)

    # ----- deleting and selecting -------------------------------------------------------------------------
    def delete_selection(self) -> None:
        node_ids = self.scene.selected_node_ids()
        gone = set(node_ids)
        edges = [e for e in self.scene.selected_edges() if e.source not in gone and e.target not in gone]
        if node_ids or edges:
            self.apply(RemoveNodes(node_ids, edges=edges))

    def select_all(self) -> None:
        self.scene.set_selection(list(self.scene.nodes))

    # ----- clipboard ----------------------------------------------------------------------------------------
    def _selection_text(self) -> str | None:
        node_ids = self.scene.selected_node_ids()
        if not node_ids:
            return None
        shown = {n: (round(self.scene.nodes[n].x()), round(self.scene.nodes[n].y())) for n in node_ids}
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
        count = len(self.scene.selected_node_ids())
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
            self.status_message.emit(sentence(f"Nothing to paste: {exc}"))
            return []
        if not self.apply(edit):
            return []
        self.scene.set_selection(new_ids)
        return new_ids

    def _paste_big(self, text: str, offset: tuple[int, int], verb: str) -> list[str]:
        """Thousands of layers: read off the GUI thread and added in chunks, with progress and Cancel."""
        try:
            made = big_paste.read_with_progress(self.view, self.document.graph, text, offset, verb)
        except project.ProjectError as exc:
            self.status_message.emit(sentence(f"Nothing to paste: {exc}"))
            return []
        if made is None:
            self.status_message.emit(f"{verb} cancelled; the design is unchanged.")
            return []
        edit, new_ids = made
        try:
            applied = big_paste.apply_with_progress(self.view, self.document, edit, len(new_ids))
        except GraphError as exc:
            self.status_message.emit(sentence(f"Nothing to paste: {exc}"))
            return []
        if not applied:
            self.status_message.emit(f"{verb} cancelled; the design is unchanged.")
            return []
        self.scene.set_selection(new_ids)
        self.status_message.emit(f"Pasted {len(new_ids):,} layers.")
        return new_ids

    # ----- arranging --------------------------------------------------------------------------------------
    def auto_layout(self, direction: str = layout.TB) -> None:
        """Arrange every node in layers, data flowing down (or ``layout.LR``: right); one undo step, then Fit."""
        graph = self.document.graph
        scene = self.scene
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
            self.view.fit_all()
            return
        if changed and not self.apply(MoveNodes(changed, text="Auto Layout")):
            return
        scene.set_vertical(vertical)
        self.view.fit_all()

    # ----- rename in place --------------------------------------------------------------------------------
    def start_rename(self, node_id: str) -> None:
        item = self.scene.nodes.get(node_id)
        if item is None:
            return
        if self._rename is not None:
            self._rename.commit()
        editor = _RenameEditor(self, node_id)
        font = style.current().title_font
        font.setPixelSize(max(9, round(font.pixelSize() * self.view.zoom())))
        editor.setFont(font)
        editor.setText(self.document.graph.node(node_id).label)
        editor.selectAll()
        rect = self.view.mapFromScene(item.mapToScene(item.title_rect())).boundingRect()
        editor.setGeometry(rect.adjusted(0, -2, 0, 2))
        editor.show()
        editor.setFocus()
        self._rename = editor

    def end_rename(self, editor: _RenameEditor, text: str | None) -> None:
        if self._rename is editor:
            self._rename = None
        editor.hide()
        editor.deleteLater()
        self.view.setFocus()
        if text is None or editor.node_id not in self.document.graph:
            return
        node = self.document.graph.node(editor.node_id)
        name = text.strip() or None
        if name == node.id:
            name = None
        if name != node.name:
            self.apply(Rename(editor.node_id, name))

    def _rename_selected(self) -> None:
        selected = self.scene.selected_node_ids()
        if selected:
            self.start_rename(selected[-1])

    # ----- right-click menus --------------------------------------------------------------------------------
    def context_menu(self, view_pos: QPoint) -> QMenu:
        """The menu for what lies under ``view_pos``: a layer's commands, an edge's, or the empty canvas's.

        Right-clicking a layer or an edge that is not selected selects it first, so the commands act on
        what the pointer shows.
        """
        menu = QMenu(self.view)
        scene_pos = self.view.mapToScene(view_pos)
        item = self.scene.node_at(scene_pos)
        edge = self.view.edge_at(view_pos) if item is None else None
        if edge is not None:
            return self._edge_menu(menu, edge, scene_pos)
        if item is not None:
            if not item.isSelected():
                self.scene.set_selection([item.node_id])
            if self._add_fix_actions(menu, item.node_id):
                menu.addSeparator()
            for name in ("rename", "duplicate", "copy", "cut", "delete"):
                menu.addAction(self.actions[name])
            menu.addSeparator()
            self.blocks.add_to_menu(menu, item.node_id)
            self.peeks.add_to_menu(menu, item.node_id)
            if self.node_menu_actions:
                menu.addSeparator()
                menu.addActions(self.node_menu_actions)
            return menu
        add_here = menu.addAction("Add Layer Here…")
        add_here.triggered.connect(lambda: self.open_quick_add(view_pos))
        menu.addAction(self.actions["paste"])
        menu.addSeparator()
        menu.addAction(self.actions["select_all"])
        menu.addAction(self.actions["auto_layout"])
        menu.addAction(self.actions["auto_layout_lr"])
        menu.addAction(self.view.canvas_actions["fit_all"])
        return menu

    def _edge_menu(self, menu: QMenu, item: EdgeItem, scene_pos: QPointF) -> QMenu:
        edge = item.edge
        if not item.isSelected():
            self.scene.set_selection([], [edge])
        explain = menu.addAction("Explain This Size")
        explain.setStatusTip("Show how this size comes about, with the formula and your numbers")
        explain.triggered.connect(lambda: self.view.explain_edge(edge))
        insert = menu.addAction("Insert Layer Here…")
        insert.setStatusTip("Put a new layer on this edge, between its two layers")
        insert.triggered.connect(lambda: self.open_insert_on_edge(edge, scene_pos))
        for action in self.edge_menu_actions:
            menu.addAction(action)
        menu.addSeparator()
        delete = menu.addAction("Delete Edge")
        delete.triggered.connect(lambda: self.apply(Disconnect(edge)))
        return menu

    def badge_menu(self, node_id: str) -> QMenu:
        """What clicking a layer's error badge offers: its one-click fixes (or says there is none)."""
        menu = QMenu(self.view)
        if not self._add_fix_actions(menu, node_id):
            menu.addAction("No one-click fix: see the Inspector for what to change").setEnabled(False)
        return menu

    def _add_fix_actions(self, menu: QMenu, node_id: str) -> bool:
        fixes = self.document.fixes(node_id)
        for index, fix in enumerate(fixes):
            action = menu.addAction(("Fix: " if index == 0 else "Or: ") + fix.label)
            action.triggered.connect(lambda _checked=False, f=fix: self.document.apply_fix(f))
        return bool(fixes)
