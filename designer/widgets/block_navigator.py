"""Looking inside block instances: a breadcrumb bar over the canvas and one read-only canvas per level.

Double-clicking an instance shows its block's graph as that instance runs it: its argument values in
the cards and its own sizes on every inner edge (the first copy of a repeated instance). Nothing there
can be edited, because the definition is shared by every use; leaving drops the inner canvases. The
model never changes: navigation is a view concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.document.document import Document

READ_ONLY = (
    "Inside a block you see one use of it with its own sizes; its definition is shared by every use, "
    "so it cannot be changed here"
)


@dataclass
class _Level:
    title: str
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
        document.graph_changed.connect(lambda _event: self.leave_to(0))  # what was shown may be stale
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._leave_one, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    @property
    def depth(self) -> int:
        return len(self._levels)

    def current_view(self) -> GraphView:
        return self._levels[-1].view if self._levels else self.main_view

    def current_document(self) -> Document:
        """The document shown now: the design's, or the read-only one of the instance looked into."""
        return self._levels[-1].document if self._levels else self.document

    def path(self) -> list[str]:
        """The titles of the levels entered, outermost first."""
        return [level.title for level in self._levels]

    def enter(self, node_id: str) -> bool:
        """Look inside instance ``node_id`` of the level shown now; False (with a status message) if it cannot."""
        outer = self._levels[-1].document if self._levels else self.document
        node = outer.graph.node(node_id)
        result = outer.engine.result(node_id)
        run = result.inner
        if run is None or not run.copies:
            reason = result.message() or "its inputs are not connected yet"
            self.status_message.emit(f"{node.type_name} '{node.label}' has not run yet: {reason}")
            return False
        number, copy = run.shown_copy(failed=result.error is not None)
        document = Document(copy.graph, parent=self)
        document.read_only = READ_ONLY
        view = GraphView(GraphScene(document, self))
        view.status_message.connect(self.status_message)
        view.enter_requested.connect(self.enter)
        which = f", copy {number} of {node.repeat}" if run.repeated else ""
        self._levels.append(_Level(f"{node.label} ({node.type_name}{which})", document, view))
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self._rebuild_trail()
        QTimer.singleShot(0, view, view.fit_all)
        view.setFocus()
        self.level_changed.emit(self.depth)
        return True

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
                label.setToolTip(READ_ONLY)
                self._trail_layout.addWidget(label)
            else:
                button = QToolButton(self.trail)
                button.setText(title)
                button.setAutoRaise(True)
                button.setToolTip("Go back out to here (Esc goes out one level)")
                button.clicked.connect(lambda _checked=False, d=depth: self.leave_to(d))
                self._trail_layout.addWidget(button)
        if self._levels:
            hint = QLabel("  read-only: the sizes of this use", self.trail)
            hint.setEnabled(False)
            self._trail_layout.addWidget(hint)
        self._trail_layout.addStretch(1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
