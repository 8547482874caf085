"""Help ▸ Shapes and Parameters: the glossary (``designer.core.glossary``) with a small picture for each term.

The pictures are drawn here with QPainter in the current theme's colours: grids of cells for the input,
the window the kernel covers, the border padding adds, the gaps of dilation, and so on.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from designer.canvas import style
from designer.core.glossary import DIMENSIONS, PARAMETERS, Term
from designer.core.shapes import sentence

PICTURE_SIZE = (168, 108)
_CELL = 14


class _Painter:
    """Small drawing vocabulary shared by the pictures."""

    def __init__(self, image: QImage) -> None:
        self.p = QPainter(image)
        self.p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = style.current()
        self.line = QColor("#8a929d") if not s.dark else QColor("#7f8792")
        self.cell = QColor("#ffffff") if not s.dark else QColor("#2a2c31")
        self.pad = QColor("#dfe3e8") if not s.dark else QColor("#3a3d44")
        self.accent = QColor(s.selection)
        self.text = QColor("#1d2127") if not s.dark else QColor("#e4e6ea")

    def grid(self, x: float, y: float, rows: int, cols: int, fill=None, cells=(), cell: float = _CELL) -> None:
        for r in range(rows):
            for c in range(cols):
                rect = QRectF(x + c * cell, y + r * cell, cell, cell)
                colour = self.accent.lighter(150) if (r, c) in cells else (fill or self.cell)
                self.p.fillRect(rect, colour)
                self.p.setPen(QPen(self.line, 1))
                self.p.drawRect(rect)

    def window(self, x: float, y: float, rows: int, cols: int, cell: float = _CELL, dashed: bool = False) -> None:
        pen = QPen(self.accent, 2.5, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        self.p.setPen(pen)
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        self.p.drawRect(QRectF(x, y, cols * cell, rows * cell))

    def arrow(self, a: QPointF, b: QPointF, label: str = "", label_at: QPointF | None = None) -> None:
        """An arrow from ``a`` to ``b``; ``label`` beside its middle (above a level one, left of a steep one)."""
        self.p.setPen(QPen(self.text, 1.5))
        self.p.drawLine(a, b)
        direction = b - a
        length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1)
        ux, uy = direction.x() / length, direction.y() / length
        for side in (1, -1):
            self.p.drawLine(b, QPointF(b.x() - 6 * ux + side * 4 * uy, b.y() - 6 * uy - side * 4 * ux))
        if label:
            mid = (a + b) / 2
            default = mid + (QPointF(-4, -6) if abs(ux) >= abs(uy) else QPointF(-16, 5))
            self.label(label_at or default, label)

    def label(self, at: QPointF, text: str) -> None:
        self.p.setPen(self.text)
        font = self.p.font()
        font.setPixelSize(12)
        font.setBold(True)
        self.p.setFont(font)
        self.p.drawText(at, text)

    def stack(self, x: float, y: float, count: int, rows: int = 4, cols: int = 4, step: float = 7) -> None:
        for i in reversed(range(count)):
            self.grid(x + i * step, y - i * step, rows, cols, cell=10)

    def end(self) -> None:
        self.p.end()


def _draw(name: str, d: _Painter) -> None:
    if name == "dim_N":
        for i in range(3):
            d.stack(8 + i * 52, 52, 2, 3, 3)
        d.arrow(QPointF(8, 100), QPointF(150, 100), "N")
    elif name == "dim_C" or name == "dims":
        d.stack(40, 50, 4)
        d.arrow(QPointF(32, 96), QPointF(56, 72), "C", QPointF(26, 80))
        if name == "dims":
            d.label(QPointF(60, 30), "W")
            d.label(QPointF(124, 62), "H")
            d.label(QPointF(8, 16), "N×C×H×W")
    elif name in ("dim_H", "dim_W"):
        d.grid(48, 26, 5, 6)
        if name == "dim_H":
            d.arrow(QPointF(36, 26), QPointF(36, 96), "H")
        else:
            d.arrow(QPointF(48, 18), QPointF(132, 18), "W")
    elif name == "dim_L":
        d.grid(12, 48, 1, 10)
        d.arrow(QPointF(12, 76), QPointF(152, 76), "L")
    elif name == "dim_D":
        d.stack(48, 64, 5, 4, 5, 8)
        d.arrow(QPointF(34, 100), QPointF(70, 64), "D", QPointF(30, 82))
    elif name == "kernel":
        d.grid(20, 8, 6, 6, cells={(r, c) for r in range(1, 4) for c in range(1, 4)})
        d.window(20 + _CELL, 8 + _CELL, 3, 3)
        d.label(QPointF(112, 40), "3×3")
    elif name == "stride":
        d.grid(20, 8, 6, 7)
        d.window(20, 8, 3, 3)
        d.window(20 + 2 * _CELL, 8, 3, 3, dashed=True)
        d.arrow(QPointF(40, 104), QPointF(68, 104), "2")
    elif name == "padding":
        d.grid(20, 8, 7, 7, fill=d.pad)
        d.grid(20 + _CELL, 8 + _CELL, 5, 5)
        d.window(20, 8, 3, 3)
        d.label(QPointF(124, 40), "p=1")
    elif name == "dilation":
        taps = {(r, c) for r in (1, 3, 5) for c in (1, 3, 5)}
        d.grid(20, 8, 7, 7, cells=taps)
        d.window(20 + _CELL, 8 + _CELL, 5, 5, dashed=True)
        d.label(QPointF(124, 40), "d=2")
    elif name == "output_padding":
        d.grid(20, 8, 6, 6)
        d.grid(20 + 6 * _CELL, 8, 6, 1, fill=d.accent.lighter(170))
        d.grid(20, 8 + 6 * _CELL, 1, 7, fill=d.accent.lighter(170))
        d.label(QPointF(130, 40), "+1")
    elif name == "groups":
        for i, colour in enumerate((d.accent.lighter(150), QColor("#f0b429"))):
            for j in range(2):
                rect = QRectF(16, 10 + (2 * i + j) * 24, 40, 18)
                d.p.fillRect(rect, colour)
                out = QRectF(112, 10 + (2 * i + j) * 24, 40, 18)
                d.p.fillRect(out, colour)
                for k in range(2):
                    d.p.setPen(QPen(d.line, 1))
                    d.p.drawLine(rect.center() + QPointF(20, 0), QPointF(112, 19 + (2 * i + k) * 24))
        d.label(QPointF(60, 108), "groups=2")


def picture(name: str) -> QImage:
    """The drawing for one glossary term, in the current theme (transparent background)."""
    image = QImage(*PICTURE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = _Painter(image)
    try:
        _draw(name, painter)
    finally:
        painter.end()
    return image


def glossary_html(terms: tuple[Term, ...]) -> str:
    rows = []
    for term in terms:
        formula = f"<br><code>{html.escape(term.formula)}</code>" if term.formula else ""
        example = f"<br><i>Example: {html.escape(term.example)}</i>" if term.example else ""
        rows.append(
            f"<tr><td valign='top' width='{PICTURE_SIZE[0] + 8}'><img src='glossary:{term.picture}'></td>"
            f"<td valign='top'><a name='{html.escape(term.name)}'></a><b>{html.escape(term.title)}</b><br>"
            f"{html.escape(sentence(term.meaning))}{formula}{example}</td></tr>"
        )
    return "<table cellspacing='6'>" + "".join(rows) + "</table>"


class GlossaryDialog(QDialog):
    """A window (not modal) reading like a page: dimensions first, then the window parameters."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shapes and Parameters")
        self.resize(720, 620)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self._add_pictures(self.browser.document())
        self.browser.setHtml(
            "<h2>Sizes</h2><p>Every edge shows the size of the tensor it carries, one number per dimension, "
            "and every dimension has a name:</p>"
            + glossary_html(DIMENSIONS)
            + "<h2>Window parameters</h2><p>Convolutions and pooling slide a window over H and W (or L, or D, H "
            "and W). These parameters decide the output size, by this formula for each spatial dimension:</p>"
            + glossary_html(PARAMETERS)
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    @staticmethod
    def _add_pictures(document: QTextDocument) -> None:
        for term in DIMENSIONS + PARAMETERS:
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"glossary:{term.picture}"), picture(term.picture))

    def show_term(self, name: str) -> None:
        self.browser.scrollToAnchor(name)
