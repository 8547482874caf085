"""Auto layout: columns by topological generation, rows spread and centred, cycles tolerated."""

from designer.core.graph import Edge, Graph, Node
from designer.core.layout import COLUMN_GAP, ROW_GAP, auto_layout


def graph_of(edges, isolated=()):
    graph = Graph()
    for node_id in dict.fromkeys([n for e in edges for n in e] + list(isolated)):
        graph.add_node(Node(node_id, "Add"))
    for port_of, (a, b) in enumerate(edges):
        graph.connect(Edge(a, b, port_of), strict=False)
    return graph


def test_a_chain_is_one_row_left_to_right():
    assert auto_layout(graph_of([("a", "b"), ("b", "c")])) == {"a": (0, 0), "b": (COLUMN_GAP, 0), "c": (2 * COLUMN_GAP, 0)}


def test_branches_spread_vertically_around_zero():
    positions = auto_layout(graph_of([("a", "b"), ("a", "c"), ("a", "d"), ("b", "e"), ("c", "e"), ("d", "e")]))
    assert sorted(positions[n][1] for n in "bcd") == [-ROW_GAP, 0, ROW_GAP]
    assert {positions[n][0] for n in "bcd"} == {COLUMN_GAP}
    assert positions["e"] == (2 * COLUMN_GAP, 0)
    two = auto_layout(graph_of([("a", "b"), ("a", "c")]))
    assert sorted(two[n][1] for n in "bc") == [-ROW_GAP // 2, ROW_GAP // 2]
    assert all(isinstance(v, int) for xy in two.values() for v in xy)


def test_cycles_and_empty_graphs_do_not_crash():
    positions = auto_layout(graph_of([("a", "b"), ("b", "c"), ("c", "b"), ("c", "c")], isolated=["z"]))
    assert set(positions) == {"a", "b", "c", "z"}
    assert positions["b"][0] == positions["c"][0] > positions["a"][0]
    assert auto_layout(Graph()) == {}
