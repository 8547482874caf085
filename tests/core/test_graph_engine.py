"""The graph model's rules, the engine's error reporting, and incremental updates equal to full passes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core.edits import AddNode, Compound, Connect, Disconnect, MoveNodes, RemoveNodes, Rename, SetParams
from designer.core.engine import ShapeEngine
from designer.core.errors import CycleError, DuplicateIdError, ParamError, PortError, PortInUseError, UnknownTypeError
from designer.core.graph import Edge, Graph, Node


def conv(cin, cout, k=3, **extra):
    return {"in_channels": cin, "out_channels": cout, "kernel_size": k, **extra}


def chain(n=4, size=16):
    g = Graph("chain")
    g.add_node(Node("x", "Input", {"shape": [2, 3, size, size]}))
    prev, channels = "x", 3
    for i in range(n):
        g.add_node(Node(f"c{i}", "Conv2d", conv(channels, 8, padding=1)))
        g.connect(Edge(prev, f"c{i}"))
        prev, channels = f"c{i}", 8
    return g


def snapshot(g: Graph):
    return (
        g.name,
        [(n.id, n.type_name, n.params, n.name, n.position) for n in g.nodes()],
        list(g.edges()),
    )


def results(engine: ShapeEngine):
    return {n: (r.shape, r.message(), r.param_count) for n, r in ((n, engine.result(n)) for n in engine.graph.node_ids())}


# ----- the model refuses what it cannot hold ---------------------------------------------------------
def test_cycle_refused_with_sentence():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": [1, 3, 8, 8]}))
    g.add_node(Node("sum", "Add"))
    g.add_node(Node("c", "Conv2d", conv(3, 3, padding=1)))
    g.connect(Edge("x", "sum", 0))
    g.connect(Edge("sum", "c"))
    with pytest.raises(CycleError, match="connecting 'c' to 'sum' would make a cycle"):
        g.connect(Edge("c", "sum", 1))
    assert "cycle" in g.connect_problem(Edge("sum", "sum", 1))


def test_ports_and_types_checked():
    g = chain(1)
    g.add_node(Node("y", "Input", {"shape": [2, 3, 16, 16]}))
    with pytest.raises(PortInUseError):
        g.connect(Edge("y", "c0", 0))
    with pytest.raises(PortError, match="has no input port 1"):
        g.connect(Edge("y", "c0", 1))
    with pytest.raises(PortError, match="takes no inputs"):
        g.connect(Edge("c0", "y", 0))
    with pytest.raises(DuplicateIdError):
        g.add_node(Node("y", "ReLU"))
    with pytest.raises(UnknownTypeError):
        g.add_node(Node("q", "Conv4d"))
    with pytest.raises(ParamError, match="kernel_size must be an integer or a list of 2 integers, got 'four'"):
        g.set_params("c0", conv(3, 8, k="four"))
    with pytest.raises(ParamError, match="out_channels must be an integer, got True"):
        g.set_params("c0", conv(3, True))
    with pytest.raises(ParamError, match="has no parameter 'kernal_size'"):
        g.set_params("c0", {"in_channels": 3, "out_channels": 8, "kernal_size": 3})


# ----- errors land on the right node, downstream is blocked, not doubly wrong ------------------------
def test_error_blocks_downstream_but_not_unrelated_branch():
    g = chain(3)
    g.add_node(Node("side", "Conv2d", conv(3, 4)))
    g.connect(Edge("x", "side"))
    g.set_params("c1", conv(99, 8, padding=1))
    e = ShapeEngine(g)
    assert e.result("c0").shape == (2, 8, 16, 16)
    assert e.result("c1").error.sentence() == (
        "Conv2d 'c1' expects 99 input channels but receives 8 from 'c0'; set in_channels to 8"
    )
    assert e.result("c2").blocked_by == "c1" and e.result("c2").error is None
    assert e.result("side").shape == (2, 4, 14, 14)
    assert [n for n, _ in e.problems()] == ["c1"]


def test_unconnected_and_gapped_inputs_are_node_errors():
    g = Graph()
    g.add_node(Node("a", "Input", {"shape": [1, 4]}))
    g.add_node(Node("r", "Output"))
    g.add_node(Node("cat", "Concat"))
    g.connect(Edge("a", "cat", 0))
    g.connect(Edge("a", "cat", 2), strict=False)
    e = ShapeEngine(g)
    assert "has no input connected" in e.result("r").message()
    assert "input 1 is not connected" in e.result("cat").message()


def test_cycle_from_a_file_marks_the_nodes_involved():
    g = chain(3)
    g.add_node(Node("add", "Add"))
    g.connect(Edge("c2", "add", 0))
    g.connect(Edge("add", "c1", 1), strict=False)  # c1 gets a second input and a loop: c1 → c2 → add → c1
    e = ShapeEngine(g)
    assert "part of a cycle" in e.result("add").message()
    assert "part of a cycle" in e.result("c2").message()
    assert e.result("c0").shape == (2, 8, 16, 16)


def test_add_broadcasts_and_explains_mismatch():
    g = Graph()
    g.add_node(Node("a", "Input", {"shape": [2, 8, 4, 4]}))
    g.add_node(Node("b", "Input", {"shape": [8, 1, 1]}))
    g.add_node(Node("c", "Input", {"shape": [2, 6, 4, 4]}))
    g.add_node(Node("sum", "Add"))
    g.connect(Edge("a", "sum", 0))
    g.connect(Edge("b", "sum", 1))
    e = ShapeEngine(g)
    assert e.shape("sum") == (2, 8, 4, 4)
    g.connect(Edge("c", "sum", 2))
    e.refresh()
    assert "C (dim 1) is 8 in one and 6 in the other" in e.result("sum").message()


# ----- incremental updates ---------------------------------------------------------------------------
def test_edit_that_keeps_shape_stops_early():
    g = chain(50)
    e = ShapeEngine(g)
    g.set_params("c10", conv(8, 8, padding=1, bias=False))
    changes = e.refresh()
    assert changes.nodes == {"c10"}
    g.set_params("c10", conv(8, 8, k=5, padding=1))
    changes = e.refresh()
    assert len(changes.nodes) == 40  # c10 and everything after it
    assert Edge("c10", "c11") in changes.edges


def test_rename_refreshes_messages_that_quote_the_name():
    g = chain(2)
    g.set_params("c1", conv(5, 8))
    e = ShapeEngine(g)
    g.rename("c0", "stem")
    e.refresh()
    assert "from 'stem'" in e.result("c1").message()


@st.composite
def edit_scripts(draw):
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        steps.append(
            (
                draw(st.sampled_from(["param", "add", "remove", "connect", "disconnect", "rename"])),
                draw(st.integers(0, 30)),
                draw(st.integers(0, 30)),
                draw(st.sampled_from([1, 3, 8, 16])),
                draw(st.sampled_from([1, 2, 3, 5, 7])),
            )
        )
    return steps


def apply_step(g: Graph, step):
    kind, a, b, channels, k = step
    ids = g.node_ids()
    if not ids and kind != "add":
        return None
    pick = lambda i: ids[i % len(ids)]  # noqa: E731
    edit = None
    if kind == "param":
        node = g.node(pick(a))
        if node.type_name == "Conv2d":
            edit = SetParams(node.id, conv(channels, 8, k, padding=k // 2))
    elif kind == "add":
        edit = AddNode(Node(g.new_id("conv"), "Conv2d", conv(channels, 8, k)))
    elif kind == "remove" and len(ids) > 1:
        edit = RemoveNodes([pick(a), pick(b)] if a != b else [pick(a)])
    elif kind == "connect":
        edit = Connect(Edge(pick(a), pick(b), 0))
    elif kind == "disconnect":
        edges = list(g.edges())
        edit = Disconnect(edges[a % len(edges)]) if edges else None
    elif kind == "rename":
        edit = Rename(pick(a), f"n{b}")
    if edit is None:
        return None
    try:
        edit.apply(g)
    except (CycleError, PortError, DuplicateIdError):
        return None
    return edit


@settings(max_examples=150)
@given(edit_scripts())
def test_incremental_equals_full_and_undo_restores_exactly(script):
    g = chain(6)
    engine = ShapeEngine(g)
    before = snapshot(g)
    applied = []
    for step in script:
        edit = apply_step(g, step)
        if edit is not None:
            applied.append(edit)
        engine.refresh()
        assert results(engine) == results(ShapeEngine(g))
    for edit in reversed(applied):
        edit.revert(g)
    engine.refresh()
    assert snapshot(g) == before
    assert results(engine) == results(ShapeEngine(g))


def test_compound_is_all_or_nothing():
    g = chain(2)
    before = snapshot(g)
    bad = Compound([AddNode(Node("r", "Output")), Connect(Edge("c1", "r")), Connect(Edge("r", "c0", 0))], "Paste")
    with pytest.raises(PortInUseError):
        bad.apply(g)
    assert snapshot(g) == before


def test_move_and_remove_restore_order_of_nodes_and_edges():
    g = chain(4)
    before = snapshot(g)
    move = MoveNodes({"c1": (10, 20), "c2": (30, 40)})
    remove = RemoveNodes(["c2", "c0"])
    move.apply(g)
    assert move.text == "Move 2 Nodes"
    remove.apply(g)
    assert g.node_ids() == ["x", "c1", "c3"]
    remove.revert(g)
    move.revert(g)
    assert snapshot(g) == before
