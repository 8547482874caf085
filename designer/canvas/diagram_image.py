"""Writing a diagram (the SVG text of ``diagram``) to a file: SVG as it is, PNG at print resolution and PDF
through Qt's SVG renderer, so PDF keeps the sizes as real text. Used by ``render`` and File ▸ Export Image….
"""

from __future__ import annotations

from pathlib import Path

FORMATS = (".svg", ".png", ".pdf")
PRINT_DPI = 300
SCREEN_DPI = 96  # the diagram's units: one per pixel at 100 %


def save_diagram(svg: str, path: str) -> str | None:
    """Write ``svg`` to ``path`` in the format its extension names; a sentence when that fails."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        return f"cannot tell the format of {path}: end it with .svg, .png or .pdf"
    if suffix == ".svg":
        try:
            Path(path).write_text(svg, encoding="utf-8")
        except OSError as exc:
            return f"cannot write {path}: {exc.strerror or exc}"
        return None
    from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:  # the CLI: fonts need an application
        _keep.append(QGuiApplication(["model-designer"]))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        return "the diagram could not be drawn"
    size = renderer.defaultSize()
    if not Path(path).parent.is_dir():
        return f"cannot write {path}: no such folder"
    if suffix == ".png":
        scale = PRINT_DPI / SCREEN_DPI
        image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        image.setDotsPerMeterX(round(PRINT_DPI / 0.0254))
        image.setDotsPerMeterY(round(PRINT_DPI / 0.0254))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
        painter.end()
        return None if image.save(path, "PNG") else f"cannot write {path}"
    writer = QPdfWriter(path)
    writer.setResolution(SCREEN_DPI)
    points = QSizeF(size.width() * 72 / SCREEN_DPI, size.height() * 72 / SCREEN_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(points, QPageSize.Unit.Point, "diagram"), QPageLayout.Orientation.Portrait, QMarginsF()))
    painter = QPainter(writer)
    if not painter.isActive():
        return f"cannot write {path}"
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return None


_keep: list = []  # the CLI's application lives as long as the process
