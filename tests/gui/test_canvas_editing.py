"""Editing on the canvas with real mouse and key events: drop, wire, refuse, move, delete, paste, rename."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtTest import QTest

from designer.canvas import scene as scene_module
from designer.canvas.view import LAYER_MIME
from designer.core.edits import SetParams
from designer.core.graph import Edge, Graph, Node
from tests.gui.canvas_support import chain_graph, conv, make_view, view_point


def _press_move_release(view, start, end, steps=4):
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * i / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drop_from_palette_creates_wired_node_with_fitting_params(qtbot):
    view = make_view(qtbot, chain_graph())
    doc = view.document
    doc.select(["c2"])
    data = QMimeData()
    data.setData(LAYER_MIME, b"Conv2d")
    data.setText("Conv2d")
    drop_at = QPointF(600, 400)
    event = QDropEvent(drop_at, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    new = [n for n in doc.graph.node_ids() if n not in {"x", "c1", "c2", "out"}]
    assert len(new) == 1
    node = doc.graph.node(new[0])
    assert node.type_name == "Conv2d" and node.id == "conv1"
    assert node.params["in_channels"] == 16  # C of c2's output 1×16×16×16
    assert doc.graph.inputs(node.id) == {0: "c2"}
    item = view.graph_scene.nodes[node.id]
    assert item.sceneBoundingRect().contains(view.mapToScene(drop_at.toPoint()))
    assert doc.engine.result(node.id).shape == (1, 16, 14, 14)  # kernel 3, torch's default padding 0
    assert doc.selection == [node.id]
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert node.id not in doc.graph and node.id not in view.graph_scene.nodes


def test_drop_handler_without_selection_and_unknown_types(qtbot):
    view = make_view(qtbot, Graph())
    messages = []
    view.status_message.connect(messages.append)
    node_id = view.editor.drop_layer("Input", QPointF(100, 100))
    assert view.document.graph.node(node_id).params == {"shape": [1, 3, 64, 64]}
    assert view.editor.drop_layer("NoSuchLayer", QPointF(100, 100)) is None
    assert "NoSuchLayer" in messages[-1]
    assert len(view.document.graph) == 1


def test_connect_two_ports_with_the_mouse(qtbot):
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": [1, 3, 32, 32]}, position=(0, 0)))
    g.add_node(conv("c1", 3, 8, (300, 40)))
    view = make_view(qtbot, g)
    scene = view.graph_scene
    start = view_point(view, scene.nodes["x"].output_port_pos())
    end = view_point(view, scene.nodes["c1"].input_port_pos(0))
    _press_move_release(view, start, end)
    assert view.document.graph.has_edge(Edge("x", "c1", 0))
    assert view.document.undo_stack.count() == 1
    assert view.document.undo_stack.undoText() == "Connect"
    assert scene.edges[Edge("x", "c1", 0)].label == "1×3×32×32"
    assert scene.nodes["c1"].status == "ok"
    assert not any(item.port_marks for item in scene.nodes.values())


def test_refused_connections_change_nothing(qtbot):
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": [1, 8, 16, 16]}, position=(0, 0)))
    g.add_node(Node("add", "Add", {}, position=(240, 0)))
    g.add_node(conv("c", 8, 8, (480, 0)))
    g.connect(Edge("x", "add", 0))
    g.connect(Edge("add", "c", 0))
    view = make_view(qtbot, g)
    scene, doc = view.graph_scene, view.document
    messages = []
    view.status_message.connect(messages.append)
    edges_before = sorted(doc.graph.edges())
    # c → add's free port 1 would make a cycle.
    cycle_start = view_point(view, scene.nodes["c"].output_port_pos())
    cycle_end = view_point(view, scene.nodes["add"].input_port_pos(1))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, cycle_start)
    QTest.mouseMove(view.viewport(), cycle_end)
    assert scene.nodes["add"].port_marks == {0: False, 1: False}
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, cycle_end)
    assert "cycle" in messages[-1]
    # x → c's port 0 is taken by add.
    _press_move_release(view, view_point(view, scene.nodes["x"].output_port_pos()), view_point(view, scene.nodes["c"].input_port_pos(0)))
    assert "already connected" in messages[-1]
    assert sorted(doc.graph.edges()) == edges_before
    assert doc.undo_stack.count() == 0
    assert set(scene.edges) == set(edges_before)


def test_pick_up_an_edge_end_and_drop_it_on_empty_canvas_disconnects(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    start = view_point(view, scene.nodes["c2"].input_port_pos(0))
    _press_move_release(view, start, start + (start - start) + view_point(view, QPointF(360, 300)) - start)
    assert not doc.graph.has_edge(Edge("c1", "c2", 0))
    assert doc.undo_stack.undoText() == "Disconnect"
    assert scene.nodes["c2"].status == "error"
    doc.undo_stack.undo()
    assert doc.graph.has_edge(Edge("c1", "c2", 0)) and scene.edges[Edge("c1", "c2", 0)].isVisible()


def test_move_a_node_with_the_mouse_is_one_undo_step(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    item = scene.nodes["c1"]
    start = view_point(view, item.pos() + QPointF(70, 50))
    _press_move_release(view, start, start + view_point(view, QPointF(100, 80)) - view_point(view, QPointF(0, 0)), steps=6)
    assert doc.graph.node("c1").position == (340, 80)
    assert (item.x(), item.y()) == (340, 80)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Move Node"
    edge_item = scene.edges[Edge("x", "c1", 0)]
    assert edge_item.endpoints()[1] == item.input_port_pos(0)
    doc.undo_stack.undo()
    assert doc.graph.node("c1").position == (240, 0) and (item.x(), item.y()) == (240, 0)
    assert edge_item.endpoints()[1] == item.input_port_pos(0)


def test_delete_undo_redo(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    doc.select(["c1"])
    assert scene.nodes["c1"].isSelected()
    view.editor.delete_selection()
    assert "c1" not in doc.graph and "c1" not in scene.nodes
    assert set(scene.edges) == {Edge("c2", "out", 0)}
    assert scene.nodes["c2"].status == "error"
    doc.undo_stack.undo()
    assert set(scene.edges) == set(doc.graph.edges()) and len(scene.edges) == 3
    assert scene.nodes["c2"].status == "ok"
    doc.undo_stack.redo()
    assert "c1" not in scene.nodes and doc.undo_stack.count() == 1


def test_delete_key_removes_a_selected_edge(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    edge_item = scene.edges[Edge("c1", "c2", 0)]
    label_point = view_point(view, edge_item.label_rect().center())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, label_point)
    assert scene.selected_edges() == [Edge("c1", "c2", 0)]
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert not doc.graph.has_edge(Edge("c1", "c2", 0)) and len(doc.graph) == 4


def test_copy_paste_round_trip_through_the_clipboard(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    doc.select(["c1", "c2"])
    assert view.editor.copy_selection()
    text = QGuiApplication.clipboard().text()
    assert '"format": "model-designer-project"' in text and '"c1"' in text and '"x"' not in text
    new_ids = view.editor.paste()
    assert new_ids == ["c3", "c4"]
    assert doc.graph.node("c3").params == doc.graph.node("c1").params
    assert doc.graph.node("c3").position == (280, 40) and doc.graph.node("c4").position == (520, 40)
    assert doc.graph.inputs("c4") == {0: "c3"}
    assert doc.selection == ["c3", "c4"]
    assert doc.undo_stack.undoText() == "Paste 2 Nodes"
    again = view.editor.paste()
    assert doc.graph.node(again[0]).position == (320, 80)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert sorted(doc.graph.node_ids()) == ["c1", "c2", "out", "x"] and len(scene.nodes) == 4
    # Text that is not a project is refused with a sentence.
    messages = []
    view.status_message.connect(messages.append)
    QGuiApplication.clipboard().setText("hello")
    assert view.editor.paste() == []
    assert messages and messages[-1].startswith("Nothing to paste")


def test_duplicate_selection(qtbot):
    view = make_view(qtbot, chain_graph())
    view.document.select(["c1"])
    assert view.editor.duplicate_selection() == ["c3"]
    assert view.document.graph.node("c3").position == (280, 40)
    assert view.document.undo_stack.undoText() == "Duplicate Node"


def test_set_params_relabels_the_affected_edges(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    assert scene.edges[Edge("c1", "c2", 0)].label == "1×8×32×32"
    assert scene.edges[Edge("c2", "out", 0)].label == "1×16×16×16"
    params = dict(doc.graph.node("c2").params, out_channels=32, kernel_size=4)
    doc.apply(SetParams("c2", params))
    assert scene.edges[Edge("c2", "out", 0)].label == "1×32×16×16"
    assert scene.edges[Edge("c1", "c2", 0)].label == "1×8×32×32"
    assert scene.nodes["c2"]._summary.startswith("8→32 k4 s2")
    doc.undo_stack.undo()
    assert scene.edges[Edge("c2", "out", 0)].label == "1×16×16×16"


def test_rename_in_place(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    item = scene.nodes["c1"]
    title = view_point(view, item.mapToScene(item.title_rect().center()))
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, title)
    editor = view.editor._rename
    assert editor is not None and editor.text() == "c1"
    editor.selectAll()
    QTest.keyClicks(editor, "encoder")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.graph.node("c1").name == "encoder"
    assert item._name == "encoder"
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Rename"
    view.editor.start_rename("c1")
    QTest.keyClicks(view.editor._rename, "zzz")
    QTest.keyClick(view.editor._rename, Qt.Key.Key_Escape)
    assert doc.graph.node("c1").name == "encoder" and doc.undo_stack.count() == 1


def test_selection_syncs_both_ways(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    doc.select(["x", "c2"])
    assert {i.node_id for i in scene.selectedItems()} == {"x", "c2"}
    point = view_point(view, scene.nodes["out"].pos() + QPointF(70, 50))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert doc.selection == ["out"]
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, view_point(view, scene.nodes["c1"].pos() + QPointF(70, 50)))
    assert doc.selection == ["out", "c1"]
    # Rubber band over x and c1 from empty canvas above them.
    a = view_point(view, QPointF(-30, -60))
    b = view_point(view, QPointF(300, 30))
    _press_move_release(view, a, b)
    assert doc.selection == ["x", "c1"]


def test_auto_layout_is_one_undo_step(qtbot):
    g = chain_graph()
    for node_id in g.node_ids():
        g.move(node_id, None)
    view = make_view(qtbot, g)
    scene, doc = view.graph_scene, view.document
    assert scene.nodes["c1"].y() > scene.nodes["x"].y()  # shown where auto layout puts it, model untouched
    assert scene.vertical and doc.graph.node("c1").position is None
    view.editor.auto_layout()
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Auto Layout"
    assert all(n.position is not None for n in doc.graph.nodes())
    view.editor.auto_layout()
    assert doc.undo_stack.count() == 1


def test_layout_left_to_right_turns_the_ports_ends_fitted_and_undoes_in_one_step(qtbot):
    view = make_view(qtbot, chain_graph())  # saved left to right
    scene, doc = view.graph_scene, view.document
    assert not scene.vertical
    view.zoom_reset()
    view.editor.auto_layout()  # top to bottom by default
    assert scene.vertical and doc.undo_stack.count() == 1
    x, c1 = scene.nodes["x"], scene.nodes["c1"]
    assert c1.input_port_pos(0).y() == c1.y() and x.output_port_pos().y() == x.y() + x.card_rect().height()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in scene.nodes.values())  # ends fitted
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: not scene.vertical)  # the saved positions run left to right again


def test_layout_left_to_right_from_its_action_is_one_undo_step_and_ends_fitted(qtbot):
    g = chain_graph()
    for node_id in g.node_ids():
        g.move(node_id, None)
    view = make_view(qtbot, g)  # laid out top to bottom when opened
    scene, doc = view.graph_scene, view.document
    assert scene.vertical
    view.zoom_reset()
    view.scroll_by(3000, 3000)  # looking elsewhere
    menu = view.editor.context_menu(view_point(view, QPointF(-500, -500)))
    action = next(a for a in menu.actions() if a.text() == "Auto Layout Left to Right")
    assert action is view.editor.actions["auto_layout_lr"]
    action.trigger()
    assert not scene.vertical and doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText() == "Auto Layout"
    xs = [doc.graph.node(n).position[0] for n in ("x", "c1", "c2", "out")]
    assert xs == sorted(xs) and len(set(xs)) == 4
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in scene.nodes.values())
    doc.undo_stack.undo()
    assert all(doc.graph.node(n).position is None for n in ("x", "c1", "c2", "out"))


def test_a_big_paste_routes_every_edge_as_a_fresh_canvas_would(qtbot):
    # A chain with skips (each Add also takes the tensor from two layers back), so routes bend around cards;
    # more edges than scene.BULK_EDGES, so the paste takes the one-grid path rather than the scene's index.
    graph = Graph("skips")
    graph.add_node(Node("x", "Input", {"shape": [1, 4, 8, 8]}, position=(0, 0)))
    previous, before = "x", "x"
    for i in range(40):
        relu, add = f"r{i}", f"a{i}"
        graph.add_node(Node(relu, "ReLU", {}, position=(0, 120 * (2 * i + 1))))
        graph.add_node(Node(add, "Add", {}, position=(0, 120 * (2 * i + 2))))
        graph.connect(Edge(previous, relu, 0))
        graph.connect(Edge(relu, add, 0))
        graph.connect(Edge(before, add, 1))
        before, previous = previous, add
    source = make_view(qtbot, graph)
    source.document.select(list(graph.node_ids()))
    assert source.editor.copy_selection()
    view = make_view(qtbot, Graph("empty"))
    assert len(view.editor.paste()) == len(graph)
    assert len(view.graph_scene.edges) > scene_module.BULK_EDGES
    pasted = {edge: item.route() for edge, item in view.graph_scene.edges.items()}
    assert any(len(route) > 2 for route in pasted.values())  # some edges go around a card
    view.graph_scene.rebuild()
    assert {edge: item.route() for edge, item in view.graph_scene.edges.items()} == pasted
