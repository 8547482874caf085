"""The quick-add popup (Tab on the canvas): type a few letters, press Enter, the layer appears at the cursor."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from designer.core import catalog


def ranked_types(query: str) -> list[str]:
    """Layer types matching every word of ``query``: names starting with it first, then names containing
    it, then matches in the category or description; catalog order within each group."""
    words = query.lower().split()
    first = words[0] if words else ""
    ranked = []
    for order, spec in enumerate(catalog.all_specs()):
        name = spec.type_name.lower()
        haystack = f"{name} {spec.category.lower()} {spec.description.lower()}"
        if not all(w in haystack for w in words):
            continue
        group = 0 if name.startswith(first) else 1 if first in name else 2
        ranked.append((group, order, spec.type_name))
    return [name for _, _, name in sorted(ranked)]


class QuickAdd(QFrame):
    """A small searchable list of layer types; emits ``chosen(type_name)`` and closes."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add layer…")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(260, 300)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(lambda item: self._choose(item))
        self.list.itemClicked.connect(lambda item: self._choose(item))
        self._filter("")

    def popup(self, global_pos: QPoint) -> None:
        self.search.clear()
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        self.list.clear()
        for name in ranked_types(text):
            spec = catalog.get(name)
            item = QListWidgetItem(f"{name}   ·  {spec.category}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{spec.signature()}\n{spec.description}")
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.hide()
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.list.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)
