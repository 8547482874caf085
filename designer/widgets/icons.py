"""Toolbar and app icons from the SVGs in ``designer.resources/icons``, tinted for the current scheme.

The line icons draw with ``currentColor``; each is rendered at several pixel sizes, so it stays crisp
at 100–200% scaling in either colour scheme.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

# Physical pixel sizes: QIcon picks the closest to (logical size × device pixel ratio).
SIZES = (16, 20, 24, 32, 40, 48, 64, 96)


def _svg(name: str) -> str:
    return (resources.files("designer.resources") / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str, pixels: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    return QPixmap.fromImage(image)


@cache
def icon(name: str, color: str = "#3a414b") -> QIcon:
    """The named line icon drawn in ``color`` (a CSS colour: the palette's button text)."""
    svg = _svg(name).replace("currentColor", QColor(color).name())
    result = QIcon()
    for size in SIZES:
        result.addPixmap(_render(svg, size))
    return result


@cache
def app_icon() -> QIcon:
    svg = _svg("app")
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(_render(svg, size))
    return result
