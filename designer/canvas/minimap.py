"""A small map of the whole design in a corner of the canvas, shown while the design is larger than the view.

It never covers a card: it takes the first corner (bottom right, bottom left, top right, top left)
where no card lies under it, and stays hidden while every corner has one.

It paints the scene's batched overview (a few drawing calls, whatever the size of the design) and the
rectangle the view shows; clicking or dragging on it moves the view there. Scene changes reach it
through a short timer, so a drag on the canvas never waits for the map.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QWidget

from designer.canvas import style
from designer.canvas.node_item import NodeItem

MAP_SIZE = QSize(220, 140)
MARGIN = 12  # from the canvas's bottom-right corner
PADDING = 8  # inside the map, around the design
REFRESH_MS = 150


class Minimap(QWidget):
    """Overlay on ``view`` (over its viewport); ``wanted`` is the user's View ▸ Minimap choice."""

    def __init__(self, view) -> None:
        # A child of the view, not of its viewport: scrolling the viewport would carry the map along.
        super().__init__(view)
        self.view = view
        self.wanted = True
        self.setFixedSize(MAP_SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("The whole design: click or drag to move the view")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        # A bound method, not QTimer.start (which would take a scroll value as its interval) nor a lambda
        # (which would outlive the map when the scene outlives the view).
        view.graph_scene.changed.connect(self._schedule_refresh)
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
            bar.valueChanged.connect(self._schedule_refresh)
        self.hide()

    def _schedule_refresh(self, *_args) -> None:
        self._timer.start()

    def set_wanted(self, wanted: bool) -> None:
        self.wanted = wanted
        self.refresh()

    def place(self) -> None:
        """Find a corner again (after the view is resized)."""
        self.raise_()
        self._timer.start()

    def _corners(self) -> list[QPoint]:
        area = self.view.viewport().geometry()
        left, top = area.left() + MARGIN, area.top() + MARGIN
        right, bottom = area.right() - self.width() - MARGIN, area.bottom() - self.height() - MARGIN
        return [QPoint(right, bottom), QPoint(left, bottom), QPoint(right, top), QPoint(left, top)]

    def _covers_a_card(self, corner: QPoint) -> bool:
        viewport = self.view.viewport()
        on_viewport = viewport.mapFrom(self.view, corner)
        rect = QRect(on_viewport, self.size()).adjusted(-4, -4, 4, 4)
        area = self.view.mapToScene(rect).boundingRect()
        return any(isinstance(item, NodeItem) for item in self.view.graph_scene.items(area))

    def refresh(self) -> None:
        """Show the map only while part of the design lies outside the view, in a corner with no card."""
        bounds = self.view.graph_scene.overview().bounds
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        wanted = self.wanted and not bounds.isNull() and not visible.contains(bounds)
        corner = next((c for c in self._corners() if not self._covers_a_card(c)), None) if wanted else None
        if corner is not None:
            self.move(corner)
            self.raise_()
        self.setVisible(corner is not None)
        self.update()

    def _to_map(self) -> QTransform:
        """Scene → map coordinates: the design fitted inside the map, centred."""
        bounds = self.view.graph_scene.overview().bounds
        room = QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)
        scale = min(room.width() / max(bounds.width(), 1.0), room.height() / max(bounds.height(), 1.0))
        transform = QTransform()
        transform.translate(room.center().x(), room.center().y())
        transform.scale(scale, scale)
        transform.translate(-bounds.center().x(), -bounds.center().y())
        return transform

    # ----- Qt overrides -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        s = style.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(s.node_border_pen)
        painter.setBrush(s.background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setTransform(self._to_map())
        self.view.graph_scene.overview().paint(painter, s)
        frame = QPen(s.selection, 1.5)
        frame.setCosmetic(True)
        painter.setPen(frame)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.view.mapToScene(self.view.viewport().rect()).boundingRect())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go_to(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go_to(event.position())

    def _go_to(self, map_pos: QPointF) -> None:
        inverse, invertible = self._to_map().inverted()
        if invertible:
            self.view.look_at(inverse.map(map_pos))
