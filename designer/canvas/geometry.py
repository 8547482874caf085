"""Node and edge geometry as pure functions of plain numbers: sizes, port positions, edge curves.

Coordinates are scene units with the node's model position as its top-left corner. Data flows one of
two ways (``vertical``: the scene decides from the design's positions, ``layout.flow_direction``):
top to bottom, with the inputs on the top edge and the output in the middle of the bottom edge, or left
to right, with the inputs on the left edge and the output in the middle of the right edge. Inputs are
spread symmetrically around the middle, so a chain of single-input nodes is joined by straight edges;
so are the outputs of a layer with several (LSTM's output, h_n, c_n).
A card in a band that runs back (``flipped``, ``layout.against_flow``) has its ports the other way
round: inputs on the bottom (or right) edge, outputs on the top (or left).

The edge size label sits just after the output port, on the edge (``size_label_rect``), in the gap the
layout leaves between layers.
"""

from __future__ import annotations

from designer.core import layout

NODE_WIDTH = float(layout.CARD_WIDTH)
NODE_HEIGHT = float(layout.CARD_HEIGHT)  # three text lines: name, type, summary
PORT_PITCH = 20.0  # vertical distance between input ports
# Between output ports, each of which carries its own size label just after it: a label's height apart
# (left to right) or a short label's width apart (top to bottom), so neighbouring labels stay apart.
OUTPUT_PITCH = {False: 30.0, True: 72.0}
PORT_MARGIN = 21.0  # from the top/bottom edge to the outermost port
PORT_RADIUS = 5.0
PORT_HIT_RADIUS = 10.0  # hit area around a port, larger than the drawn dot
CORNER_RADIUS = 7.0
BADGE_RADIUS = 8.0
TEXT_LEFT = 16.0
TEXT_RIGHT = 12.0
TITLE_TOP = 7.0  # top of the name line
LINE_HEIGHT = 16.0

# Everything a node may paint outside its card: half a port, the error badge, the selection outline.
OVERHANG = BADGE_RADIUS + 3.0

GRID = 20.0
MAJOR_GRID = 5  # every fifth grid line is stronger


def shown_input_count(min_inputs: int, max_inputs: int | None, connected: set[int] | frozenset[int]) -> int:
    """How many input ports a node shows.

    A fixed-arity node shows its ports (plus any a file connected beyond them, so every edge lands);
    a variadic one shows its connected ports and one free port, never fewer than it needs.
    """
    highest = max(connected, default=-1)
    if max_inputs is not None:
        return max(max_inputs, highest + 1)
    return max(min_inputs, highest + 2, 1)


def shown_inputs(graph, node_id: str) -> int:
    """How many input ports ``node_id`` of ``graph`` shows (``shown_input_count`` from its layer's range)."""
    node = graph.node(node_id)
    connected = set(graph.inputs(node_id))
    if graph.knows_type(node.type_name):
        return shown_input_count(*graph.spec(node.type_name).input_range(node.params), connected)
    return shown_input_count(1, 1, connected)


def node_size(input_count: int, vertical: bool = False, output_count: int = 1) -> tuple[float, float]:
    """(width, height): wider (top to bottom) or taller (left to right) only when the input or output
    ports need more room than the card has."""
    inputs_room = max(input_count - 1, 0) * PORT_PITCH
    outputs_room = max(output_count - 1, 0) * OUTPUT_PITCH[vertical]
    ports_room = 2 * PORT_MARGIN + max(inputs_room, outputs_room)
    if vertical:
        return max(NODE_WIDTH, ports_room), NODE_HEIGHT
    return NODE_WIDTH, max(NODE_HEIGHT, ports_room)


def input_port_pos(
    port: int, input_count: int, vertical: bool = False, output_count: int = 1, flipped: bool = False
) -> tuple[float, float]:
    """Centre of input ``port`` relative to the node's top-left (``flipped``: a card against the flow,
    ``layout.against_flow``, has its inputs on the bottom edge, or the right one)."""
    width, height = node_size(input_count, vertical, output_count)
    offset = (port - (input_count - 1) / 2) * PORT_PITCH
    if vertical:
        return width / 2 + offset, height if flipped else 0.0
    return width if flipped else 0.0, height / 2 + offset


def output_port_pos(
    input_count: int, vertical: bool = False, port: int = 0, output_count: int = 1, flipped: bool = False
) -> tuple[float, float]:
    """Centre of output ``port`` (of ``output_count``) relative to the node's top-left."""
    width, height = node_size(input_count, vertical, output_count)
    offset = (port - (output_count - 1) / 2) * OUTPUT_PITCH[vertical]
    if vertical:
        return width / 2 + offset, 0.0 if flipped else height
    return 0.0 if flipped else width, height / 2 + offset


def nearest_input_port(
    local: tuple[float, float] | float, input_count: int, vertical: bool = False, output_count: int = 1
) -> int | None:
    """The input port whose centre is closest to the local point (or local y, left to right); None: no inputs."""
    if input_count <= 0:
        return None
    if isinstance(local, tuple):
        local = local[0] if vertical else local[1]
    width, height = node_size(input_count, vertical, output_count)
    middle = width / 2 if vertical else height / 2
    raw = round((local - middle) / PORT_PITCH + (input_count - 1) / 2)
    return min(max(raw, 0), input_count - 1)


def edge_controls(
    x0: float, y0: float, x1: float, y1: float, vertical: bool = False, flow: int = 1
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Control points of the cubic curve from an output at (x0, y0) to an input at (x1, y1).

    The curve leaves and enters along the flow (``flow`` -1: against it, between two cards of a band
    running back). A backward edge (target behind its source) swings out a fixed distance, enough to
    clear both nodes, and then crosses over: a reach that grew with the distance would throw the curve
    far outside the design.
    """
    if flow < 0:
        if vertical:
            (c0x, c0y), (c1x, c1y) = edge_controls(x0, -y0, x1, -y1, True)
            return (c0x, -c0y), (c1x, -c1y)
        (c0x, c0y), (c1x, c1y) = edge_controls(-x0, y0, -x1, y1)
        return (-c0x, c0y), (-c1x, c1y)
    if vertical:
        (cy0, cx0), (cy1, cx1) = edge_controls(y0, x0, y1, x1)
        return (cx0, cy0), (cx1, cy1)
    dx = x1 - x0
    reach = max(dx * 0.5, 40.0) if dx >= 0 else min(80.0 + abs(y1 - y0) * 0.1, 160.0)
    return (x0 + reach, y0), (x1 - reach, y1)


LABEL_PX = 18  # the size labels' font size (scene units); style and the diagram writer both use it
LABEL_HEIGHT = 25.0
LABEL_PAD_X = 6.0
LABEL_OFFSET = 4.0  # from the output port to the label (left to right)
# Top to bottom, a label stands in the middle of the gap between two layers, whichever way its band
# runs: the sizes of one row of the drawing share one line, which is how a reader (and OCR) takes them.
LABEL_DROP = (layout.RANK_GAP[layout.TB] - LABEL_HEIGHT) / 2


LABEL_OVERLAP = 4.0  # how far past its port a label leaning to one side reaches (``label_align``)


def label_align(port: int, output_count: int, vertical: bool) -> int:
    """Which way the size label of output ``port`` leans: 0 centred under the port; top to bottom, the
    first of several outputs leans left (-1) and the last right (1), so neighbours' labels stay apart
    (outputs are ``OUTPUT_PITCH`` apart, less than a size such as 16×40×128 is wide)."""
    if not vertical or output_count < 2:
        return 0
    return -1 if port == 0 else 1 if port == output_count - 1 else 0


def size_label_rect(
    port: tuple[float, float], text_width: float, vertical: bool, room: float = 0.0, align: int = 0, flipped: bool = False
) -> tuple[float, float, float, float]:
    """(left, top, width, height) of the size label of an output at ``port``: just after it, on the edge.

    Left to right, a label goes in the middle of the ``room`` the edge runs straight on before it
    turns or ends, when it fits there, so it keeps clear of the next card's input port. (A label wider
    than the room is drawn above the cards, ``EdgeItem``.) Top to bottom it is centred under the port,
    or leans to the side ``align`` (``label_align``) says. A ``flipped`` card's output faces the other
    way, and its label goes before the port (above it, or left of it).
    """
    if flipped:
        left, top, width, height = size_label_rect(port, text_width, vertical, room, align)
        if vertical:
            return left, 2 * port[1] - top - height, width, height
        return 2 * port[0] - left - width, top, width, height
    width = text_width + 2 * LABEL_PAD_X
    x, y = port
    if vertical:
        left = x - width / 2 if align == 0 else x + LABEL_OVERLAP - width if align < 0 else x - LABEL_OVERLAP
        return left, y + LABEL_DROP, width, LABEL_HEIGHT
    left = x + LABEL_OFFSET + 6
    if room > width:  # centred between the two cards, clear of both ports
        left = x + (room - width) / 2
    return left, y - LABEL_HEIGHT / 2, width, LABEL_HEIGHT


def cubic_point(p0, c0, c1, p1, t: float = 0.5) -> tuple[float, float]:
    """The point at parameter ``t`` of a cubic Bézier curve."""
    u = 1.0 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * c0[0] + c * c1[0] + d * p1[0],
        a * p0[1] + b * c0[1] + c * c1[1] + d * p1[1],
    )


def snap(value: float, step: float = GRID) -> int:
    return int(round(value / step) * step)
