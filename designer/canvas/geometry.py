"""Node and edge geometry as pure functions of plain numbers: sizes, port positions, edge curves.

Coordinates are scene units with the node's model position as its top-left corner. Inputs sit on the
left edge, spread symmetrically around the middle; the one output sits in the middle of the right edge,
so a chain of single-input nodes placed on one row is joined by straight edges.
"""

from __future__ import annotations

NODE_WIDTH = 140.0
NODE_HEIGHT = 62.0  # three text lines: name, type, summary
PORT_PITCH = 20.0  # vertical distance between input ports
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


def node_size(input_count: int) -> tuple[float, float]:
    """(width, height): taller only when the input ports need more room than the text."""
    ports_height = 2 * PORT_MARGIN + max(input_count - 1, 0) * PORT_PITCH
    return NODE_WIDTH, max(NODE_HEIGHT, ports_height)


def input_port_pos(port: int, input_count: int) -> tuple[float, float]:
    """Centre of input ``port`` relative to the node's top-left."""
    _, height = node_size(input_count)
    return 0.0, height / 2 + (port - (input_count - 1) / 2) * PORT_PITCH


def output_port_pos(input_count: int) -> tuple[float, float]:
    """Centre of the output port relative to the node's top-left."""
    width, height = node_size(input_count)
    return width, height / 2


def nearest_input_port(y: float, input_count: int) -> int | None:
    """The input port whose centre is closest to local ``y`` (None when the node has no inputs)."""
    if input_count <= 0:
        return None
    _, height = node_size(input_count)
    raw = round((y - height / 2) / PORT_PITCH + (input_count - 1) / 2)
    return min(max(raw, 0), input_count - 1)


def edge_controls(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Control points of the cubic curve from an output at (x0, y0) to an input at (x1, y1).

    The curve leaves and enters horizontally. A backward edge (target left of source, as between the
    bands of a wrapped layout) swings out a fixed distance, enough to clear both nodes, and then
    crosses over: a reach that grew with the distance would throw the curve far outside the design.
    """
    dx = x1 - x0
    reach = max(dx * 0.5, 40.0) if dx >= 0 else min(80.0 + abs(y1 - y0) * 0.1, 160.0)
    return (x0 + reach, y0), (x1 - reach, y1)


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
