"""Looking inside block instances: a breadcrumb bar over the canvas and one canvas per level entered.

Double-clicking an instance shows its block's graph as that instance runs it: its argument values in
the cards and its own sizes on every inner edge (the first copy of a repeated instance, or the one that
fails). What is edited there changes the block's definition, so every use follows as one undo step of the
design (``core.block_edits`` says what carries over); the levels then show the new run, keeping the
view and the selection. Leaving drops the inner canvases: navigation itself never changes the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core.block_edits import definition_edit, per_use_params
from designer.core.block_runs import CopyRun, looked_into, run_again
from designer.core.change import DesignChange
from designer.core.edits import Edit
from designer.core.engine import PRIMARY_BATCH
from designer.document.document import Document, Inside

INSIDE = (
    "Inside a block you see one use of it with its own sizes. Its definition is shared by every use, "
    "so what you change here changes them all (Ctrl+Z undoes); argument values and input sizes belong "
    "to each use and are changed on the instance"
)


@dataclass
class _Level:
    node_id: str  # the instance looked into, in the level outside this one
    block: str  # its block: what is edited here is this block's definition
    title: str
    copy: CopyRun  # the copy of the block shown
    document: Document
    view: GraphView


class BlockNavigator(QWidget):
    """The canvas area: the design's view, and above it a breadcrumb once inside an instance."""

    status_message = Signal(str)
    level_changed = Signal(int)  # how deep inside instances the canvas now is (0: the design)

    def __init__(self, document: Document, main_view: GraphView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.main_view = main_view
        self._levels: list[_Level] = []
        self.trail = QWidget(self)
        self.trail.setObjectName("BlockTrail")
        self._trail_layout = QHBoxLayout(self.trail)
        self._trail_layout.setContentsMargins(6, 3, 6, 3)
        self._trail_layout.setSpacing(2)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(main_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.trail)
        layout.addWidget(self.stack)
        self.trail.hide()
        main_view.enter_requested.connect(self.enter)
        document.reset_done.connect(lambda: self.leave_to(0))
        document.graph_changed.connect(self._follow_design)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._leave_one, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    @property
    def depth(self) -> int:
        return len(self._levels)

    def current_view(self) -> GraphView:
        return self._levels[-1].view if self._levels else self.main_view

    def current_document(self) -> Document:
        """The document shown now: the design's, or the one of the copy of the instance looked into."""
        return self._levels[-1].document if self._levels else self.document

    def path(self) -> list[str]:
        """The titles of the levels entered, outermost first."""
        return [level.title for level in self._levels]

    def enter(self, node_id: str) -> bool:
        """Look inside instance ``node_id`` of the level shown now; False (with a status message) if it cannot."""
        outer = self.current_document()
        node = outer.graph.node(node_id)
        shown = looked_into(node, outer.engine.result(node_id))
        if isinstance(shown, str):
            self.status_message.emit(f"{node.type_name} '{node.label}' {shown}")
            return False
        title, copy = shown
        block = node.type_name
        document = Document(copy.graph, parent=self)
        document.inside = Inside(partial(self._edit_definition, block, document),
                                 partial(per_use_params, self.document.graph, block))
        view = GraphView(GraphScene(document, self))
        view.status_message.connect(self.status_message)
        view.enter_requested.connect(self.enter)
        self._levels.append(_Level(node_id, block, title, copy, document, view))
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self._rebuild_trail()
        QTimer.singleShot(0, view, view.fit_all)
        view.setFocus()
        self.level_changed.emit(self.depth)
        return True

    def _edit_definition(self, block: str, shown: Document, edit: Edit, mergeable: bool) -> None:
        """What the canvas of a level does to the copy it shows, done to the block's definition in the design
        (one undo step there); raises the model's refusal as the design's own edits do."""
        self.document.apply(definition_edit(self.document.graph, block, shown.graph, edit), mergeable)

    def _follow_design(self, _change: DesignChange) -> None:
        """After any change of the design, every level shows its instance's run as it is now. An instance
        that cannot run now (a layer before it fails) is shown with the sizes it last ran on; a level whose
        instance is gone is left, with the reason in the status bar."""
        for depth, level in enumerate(self._levels):
            outer = self._levels[depth - 1].document if depth else self.document
            if level.node_id not in outer.graph or outer.graph.node(level.node_id).type_name != level.block:
                self.leave_to(depth)
                self.status_message.emit(f"The instance '{level.node_id}' of {level.block} is no longer there: "
                                         f"back out to {(['Design', *self.path()])[-1]}.")
                return
            node = outer.graph.node(level.node_id)
            shown = looked_into(node, outer.engine.result(level.node_id))
            if isinstance(shown, str):
                last = run_again(outer.graph, node, level.copy, PRIMARY_BATCH)
                shown = f"{node.label} ({level.block}, sizes of its last run)", last
            level.title, copy = shown
            if copy is not level.copy:  # runs are memoized: the same copy means nothing changed
                level.copy = copy
                _show_copy(level, copy)
        self._rebuild_trail()

    def leave_to(self, depth: int) -> None:
        """Go back out to ``depth`` (0: the design itself)."""
        if depth >= self.depth:
            return
        while self.depth > depth:
            level = self._levels.pop()
            self.stack.removeWidget(level.view)
            level.view.deleteLater()
            level.document.engine.close()
            level.document.deleteLater()
        self.stack.setCurrentWidget(self.current_view())
        self._rebuild_trail()
        self.current_view().setFocus()
        self.level_changed.emit(self.depth)

    def _leave_one(self) -> None:
        if self.depth:
            self.leave_to(self.depth - 1)

    def _rebuild_trail(self) -> None:
        while self._trail_layout.count():
            widget = self._trail_layout.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.trail.setVisible(bool(self._levels))
        titles = ["Design", *self.path()]
        for depth, title in enumerate(titles):
            if depth:
                self._trail_layout.addWidget(QLabel("›", self.trail))
            if depth == len(titles) - 1:
                label = QLabel(f"<b>{_escape(title)}</b>", self.trail)
                label.setToolTip(INSIDE)
                self._trail_layout.addWidget(label)
            else:
                button = QToolButton(self.trail)
                button.setText(title)
                button.setAutoRaise(True)
                button.setToolTip("Go back out to here (Esc goes out one level)")
                button.clicked.connect(lambda _checked=False, d=depth: self.leave_to(d))
                self._trail_layout.addWidget(button)
        if self._levels:
            hint = QLabel("  the sizes of this use; edits change every use", self.trail)
            hint.setToolTip(INSIDE)
            hint.setEnabled(False)
            self._trail_layout.addWidget(hint)
        self._trail_layout.addStretch(1)


def _show_copy(level: _Level, copy: CopyRun) -> None:
    """Put ``copy`` in ``level``'s document, keeping where the view looks and what is selected."""
    view, document = level.view, level.document
    transform = view.transform()
    centre = view.mapToScene(view.viewport().rect().center())
    document.reset(copy.graph, keep_selection=True)
    view.setTransform(transform)
    view.centerOn(centre)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
