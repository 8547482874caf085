"""One graphics item per edge: a curve (or a detour around cards) from an output port to an input port,
and the size label just after the output port.

The scene sets the route (``layout.edge_route``: the end points and any bends) when nodes move, and
the label when the engine reports the edge's shape changed; both recompute the cached geometry once.
Of the edges leaving one output, only one shows the size (``show_label``): they all carry the same
tensor, and their labels would sit on top of each other. The hit area (``shape``) is a wide stroke,
built on first use, because most edges are never hovered or clicked.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from designer.canvas import geometry as geo
from designer.canvas import style
from designer.canvas.size_label import paint_size_label
from designer.core.graph import Edge

HIT_WIDTH = 14.0  # scene units; the view widens it further when zoomed out
_CORNER = 12.0  # radius of the rounded bends of a detour

Point = tuple[float, float]


def route_path(points: list[Point], vertical: bool, flow: int = 1) -> QPainterPath:
    """The drawn path through ``points``: a cubic for a direct edge (``flow`` -1: between two cards
    against the flow), rounded corners for a detour."""
    (x0, y0), (x1, y1) = points[0], points[-1]
    path = QPainterPath(QPointF(x0, y0))
    if len(points) == 2:
        c0, c1 = geo.edge_controls(x0, y0, x1, y1, vertical, flow)
        path.cubicTo(QPointF(*c0), QPointF(*c1), QPointF(x1, y1))
        return path
    for previous, corner, following in zip(points, points[1:], points[2:]):
        before = _towards(corner, previous, _CORNER)
        after = _towards(corner, following, _CORNER)
        path.lineTo(QPointF(*before))
        path.quadTo(QPointF(*corner), QPointF(*after))
    path.lineTo(QPointF(x1, y1))
    return path


def _towards(corner: Point, other: Point, distance: float) -> Point:
    dx, dy = other[0] - corner[0], other[1] - corner[1]
    length = (dx * dx + dy * dy) ** 0.5
    if length < 1e-9:
        return corner
    step = min(distance, length / 2) / length
    return corner[0] + dx * step, corner[1] + dy * step


class EdgeItem(QGraphicsItem):
    """``edge`` ties it to the model; the label text is the engine's shape, formatted by the scene."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, edge: Edge, start: QPointF, end: QPointF, label: str | None, vertical: bool = False) -> None:
        super().__init__()
        self.edge = edge
        self.label = label
        self.show_label = True
        self.vertical = vertical
        self.label_align = 0  # which way the label leans from its port (``geometry.label_align``)
        self.flow = 1  # -1: the output faces against the flow (its card is ``flipped``)
        self._points: list[Point] = [(start.x(), start.y()), (end.x(), end.y())]
        self._path: QPainterPath | None = None
        self._hit: QPainterPath | None = None
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self._rebuild()

    def type(self) -> int:
        return self.Type

    def set_route(self, points: list[Point], vertical: bool, flow: int | None = None) -> None:
        """Pass through ``points`` (output port first, input port last); ``flow`` -1 when the output
        faces against the flow (None: as before)."""
        points = [(float(x), float(y)) for x, y in points]
        flow = self.flow if flow is None else flow
        if points != self._points or vertical != self.vertical or flow != self.flow:
            self.prepareGeometryChange()
            self._points, self.vertical, self.flow = points, vertical, flow
            self._rebuild()

    def set_label_align(self, align: int) -> None:
        if align != self.label_align:
            self.prepareGeometryChange()
            self.label_align = align
            self._rebuild()

    def set_endpoints(self, start: QPointF, end: QPointF) -> None:
        self.set_route([(start.x(), start.y()), (end.x(), end.y())], self.vertical)

    def set_label(self, label: str | None, show: bool | None = None) -> None:
        show = self.show_label if show is None else show
        if label == self.label and show == self.show_label:
            return
        if label and show and self.shown_label():
            s = style.current()
            width = s.label_width(label)
            if width == s.label_width(self.label):  # the same pill: only its text changes
                self.label = label
                self.update()
                return
            rect = QRectF(*geo.size_label_rect(self._points[0], width, self.vertical, self._straight_room(), self.label_align, self.flow < 0))
            if self._bounds.contains(rect):
                # Relabelling thousands of edges (an edit at the top of a long design) without a
                # geometry change of each: the new pill fits the bounds the old one reserved.
                self.label, self._label_rect, self._hit = label, rect, None
                self.update()
                return
        self.prepareGeometryChange()
        self.label, self.show_label = label, show
        self._rebuild()

    def endpoints(self) -> tuple[QPointF, QPointF]:
        return QPointF(*self._points[0]), QPointF(*self._points[-1])

    def route(self) -> list[Point]:
        return list(self._points)

    def shown_label(self) -> str | None:
        return self.label if self.show_label else None

    def label_rect(self) -> QRectF:
        """The size label's pill in scene coordinates (empty when this edge shows no label)."""
        return QRectF(self._label_rect)

    def label_anchor(self) -> QPointF:
        """Where a label drawn in screen space goes: the middle of this edge's pill."""
        return self._label_rect.center() if not self._label_rect.isEmpty() else QPointF(*self._points[0])

    def _straight_room(self) -> float:
        """How far the edge runs straight along the flow from its output (where its label may sit)."""
        (x0, y0), (x1, y1) = self._points[0], self._points[1]
        if self.vertical:
            return (y1 - y0) * self.flow if abs(x1 - x0) < 1 else 0.0
        return (x1 - x0) * self.flow if abs(y1 - y0) < 1 else 0.0

    def path(self) -> QPainterPath:
        """The curve, built when first painted or hit-tested after a change: most edges are off screen."""
        if self._path is None:
            self._path = route_path(self._points, self.vertical, self.flow)
        return self._path

    def _rebuild(self) -> None:
        self._path = self._hit = None
        xs = [p[0] for p in self._points]
        ys = [p[1] for p in self._points]
        if len(self._points) == 2:  # the curve lies inside its control points' hull
            (x0, y0), (x1, y1) = self._points
            c0, c1 = geo.edge_controls(x0, y0, x1, y1, self.vertical, self.flow)
            xs += [c0[0], c1[0]]
            ys += [c0[1], c1[1]]
        bounds = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        text = self.shown_label()
        if text:
            width = style.current().label_width(text)
            room = self._straight_room()
            self._label_rect = QRectF(*geo.size_label_rect(self._points[0], width, self.vertical, room, self.label_align, self.flow < 0))
            bounds = bounds.united(self._label_rect)
            # A label too wide for the gap between two cards (left to right) is drawn over them, whole.
            self.setZValue(2 if not self.vertical and self._label_rect.width() >= room else 0)
        else:
            self._label_rect = QRectF()
        pad = HIT_WIDTH / 2 + 2
        self._bounds = bounds.adjusted(-pad, -pad, pad, pad)

    # ----- Qt overrides -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._hit is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(HIT_WIDTH)
            self._hit = stroker.createStroke(self.path())
            if not self._label_rect.isEmpty():
                self._hit.addRect(self._label_rect)
        return self._hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = style.current()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pen = s.edge_selected_pen if selected else s.edge_pen if self.label else s.edge_dead_pen
        if lod < style.DETAIL_LOD:
            painter.setPen(pen)
            if len(self._points) == 2:
                painter.drawLine(QLineF(*self._points[0], *self._points[1]))
            else:
                painter.drawPolyline([QPointF(*p) for p in self._points])
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        text = self.shown_label()
        if text and style.labels_legible(lod):
            paint_size_label(painter, s, self._label_rect, text, selected)
