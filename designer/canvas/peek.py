"""Expand in Place: the inside of a block instance drawn beside its card, without leaving the design.

``InstancePeeks`` (one per canvas editor) owns the "Expand in Place" action (Ctrl+Shift+E, on an
instance's right-click menu and in the View menu) and the peeks open on its canvas. A peek is a picture
of one use of the block, the same use that looking inside shows (``block_runs.looked_into``), with that
use's own sizes on every inner edge, drawn by ``diagram.diagram_svg`` as Export Image draws a design. It
hangs across the flow from its card (to the right when data flows down, below when it flows right), over
what it covers, moves with the card, redraws after every edit and goes when the instance does. It is
read-only: double-clicking it looks inside the instance, its × (or the action again) closes it.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPainterPath
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QGraphicsItem, QMenu, QStyleOptionGraphicsItem
from shiboken6 import isValid

from designer.canvas import diagram, style
from designer.canvas.node_item import NodeItem
from designer.core import blocks
from designer.core.block_runs import looked_into
from designer.core.graph import NodeMoved, ProjectRenamed

SCALE = 0.7  # of the inner diagram: its 18 px sizes read at 12.6 px at 100 %
HEADER = 30.0
PAD = 10.0
GAP = 28.0  # between the card and its peek
CLOSE = 18.0  # the × button's side
CARD_RAISED = 3  # the z of a card with a peek open, so the peek (its child) covers the edges and cards near it


class PeekItem(QGraphicsItem):
    """The picture of one instance's inside, a child of its card (so it moves with it)."""

    Type = QGraphicsItem.UserType + 7

    def __init__(self, card: NodeItem) -> None:
        super().__init__(card)
        self.node_id = card.node_id
        self.title = ""
        self.reason = ""
        self.svg: str | None = None  # the inner diagram drawn, as ``diagram.diagram_svg`` wrote it
        self._renderer: QSvgRenderer | None = None
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the view's gestures ask ``close_rect``

    def type(self) -> int:
        return self.Type

    def show_picture(self, title: str, svg: str | None, reason: str = "") -> None:
        """Show ``svg`` (the inner diagram) under ``title``; without it, ``reason`` says why there is none."""
        self.prepareGeometryChange()
        self.title = title
        self.reason = reason
        self.svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg.encode("utf-8"))) if svg else None
        s = style.current()
        width = s.title_metrics.horizontalAdvance(title) + 3 * PAD + CLOSE
        height = HEADER
        if self._renderer is not None and self._renderer.isValid():
            size = self._renderer.defaultSize()
            width = max(width, size.width() * SCALE + 2 * PAD)
            height += size.height() * SCALE + PAD
        else:
            width = max(width, s.type_metrics.horizontalAdvance(reason) + 2 * PAD)
            height += 2 * PAD + s.type_metrics.height()
        self._rect = QRectF(0, 0, width, height)
        self.update()

    def place(self, vertical: bool) -> None:
        """Across the flow from the card: to its right when data flows down, below it when it flows right."""
        card = self.parentItem().card_rect()
        self.setPos(card.right() + GAP, card.top()) if vertical else self.setPos(card.left(), card.bottom() + GAP)

    def close_rect(self) -> QRectF:
        """The × button, in this item's coordinates."""
        return QRectF(self._rect.right() - PAD - CLOSE, (HEADER - CLOSE) / 2, CLOSE, CLOSE)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = style.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QPainterPath()
        frame.addRoundedRect(self._rect, 8, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.shadow)
        painter.drawPath(frame.translated(0, 3))
        painter.setBrush(s.background)
        painter.setPen(s.selection_pen)
        painter.drawPath(frame)
        painter.setPen(s.title_text)
        painter.setFont(s.title_font)
        header = QRectF(PAD, 0, self._rect.width() - 3 * PAD - CLOSE, HEADER)
        painter.drawText(header, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.title)
        close = self.close_rect()
        painter.setPen(s.type_text)
        painter.drawLine(close.topLeft() + QPointF(4, 4), close.bottomRight() - QPointF(4, 4))
        painter.drawLine(close.topRight() + QPointF(-4, 4), close.bottomLeft() + QPointF(4, -4))
        body = QRectF(PAD, HEADER, self._rect.width() - 2 * PAD, self._rect.height() - HEADER - PAD)
        if self._renderer is not None and self._renderer.isValid():
            size = self._renderer.defaultSize()
            self._renderer.render(painter, QRectF(body.left(), body.top(), size.width() * SCALE, size.height() * SCALE))
        else:
            painter.setFont(s.type_font)
            painter.drawText(body, Qt.AlignmentFlag.AlignCenter, self.reason)


class InstancePeeks(QObject):
    """The "Expand in Place" action of the canvas of ``editor`` (a ``CanvasEditor``) and its open peeks."""

    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.peeks: dict[str, PeekItem] = {}
        action = QAction("Expand in Place", editor.view)
        action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setStatusTip("Show the inside of the selected block instances beside them, with their sizes; again to close")
        action.triggered.connect(lambda _checked=False: self.toggle_selected())
        editor.view.addAction(action)
        editor.actions["expand_in_place"] = action
        document = editor.document
        document.graph_changed.connect(self._after_change)
        document.reset_done.connect(self._after_reset)
        document.selection_changed.connect(self._update_enabled)
        self._update_enabled()

    @property
    def _scene(self):
        return self.editor.scene

    def _update_enabled(self, *_args) -> None:
        """Enabled for selected instances, and named for what it will do to them."""
        chosen = blocks.instances_among(self.editor.document.graph, self.editor.document.selection)
        action = self.editor.actions["expand_in_place"]
        action.setEnabled(bool(chosen))
        action.setText("Collapse" if chosen and all(n in self.peeks for n in chosen) else "Expand in Place")

    def add_to_menu(self, menu: QMenu, node_id: str) -> None:
        """The action, when the right-clicked layer ``node_id`` is an instance."""
        if blocks.instances_among(self.editor.document.graph, [node_id]):
            menu.addAction(self.editor.actions["expand_in_place"])

    # ----- opening and closing --------------------------------------------------------------------------
    def toggle_selected(self) -> None:
        """Close the peeks of the selected instances if they are all open, else open the missing ones."""
        chosen = blocks.instances_among(self.editor.document.graph, self.editor.document.selection)
        if not chosen:
            self.editor.status_message.emit("Select a block instance to expand it in place.")
            return
        if all(n in self.peeks for n in chosen):
            for node_id in chosen:
                self.close(node_id)
        else:
            opened = [self.open(node_id) for node_id in chosen]
            self.editor.view.ensureVisible(opened[-1].sceneBoundingRect(), 40, 40)
        self._update_enabled()

    def open(self, node_id: str) -> PeekItem | None:
        """Show the inside of instance ``node_id`` beside its card (or redraw it if it is open)."""
        card = self._scene.nodes.get(node_id)
        if card is None or not blocks.instances_among(self.editor.document.graph, [node_id]):
            return None
        peek = self.peeks.get(node_id)
        if peek is not None and (not isValid(peek) or peek.parentItem() is not card):  # the card was rebuilt
            self.close(node_id)
            peek = None
        if peek is None:
            peek = self.peeks[node_id] = PeekItem(card)
            card.setZValue(CARD_RAISED)
        peek.show_picture(*self._picture(node_id))
        peek.place(self._scene.vertical)
        return peek

    def close(self, node_id: str) -> None:
        peek = self.peeks.pop(node_id, None)
        if peek is None or not isValid(peek):  # gone with its card
            return
        card = peek.parentItem()
        peek.setParentItem(None)
        if peek.scene() is not None:
            peek.scene().removeItem(peek)
        if card is not None:
            card.setZValue(1)
        self._update_enabled()

    def close_all(self) -> None:
        for node_id in list(self.peeks):
            self.close(node_id)

    def peek_at(self, scene_pos: QPointF) -> PeekItem | None:
        """The open peek under ``scene_pos``, if any (peeks lie over everything else)."""
        for peek in self.peeks.values():
            if peek.contains(peek.mapFromScene(scene_pos)):
                return peek
        return None

    # ----- what a peek shows ----------------------------------------------------------------------------
    def _picture(self, node_id: str) -> tuple[str, str | None, str]:
        document = self.editor.document
        node = document.graph.node(node_id)
        shown = looked_into(node, document.engine.result(node_id))
        if isinstance(shown, str):
            return f"Inside {node.label} ({node.type_name})", None, f"It {shown}"
        title, copy = shown
        theme = diagram.DARK if style.current().dark else diagram.LIGHT
        return f"Inside {title}: this use's sizes", diagram.diagram_svg(copy.graph, theme), ""

    def _after_change(self, change) -> None:
        if not self.peeks or all(isinstance(e, (NodeMoved, ProjectRenamed)) for e in change.events):
            for peek in self.peeks.values():
                peek.place(self._scene.vertical)
            return
        for node_id in list(self.peeks):
            if self.open(node_id) is None:
                self.close(node_id)

    def _after_reset(self) -> None:
        self.peeks.clear()  # the scene dropped every card, and the peeks with them

    def restyle(self) -> None:
        """Redraw the peeks in the current light or dark scheme."""
        for node_id in list(self.peeks):
            self.open(node_id)
