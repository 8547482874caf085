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
    against_flow,
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


def ports(rects, edge, direction, turned=frozenset()):
    """Output and input port of ``edge``; a card in ``turned`` (against the flow) has them swapped round."""
    (sl, st, sr, sb), (tl, tt, tr, tb) = rects[edge.source], rects[edge.target]
    back_out, back_in = edge.source in turned, edge.target in turned
    if direction == TB:
        return ((sl + sr) / 2, st if back_out else sb), ((tl + tr) / 2, tb if back_in else tt)
    return (sl if back_out else sr, (st + sb) / 2), (tr if back_in else tl, (tt + tb) / 2)


def routes(graph, positions, direction=TB):
    rects = cards(positions)
    turned = against_flow(positions, [(e.source, e.target) for e in graph.edges()], direction)
    out = {}
    for edge in graph.edges():
        start, end = ports(rects, edge, direction, turned)
        others = [r for n, r in rects.items() if n not in (edge.source, edge.target)]
        leave, enter = (-1 if edge.source in turned else 1), (-1 if edge.target in turned else 1)
        out[edge] = edge_route(start, end, others, direction, leave, enter)
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


def residual_chain(blocks: int) -> Graph:
    """x → blocks of (conv, bn, relu, conv, bn, add ← bypass from the block's input, relu)."""
    edges, previous = [], "x"
    for b in range(blocks):
        chain = [f"b{b}_{name}" for name in ("conv1", "bn1", "relu1", "conv2", "bn2", "add", "relu2")]
        edges += list(zip([previous, *chain[:-1]], chain))
        edges.append((previous, f"b{b}_add"))
        previous = chain[-1]
    return graph_of(edges)


def flat_unet(levels: int = 3) -> Graph:
    """The classic U-Net layer by layer: two convs per level, pools down, up-convs and Concats with the skips."""
    edges, skips, previous = [], [], "image"

    def run(prefix, names):
        nonlocal previous
        for name in names:
            edges.append((previous, f"{prefix}_{name}"))
            previous = f"{prefix}_{name}"

    for level in range(levels):
        run(f"enc{level}", ("conv1", "relu1", "conv2", "relu2"))
        skips.append(previous)
        run(f"enc{level}", ("pool",))
    run("bottom", ("conv1", "relu1", "conv2", "relu2"))
    for level in reversed(range(levels)):
        run(f"dec{level}", ("up",))
        edges.append((skips[level], f"dec{level}_cat"))
        run(f"dec{level}", ("cat", "conv1", "relu1", "conv2", "relu2"))
    run("out", ("head",))
    return graph_of(edges)


def chain(layers: int) -> Graph:
    return graph_of([(f"n{i}", f"n{i + 1}") for i in range(layers - 1)])


def designs():
    named = [(name, examples.load_example(name)) for name in examples.example_names()]
    generated = [(f"random{seed}", random_dag(40, seed)) for seed in range(4)]
    return named + generated + [("resnet6", residual_chain(6)), ("unet3", flat_unet(3)), ("chain60", chain(60))]


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


# Crossings of the drawn routes (pairs of edges whose polylines cross, edges sharing a card not
# counted) measured with the layout this one replaced, on the same designs: newspaper columns that ran
# every band down, so a band's last layer joined the next band's first by an edge across the drawing.
PREVIOUS_CROSSINGS = {
    "dcgan_discriminator/TB": 0, "dcgan_discriminator/LR": 0, "dcgan_generator/TB": 0, "dcgan_generator/LR": 0,
    "dilated_conv1d/TB": 1, "dilated_conv1d/LR": 0, "espcn/TB": 0, "espcn/LR": 0, "mnist_autoencoder/TB": 0,
    "mnist_autoencoder/LR": 0, "resnet_blocks/TB": 0, "resnet_blocks/LR": 0, "tiny_gpt/TB": 0, "tiny_gpt/LR": 0,
    "unet/TB": 2, "unet/LR": 0, "vgg_classifier/TB": 0, "vgg_classifier/LR": 0, "random0/TB": 29, "random0/LR": 11,
    "random1/TB": 6, "random1/LR": 3, "random2/TB": 16, "random2/LR": 5, "random3/TB": 8, "random3/LR": 1,
    "resnet6/TB": 2, "resnet6/LR": 0, "unet3/TB": 9, "unet3/LR": 0, "chain60/TB": 0, "chain60/LR": 0,
}


def _crosses(p1, p2, p3, p4) -> bool:
    def side(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 1e-9) - (v < -1e-9)

    return side(p1, p2, p3) * side(p1, p2, p4) < 0 and side(p3, p4, p1) * side(p3, p4, p2) < 0


def crossings(graph, positions, direction) -> int:
    drawn = list(routes(graph, positions, direction).items())
    count = 0
    for i, (a, route_a) in enumerate(drawn):
        for b, route_b in drawn[i + 1 :]:
            if {a.source, a.target} & {b.source, b.target}:
                continue
            segments_b = list(zip(route_b, route_b[1:]))
            if any(_crosses(p, q, r, s) for p, q in zip(route_a, route_a[1:]) for r, s in segments_b):
                count += 1
    return count


@pytest.mark.parametrize("name,graph", [d for d in designs() if not d[0].startswith("random")], ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("direction", [TB, LR])
def test_no_more_crossings_than_the_previous_layout(name, graph, direction):
    placed = layered_layout(graph, direction).positions
    assert crossings(graph, placed, direction) <= PREVIOUS_CROSSINGS[f"{name}/{direction}"]


@pytest.mark.parametrize("direction", [TB, LR])
def test_random_dags_cross_less_in_all_than_with_the_previous_layout(direction):
    # One of them may cross once more than before (its fold lands differently); together, fewer.
    random = [(name, graph) for name, graph in designs() if name.startswith("random")]
    now = sum(crossings(graph, layered_layout(graph, direction).positions, direction) for _, graph in random)
    assert now <= sum(PREVIOUS_CROSSINGS[f"{name}/{direction}"] for name, _ in random)


def test_the_crossing_count_sees_crossings():
    graph = graph_of([("a", "b"), ("c", "d")])
    assert crossings(graph, {"a": (0, 0), "b": (0, 200), "c": (200, 0), "d": (200, 200)}, TB) == 0
    assert crossings(graph, {"a": (0, 0), "b": (300, 200), "c": (300, 0), "d": (0, 200)}, TB) == 1


@pytest.mark.parametrize(
    "graph,bottleneck",
    [(examples.load_example("unet"), ("bottleneck", "bottleneck_relu")), (flat_unet(1), ("bottom_conv1", "bottom_relu1", "bottom_conv2", "bottom_relu2"))],
)
def test_a_unet_folds_at_its_bottom_into_a_u(graph, bottleneck):
    placed = layered_layout(graph)
    assert placed.bands >= 2
    positions = placed.positions
    ys = [y for _, y in positions.values()]
    assert max(positions[n][1] for n in bottleneck) == max(ys)  # the bottleneck at the bottom of the U
    first = next(n for n in graph.node_ids() if not graph.in_edges(n))
    assert positions[first][1] == min(ys)  # the input at the top of the encoder's arm
    # The skips, from the encoder (what comes before the bottleneck) into the decoder, run across arms.
    encoder, todo = set(), [bottleneck[0]]
    while todo:
        for edge in graph.in_edges(todo.pop()):
            if edge.source not in encoder:
                encoder.add(edge.source)
                todo.append(edge.source)
    decoder = set(graph.node_ids()) - encoder - set(bottleneck)
    skips = [e for e in graph.edges() if e.source in encoder and e.target in decoder]
    assert skips
    for edge in skips:
        assert positions[edge.source][0] != positions[edge.target][0]  # from the encoder's arm to the decoder's
    # The decoder's arm rises from the bottleneck: its cards stand against the flow, ports turned round.
    turned = against_flow(positions, [(e.source, e.target) for e in graph.edges()])
    after = next(e.target for e in graph.out_edges(bottleneck[-1]))
    assert after in turned and all(e.source not in turned for e in skips)


def test_a_resnet_is_a_spine_with_its_bypasses_beside_it():
    graph = residual_chain(2)
    placed = layered_layout(graph).positions
    drawn = routes(graph, placed)
    for b in range(2):
        column = {placed[f"b{b}_{name}"][0] for name in ("conv1", "bn1", "relu1", "conv2", "bn2")}
        if len(column) > 1:
            continue  # this block is cut between two bands
        left = column.pop()
        bypass = next(e for e in graph.in_edges(f"b{b}_add") if e.target_port == 1)
        assert any(x < left or x > left + CARD_WIDTH for x, _ in drawn[bypass])


def test_a_long_chain_snakes_down_and_up_and_fits_a_window_at_a_legible_zoom():
    placed = layered_layout(chain(60))
    assert placed.bands > 3
    positions = placed.positions
    turned = against_flow(positions, [(f"n{i}", f"n{i + 1}") for i in range(59)])
    xs, ys = [x for x, _ in positions.values()], [y for _, y in positions.values()]
    width, height = max(xs) - min(xs) + CARD_WIDTH, max(ys) - min(ys) + CARD_HEIGHT
    assert width <= layout.ROOM[0] and height <= layout.ROOM[1]
    bands = sorted({x for x, _ in positions.values()})
    for index, x in enumerate(bands):
        column = [n for n in positions if positions[n][0] == x]
        ordered = sorted(column, key=lambda n: int(n[1:]))
        going = [positions[n][1] for n in ordered]
        assert going == sorted(going, reverse=index % 2 == 1)  # down, then back up beside it, ...
        assert all((n in turned) == (index % 2 == 1) for n in column)  # ports turned round in the bands going up
    for i in range(59):  # every edge is short: a step down a band, or a turn into the next
        (x0, y0), (x1, y1) = positions[f"n{i}"], positions[f"n{i + 1}"]
        assert abs(y1 - y0) <= CARD_HEIGHT + layout.RANK_GAP[TB] and abs(x1 - x0) <= CARD_WIDTH + layout.BAND_GAP + 60


def test_against_flow_reads_the_positions():
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    down_then_up = {"a": (0, 0), "b": (0, 110), "c": (200, 110), "d": (200, 0)}
    assert against_flow(down_then_up, edges) == {"c", "d"}
    assert against_flow({"a": (0, 0), "b": (0, 110)}, [("a", "b")]) == set()
    assert against_flow({"a": (300, 0), "b": (0, 0)}, [("a", "b")], LR) == {"a", "b"}


def test_routes_between_cards_against_the_flow():
    # Up a band running back: out of the top of the lower card, into the bottom of the upper one.
    assert edge_route((70, 170), (70, 108), [], TB, -1, -1) == [(70, 170), (70, 108)]
    # The turn from the foot of one band into the foot of the next: below both, never through a card.
    cards_ = [(0, 0, 140, 62), (200, 0, 340, 62)]
    turn = edge_route((70, 62), (270, 62), [], TB, 1, -1)
    assert turn[0] == (70, 62) and turn[-1] == (270, 62) and all(y >= 62 for _, y in turn)
    assert not any(passes_through(turn, c) for c in cards_)
    # From the top of a band going up into the top of the next going down.
    over = edge_route((70, 0), (270, 0), [], TB, -1, 1)
    assert all(y <= 0 for _, y in over) and over[-1] == (270, 0)
    # A card in the way of the turn: around it.
    blocker = (120, 90, 260, 152)
    around = edge_route((70, 62), (330, 200), [blocker], TB, 1, -1)
    assert not passes_through(around, blocker)
