"""Sizes you can read: the opening zoom, label places, screen-space labels when zoomed out, and edge manners."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from designer.canvas import geometry as geo
from designer.canvas import style
from designer.canvas.edge_item import EdgeItem
from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core import examples
from designer.core.edits import AddNode, Connect
from designer.core.graph import Edge, Graph, Node
from designer.document.document import Document
from tests.benchmarks.run import chain_graph as long_chain
from tests.gui.canvas_support import chain_graph, make_view, view_point

CANVAS_1280 = (750, 580)  # the canvas of a 1280×800 window with its docks open


def shown_view(qtbot, graph: Graph, size=CANVAS_1280) -> GraphView:
    view = GraphView(GraphScene(Document(graph)))
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.fit_all()
    return view


def label_rects(scene) -> list:
    rects = [item.label_rect() for item in scene.edges.values() if item.shown_label()]
    rects += [rect.translated(node.pos()) for node in scene.nodes.values() for rect, _ in node.output_label_rects()]
    return rects


def unlaid_chain(layers: int) -> Graph:
    graph = Graph("chain")
    graph.add_node(Node("x", "Input", {"shape": [1, 8, 32, 32]}))
    for i in range(1, layers):
        graph.add_node(Node(f"r{i}", "ReLU"))
        graph.connect(Edge("x" if i == 1 else f"r{i - 1}", f"r{i}", 0))
    return graph


@pytest.mark.parametrize("name", examples.example_names())
def test_every_example_opens_whole_with_legible_sizes_that_overlap_nothing(qtbot, name):
    view = shown_view(qtbot, examples.load_example(name))
    scene = view.graph_scene
    assert view.zoom() * style.LABEL_PX >= style.LEGIBLE_PX
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in scene.nodes.values())
    labels = label_rects(scene)
    assert len(labels) >= len({e.source for e in scene.document.graph.edges()})
    cards = [node.card_rect().translated(node.pos()) for node in scene.nodes.values()]
    for i, label in enumerate(labels):
        assert not any(label.intersects(card) for card in cards), f"{name}: a label covers a card"
        assert not any(label.intersects(other) for other in labels[i + 1 :]), f"{name}: two labels overlap"


def test_a_big_design_opens_legible_on_its_inputs_with_the_minimap(qtbot):
    view = shown_view(qtbot, long_chain(300))
    assert abs(view.zoom() - style.LABEL_LOD) < 1e-6
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.graph_scene.nodes["x"].sceneBoundingRect())
    view.minimap.refresh()
    assert view.minimap.isVisible()


def test_a_layer_that_feeds_nothing_shows_its_size_until_it_is_connected(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    assert scene.nodes["out"].output_labels == {0: "1×16×16×16"}
    assert scene.nodes["c2"].output_labels == {}
    assert scene.edges[Edge("c2", "out", 0)].shown_label() == "1×16×16×16"
    view.document.apply_edit_for_test = None  # noqa: B010 (documents the edit path below)
    view.graph_scene.set_selection([], [Edge("c2", "out", 0)])
    view.editor.delete_selection()
    assert scene.nodes["c2"].output_labels == {0: "1×16×16×16"}
    doc.undo_stack.undo()
    assert scene.nodes["c2"].output_labels == {}


def test_one_label_per_output_however_many_edges_leave_it(qtbot):
    graph = chain_graph()
    graph.add_node(Node("side", "ReLU", position=(480, 200)))
    graph.connect(Edge("c1", "side", 0))
    view = make_view(qtbot, graph)
    shown = [view.graph_scene.edges[e].shown_label() for e in graph.out_edges("c1")]
    assert sorted(shown, key=str) == ["1×8×32×32", None]


def test_zoomed_out_the_selected_layers_edges_show_their_sizes_in_screen_space(qtbot):
    view = make_view(qtbot, chain_graph())
    view.set_zoom(0.3)
    assert view.screen_labels() == []  # nothing chosen: the overview stays clean
    view.graph_scene.set_selection(["c1"])
    pills = view.screen_labels()
    assert {text for _, text in pills} == {"1×3×32×32", "1×8×32×32"}
    assert all(pill.height() >= style.LEGIBLE_PX for pill, _ in pills)
    for i, (pill, _) in enumerate(pills):
        assert not any(pill.intersects(other) for other, _ in pills[i + 1 :])
    view.set_zoom(1.0)
    assert view.screen_labels() == []  # legible on the canvas itself


def test_edges_are_easy_to_hit_and_have_a_menu(qtbot):
    view = make_view(qtbot, chain_graph())
    view.set_zoom(0.6)
    item = view.graph_scene.edges[Edge("c1", "c2", 0)]
    start, end = item.endpoints()
    middle = view_point(view, (start + end) / 2) + QPoint(0, 4)  # a few pixels off the line
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    assert view.graph_scene.selected_edges() == [Edge("c1", "c2", 0)]
    view.graph_scene.set_selection([])
    menu = view.editor.context_menu(middle)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:2] == ["Explain This Size", "Insert Layer Here…"] and "Delete Edge" in texts
    assert view.graph_scene.selected_edges() == [Edge("c1", "c2", 0)]  # right-click selects what it acts on
    with qtbot.waitSignal(view.explain_requested) as explained:
        next(a for a in menu.actions() if a.text() == "Explain This Size").trigger()
    assert explained.args == ["c1"] and view.document.selection == ["c1"]


def test_insert_a_layer_on_an_edge_is_one_undo_step(qtbot):
    view = make_view(qtbot, chain_graph())
    doc = view.document
    new = view.editor.insert_on_edge("BatchNorm2d", Edge("c1", "c2", 0))
    assert new is not None and doc.undo_stack.count() == 1
    assert doc.graph.inputs(new) == {0: "c1"} and doc.graph.inputs("c2") == {0: new}
    assert doc.engine.result("c2").ok and doc.graph.node(new).params.get("num_features") == 8
    doc.undo_stack.undo()
    assert doc.graph.inputs("c2") == {0: "c1"} and new not in doc.graph


def test_delete_edge_from_its_menu(qtbot):
    view = make_view(qtbot, chain_graph())
    item = view.graph_scene.edges[Edge("c1", "c2", 0)]
    start, end = item.endpoints()
    menu = view.editor.context_menu(view_point(view, (start + end) / 2))
    next(a for a in menu.actions() if a.text() == "Delete Edge").trigger()
    assert not view.document.graph.has_edge(Edge("c1", "c2", 0))


def test_edges_on_the_canvas_go_around_cards(qtbot):
    graph = chain_graph()
    graph.connect(Edge("x", "out", 1), strict=False) if False else None
    graph.add_node(Node("add", "Add", position=(960, 0)))
    graph.connect(Edge("c1", "add", 0))
    graph.connect(Edge("x", "add", 1), strict=False)
    view = make_view(qtbot, graph)
    scene = view.graph_scene
    route = scene.edges[Edge("x", "add", 1)].route()
    assert len(route) > 2  # c1, c2 and out stand in the straight way
    path = scene.edges[Edge("x", "add", 1)].path()
    for node_id in ("c1", "c2", "out"):
        card = scene.nodes[node_id].card_rect().translated(scene.nodes[node_id].pos())
        assert not any(card.contains(path.pointAtPercent(t / 200)) for t in range(201))
    assert isinstance(scene.edges[Edge("x", "add", 1)], EdgeItem) and QPointF(*route[0]) == scene.nodes["x"].output_port_pos()


def lstm_on_h_n(num_layers: int = 2) -> Graph:
    """Token features → LSTM, whose h_n alone goes on (its output sequence and c_n feed nothing)."""
    graph = Graph("lstm")
    graph.add_node(Node("x", "Input", {"shape": [16, 40, 96]}))
    graph.add_node(Node("lstm", "LSTM", {"input_size": 96, "hidden_size": 128, "num_layers": num_layers, "batch_first": True}))
    graph.add_node(Node("last", "Select", {"dim": 0, "index": -1}))
    graph.connect(Edge("x", "lstm", 0))
    graph.connect(Edge("lstm", "last", 0, 1))
    return graph


def test_an_output_no_edge_takes_shows_its_size_on_its_port_clear_of_the_others(qtbot):
    view = shown_view(qtbot, lstm_on_h_n())
    scene = view.graph_scene
    lstm = scene.nodes["lstm"]
    assert scene.edges[Edge("lstm", "last", 0, 1)].shown_label() == "2×16×128"
    # The sequence (port 0) is shown on the card; c_n is the same size as h_n, shown once.
    assert lstm.output_labels == {0: "16×40×128"}
    labels = label_rects(scene)
    assert len(labels) == 4  # x's edge, the sequence, h_n's edge, last's own output
    cards = [node.card_rect().translated(node.pos()) for node in scene.nodes.values()]
    for i, label in enumerate(labels):
        assert not any(label.intersects(card) for card in cards)
        assert not any(label.intersects(other) for other in labels[i + 1 :])
    doc = view.document
    doc.apply(AddNode(Node("seq", "Output")))
    doc.apply(Connect(Edge("lstm", "seq", 0, 0)))
    assert lstm.output_labels == {}  # the sequence's size went onto its edge
    assert scene.edges[Edge("lstm", "seq", 0, 0)].shown_label() == "16×40×128"
    doc.undo_stack.undo()
    assert lstm.output_labels == {0: "16×40×128"}


@pytest.mark.parametrize("layers", [24, 60])
def test_a_long_design_opens_whole_in_snaking_bands_with_legible_sizes(qtbot, layers):
    view = shown_view(qtbot, unlaid_chain(layers))
    scene = view.graph_scene
    assert style.labels_legible(view.zoom())
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.nodes_rect())  # every card, size and turn in view
    assert scene.flipped  # the bands running back up
    for node_id in scene.flipped:
        item = scene.nodes[node_id]
        card = item.card_rect().translated(item.pos())
        assert item.input_port_pos(0).y() == card.bottom() and item.output_port_pos().y() == card.top()
    for edge, item in scene.edges.items():
        route = item.route()
        assert QPointF(*route[0]) == scene.nodes[edge.source].output_port_pos()
        assert QPointF(*route[-1]) == scene.nodes[edge.target].input_port_pos(0)
    labels = label_rects(scene)
    cards = [node.card_rect().translated(node.pos()) for node in scene.nodes.values()]
    for i, label in enumerate(labels):
        assert not any(label.intersects(card) for card in cards)
        assert not any(label.intersects(other) for other in labels[i + 1 :])


def test_a_design_opened_without_positions_is_laid_out_with_each_card_at_its_size(qtbot):
    graph = lstm_on_h_n()
    for i in range(6):  # long enough to be cut into bands, beside the LSTM's wide card
        graph.add_node(Node(f"r{i}", "ReLU"))
        graph.connect(Edge("last" if i == 0 else f"r{i - 1}", f"r{i}", 0))
    scene = shown_view(qtbot, graph).graph_scene
    cards = [node.card_rect().translated(node.pos()) for node in scene.nodes.values()]
    assert scene.nodes["lstm"].card_rect().width() > geo.NODE_WIDTH
    for i, card in enumerate(cards):
        assert not any(card.intersects(other) for other in cards[i + 1 :])
