"""How a size label looks: a pill with the size in the label font, on the canvas and in exported images.

One painter for the edge labels, the output sizes of nodes that feed nothing, and the labels the view
draws in screen space when zoomed out.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter

from designer.canvas import style


def paint_size_label(painter: QPainter, s: style.Style, rect: QRectF, text: str, selected: bool = False) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(s.edge_selected_pen if selected else s.label_pen)
    painter.setBrush(s.label_fill)
    radius = rect.height() / 2
    painter.drawRoundedRect(rect, radius, radius)
    painter.setFont(s.label_font)
    painter.setPen(s.label_text)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
