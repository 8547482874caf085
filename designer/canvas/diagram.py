"""A design as an SVG diagram (no Qt): cards, edges routed as on the canvas, and every size as real text.

``diagram_svg(graph, theme)`` is what ``model-designer render`` and File ▸ Export Image… write (PNG and
PDF are this SVG drawn by Qt). Cards stand where the design has them (a design without positions is
laid out first, ``layout.layered_layout``); ports, routes and label places come from the same
``geometry`` and ``layout.edge_route`` the canvas uses, so the picture is the canvas, minus the grid.
Text is measured roughly (no font metrics without Qt), so pills are sized with room to spare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from designer.canvas import geometry as geo
from designer.canvas import palette
from designer.core import layout
from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from designer.core.layout_lens import CHANNELS_FIRST, format_for_display, format_named_for_display

LIGHT, DARK = "light", "dark"
THEMES = (LIGHT, DARK)
MARGIN = 24
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
_LABEL_CHAR = 11.0  # average advance of a bold 18 px digit (geometry.LABEL_PX), a little generous


@dataclass(frozen=True)
class _Colours:
    background: str
    card: str
    border: str
    title: str
    subtitle: str
    edge: str
    label_fill: str
    label_border: str
    label_text: str
    error: str
    categories: dict


_THEMES = {
    LIGHT: _Colours("#ffffff", "#ffffff", "#c5cbd3", "#1d2127", "#37404b", "#8c96a3", "#ffffff", "#c9cfd6", "#111418", "#e03131", palette.CATEGORY_LIGHT),
    DARK: _Colours("#1c1d21", "#2a2c31", "#41444b", "#eceef1", "#c9ced5", "#7c8591", "#25272b", "#4d525a", "#f1f3f5", "#ff6b6b", palette.CATEGORY_DARK),
}


def label_width(text: str) -> float:
    return len(text) * _LABEL_CHAR


def diagram_svg(
    graph: Graph,
    theme: str = LIGHT,
    only: Iterable[str] | None = None,
    engine: ShapeEngine | None = None,
    vertical: bool | None = None,
) -> str:
    """The SVG text of ``graph`` (or of the nodes in ``only`` and the edges among them); data flows down
    when ``vertical`` (default: the way the design's positions run)."""
    colours = _THEMES[theme]
    own_engine = engine is None
    engine = engine or ShapeEngine(graph)
    try:
        return _svg(graph, colours, set(only) if only is not None else None, engine, vertical)
    finally:
        if own_engine:
            engine.close()


def _positions(graph: Graph, engine: ShapeEngine) -> tuple[dict[str, tuple[float, float]], bool]:
    missing = any(n.position is None for n in graph.nodes())
    placed = layout.layered_layout(graph, layout.TB, _card_size(graph, engine)).positions if missing else {}
    positions = {n.id: tuple(n.position) if n.position is not None else placed[n.id] for n in graph.nodes()}
    vertical = layout.flow_direction(positions, ((e.source, e.target) for e in graph.edges())) == layout.TB
    return positions, vertical


def _card_size(graph: Graph, engine: ShapeEngine):
    """Each card's size top to bottom (wider for several ports), as the layout needs it."""
    return lambda node_id: geo.node_size(geo.shown_inputs(graph, node_id), True, engine.output_ports(node_id))


def _svg(graph: Graph, c: _Colours, only: set[str] | None, engine: ShapeEngine, vertical: bool | None) -> str:
    positions, flows_down = _positions(graph, engine)
    vertical = flows_down if vertical is None else vertical
    shown = [n for n in graph.node_ids() if only is None or n in only]
    counts = {n: geo.shown_inputs(graph, n) for n in shown}
    outs = {n: engine.output_ports(n) for n in shown}
    rects = {}
    for n in shown:
        x, y = positions[n]
        w, h = geo.node_size(counts[n], vertical, outs[n])
        rects[n] = (x, y, x + w, y + h)
    edges = [e for e in graph.edges() if e.source in rects and e.target in rects]
    direction = layout.TB if vertical else layout.LR
    turned = layout.against_flow(positions, [(e.source, e.target) for e in graph.edges()], direction)
    body: list[str] = []
    extent = [r for r in rects.values()]  # what the picture must hold: cards, labels, routes
    labels: list[tuple[tuple[float, float, float, float], str, str]] = []
    labelled: dict[tuple[str, int], str | None] = {}  # (node, output port) -> the size its edges carry
    placed: set[tuple[str, int]] = set()
    index = layout.CardGrid(rects)
    for edge in sorted(edges):
        leave, enter = (-1 if edge.source in turned else 1), (-1 if edge.target in turned else 1)
        sx, sy = geo.output_port_pos(counts[edge.source], vertical, edge.source_port, outs[edge.source], leave < 0)
        tx, ty = geo.input_port_pos(edge.target_port, counts[edge.target], vertical, outs[edge.target], enter < 0)
        start = (rects[edge.source][0] + sx, rects[edge.source][1] + sy)
        end = (rects[edge.target][0] + tx, rects[edge.target][1] + ty)
        near = index.near(start, end, (edge.source, edge.target))
        points = layout.edge_route(start, end, near, direction, leave, enter)
        extent.extend((x, y, x, y) for x, y in points)
        shape = engine.edge_display_shape(edge)
        dead = shape is None
        body.append(f'<path d="{_path_d(points, vertical, leave)}" fill="none" stroke="{c.edge}" stroke-width="1.6"'
                    + (' stroke-dasharray="5 4"' if dead else "") + "/>")
        key = (edge.source, edge.source_port)
        if key not in labelled:
            labelled[key] = None if shape is None else format_for_display(shape, CHANNELS_FIRST)
        if shape is not None and key not in placed:
            placed.add(key)
            text = format_for_display(shape, CHANNELS_FIRST)
            room = _straight_room(points, vertical) * leave
            align = geo.label_align(edge.source_port, outs[edge.source], vertical)
            labels.append((geo.size_label_rect(start, label_width(text), vertical, room, align, leave < 0), text, format_named_for_display(shape, CHANNELS_FIRST)))
    for n in shown:
        body.append(_card(graph, n, rects[n], (counts[n], outs[n]), (vertical, n in turned), engine, c))
        # The outputs no edge in the picture shows (a dead end's, an unused h_n): each size on its port.
        seen = {text for (source, _), text in labelled.items() if source == n}
        for port, shape in enumerate(engine.result(n).display_outputs):
            text = None if shape is None else format_for_display(shape, CHANNELS_FIRST)
            if (n, port) in labelled or text is None or text in seen:
                continue
            seen.add(text)
            sx, sy = geo.output_port_pos(counts[n], vertical, port, outs[n], n in turned)
            at = (rects[n][0] + sx, rects[n][1] + sy)
            align = geo.label_align(port, outs[n], vertical)
            labels.append((geo.size_label_rect(at, label_width(text), vertical, 0.0, align, n in turned), text, format_named_for_display(shape, CHANNELS_FIRST)))
    for (x, y, w, h), text, named in labels:
        body.append(
            f'<g class="size"><title>{escape(named)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{h / 2:.1f}" fill="{c.label_fill}" stroke="{c.label_border}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + h / 2 + geo.LABEL_PX * 0.35:.1f}" text-anchor="middle" font-family="{FONT}" font-size="{geo.LABEL_PX}" '
            f'font-weight="bold" fill="{c.label_text}">{escape(text)}</text></g>'
        )
    extent.extend((x, y, x + w, y + h) for (x, y, w, h), _, _ in labels)
    left = min((r[0] for r in extent), default=0) - MARGIN
    top = min((r[1] for r in extent), default=0) - MARGIN
    right = max((r[2] for r in extent), default=0) + MARGIN
    bottom = max((r[3] for r in extent), default=0) + MARGIN
    width, height = right - left, bottom - top
    title = escape(graph.name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="{left:.1f} {top:.1f} {width:.1f} {height:.1f}">\n<title>{title}</title>\n'
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{c.background}"/>\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )


def _straight_room(points, vertical: bool) -> float:
    (x0, y0), (x1, y1) = points[0], points[1]
    if vertical:
        return y1 - y0 if abs(x1 - x0) < 1 else 0.0
    return x1 - x0 if abs(y1 - y0) < 1 else 0.0


def _path_d(points, vertical: bool, flow: int) -> str:
    (x0, y0), (x1, y1) = points[0], points[-1]
    if len(points) == 2:
        (c0x, c0y), (c1x, c1y) = geo.edge_controls(x0, y0, x1, y1, vertical, flow)
        return f"M{x0:.1f},{y0:.1f} C{c0x:.1f},{c0y:.1f} {c1x:.1f},{c1y:.1f} {x1:.1f},{y1:.1f}"
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _card(graph: Graph, node_id: str, rect, ports: tuple[int, int], facing: tuple[bool, bool], engine: ShapeEngine,
          c: _Colours) -> str:
    """One card; ``facing`` is (vertical, flipped): which edges its ports sit on."""
    vertical, flipped = facing
    node = graph.node(node_id)
    count, outputs = ports
    left, top, right, bottom = rect
    width, height = right - left, bottom - top
    category, summary = "Graph", ""
    if graph.knows_type(node.type_name):
        spec = graph.spec(node.type_name)
        category = spec.category
        try:
            summary = spec.summary(spec.resolve(node.params))
        except (KeyError, TypeError, ValueError, IndexError):
            summary = ""
    accent = c.categories.get(category, c.categories["Graph"])
    error = engine.result(node_id).status() == "error"
    parts = [
        f'<g class="layer" id="{escape(node_id, {chr(34): "&quot;"})}">',
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" rx="7" fill="{c.card}" '
        f'stroke="{c.error if error else c.border}" stroke-width="{2 if error else 1}"/>',
        f'<rect x="{left + 3:.1f}" y="{top:.1f}" width="{width - 6:.1f}" height="4" fill="{accent}"/>',
        f'<text x="{left + geo.TEXT_LEFT:.1f}" y="{top + 20:.1f}" font-family="{FONT}" font-size="12.5" font-weight="bold" '
        f'fill="{c.title}">{escape(_clip(node.label, 17))}</text>',
        f'<text x="{left + geo.TEXT_LEFT:.1f}" y="{top + 36:.1f}" font-family="{FONT}" font-size="11" fill="{accent}">'
        f"{escape(_clip(node.type_name, 19))}</text>",
    ]
    if summary:
        parts.append(f'<text x="{left + geo.TEXT_LEFT:.1f}" y="{top + 52:.1f}" font-family="{MONO}" font-size="11" '
                     f'fill="{c.subtitle}">{escape(_clip(summary, 17))}</text>')
    for port in range(count):
        px, py = geo.input_port_pos(port, count, vertical, outputs, flipped)
        parts.append(f'<circle cx="{left + px:.1f}" cy="{top + py:.1f}" r="4" fill="{c.card}" stroke="{c.edge}" stroke-width="1.4"/>')
    for port in range(outputs):
        ox, oy = geo.output_port_pos(count, vertical, port, outputs, flipped)
        parts.append(f'<circle cx="{left + ox:.1f}" cy="{top + oy:.1f}" r="4" fill="{c.edge}" stroke="{c.edge}" stroke-width="1.4"/>')
    parts.append("</g>")
    return "".join(parts)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
