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


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="draw the design as an SVG, PNG or PDF diagram with every edge size",
        description="Draw the design as laid out (a design without positions is laid out first), with the "
        "size of every edge as text: SVG and PDF keep it as real text (searchable, copyable); PNG is drawn at "
        "300 dpi. The format follows OUT's extension. Exit 0 when written, 2 when the file cannot be "
        "read or OUT cannot be written.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.svg, OUT.png or OUT.pdf")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="colours (default: light)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from designer.canvas.diagram import diagram_svg
    from designer.canvas.diagram_image import FORMATS, save_diagram

    if Path(args.output).suffix.lower() not in FORMATS:
        return fail(f"cannot tell the format of {args.output}: end it with .svg, .png or .pdf")
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # PNG and PDF are drawn by Qt: no display needed
    problem = save_diagram(diagram_svg(graph, args.theme), args.output)
    return fail(problem) if problem else EXIT_OK
