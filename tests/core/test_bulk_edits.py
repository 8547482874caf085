"""Bulk edits and the one execution order.

Deleting a selection and undoing it restore the design exactly (file order of nodes and edges, ports,
shapes) on random branching designs, and the engine's execution order is the order of the statements
in the exported ``forward``. How fast bulk edits are is measured in tests/benchmarks/run.py
(``delete_half_8000_ms``, ``undo_delete_half_8000_ms``), not here.
"""

import re

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import export
from designer.core.edits import RemoveNodes
from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from designer.core.order import execution_order


@st.composite
def branching_designs(draw):
    """An Input, then ReLUs and Adds fed by earlier layers, listed in the file in a shuffled order."""
    count = draw(st.integers(1, 14))
    made = ["x"]
    nodes = [Node("x", "Input", {"shape": [2, 4, 5, 5]})]
    edges = []
    for i in range(count):
        node_id = f"n{i}"
        if draw(st.booleans()):
            nodes.append(Node(node_id, "Add"))
            a, b = draw(st.sampled_from(made)), draw(st.sampled_from(made))
            edges += [Edge(a, node_id, 0), Edge(b, node_id, 1)]
        else:
            nodes.append(Node(node_id, "ReLU"))
            edges.append(Edge(draw(st.sampled_from(made)), node_id, 0))
        made.append(node_id)
    nodes = draw(st.permutations(nodes))
    graph = Graph("branching")
    for node in nodes:
        graph.add_node(node)
    for edge in draw(st.permutations(edges)):
        graph.connect(edge)
    return graph


def snapshot(graph: Graph):
    return (
        [(n.id, n.type_name, n.params, n.name, n.position) for n in graph.nodes()],
        list(graph.edges()),
        {n: (graph.inputs(n), graph.out_edges(n)) for n in graph.node_ids()},
        sorted(graph.topology().edges(keys=True)),
    )


def results(engine: ShapeEngine):
    return {n: (engine.result(n).shape, engine.result(n).message()) for n in engine.graph.node_ids()}


@settings(max_examples=120, deadline=None)
@given(branching_designs(), st.data())
def test_deleting_a_selection_and_undoing_it_restores_the_design_exactly(graph, data):
    engine = ShapeEngine(graph)
    before, shapes_before = snapshot(graph), results(engine)
    node_ids = data.draw(st.lists(st.sampled_from(graph.node_ids()), unique=True))
    edges = data.draw(st.lists(st.sampled_from(list(graph.edges())), unique=True)) if graph.edge_count() else []
    edit = RemoveNodes(node_ids, edges=edges)
    edit.apply(graph)
    engine.refresh()
    assert not set(node_ids) & set(graph.node_ids())
    assert not set(edges) & set(graph.edges())
    assert all(e.source in graph and e.target in graph for e in graph.edges())
    assert results(engine) == results(ShapeEngine(graph))
    edit.revert(graph)
    engine.refresh()
    assert snapshot(graph) == before
    assert results(engine) == shapes_before


@settings(max_examples=120, deadline=None)
@given(branching_designs())
def test_engine_order_is_the_order_of_statements_in_forward(graph):
    engine = ShapeEngine(graph)
    code = export.export(graph).code
    forward = code[code.index("def forward"):].split("\n\n")[0]
    statements = re.findall(r"^ {8}(\w+) = ", forward, flags=re.MULTILINE)
    assert statements == [n for n in engine.order() if graph.node(n).type_name != "Input"]
    assert engine.order() == execution_order(graph).nodes


@settings(max_examples=80, deadline=None)
@given(branching_designs())
def test_execution_order_is_topological_and_prefers_the_file_order(graph):
    order = execution_order(graph).nodes
    assert sorted(order) == sorted(graph.node_ids())
    position = {n: i for i, n in enumerate(order)}
    assert all(position[e.source] < position[e.target] for e in graph.edges())
    file_index = {n: i for i, n in enumerate(graph.node_ids())}
    assert order == list(nx.lexicographical_topological_sort(graph.topology(), key=file_index.__getitem__))


def test_nodes_on_a_cycle_come_first_in_file_order():
    graph = Graph()
    for node_id in ("x", "b", "a", "after"):
        graph.add_node(Node(node_id, "Input", {"shape": [1, 2]}) if node_id == "x" else Node(node_id, "Add"))
    for edge in (Edge("x", "a", 0), Edge("b", "a", 1), Edge("a", "b", 0), Edge("x", "b", 1), Edge("a", "after", 0)):
        graph.connect(edge, strict=False)
    order = execution_order(graph)
    assert order.cyclic == {"a", "b"}
    assert order.nodes == ["b", "a", "x", "after"]
