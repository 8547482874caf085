"""One custom-painted graphics item per layer: card, name, type, summary line, ports, error badge.

The item holds only what it paints (strings and a status prepared by the scene from the model and the
engine); it never reads the model itself. Geometry comes from ``geometry``, colours and fonts from
``style``. ``boundingRect`` is cached and changes only through ``set_ports``, ``set_vertical`` and
``set_output_labels`` (after ``prepareGeometryChange``); ``paint`` changes nothing. An output that feeds
nothing (an Output's, a dead end's, an LSTM's unused h_n) shows its size just after its port, as an
edge would.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from designer.canvas import geometry as geo
from designer.canvas import style
from designer.canvas.size_label import paint_size_label

_ACCENT = 4.0  # height of the category bar on top of the card
_paths: dict[tuple[float, float], tuple[QPainterPath, QPainterPath]] = {}


_BADGE_CENTRE = QPointF(geo.NODE_WIDTH - 3, 3)


def _card_paths(width: float, height: float) -> tuple[QPainterPath, QPainterPath]:
    """(whole card, category bar along its rounded top) for a node of this size; shared by equal sizes."""
    paths = _paths.get((width, height))
    if paths is None:
        r = geo.CORNER_RADIUS
        card = QPainterPath()
        card.addRoundedRect(QRectF(0, 0, width, height), r, r)
        top = QPainterPath()
        top.addRect(QRectF(0, 0, width, _ACCENT))
        paths = _paths[(width, height)] = (card, card.intersected(top))
    return paths


class NodeItem(QGraphicsItem):
    """A layer on the canvas. ``node_id`` ties it to the model; everything else is display state."""

    Type = QGraphicsItem.UserType + 1

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.category = "Graph"
        self.status = "ok"  # "ok", "error" or "blocked", from the engine's result
        self.has_warnings = False
        self.input_count = 0
        self.output_count = 1
        self.vertical = False  # data flows top to bottom (inputs on top) instead of left to right
        self.flipped = False  # against the flow (a band running back): inputs below, or on the right
        self.output_labels: dict[int, str] = {}  # output port -> its size, shown when no edge shows it
        self._label_rects: dict[int, QRectF] = {}
        self.connected: frozenset[int] = frozenset()
        self.port_marks: dict[int, bool] | None = None  # while an edge is dragged: port -> accepts it
        self._name = self._type = self._summary = ""
        self._rect = QRectF(0, 0, *geo.node_size(0))
        self._bounds = self._rect.adjusted(-geo.OVERHANG, -geo.OVERHANG, geo.OVERHANG, geo.OVERHANG)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1)

    def type(self) -> int:
        return self.Type

    # ----- state set by the scene ---------------------------------------------------------------
    def set_texts(self, name: str, type_name: str, summary: str, category: str) -> None:
        s = style.current()
        room = geo.NODE_WIDTH - geo.TEXT_LEFT - geo.TEXT_RIGHT
        self._name = s.fitted("title", name, room)
        self._type = s.fitted("type", type_name, room)
        self._summary = s.fitted("summary", summary, room)
        self.category = category
        self.update()

    def set_ports(self, input_count: int, connected: frozenset[int], output_count: int = 1) -> bool:
        """Show ``input_count`` input ports and ``output_count`` output ports; returns True when the node's
        size or ports (so port positions) changed."""
        resized = (input_count, output_count) != (self.input_count, self.output_count)
        if resized:
            self.input_count, self.output_count = input_count, output_count
            self._reshape()
        if resized or connected != self.connected:
            self.connected = connected
            self.update()
        return resized

    def set_vertical(self, vertical: bool) -> bool:
        """Put the ports for data flowing down (True) or right; returns True when that changed them."""
        if vertical == self.vertical:
            return False
        self.vertical = vertical
        self._reshape()
        return True

    def set_flipped(self, flipped: bool) -> bool:
        """Turn the ports round for a card against the flow; returns True when that changed them."""
        if flipped == self.flipped:
            return False
        self.flipped = flipped
        self._reshape()
        return True

    def set_output_labels(self, labels: dict[int, str]) -> None:
        if labels != self.output_labels:
            self.output_labels = dict(labels)
            self._reshape()

    def _reshape(self) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(0, 0, *geo.node_size(self.input_count, self.vertical, self.output_count))
        self._bounds = self._rect.adjusted(-geo.OVERHANG, -geo.OVERHANG, geo.OVERHANG, geo.OVERHANG)
        self._label_rects = {}
        for port, text in self.output_labels.items():
            at = geo.output_port_pos(self.input_count, self.vertical, port, self.output_count, self.flipped)
            align = geo.label_align(port, self.output_count, self.vertical)
            width = style.current().label_width(text)
            rect = QRectF(*geo.size_label_rect(at, width, self.vertical, 0.0, align, self.flipped))
            self._label_rects[port] = rect
            self._bounds = self._bounds.united(rect.adjusted(-2, -2, 2, 2))
        self.update()

    def output_label_rects(self) -> list[tuple[QRectF, str]]:
        """(where, text) of every output size shown on the node (local coordinates)."""
        return [(QRectF(self._label_rects[port]), text) for port, text in self.output_labels.items()]

    def set_status(self, status: str, has_warnings: bool) -> None:
        if (status, has_warnings) != (self.status, self.has_warnings):
            self.status, self.has_warnings = status, has_warnings
            self.update()

    def set_port_marks(self, marks: dict[int, bool] | None) -> None:
        if marks != self.port_marks:
            self.port_marks = marks
            self.update()

    # ----- geometry -----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect.adjusted(-geo.PORT_RADIUS, 0, geo.PORT_RADIUS, 0))
        return path

    def card_rect(self) -> QRectF:
        return self._rect

    def title_rect(self) -> QRectF:
        """Where the name is drawn (local coordinates): the in-place rename editor goes here."""
        return QRectF(geo.TEXT_LEFT - 4, geo.TITLE_TOP, geo.NODE_WIDTH - geo.TEXT_LEFT - geo.TEXT_RIGHT + 8, geo.LINE_HEIGHT + 2)

    def input_port_pos(self, port: int) -> QPointF:
        """Scene position of input ``port``."""
        x, y = geo.input_port_pos(port, self.input_count, self.vertical, self.output_count, self.flipped)
        return self.pos() + QPointF(x, y)

    def output_port_pos(self, port: int = 0) -> QPointF:
        """Scene position of output ``port``."""
        x, y = geo.output_port_pos(self.input_count, self.vertical, port, self.output_count, self.flipped)
        return self.pos() + QPointF(x, y)

    def port_at(self, scene_pos: QPointF, radius: float) -> tuple[str, int] | None:
        """``("out", port)`` or ``("in", port)`` when ``scene_pos`` is within ``radius`` of a port, else None."""
        local = scene_pos - self.pos()
        for out in range(self.output_count):
            ox, oy = geo.output_port_pos(self.input_count, self.vertical, out, self.output_count, self.flipped)
            if (local.x() - ox) ** 2 + (local.y() - oy) ** 2 <= radius * radius:
                return ("out", out)
        port = geo.nearest_input_port((local.x(), local.y()), self.input_count, self.vertical, self.output_count)
        if port is not None:
            px, py = geo.input_port_pos(port, self.input_count, self.vertical, self.output_count, self.flipped)
            if abs(local.x() - px) <= radius and abs(local.y() - py) <= radius:
                return ("in", port)
        return None

    # ----- painting -----------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = style.current()
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if self.status == "blocked":
            painter.setOpacity(0.45)
        card, accent = _card_paths(self._rect.width(), self._rect.height())
        fill = s.error_brush if self.status == "error" else s.node_brush
        if lod < style.DETAIL_LOD:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPath(card)
            painter.setBrush(s.category(self.category))
            painter.drawPath(accent)
            if selected or self.status == "error":
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(s.selection_pen if selected else s.error_pen)
                painter.drawPath(card)
            if lod >= style.OVERVIEW_LOD:
                self._paint_overview_name(painter, s)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.shadow)
        painter.drawPath(card.translated(0, 2))
        painter.setBrush(fill)
        painter.drawPath(card)
        painter.setBrush(s.category(self.category))
        painter.drawPath(accent)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(s.selection_pen if selected else s.error_pen if self.status == "error" else s.node_border_pen)
        painter.drawPath(card)
        self._paint_texts(painter, s)
        self._paint_ports(painter, s)
        if self.status == "error" or self.has_warnings:
            self._paint_badge(painter, s)
        if self.output_labels and style.labels_legible(lod):
            painter.setOpacity(1.0)
            for port, text in self.output_labels.items():
                paint_size_label(painter, s, self._label_rects[port], text, selected)

    def _paint_overview_name(self, painter: QPainter, s: style.Style) -> None:
        """The name alone, large, centred: what stays legible when a whole design is fitted in view."""
        width = self._rect.width() - 2 * geo.TEXT_LEFT
        painter.setFont(s.overview_font)
        painter.setPen(s.title_text)
        text_rect = self._rect.adjusted(geo.TEXT_LEFT, 0, -geo.TEXT_LEFT, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, s.fitted("overview", self._name, width))

    def _paint_texts(self, painter: QPainter, s: style.Style) -> None:
        x = geo.TEXT_LEFT
        top = geo.TITLE_TOP + max(0.0, (self._rect.height() - geo.NODE_HEIGHT) / 2)
        painter.setFont(s.title_font)
        painter.setPen(s.title_text)
        painter.drawText(QPointF(x, top + s.title_metrics.ascent()), self._name)
        painter.setFont(s.type_font)
        painter.setPen(s.category(self.category) if not s.dark else s.type_text)
        painter.drawText(QPointF(x, top + geo.LINE_HEIGHT + s.type_metrics.ascent()), self._type)
        if self._summary:
            painter.setFont(s.summary_font)
            painter.setPen(s.summary_text)
            painter.drawText(QPointF(x, top + 2 * geo.LINE_HEIGHT + s.summary_metrics.ascent()), self._summary)

    def _paint_ports(self, painter: QPainter, s: style.Style) -> None:
        r = geo.PORT_RADIUS
        numbered = self.input_count > 1
        if numbered:
            painter.setFont(s.port_font)
        for port in range(self.input_count):
            x, y = geo.input_port_pos(port, self.input_count, self.vertical, self.output_count, self.flipped)
            mark = None if self.port_marks is None else self.port_marks.get(port)
            if mark is True:
                painter.setPen(s.port_pen)
                painter.setBrush(s.port_valid)
                painter.drawEllipse(QPointF(x, y), r + 2, r + 2)
            else:
                painter.setPen(s.port_pen)
                painter.setBrush(s.edge if port in self.connected else s.port_fill)
                if mark is False:
                    painter.setOpacity(painter.opacity() * 0.35)
                painter.drawEllipse(QPointF(x, y), r, r)
                if mark is False:
                    painter.setOpacity(painter.opacity() / 0.35)
            if numbered:
                painter.setPen(s.type_text)
                if self.vertical:
                    number = QRectF(x + r, y + r if self.flipped else y - r - 12, 9, 12)
                else:
                    number = QRectF(x - r - 10 if self.flipped else x + r + 1, y - 6, 9, 12)
                painter.drawText(number, Qt.AlignmentFlag.AlignCenter, str(port))
        several = self.output_count > 1
        for port in range(self.output_count):
            x, y = geo.output_port_pos(self.input_count, self.vertical, port, self.output_count, self.flipped)
            painter.setPen(s.port_pen)
            painter.setBrush(s.edge if self.status == "ok" else s.port_fill)
            painter.drawEllipse(QPointF(x, y), r, r)
            if several:  # numbered like the inputs: output 0 is the first of torch's results
                painter.setFont(s.port_font)
                painter.setPen(s.type_text)
                w = self._rect.width()
                if self.vertical:
                    number = QRectF(x + r, y + r if self.flipped else y - r - 12, 9, 12)
                else:
                    number = QRectF(x + r if self.flipped else w - r - 10, y - 6, 9, 12)
                painter.drawText(number, Qt.AlignmentFlag.AlignCenter, str(port))

    def badge_at(self, scene_pos: QPointF) -> bool:
        """Whether ``scene_pos`` is on the error badge (a little larger than drawn, to be easy to hit)."""
        if self.status != "error":
            return False
        offset = self.mapFromScene(scene_pos) - _BADGE_CENTRE
        return offset.x() ** 2 + offset.y() ** 2 <= (geo.BADGE_RADIUS + 3) ** 2

    def _paint_badge(self, painter: QPainter, s: style.Style) -> None:
        r = geo.BADGE_RADIUS
        centre = _BADGE_CENTRE
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.error if self.status == "error" else s.warning)
        painter.drawEllipse(centre, r, r)
        painter.setPen(s.badge_text)
        painter.setFont(s.badge_font)
        painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, "!")
