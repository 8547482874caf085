"""The problems list: every node with an error (its sentence from the engine), then warnings.

It rebuilds when shapes change (a few dozen rows at most, cheaper than diffing) and emits
``node_activated(node_id)`` when a row is clicked, so the window can select and centre that node.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from designer.canvas import style
from designer.core.change import DesignChange
from designer.document.document import Document

_NODE_ROLE = Qt.ItemDataRole.UserRole


class ProblemsList(QTreeWidget):
    node_activated = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setColumnCount(2)
        self.setHeaderLabels(["Layer", "Problem"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        document.reset_done.connect(self.refresh)
        document.graph_changed.connect(self._on_change)
        self.refresh()

    def rows(self) -> list[tuple[str, str, str]]:
        """(node id, kind, sentence) of every row, errors first: what is shown."""
        return [(node_id, p.severity, p.sentence) for node_id, p in self.document.engine.problem_list()]

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
        if not self.topLevelItemCount():
            calm = QTreeWidgetItem(self, ["✓ No problems: every layer has a size." if len(graph) else "The design is empty."])
            calm.setFlags(Qt.ItemFlag.NoItemFlags)
            calm.setFirstColumnSpanned(True)

    def _on_change(self, change: DesignChange) -> None:
        # Renames change the first column even when no shape changes.
        if change.shapes or change.renamed:
            self.refresh()

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, _NODE_ROLE)
        if node_id in self.document.graph:
            self.document.select([node_id])
            self.node_activated.emit(node_id)
