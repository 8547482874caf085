"""``model-designer render FILE -o OUT.svg|png|pdf [--theme light|dark]``: the design as a diagram.

SVG is written directly (``designer.canvas.diagram``, no Qt); PNG and PDF are that SVG drawn by Qt's
SVG renderer on the offscreen platform (no display needed), PNG at print resolution, PDF with the
sizes as real, searchable text.
"""

from __future__ import annotations

import os
from pathlib import Path

from designer.cli.common import EXIT_BAD_INPUT, EXIT_OK, fail, load_design

NAME = "render"
FORMATS = (".svg", ".png", ".pdf")
PRINT_DPI = 300


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="draw the design as an SVG, PNG or PDF diagram with every edge size",
        description="Draw the design as laid out (a design without positions is laid out first), with the "
        "size of every edge as text: SVG and PDF keep it as real text (searchable, copyable); PNG is drawn at "
        f"{PRINT_DPI} dpi. The format follows OUT's extension. Exit 0 when written, 2 when the file cannot be "
        "read or OUT cannot be written.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.svg, OUT.png or OUT.pdf")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="colours (default: light)")
    parser.set_defaults(run=run)


def run(args) -> int:
    suffix = Path(args.output).suffix.lower()
    if suffix not in FORMATS:
        return fail(f"cannot tell the format of {args.output}: end it with .svg, .png or .pdf")
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    from designer.canvas.diagram import diagram_svg

    svg = diagram_svg(graph, args.theme)
    try:
        if suffix == ".svg":
            Path(args.output).write_text(svg, encoding="utf-8")
        else:
            problem = draw(svg, args.output, suffix)
            if problem:
                return fail(problem)
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return EXIT_OK


def draw(svg: str, out: str, suffix: str) -> str | None:
    """Draw ``svg`` into a PNG or PDF file; returns a sentence when that fails."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSizeF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["model-designer"])  # noqa: F841 (fonts need it)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        return "the diagram could not be drawn"
    size = renderer.defaultSize()
    if suffix == ".png":
        scale = PRINT_DPI / 96
        image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        image.setDotsPerMeterX(round(PRINT_DPI / 0.0254))
        image.setDotsPerMeterY(round(PRINT_DPI / 0.0254))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
        painter.end()
        return None if image.save(out, "PNG") else f"cannot write {out}"
    writer = QPdfWriter(out)
    writer.setResolution(96)
    page = QPageSize(QSizeF(size.width() * 0.75, size.height() * 0.75), QPageSize.Unit.Point, "diagram")
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter(writer)
    if not painter.isActive():
        return f"cannot write {out}"
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return None
