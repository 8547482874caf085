"""One graphics item per edge: a curve from an output port to an input port, the size label at its middle.

The scene sets the end points when nodes move and the label when the engine reports the edge's shape
changed; both recompute the cached geometry once. The hit area (``shape``) is built on first use,
because most edges are never hovered or clicked.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from designer.canvas import geometry as geo
from designer.canvas import style
from designer.core.graph import Edge

_LABEL_PAD_X = 5.0
_LABEL_HEIGHT = 17.0
_HIT_WIDTH = 10.0
# The bounds reserve label room in steps of this many pixels, so a label that grows or shrinks a
# little (8×8 → 10×8 while typing) repaints without a geometry change of every edge downstream.
_LABEL_ROOM_STEP = 48.0


class EdgeItem(QGraphicsItem):
    """``edge`` ties it to the model; the label text is the engine's shape, formatted by the scene."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, edge: Edge, start: QPointF, end: QPointF, label: str | None) -> None:
        super().__init__()
        self.edge = edge
        self.label = label
        self._p0 = (start.x(), start.y())
        self._p1 = (end.x(), end.y())
        self._path: QPainterPath | None = None
        self._hit: QPainterPath | None = None
        self._label_rect: QRectF | None = QRectF()  # None: to be placed when next painted or hit-tested
        self._label_room = 0.0
        self._mid = (0.0, 0.0)
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self._rebuild()

    def type(self) -> int:
        return self.Type

    def set_endpoints(self, start: QPointF, end: QPointF) -> None:
        p0, p1 = (start.x(), start.y()), (end.x(), end.y())
        if p0 != self._p0 or p1 != self._p1:
            self.prepareGeometryChange()
            self._p0, self._p1 = p0, p1
            self._rebuild()

    def set_label(self, label: str | None) -> None:
        if label == self.label:
            return
        had_label = bool(self.label)
        self.label = label
        if bool(label) == had_label and self._room_for(self._label_size()) == self._label_room:
            # The label fits the room the bounds reserve: no geometry change, and the pill is placed
            # only when painted, so relabelling thousands of off-screen edges stays cheap.
            self._label_rect = self._hit = None
            self.update()
        else:
            self.prepareGeometryChange()
            self._rebuild()

    def endpoints(self) -> tuple[QPointF, QPointF]:
        return QPointF(*self._p0), QPointF(*self._p1)

    def label_rect(self) -> QRectF:
        return QRectF(self._placed_label())

    def path(self) -> QPainterPath:
        """The curve, built when first painted or hit-tested after a change: most edges are off screen."""
        if self._path is None:
            (x0, y0), (x1, y1) = self._p0, self._p1
            c0, c1 = geo.edge_controls(x0, y0, x1, y1)
            path = QPainterPath(QPointF(x0, y0))
            path.cubicTo(QPointF(*c0), QPointF(*c1), QPointF(x1, y1))
            self._path = path
        return self._path

    def _label_size(self) -> float:
        return style.current().label_width(self.label) if self.label else 0.0

    @staticmethod
    def _room_for(label_width: float) -> float:
        return -(-(label_width + 2 * _LABEL_PAD_X) // _LABEL_ROOM_STEP) * _LABEL_ROOM_STEP

    def _placed_label(self) -> QRectF:
        """The label's pill, centred on the curve's middle (cached until the label or the ends change)."""
        if self._label_rect is None:
            if self.label:
                width = self._label_size() + 2 * _LABEL_PAD_X
                mx, my = self._mid
                self._label_rect = QRectF(mx - width / 2, my - _LABEL_HEIGHT / 2, width, _LABEL_HEIGHT)
            else:
                self._label_rect = QRectF()
        return self._label_rect

    def _rebuild(self) -> None:
        (x0, y0), (x1, y1) = p0, p1 = self._p0, self._p1
        c0, c1 = geo.edge_controls(x0, y0, x1, y1)
        self._path = self._hit = None
        # The curve lies inside its control points' hull; no need to build it to know its bounds.
        xs, ys = (x0, c0[0], c1[0], x1), (y0, c0[1], c1[1], y1)
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        self._mid = geo.cubic_point(p0, c0, c1, p1, 0.5)
        self._label_rect = None
        self._label_room = self._room_for(self._label_size()) if self.label else 0.0
        if self.label:
            mx, my = self._mid
            half = self._label_room / 2
            left, top = min(left, mx - half), min(top, my - _LABEL_HEIGHT / 2)
            right, bottom = max(right, mx + half), max(bottom, my + _LABEL_HEIGHT / 2)
        self._bounds = QRectF(left - 3, top - 3, right - left + 6, bottom - top + 6)

    # ----- Qt overrides -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._hit is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(_HIT_WIDTH)
            self._hit = stroker.createStroke(self.path())
            if self.label:
                self._hit.addRect(self._placed_label())
        return self._hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = style.current()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pen = s.edge_selected_pen if selected else s.edge_pen if self.label else s.edge_dead_pen
        if lod < style.DETAIL_LOD:
            painter.setPen(pen)
            painter.drawLine(QLineF(*self._p0, *self._p1))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label and lod >= style.LABEL_LOD:
            painter.setPen(s.edge_selected_pen if selected else s.label_pen)
            painter.setBrush(s.label_fill)
            radius = _LABEL_HEIGHT / 2
            pill = self._placed_label()
            painter.drawRoundedRect(pill, radius, radius)
            painter.setFont(s.label_font)
            painter.setPen(s.label_text)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self.label)
