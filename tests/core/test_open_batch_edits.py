"""The open-batch engine under random edits: opening and closing the batch of one of two Inputs,
changing sizes, adding, removing and rewiring layers, undoing it all. After every step the engine that
followed the edits incrementally says exactly what a fresh engine says, display sizes (N) included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core.edits import AddNode, Connect, Disconnect, RemoveNodes, SetParams
from designer.core.engine import ShapeEngine
from designer.core.errors import GraphError
from designer.core.graph import Edge, Graph, Node


def two_inputs() -> Graph:
    """Two Inputs added together, then a conv, a flatten and a linear layer."""
    graph = Graph("two inputs")
    graph.add_node(Node("a", "Input", {"shape": ["N", 4, 6, 6]}))
    graph.add_node(Node("b", "Input", {"shape": [2, 4, 6, 6]}))
    graph.add_node(Node("sum", "Add"))
    graph.add_node(Node("conv", "Conv2d", {"in_channels": 4, "out_channels": 3, "kernel_size": 3}))
    graph.add_node(Node("flat", "Flatten"))
    graph.add_node(Node("fc", "Linear", {"in_features": 48, "out_features": 5}))
    for edge in (Edge("a", "sum", 0), Edge("b", "sum", 1), Edge("sum", "conv"), Edge("conv", "flat"), Edge("flat", "fc")):
        graph.connect(edge)
    return graph


def seen(engine: ShapeEngine) -> dict:
    return {
        n: (r.shape, r.display_shape, r.message(), r.warnings, r.param_count)
        for n, r in ((n, engine.result(n)) for n in engine.graph.node_ids())
    } | {"symbolic": engine.symbolic}


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["batch", "size", "add", "remove", "rewire"]),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["N", 1, 2, 3]),
        st.integers(0, 50),
    ),
    min_size=1,
    max_size=20,
)


def edit_for(graph: Graph, kind: str, which: str, batch, k: int):
    ids = graph.node_ids()
    if kind in ("batch", "size") and which in graph:
        shape = list(graph.node(which).params["shape"])
        if kind == "batch":
            shape[0] = batch
        else:
            shape[2] = shape[3] = 4 + k % 5
        return SetParams(which, {"shape": shape})
    if kind == "add":
        return AddNode(Node(graph.new_id("relu"), "ReLU"))
    if kind == "remove" and len(ids) > 1:
        return RemoveNodes([ids[k % len(ids)]])
    if kind == "rewire" and ids:
        edges = list(graph.edges())
        if edges and k % 2:
            return Disconnect(edges[k % len(edges)])
        return Connect(Edge(ids[k % len(ids)], ids[(k // 3) % len(ids)], 0))
    return None


@settings(max_examples=120, deadline=None)
@given(STEPS)
def test_incremental_open_batch_results_equal_a_fresh_engine_after_every_edit_and_undo(steps):
    graph = two_inputs()
    engine = ShapeEngine(graph)
    start = seen(engine)
    done = []
    for step in steps:
        edit = edit_for(graph, *step)
        if edit is None:
            continue
        try:
            edit.apply(graph)
        except GraphError:
            continue
        done.append(edit)
        engine.refresh()
        assert seen(engine) == seen(ShapeEngine(graph))
    for edit in reversed(done):
        edit.revert(graph)
        engine.refresh()
        assert seen(engine) == seen(ShapeEngine(graph))
    assert seen(engine) == start
