"""The problems list: every node with an error (its sentence from the engine), then warnings.

It rebuilds when shapes change (a few dozen rows at most, cheaper than diffing) and emits
``node_activated(node_id)`` when a row is clicked, so the window can select and centre that node.
Sentences wrap rather than being cut; an error with a one-click fix has a button for the recommended
one, and the row's right-click menu lists every fix the document offers.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.core.graph import NodeRenamed
from designer.document.document import Document

_NODE_ROLE = Qt.ItemDataRole.UserRole
_SENTENCE = 1  # the column whose text wraps


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their sentence wrapped at the column's width (a tree view asks for one line otherwise)."""

    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != _SENTENCE:
            return hint
        width = max(self.view.header().sectionSize(_SENTENCE) - 12, 40)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        needed = option.fontMetrics.boundingRect(QRect(0, 0, width, 100_000), flags, text).height() + 8
        return QSize(hint.width(), max(hint.height(), needed))


class ProblemsList(QTreeWidget):
    node_activated = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setColumnCount(3)
        self.setHeaderLabels(["Layer", "Problem", "Fix"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setItemDelegate(_WrappingDelegate(self))
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())  # re-wrap the sentences
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda pos: self.context_menu(pos).exec(self.viewport().mapToGlobal(pos)))
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        document.shapes_changed.connect(self.refresh)
        document.reset_done.connect(self.refresh)
        document.fixes_changed.connect(self.refresh)
        document.graph_changed.connect(self._on_graph)
        self.refresh()

    def rows(self) -> list[tuple[str, str, str]]:
        """(node id, kind, sentence) of every row, errors first: what is shown."""
        engine, graph = self.document.engine, self.document.graph
        rows = [(node_id, "error", sentence) for node_id, sentence in engine.problems()]
        for node_id in engine.order():
            rows += [(node_id, "warning", w) for w in engine.result(node_id).warnings]
        return [r for r in rows if r[0] in graph]

    def refresh(self, *_args) -> None:
        self.clear()
        current = style.current()
        graph = self.document.graph
        for node_id, kind, sentence in self.rows():
            item = QTreeWidgetItem(self, [graph.node(node_id).label, sentence])
            item.setData(0, _NODE_ROLE, node_id)
            item.setForeground(0, current.error if kind == "error" else current.warning)
            item.setToolTip(1, sentence)
            item.setText(0, ("● " if kind == "error" else "▲ ") + graph.node(node_id).label)
            fixes = self.document.known_fixes(node_id) if kind == "error" else []
            if fixes:
                self.setItemWidget(item, 2, self._fix_button(fixes[0]))
        if not self.topLevelItemCount():
            calm = QTreeWidgetItem(self, ["✓ No problems: every layer has a size." if len(graph) else "The design is empty."])
            calm.setFlags(Qt.ItemFlag.NoItemFlags)
            calm.setFirstColumnSpanned(True)

    def _fix_button(self, fix) -> QWidget:
        holder = QWidget(self)  # keeps the button its own height at the top of a tall, wrapped row
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(2, 2, 2, 2)
        button = QPushButton(fix.label, holder)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        button.setToolTip(f"{fix.label} (one undo step); right-click the row for other fixes")
        button.clicked.connect(lambda _checked=False: self.document.apply_fix(fix))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return holder

    def fix_button(self, row: int) -> QPushButton | None:
        """The recommended fix's button on ``row``, if it has one."""
        holder = self.itemWidget(self.topLevelItem(row), 2) if row < self.topLevelItemCount() else None
        return holder.findChild(QPushButton) if holder is not None else None

    def context_menu(self, pos: QPoint) -> QMenu:
        """Every fix for the row's error (one undo step each), then showing the layer."""
        menu = QMenu(self)
        item = self.itemAt(pos)
        node_id = item.data(0, _NODE_ROLE) if item is not None else None
        if node_id not in self.document.graph:
            return menu
        for fix in self.document.fixes(node_id):
            menu.addAction(fix.label, lambda f=fix: self.document.apply_fix(f))
        if menu.actions():
            menu.addSeparator()
        menu.addAction(f"Show '{self.document.graph.node(node_id).label}'", lambda: self._clicked(item))
        return menu

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()

    def _on_graph(self, event) -> None:
        # Renames change the first column even when no shape changes.
        if isinstance(event, NodeRenamed):
            self.refresh()

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, _NODE_ROLE)
        if node_id in self.document.graph:
            self.document.select([node_id])
            self.node_activated.emit(node_id)
