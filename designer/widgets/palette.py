"""The layer palette: every catalog type grouped by category, a search field, drag or double-click to add.

The design's own blocks come first, in a "Blocks" group (``set_blocks``), and are added like layers.

A drag carries the type name as text under ``LAYER_MIME`` (the canvas accepts that drop); double-click
or Enter asks for the layer at the view centre through ``add_requested``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.canvas import style
from designer.core import catalog
from designer.core.spec import LayerSpec

LAYER_MIME = "application/x-model-designer-layer"
_TYPE_ROLE = Qt.ItemDataRole.UserRole


def tooltip(spec: LayerSpec) -> str:
    """Rich tooltip: the constructor signature, then the one-line description."""
    return (
        f"<p style='white-space:pre-wrap'><b>{html.escape(spec.signature())}</b></p>"
        f"<p>{html.escape(spec.description)}</p>"
    )


def matches(spec: LayerSpec, text: str) -> bool:
    """Search: every word must occur in the type name, category or description (case-insensitive)."""
    haystack = f"{spec.type_name} {spec.category} {spec.description}".lower()
    return all(word in haystack for word in text.lower().split())


def _dot(color: QColor) -> QIcon:
    """A small filled circle, drawn at two pixel densities so it stays round at 200%."""
    icon = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        r = size * 0.22
        painter.drawRoundedRect(size * 0.25, size * 0.25, size * 0.5, size * 0.5, r, r)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class _TypeTree(QTreeWidget):
    """The tree itself; Qt's own drag machinery calls ``mimeData`` for the dragged item.

    Double-click and Enter choose a type (not ``itemActivated``, which some desktops fire on one click).
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemDoubleClicked.connect(lambda item, _col: self._choose(item))

    def _choose(self, item: QTreeWidgetItem | None) -> None:
        name = item.data(0, _TYPE_ROLE) if item is not None else None
        if name:
            self.chosen.emit(name)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(self.currentItem())
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        names = [i.data(0, _TYPE_ROLE) for i in items if i.data(0, _TYPE_ROLE)]
        if names:
            data.setData(LAYER_MIME, names[0].encode("utf-8"))
            data.setText(names[0])
        return data


class Palette(QWidget):
    """Lists layer types; emits ``add_requested(type_name)`` on double-click or Enter."""

    add_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.tree = _TypeTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(12)
        # A narrow panel cuts names in the middle, so AdaptiveAvgPool1d and …2d still differ ("Adaptiv…Pool2d").
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.chosen.connect(self.add_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._specs: dict[str, LayerSpec] = {}
        self._blocks: QTreeWidgetItem | None = None
        self._populate()
        # Down from the search field moves into the list, so the keyboard alone can add a layer.
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, self._focus_first_match)
        self.search.returnPressed.connect(self._add_first_match)

    def _populate(self) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        for spec in catalog.all_specs():
            group = groups.get(spec.category)
            if group is None:
                group = groups[spec.category] = self._group(spec.category)
            self._add_item(group, spec)
        self.tree.expandAll()
        self.restyle()

    def _group(self, title: str, index: int | None = None) -> QTreeWidgetItem:
        group = QTreeWidgetItem([title])
        if index is None:
            self.tree.addTopLevelItem(group)
        else:
            self.tree.insertTopLevelItem(index, group)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        return group

    def _add_item(self, group: QTreeWidgetItem, spec: LayerSpec) -> None:
        item = QTreeWidgetItem(group, [spec.type_name])
        item.setData(0, _TYPE_ROLE, spec.type_name)
        item.setToolTip(0, tooltip(spec))
        item.setStatusTip(0, spec.description)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        self._items[spec.type_name] = item
        self._specs[spec.type_name] = spec

    def set_blocks(self, specs: list[LayerSpec]) -> None:
        """Show the design's blocks (their derived specs) in a group at the top; none hides the group."""
        if self._blocks is not None:
            for i in range(self._blocks.childCount()):
                name = self._blocks.child(i).data(0, _TYPE_ROLE)
                self._items.pop(name, None)
                self._specs.pop(name, None)
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._blocks))
            self._blocks = None
        if specs:
            self._blocks = self._group("Blocks", 0)
            for spec in specs:
                self._add_item(self._blocks, spec)
        self.filter(self.search.text())
        self.restyle()

    def restyle(self) -> None:
        """Colour each type's dot like its category on the canvas (after a light/dark switch too)."""
        current = style.current()
        dots: dict[str, QIcon] = {}
        for name, item in self._items.items():
            category = self._specs[name].category
            if category not in dots:
                dots[category] = _dot(current.category(category))
            item.setIcon(0, dots[category])

    def item(self, type_name: str) -> QTreeWidgetItem:
        return self._items[type_name]

    def visible_types(self) -> list[str]:
        return [name for name, item in self._items.items() if not item.isHidden()]

    def filter(self, text: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                child = group.child(j)
                hit = matches(self._specs[child.data(0, _TYPE_ROLE)], text)
                child.setHidden(not hit)
                shown += hit
            group.setHidden(shown == 0)
        self.tree.expandAll()

    def _first_match(self) -> QTreeWidgetItem | None:
        for name in self.visible_types():
            return self._items[name]
        return None

    def _focus_first_match(self) -> None:
        item = self._first_match()
        if item is not None:
            self.tree.setFocus()
            self.tree.setCurrentItem(item)

    def _add_first_match(self) -> None:
        item = self._first_match()
        if item is not None and self.search.text().strip():
            self.add_requested.emit(item.data(0, _TYPE_ROLE))
