"""The document announces each edit, undo and redo once, after the engine's refresh: a listener that
asks for statistics or explanations then reads the final shapes, and queries never refresh the engine."""

from __future__ import annotations

from designer.canvas.scene import GraphScene
from designer.core.change import DesignChange
from designer.core.edits import AddNode, Compound, Connect, RemoveNodes, SetParams
from designer.core.engine import ShapeEngine
from designer.core.explain import edge_tooltip, explain
from designer.core.graph import Edge, Node
from designer.core.stats import compute_stats
from designer.document.document import Document
from tests.gui.canvas_support import chain_graph


def widen_c1(document: Document) -> SetParams:
    params = dict(document.graph.node("c1").params, out_channels=99)
    return SetParams("c1", params)


def test_a_listener_that_queries_stats_during_an_edit_sees_the_final_shapes(qtbot):
    document = Document(chain_graph())
    scene = GraphScene(document)
    seen = []

    def listener(change: DesignChange) -> None:
        stats = compute_stats(document.graph, document.engine)
        seen.append((change, stats.nodes["c1"].shape, scene.edges[Edge("c1", "c2")].label))

    document.graph_changed.connect(listener)
    document.apply(widen_c1(document))
    assert len(seen) == 1  # one announcement per edit
    change, shape, _ = seen[0]
    assert shape == (1, 99, 32, 32) == ShapeEngine(document.graph).shape("c1")
    assert change.params_changed == {"c1"} and "c1" in change.shapes.nodes
    assert Edge("c1", "c2") in change.shapes.edges
    document.undo_stack.undo()
    assert len(seen) == 2 and seen[1][1] == (1, 8, 32, 32)


def test_scene_listeners_connected_first_have_repainted_when_later_listeners_run(qtbot):
    document = Document(chain_graph())
    scene = GraphScene(document)
    labels = []
    document.graph_changed.connect(lambda change: labels.append(scene.edges[Edge("c1", "c2")].label))
    document.apply(widen_c1(document))
    assert "99" in labels[-1]


def test_one_announcement_for_a_compound_edit_carries_every_event_in_order(qtbot):
    document = Document(chain_graph())
    changes: list[DesignChange] = []
    document.graph_changed.connect(changes.append)
    add = Compound(
        [AddNode(Node("r", "ReLU", position=(0, 200))), Connect(Edge("c2", "r"))], text="Add and wire"
    )
    document.apply(add)
    assert len(changes) == 1
    assert changes[0].added == {"r"} and changes[0].edges_added == (Edge("c2", "r"),)
    assert document.engine.shape("r") == (1, 16, 16, 16)
    document.apply(RemoveNodes(["c1"]))
    assert len(changes) == 2 and changes[1].removed == {"c1"} and changes[1].structure_changed


def test_queries_do_not_refresh_the_engine():
    """Only the document refreshes: a query on a stale engine reads what the engine last worked out."""
    graph = chain_graph()
    engine = ShapeEngine(graph)
    graph.set_params("c1", dict(graph.node("c1").params, out_channels=99))
    compute_stats(graph, engine)
    explain(graph, engine, "c2")
    edge_tooltip(graph, engine, Edge("c1", "c2"))
    assert engine.shape("c1") == (1, 8, 32, 32)
    assert engine.refresh().nodes  # the change is still there for its owner to announce


def test_typing_merges_edits_of_the_same_parameter_whatever_their_text(qtbot):
    document = Document(chain_graph())
    base = document.graph.node("c1").params

    def typed(text: str, **changed) -> None:
        document.apply(SetParams("c1", dict(document.graph.node("c1").params, **changed), text=text), mergeable=True)

    typed("Change out_channels", out_channels=1)
    typed("Typing", out_channels=12)  # another text, the same parameter: one step
    assert document.undo_stack.count() == 1
    typed("Change out_channels", kernel_size=5)  # the same text, another parameter: a step of its own
    assert document.undo_stack.count() == 2
    typed("Change out_channels", out_channels=16)
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.graph.node("c1").params == base
