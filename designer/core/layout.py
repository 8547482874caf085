"""Automatic layout and edge routes: a layered (Sugiyama-style) drawing of the graph, as pure data.

``layered_layout(graph)`` places every card (top-left corner, integer scene units) and is what the GUI's
Layout, the importer, files without positions and ``model-designer render`` use. The steps are the
classic ones (Graphviz ``dot``, ELK layered):

1. cycles are broken by reversing back edges (a design with a cycle is an error, but must still draw);
2. layers by longest path from the inputs; an extra input is pulled down next to its first consumer;
3. edges spanning several layers get a dummy point in every layer they cross, so a skip connection
   keeps a lane of its own beside the main path instead of cutting through cards;
4. the order within layers is improved by barycenter sweeps down and up, keeping the best order found;
5. coordinates: each card goes as close as possible to the mean of its neighbours (an isotonic
   regression per layer), so a chain is a straight spine and bypasses run beside it;
6. top to bottom, a drawing much taller than a window is cut into side-by-side bands that snake: the
   first runs down, the next back up beside it, and so on, so a 60-layer design still fits a window at
   a zoom where the edge sizes can be read, each band joins the next by a short turn, and a U-Net cut
   at its bottom reads as a U (encoder down, decoder up, the skips across). Left to right stays one
   row, as asked (cut into rows, its skips would cross).

Data flows top to bottom by default (inputs at the top, as papers draw networks); ``direction="LR"``
draws left to right. ``flow_direction(graph)`` tells which way a design's saved positions run, and
``against_flow`` which cards stand in a band running back (their inputs face the other way).

``edge_route(start, end, cards, direction, leave, enter)`` is the one router: the points an edge passes
from an output port to an input port, going around any card in its way, leaving and entering along the
flow or against it (a card against the flow). The canvas and the renderer both use it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from designer.core.graph import Graph

TB, LR = "TB", "LR"
DIRECTIONS = (TB, LR)
CARD_WIDTH, CARD_HEIGHT = 140, 62
# Room between layers: top to bottom it holds an edge size label (25 high, 6 below the output port)
# and the turns of routed edges; left to right it must hold the label's whole width (64×512×32×32).
RANK_GAP = {TB: 44, LR: 170}
LABEL_ROOM = 35  # a size label and its offset beyond the first or last card of a band (top to bottom)
ORDER_GAP = {TB: 40, LR: 30}
DUMMY_ROOM = 24  # the lane a long edge takes beside the cards it passes
BAND_GAP = 44  # between bands: room for one lane of an edge going around
MIN_BAND_LAYERS = 3  # a band holds at least this many layers
TARGET_ASPECT = 1.3  # width / height of the canvas in a typical window with its docks open
# The scene area such a canvas (about 750×595 pixels in a 1280×800 window, less Fit's margins of 12)
# shows at the smallest zoom where the size labels are still legible (10 px of an 18 px font: 0.556): a
# drawing within it needs no cutting into bands, and one cut into bands is made to fit it (60 layers do).
ROOM = (1280.0, 1000.0)
# Fit zooms in no further than 1.25 (the view's FIT_MAX_ZOOM), 2.25 times the smallest legible zoom: a
# drawing that fits at that scale gains nothing from more bands.
MAX_SCALE = 2.25
FOLD_SLACK = 0.8  # fewer bands are worth a zoom this much smaller than the best one
COMFORTABLE = 1.5  # and a drawing that fits at 1.5 times the legible zoom (sizes 15 px high) needs no more
CUT_COST = 150.0  # each edge cut by a fold: it may cross others
FOLD_COST = 400.0  # one more band must shorten the edges by this much (a U-Net's skips, not a ResNet's bypass)
SWEEPS = 4

Size = tuple[float, float]
Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # left, top, right, bottom


def auto_layout(graph: Graph, direction: str = TB) -> dict[str, tuple[int, int]]:
    """Integer top-left (x, y) of every card in a layered drawing (see the module docstring)."""
    return layered_layout(graph, direction=direction).positions


@dataclass
class Layout:
    positions: dict[str, tuple[int, int]]
    direction: str
    layers: int  # how many layers the drawing has (before wrapping into bands)
    bands: int


def flow_direction(positions: dict[str, tuple[float, float]], edges: Iterable[tuple[str, str]]) -> str:
    """``TB`` or ``LR``: the way most edges of a drawing run (its saved positions decide; none: TB)."""
    down = right = 0.0
    for source, target in edges:
        a, b = positions.get(source), positions.get(target)
        if a is None or b is None:
            continue
        dx, dy = b[0] - a[0], b[1] - a[1]
        if abs(dx) > CARD_WIDTH / 2 and abs(dx) > abs(dy):
            right += 1
        elif dy != 0:
            down += 1  # up too: a band running back
    return LR if right > down else TB


def against_flow(
    positions: dict[str, tuple[float, float]], edges: Iterable[tuple[str, str]], direction: str = TB
) -> set[str]:
    """The nodes whose data runs against ``direction`` (up, or left): most of their edges arrive from
    below and leave upwards, as in the bands of a long design that run back. Their cards turn their ports round (inputs at the bottom, the output on top). Edges
    across the flow do not count."""
    axis, slack = (1, CARD_HEIGHT / 2) if direction == TB else (0, CARD_WIDTH / 2)
    score: dict[str, int] = {}
    for source, target in edges:
        a, b = positions.get(source), positions.get(target)
        if a is None or b is None or source == target:
            continue
        step = b[axis] - a[axis]
        if abs(step) <= slack:
            continue
        sign = 1 if step > 0 else -1
        score[source] = score.get(source, 0) + sign
        score[target] = score.get(target, 0) + sign
    return {n for n, value in score.items() if value < 0}


def layered_layout(
    graph: Graph,
    direction: str = TB,
    card_size: Callable[[str], Size] | None = None,
    aspect: float = TARGET_ASPECT,
) -> Layout:
    """Place every node of ``graph``; ``card_size(node_id)`` gives (width, height) (default: a plain card)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    node_ids = graph.node_ids()
    if not node_ids:
        return Layout({}, direction, 0, 0)
    size_of = card_size or (lambda _node_id: (CARD_WIDTH, CARD_HEIGHT))
    vertical = direction == TB
    # Work in (along, across): "along" is the flow (y for TB), "across" the order within a layer.
    extent = {n: _across_along(size_of(n), vertical) for n in node_ids}
    order_index = {n: i for i, n in enumerate(node_ids)}
    edges = _acyclic_edges(graph, order_index)
    rank = _ranks(node_ids, edges)
    layers, chains = _with_dummies(node_ids, edges, rank)
    _order_layers(layers, chains, order_index)
    across = _assign_across(layers, chains, extent, direction)
    along_size = [max((extent[n][1] for n in layer if n in extent), default=0.0) for layer in layers]
    bands = _bands(layers, across, along_size, extent, direction, aspect, edges) if direction == TB else [range(len(layers))]
    positions = _place(layers, across, along_size, extent, bands, direction)
    return Layout(positions, direction, len(layers), len(bands))


# ----- steps ----------------------------------------------------------------------------------------


def _across_along(size: Size, vertical: bool) -> Size:
    width, height = size
    return (width, height) if vertical else (height, width)


def _acyclic_edges(graph: Graph, order_index: dict[str, int]) -> list[tuple[str, str]]:
    """Distinct (source, target) pairs with back edges reversed and self-loops dropped."""
    pairs = list(dict.fromkeys((e.source, e.target) for e in graph.edges() if e.source != e.target))
    digraph = nx.DiGraph(pairs)
    if nx.is_directed_acyclic_graph(digraph):
        return pairs
    back = set()
    for component in nx.strongly_connected_components(digraph):
        if len(component) > 1:
            for a, b in pairs:
                if a in component and b in component and order_index[a] > order_index[b]:
                    back.add((a, b))
    fixed = [(b, a) if (a, b) in back else (a, b) for a, b in pairs]
    if not nx.is_directed_acyclic_graph(nx.DiGraph(fixed)):  # file order did not untangle it: a DFS does
        back = {(a, b) for a, b, kind in nx.dfs_labeled_edges(nx.DiGraph(pairs)) if kind == "nontree" and _reaches(digraph, b, a)}
        fixed = [(b, a) if (a, b) in back else (a, b) for a, b in pairs]
    return list(dict.fromkeys(p for p in fixed if p[0] != p[1]))


def _reaches(digraph: nx.DiGraph, a: str, b: str) -> bool:
    return a == b or nx.has_path(digraph, a, b)


def _ranks(node_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the sources; a source then moves down to just above its first consumer."""
    digraph = nx.DiGraph()
    digraph.add_nodes_from(node_ids)
    digraph.add_edges_from(edges)
    rank: dict[str, int] = {}
    for node in nx.topological_sort(digraph):
        rank[node] = max((rank[p] + 1 for p in digraph.predecessors(node)), default=0)
    main_source = min((n for n in node_ids if digraph.in_degree(n) == 0), key=node_ids.index, default=None)
    for node in node_ids:
        if node != main_source and digraph.in_degree(node) == 0 and digraph.out_degree(node) > 0:
            rank[node] = min(rank[s] for s in digraph.successors(node)) - 1
    return rank


class _Dummy(str):
    """A bend point of a long edge, standing in a layer like a node (a str subclass: cheap, hashable)."""

    __slots__ = ()


def _with_dummies(node_ids, edges, rank) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Layers (lists of node ids and dummies) and, for each vertex, the vertices of the layer above it."""
    layers: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for node in node_ids:
        layers[rank[node]].append(node)
    above: dict[str, list[str]] = {n: [] for n in node_ids}
    below: dict[str, list[str]] = {n: [] for n in node_ids}
    for i, (source, target) in enumerate(edges):
        previous = source
        for r in range(rank[source] + 1, rank[target]):
            dummy = _Dummy(f"\0{i}:{r}")
            layers[r].append(dummy)
            above[dummy], below[dummy] = [previous], []
            below[previous].append(dummy)
            previous = dummy
        above[target].append(previous)
        below[previous].append(target)
    return layers, {"above": above, "below": below}  # type: ignore[return-value]


def _crossings(upper: list[str], lower: list[str], above: dict[str, list[str]]) -> int:
    """Crossings between two adjacent layers (count of inversions, O(E log E))."""
    position = {v: i for i, v in enumerate(upper)}
    ends = [position[u] for v in lower for u in sorted(above[v], key=position.__getitem__)]
    seen: list[int] = []
    count = 0
    for end in reversed(ends):
        count += bisect.bisect_left(seen, end)
        bisect.insort(seen, end)
    return count


def _total_crossings(layers, above) -> int:
    return sum(_crossings(layers[r - 1], layers[r], above) for r in range(1, len(layers)))


def _order_layers(layers: list[list[str]], chains, order_index: dict[str, int]) -> None:
    """Barycenter sweeps down and up; keeps the order with the fewest crossings."""
    above, below = chains["above"], chains["below"]
    # Start from a depth-first order so that what feeds what sits side by side.
    for r in range(1, len(layers)):
        position = {v: i for i, v in enumerate(layers[r - 1])}
        layers[r].sort(key=lambda v: (min((position[u] for u in above[v]), default=-1), order_index.get(v, 0)))
    best = [list(layer) for layer in layers]
    best_count = _total_crossings(layers, above)
    for sweep in range(SWEEPS):
        if best_count == 0:
            break
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for r in indices:
            fixed = layers[r - 1] if downward else layers[r + 1]
            neighbours = above if downward else below
            position = {v: i for i, v in enumerate(fixed)}
            current = {v: i for i, v in enumerate(layers[r])}

            layers[r].sort(key=lambda v, p=position, c=current, n=neighbours: (_barycenter(v, p, c, n), c[v]))
        count = _total_crossings(layers, above)
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    layers[:] = best


def _barycenter(v: str, position: dict[str, int], current: dict[str, int], neighbours) -> float:
    linked = [position[u] for u in neighbours[v]]
    return sum(linked) / len(linked) if linked else current[v]


def _assign_across(layers, chains, extent, direction) -> dict[str, float]:
    """Centre of every vertex across the flow: near its neighbours' mean, never closer than its gap."""
    half = {
        v: (DUMMY_ROOM if isinstance(v, _Dummy) else extent[v][0] + ORDER_GAP[direction]) / 2 for layer in layers for v in layer
    }
    gaps_of = [[half[layer[i - 1]] + half[layer[i]] for i in range(1, len(layer))] for layer in layers]
    centre: dict[str, float] = {}
    for layer, gaps in zip(layers, gaps_of):
        x = 0.0
        for i, v in enumerate(layer):
            if i:
                x += gaps[i - 1]
            centre[v] = x
    above, below = chains["above"], chains["below"]
    for sweep in range(4):
        downward = sweep % 2 == 0
        neighbours = above if downward else below
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for r in indices:
            layer = layers[r]
            wanted = []
            for v in layer:
                linked = neighbours[v]
                # Dummies follow their edge strictly, so long edges run straight.
                wanted.append(sum(centre[u] for u in linked) / len(linked) if linked else centre[v])
            if len(layer) == 1:
                centre[layer[0]] = wanted[0]
                continue
            for v, x in zip(layer, _isotonic(wanted, gaps_of[r])):
                centre[v] = x
    return centre


def _isotonic(wanted: list[float], gaps: list[float]) -> list[float]:
    """Positions closest (least squares) to ``wanted`` with ``x[i+1] - x[i] >= gaps[i]`` (pool adjacent violators)."""
    offset = [0.0]
    for g in gaps:
        offset.append(offset[-1] + g)
    values = [w - o for w, o in zip(wanted, offset)]
    blocks: list[list[float]] = []  # [mean, weight]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    out: list[float] = []
    for mean, weight in blocks:
        out.extend([mean] * int(weight))
    return [v + o for v, o in zip(out, offset)]


def _bands(layers, across, along_size, extent, direction, aspect, edges) -> list[range]:
    """Top to bottom, cut the layers into consecutive bands so the drawing fits a window at the largest zoom (as far as
    Fit zooms in), with as few bands as come within ``FOLD_SLACK`` of that, or one more when that makes
    the edges much shorter (a U-Net folds at its bottom, so its skips run across). Bands are even (the
    last may be shorter), so each band's end stands level with the next one's start."""
    count = len(layers)
    rank_gap = RANK_GAP[direction]
    spans = []
    for layer in layers:
        xs = [(across[v] - (DUMMY_ROOM / 2 if isinstance(v, _Dummy) else extent[v][0] / 2)) for v in layer]
        xe = [(across[v] + (DUMMY_ROOM / 2 if isinstance(v, _Dummy) else extent[v][0] / 2)) for v in layer]
        spans.append((min(xs), max(xe)))

    lefts, rights = [s[0] for s in spans], [s[1] for s in spans]
    pitch = max(along_size) + rank_gap
    room = (ROOM[1] * aspect, ROOM[1])

    def scale(ranges: list[range]) -> float:
        """How much larger than the smallest legible zoom the drawing fits the room at (capped)."""
        width = sum(max(rights[b.start : b.stop]) - min(lefts[b.start : b.stop]) for b in ranges)
        width += BAND_GAP * (len(ranges) - 1)
        length = (max(_rows(ranges).values()) + 1) * pitch - rank_gap + 2 * LABEL_ROOM
        return min(room[0] / max(width, 1.0), room[1] / max(length, 1.0), MAX_SCALE)

    even: list[tuple[float, list[range]]] = []
    for band_count in range(1, count + 1):
        per_band = -(-count // band_count)
        if per_band < MIN_BAND_LAYERS:
            break
        if band_count > 1 and -(-count // (band_count - 1)) == per_band:
            continue
        ranges = [range(start, min(start + per_band, count)) for start in range(0, count, per_band)]
        even.append((scale(ranges), ranges))
        if even[-1][0] < max(e[0] for e in even) / 2:  # past the best shape: more bands only get worse
            break
    if not even:
        return [range(count)]
    best = max(value for value, _ in even)
    # Cuts that fit at a legible zoom and come close enough to the best one; when none fits, the best.
    enough = max(min(FOLD_SLACK * best, COMFORTABLE), min(best, 1.0))
    good = [ranges for value, ranges in even if value >= enough]
    fewest = min(len(ranges) for ranges in good)
    rank = {v: r for r, layer in enumerate(layers) for v in layer if not isinstance(v, _Dummy)}
    options = [ranges for ranges in good if len(ranges) <= fewest + 1]
    return min(options, key=lambda o: _edge_length(o, rank, edges, across, pitch, lefts, rights) + FOLD_COST * len(o))


def _edge_length(bands, rank, edges, across, pitch, lefts, rights) -> float:
    """How long the edges of a drawing cut into ``bands`` come out (straight lines between the cards,
    placed as ``_place`` places them), each edge from one band into another counted
    ``CUT_COST`` longer: it may cross the others."""
    band_of, offset = {}, 0.0
    shift: list[float] = []
    for index, band in enumerate(bands):
        left = min(lefts[band.start : band.stop])
        shift.append(offset - left)
        offset += max(rights[band.start : band.stop]) - left + BAND_GAP
        for r in band:
            band_of[r] = index
    row_of = _rows(bands)
    total = 0.0
    for source, target in edges:
        a, b = rank[source], rank[target]
        x0, y0 = across[source] + shift[band_of[a]], row_of[a] * pitch
        x1, y1 = across[target] + shift[band_of[b]], row_of[b] * pitch
        total += ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        if band_of[a] != band_of[b]:
            total += CUT_COST
    return total


def _rows(bands: list[range]) -> dict[int, int]:
    """The row of every layer (0 at the top): the first band runs down from the top, the next back up
    from the bottom row, and so on, so a band's layers stand level with its neighbours' (a U-Net cut at
    its bottleneck has each skip run straight across)."""
    length = max(len(band) for band in bands)
    return {r: (i if index % 2 == 0 else length - 1 - i) for index, band in enumerate(bands) for i, r in enumerate(band)}


def _place(layers, across, along_size, extent, bands, direction) -> dict[str, tuple[int, int]]:
    """Cards of each band side by side, every second band running back up (``_rows``)."""
    positions: dict[str, tuple[int, int]] = {}
    pitch = max(along_size, default=0.0) + RANK_GAP[direction]
    row_of = _rows(bands)
    offset = 0.0
    for band in bands:
        members = [v for r in band for v in layers[r]]
        left = min(across[v] - (DUMMY_ROOM / 2 if isinstance(v, _Dummy) else extent[v][0] / 2) for v in members)
        right = max(across[v] + (DUMMY_ROOM / 2 if isinstance(v, _Dummy) else extent[v][0] / 2) for v in members)
        for r in band:
            start = row_of[r] * pitch
            for v in layers[r]:
                if isinstance(v, _Dummy):
                    continue
                a = offset + across[v] - left - extent[v][0] / 2
                b = start + (along_size[r] - extent[v][1]) / 2
                positions[v] = (round(a), round(b)) if direction == TB else (round(b), round(a))
        offset += right - left + BAND_GAP
    return positions


# ----- edge routes ------------------------------------------------------------------------------------

ROUTE_CLEARANCE = 14  # how far a detour keeps from the cards it goes around
# Where a detour turns: past the size label after the output (which fills the gap top to bottom but for
# 9.5 units at each end, and ~150 units left to right), and close before the input, so both runs share
# one line.
EXIT_TURN = {TB: 36, LR: 150}
ENTRY_TURN = 8


def edge_route(
    start: Point, end: Point, cards: Iterable[Rect], direction: str = TB, leave: int = 1, enter: int = 1
) -> list[Point]:
    """The points of an edge from an output port at ``start`` to an input port at ``end``.

    Two points (a direct curve) when no card in ``cards`` stands in the way; else a detour that leaves
    the output along the flow, runs in the nearest free lane beside the cards in the way, and enters the
    input along the flow. ``cards`` are the rectangles (left, top, right, bottom) near the edge, the
    edge's own two cards excluded; coordinates follow ``direction`` (TB: the flow runs down).
    ``leave`` and ``enter`` are -1 for a card against the flow (``against_flow``): the edge leaves its
    output upwards, or enters its input from below; between a band and the next it makes a U-turn.
    """
    if direction == LR:
        flip = [(t, l, b, r) for l, t, r, b in cards]  # noqa: E741
        route = edge_route((start[1], start[0]), (end[1], end[0]), flip, TB, leave, enter)
        return [(y, x) for x, y in route]
    cards = list(cards)
    if leave < 0:  # mirrored top to bottom, the edge leaves downwards
        mirrored = [(l, -b, r, -t) for l, t, r, b in cards]  # noqa: E741
        route = _route_down((start[0], -start[1]), (end[0], -end[1]), mirrored, EXIT_TURN[direction], -enter)
        return [(x, -y) for x, y in route]
    return _route_down(start, end, cards, EXIT_TURN[direction], enter)


def _route_down(start: Point, end: Point, cards: list[Rect], exit_turn: float, enter: int = 1) -> list[Point]:
    """Leaving ``start`` downwards; entering ``end`` downwards (``enter`` 1) or upwards from below (-1)."""
    (x0, y0), (x1, y1) = start, end
    if enter < 0:
        return _u_turn(start, end, cards, exit_turn)
    if y1 - y0 > 2 * ROUTE_CLEARANCE and not any(_segment_hits(start, end, c) for c in cards):
        return [start, end]
    if y1 - y0 < exit_turn + ENTRY_TURN:  # close or backwards: turn halfway, or just past the label
        exit_turn = min(exit_turn, max((y1 - y0) / 2, 0)) if y1 > y0 else exit_turn
    out_y, in_y = y0 + exit_turn, y1 - (ENTRY_TURN if y1 - y0 >= exit_turn + ENTRY_TURN or y1 <= y0 else (y1 - y0) / 2)
    low, high = min(out_y, in_y), max(out_y, in_y)
    blocking = sorted((c[0], c[2]) for c in cards if c[3] > low and c[1] < high)
    lane = _free_lane(blocking, (x0 + x1) / 2)
    return [start, (x0, out_y), (lane, out_y), (lane, in_y), (x1, in_y), end]


def _u_turn(start: Point, end: Point, cards: list[Rect], exit_turn: float) -> list[Point]:
    """Down from ``start`` and up into ``end`` from below: one turn under both when nothing stands in
    its way (from one band into the next), else out, along the nearest free lane, and in."""
    (x0, y0), (x1, y1) = start, end
    turn = max(y0 + exit_turn, y1 + ENTRY_TURN)
    simple = [start, (x0, turn), (x1, turn), end]
    if not any(_segment_hits(a, b, c) for a, b in zip(simple, simple[1:]) for c in cards):
        return simple
    out_y, in_y = y0 + exit_turn, y1 + ENTRY_TURN
    low, high = min(out_y, in_y), max(out_y, in_y)
    blocking = sorted((c[0], c[2]) for c in cards if c[3] > low and c[1] < high)
    lane = _free_lane(blocking, (x0 + x1) / 2)
    return [start, (x0, out_y), (lane, out_y), (lane, in_y), (x1, in_y), end]


def _segment_hits(a: Point, b: Point, rect: Rect) -> bool:
    """Whether the segment a–b passes through ``rect`` (grown by the clearance) — Liang–Barsky clipping."""
    left, top, right, bottom = rect[0] - 4, rect[1] - 4, rect[2] + 4, rect[3] + 4
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _free_lane(blocking: list[tuple[float, float]], wanted: float) -> float:
    """The x nearest ``wanted`` that lies clear of every (left, right) interval in ``blocking``."""
    merged: list[list[float]] = []
    for left, right in blocking:
        left, right = left - ROUTE_CLEARANCE, right + ROUTE_CLEARANCE
        if merged and left <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], right)
        else:
            merged.append([left, right])
    for left, right in merged:
        if left < wanted < right:
            return left if wanted - left <= right - wanted else right
    return wanted


class CardGrid:
    """Cards in a coarse grid, so each edge asks only about the cards around its ends (``edge_route``'s
    ``cards`` for thousands of edges at once, without a quadratic scan)."""

    CELL = 400.0

    def __init__(self, rects: dict[str, Rect]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[str, Rect]]] = {}
        for node_id, r in rects.items():
            for key in self._keys(r[0], r[1], r[2], r[3]):
                self.cells.setdefault(key, []).append((node_id, r))

    def _keys(self, left: float, top: float, right: float, bottom: float):
        c = self.CELL
        for i in range(int(left // c), int(right // c) + 1):
            for j in range(int(top // c), int(bottom // c) + 1):
                yield i, j

    def near(self, a: Point, b: Point, skip: Iterable[str], reach: float = CARD_WIDTH) -> list[Rect]:
        """The cards (but those in ``skip``) within ``reach`` of the box spanned by ``a`` and ``b``."""
        left, right = min(a[0], b[0]) - reach, max(a[0], b[0]) + reach
        top, bottom = min(a[1], b[1]) - reach, max(a[1], b[1]) + reach
        found: dict[str, Rect] = {}
        for key in self._keys(left, top, right, bottom):
            for node_id, r in self.cells.get(key, ()):
                if node_id not in skip and r[2] > left and r[0] < right and r[3] > top and r[1] < bottom:
                    found[node_id] = r
        return list(found.values())
