"""Layered layout and edge routes: cards never overlap, routes never cross a card, skips run beside the spine."""

import random

import pytest

from designer.core import examples, layout
from designer.core.graph import Edge, Graph, Node
from designer.core.layout import (
    CARD_HEIGHT,
    CARD_WIDTH,
    LR,
    TB,
    auto_layout,
    edge_route,
    flow_direction,
    layered_layout,
)


def graph_of(edges, isolated=()):
    graph = Graph()
    for node_id in dict.fromkeys([n for e in edges for n in e] + list(isolated)):
        graph.add_node(Node(node_id, "Add"))
    ports: dict[str, int] = {}
    for a, b in edges:
        graph.connect(Edge(a, b, ports.get(b, 0)), strict=False)
        ports[b] = ports.get(b, 0) + 1
    return graph


def random_dag(nodes: int, seed: int) -> Graph:
    rng = random.Random(seed)
    edges = []
    for i in range(1, nodes):
        edges.append((f"n{rng.randrange(max(0, i - 3), i)}", f"n{i}"))
        if i > 3 and rng.random() < 0.3:
            edges.append((f"n{rng.randrange(0, i - 2)}", f"n{i}"))
    return graph_of(list(dict.fromkeys(edges)))


def cards(positions):
    return {n: (x, y, x + CARD_WIDTH, y + CARD_HEIGHT) for n, (x, y) in positions.items()}


def ports(rects, edge, direction):
    (sl, st, sr, sb), (tl, tt, tr, tb) = rects[edge.source], rects[edge.target]
    if direction == TB:
        return ((sl + sr) / 2, sb), ((tl + tr) / 2, tt)
    return (sr, (st + sb) / 2), (tl, (tt + tb) / 2)


def routes(graph, positions, direction=TB):
    rects = cards(positions)
    out = {}
    for edge in graph.edges():
        start, end = ports(rects, edge, direction)
        others = [r for n, r in rects.items() if n not in (edge.source, edge.target)]
        out[edge] = edge_route(start, end, others, direction)
    return out


def passes_through(points, rect) -> bool:
    """Sampled independently of the router: does the polyline enter the card's inside?"""
    left, top, right, bottom = rect
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for i in range(101):
            t = i / 100
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            if left + 1 < x < right - 1 and top + 1 < y < bottom - 1:
                return True
    return False


def designs():
    named = [(name, examples.load_example(name)) for name in examples.example_names()]
    return named + [(f"random{seed}", random_dag(40, seed)) for seed in range(4)]


@pytest.mark.parametrize("name,graph", designs(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("direction", [TB, LR])
def test_no_cards_overlap_and_no_edge_passes_through_a_card(name, graph, direction):
    positions = layered_layout(graph, direction).positions
    assert set(positions) == set(graph.node_ids())
    rects = cards(positions)
    items = list(rects.values())
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"{name}: cards overlap"
    for edge, points in routes(graph, positions, direction).items():
        for node_id, rect in rects.items():
            if node_id not in (edge.source, edge.target):
                assert not passes_through(points, rect), f"{name}: {edge} crosses {node_id}"


def test_a_chain_runs_down_in_one_column_and_left_to_right_as_an_option():
    graph = graph_of([("a", "b"), ("b", "c")])
    down = auto_layout(graph)
    assert down["a"][0] == down["b"][0] == down["c"][0]
    assert down["a"][1] < down["b"][1] < down["c"][1]
    right = auto_layout(graph, LR)
    assert right["a"][1] == right["b"][1] == right["c"][1]
    assert right["a"][0] < right["b"][0] < right["c"][0]
    assert all(isinstance(v, int) for xy in down.values() for v in xy)


def test_branches_sit_side_by_side_in_one_layer():
    positions = auto_layout(graph_of([("a", "b"), ("a", "c"), ("a", "d"), ("b", "e"), ("c", "e"), ("d", "e")]))
    assert len({positions[n][1] for n in "bcd"}) == 1
    xs = sorted(positions[n][0] for n in "bcd")
    assert xs[1] - xs[0] >= CARD_WIDTH and xs[2] - xs[1] >= CARD_WIDTH
    assert positions["a"][1] < positions["b"][1] < positions["e"][1]


def test_a_skip_connection_runs_beside_the_spine_not_through_it():
    graph = graph_of([("x", "c1"), ("c1", "c2"), ("c2", "c3"), ("c3", "add"), ("x", "add")])
    positions = auto_layout(graph)
    spine = {positions[n][0] for n in ("c1", "c2", "c3")}
    assert len(spine) == 1  # a straight spine
    skip = routes(graph, positions)[Edge("x", "add", 1)]
    left = spine.pop()
    assert any(x < left or x > left + CARD_WIDTH for x, _ in skip)  # the bypass leaves the spine's column


def test_a_long_chain_is_cut_into_bands_that_fit_a_window():
    chain = graph_of([(f"n{i}", f"n{i + 1}") for i in range(59)])
    placed = layered_layout(chain)
    assert placed.layers == 60 and placed.bands > 3
    xs = [x for x, _ in placed.positions.values()]
    ys = [y for _, y in placed.positions.values()]
    width, height = max(xs) - min(xs) + CARD_WIDTH, max(ys) - min(ys) + CARD_HEIGHT
    assert 0.5 < width / height < 3


def test_fewer_crossings_than_file_order_on_a_crossed_design():
    # b and c are listed crossed relative to what they feed: ordering sweeps must untangle it.
    graph = graph_of([("a", "c"), ("a", "b"), ("c", "e"), ("b", "d"), ("d", "f"), ("e", "f")])
    positions = auto_layout(graph)
    assert (positions["b"][0] < positions["c"][0]) == (positions["d"][0] < positions["e"][0])


def test_cycles_and_empty_graphs_do_not_crash():
    positions = auto_layout(graph_of([("a", "b"), ("b", "c"), ("c", "b"), ("c", "c")], isolated=["z"]))
    assert set(positions) == {"a", "b", "c", "z"}
    assert positions["b"][1] > positions["a"][1]
    assert auto_layout(Graph()) == {}
    with pytest.raises(ValueError):
        layered_layout(Graph(), "diagonal")


def test_flow_direction_follows_saved_positions():
    edges = [("a", "b"), ("b", "c")]
    assert flow_direction({"a": (0, 0), "b": (270, 0), "c": (540, 0)}, edges) == LR
    assert flow_direction({"a": (0, 0), "b": (0, 110), "c": (0, 220)}, edges) == TB
    assert flow_direction({}, edges) == TB


def test_a_direct_edge_is_two_points_and_a_blocked_one_goes_around():
    assert edge_route((70, 62), (70, 110), []) == [(70, 62), (70, 110)]
    blocker = (0, 110, 140, 172)
    route = edge_route((70, 62), (70, 220), [blocker])
    assert len(route) > 2 and not passes_through(route, blocker)
    assert layout.edge_route((62, 70), (220, 70), [(110, 0, 172, 140)], LR)[2][1] not in range(0, 141)
