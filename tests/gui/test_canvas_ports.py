"""A layer with several outputs on the canvas: one dot per output, edges leave their own dot with their
own size, a drag from a later output makes an edge from that output, and the picture shows it."""

from __future__ import annotations

import os

from designer.core.graph import Edge, Graph, Node
from tests.gui.canvas_support import make_view, view_point
from tests.gui.test_canvas_editing import _press_move_release


def lstm_graph() -> Graph:
    g = Graph("recurrent")
    g.add_node(Node("x", "Input", {"shape": [4, 10, 8]}, position=(0, 100)))
    g.add_node(Node("lstm", "LSTM", {"input_size": 8, "hidden_size": 16, "batch_first": True, "num_layers": 2},
                    position=(260, 100)))
    g.add_node(Node("seq", "Output", position=(560, 0)))
    g.add_node(Node("c_n", "Output", position=(560, 240)))
    g.add_node(Node("free", "Output", position=(560, 120)))
    g.connect(Edge("x", "lstm", 0))
    g.connect(Edge("lstm", "seq", 0))
    g.connect(Edge("lstm", "c_n", 0, 2))
    return g


def test_each_output_has_its_own_dot_and_its_edges_carry_their_own_size(qtbot, tmp_path):
    view = make_view(qtbot, lstm_graph())
    scene = view.graph_scene
    item = scene.nodes["lstm"]
    assert item.output_count == 3
    dots = [item.output_port_pos(p) for p in range(3)]
    assert len({(d.x(), d.y()) for d in dots}) == 3
    for port, dot in enumerate(dots):
        assert item.port_at(dot, 3.0) == ("out", port)
    first, third = scene.edges[Edge("lstm", "seq", 0)], scene.edges[Edge("lstm", "c_n", 0, 2)]
    assert first.shown_label() and third.shown_label()
    assert first.shown_label() == "4×10×16" and third.shown_label() == "2×4×16"
    assert first.label_rect() != third.label_rect() and not first.label_rect().intersects(third.label_rect())
    shot = tmp_path / "ports.png"
    view.grab().save(os.fspath(shot))
    assert shot.stat().st_size > 0
    if os.environ.get("MODEL_DESIGNER_KEEP_SHOTS"):
        view.grab().save(os.environ["MODEL_DESIGNER_KEEP_SHOTS"])


def test_dragging_from_the_second_output_connects_h_n(qtbot):
    view = make_view(qtbot, lstm_graph())
    scene = view.graph_scene
    start = view_point(view, scene.nodes["lstm"].output_port_pos(1))
    end = view_point(view, scene.nodes["free"].input_port_pos(0))
    _press_move_release(view, start, end)
    graph = view.document.graph
    assert graph.input_edges("free") == {0: Edge("lstm", "free", 0, 1)}
    assert view.document.engine.result("free").shape == (2, 4, 16)
    assert scene.edges[Edge("lstm", "free", 0, 1)].shown_label() == "2×4×16"
    view.document.undo_stack.undo()
    assert graph.input_edges("free") == {}


def test_the_picture_shows_one_dot_per_output():
    from designer.canvas.diagram import diagram_svg

    svg = diagram_svg(lstm_graph())
    lstm = svg[svg.index('id="lstm"'):]
    lstm = lstm[: lstm.index("</g>")]
    assert lstm.count("<circle") == 1 + 3  # one input, three outputs
