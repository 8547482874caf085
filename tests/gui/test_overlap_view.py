"""The overlap view: the heat map is core.overlap's map, the step-through follows Axis.taps, and the
one-click alternatives remove the checkerboard warning in one undo step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from designer.core import catalog, examples
from designer.core.edits import SetParams
from designer.core.explain import checkerboard_warning
from designer.core.graph import Edge, Graph, Node
from designer.core.overlap import node_axes, node_map
from designer.document.document import Document
from designer.widgets.overlap_view import OverlapView


def uneven_dcgan() -> Document:
    """The DCGAN generator with up3 changed to kernel 3, stride 2 (8×8 → 16×16 with output_padding 1)."""
    document = Document(examples.load_example("dcgan_generator"))
    params = dict(document.graph.node("up3").params, kernel_size=3, stride=2, padding=1, output_padding=1)
    document.apply(SetParams("up3", params))
    document.undo_stack.setClean()
    return document


@pytest.fixture
def view(qtbot):
    widget = OverlapView(uneven_dcgan())
    qtbot.addWidget(widget)
    widget.resize(760, 620)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def expected_map(document: Document, node_id: str) -> np.ndarray:
    node = document.graph.node(node_id)
    params = catalog.get(node.type_name).resolve(node.params)
    source = document.graph.inputs(node_id)[0]
    rank = int(node.type_name[-2])
    return np.array(node_map(params, document.engine.shape(source)[-rank:]))


def alternative_buttons(view: OverlapView) -> list[QPushButton]:
    return view.alternative_buttons


def test_follows_the_selection_and_shows_the_core_map(view):
    assert not view.details.isVisible()
    view.document.select(["up3"])
    assert view.node_id == "up3" and view.details.isVisible()
    np.testing.assert_array_equal(view.image.image, expected_map(view.document, "up3"))
    np.testing.assert_array_equal(view.counts, expected_map(view.document, "up3"))
    assert view.image.image.shape == (16, 16)
    assert "Uneven overlap" in view.warning.text() and "checkerboard" in view.warning.text()
    assert len(alternative_buttons(view)) == 2
    view.document.select(["bn1"])
    assert not view.details.isVisible() and "Select a transposed convolution" in view.title.text()


def test_map_follows_a_parameter_edit(view, qtbot):
    view.document.select(["up3"])
    params = dict(view.document.graph.node("up3").params, kernel_size=5, padding=2)
    view.document.apply(SetParams("up3", params))
    qtbot.waitUntil(lambda: view.image.image.shape == (16, 16) and view.counts.max() == 9, timeout=2000)
    np.testing.assert_array_equal(view.image.image, expected_map(view.document, "up3"))


def test_step_through_outlines_the_taps_of_one_input_pixel(view):
    view.document.select(["up3"])
    node = view.document.graph.node("up3")
    axes = node_axes(catalog.get(node.type_name).resolve(node.params), (8, 8))
    assert view.slider.maximum() == 8 * 8 - 1
    view.slider.setValue(2 * 8 + 5)  # input row 2, column 5
    xs, ys = view.footprint.getData()
    drawn = sorted(zip(ys.astype(int).tolist(), xs.astype(int).tolist()))
    expected = sorted((h, w) for _, h in axes[0].taps(2) for _, w in axes[1].taps(5))
    assert drawn == expected and len(drawn) == 9
    assert "row 2, column 5" in view.step_label.text()
    view.slider.setValue(0)  # the corner: padding cuts taps off
    assert "fall outside the output" in view.step_label.text()


def test_even_alternative_removes_the_warning_in_one_step(view, qtbot):
    document = view.document
    document.select(["up3"])
    before = document.undo_stack.count()
    QTest.mouseClick(alternative_buttons(view)[0], Qt.MouseButton.LeftButton)
    assert document.undo_stack.count() == before + 1
    node = document.graph.node("up3")
    assert checkerboard_warning(node.type_name, node.params) is None
    assert document.engine.result("up3").shape == (64, 128, 16, 16)
    assert "Even overlap" in view.warning.text() and not alternative_buttons(view)
    assert len(set(view.counts[2:-2, 2:-2].ravel().tolist())) == 1  # flat away from the borders
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: "Uneven overlap" in view.warning.text(), timeout=2000)


def test_upsample_alternative_replaces_and_rewires_in_one_step(view):
    document = view.document
    document.select(["up3"])
    before = document.undo_stack.count()
    assert view.apply_alternative(1)
    assert document.undo_stack.count() == before + 1
    graph = document.graph
    assert "up3" not in graph
    types = [graph.node(n).type_name for n in document.engine.order()]
    assert not any(checkerboard_warning(graph.node(n).type_name, graph.node(n).params) for n in graph.node_ids())
    assert "Upsample" in types and types.count("Conv2d") == 1
    assert document.engine.result("bn3").shape == (64, 128, 16, 16)  # the rest of the design is unchanged
    assert document.selection and graph.node(document.selection[0]).type_name == "Conv2d"
    assert "Applied" in view.status.text()
    document.undo_stack.undo()
    assert "up3" in document.graph and document.engine.result("bn3").shape == (64, 128, 16, 16)


def test_one_d_and_three_d_nodes(qtbot):
    g = Graph("shapes")
    g.add_node(Node("x1", "Input", {"shape": [1, 2, 7]}, position=(0, 0)))
    g.add_node(
        Node(
            "t1",
            "ConvTranspose1d",
            {"in_channels": 2, "out_channels": 2, "kernel_size": 5, "stride": 3},
            position=(240, 0),
        )
    )
    g.add_node(Node("x3", "Input", {"shape": [1, 2, 3, 4, 5]}, position=(0, 200)))
    g.add_node(
        Node(
            "t3",
            "ConvTranspose3d",
            {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2},
            position=(240, 200),
        )
    )
    g.connect(Edge("x1", "t1"))
    g.connect(Edge("x3", "t3"))
    document = Document(g)
    view = OverlapView(document, follow_selection=False)
    qtbot.addWidget(view)
    view.show()
    for node_id, shape in (("t1", (1, 23)), ("t3", (9, 11))):
        view.set_node(node_id)
        assert view.image.image.shape == shape
        np.testing.assert_array_equal(view.image.image, expected_map(document, node_id))
    assert "middle depth slice" in view.title.text()
    view.set_node("t1")
    view.slider.setValue(3)
    xs, _ = view.footprint.getData()
    assert xs.astype(int).tolist() == [9, 10, 11, 12, 13]


def test_a_node_without_input_says_so(qtbot):
    g = Graph("lonely")
    g.add_node(
        Node(
            "t",
            "ConvTranspose2d",
            {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2},
            position=(0, 0),
        )
    )
    document = Document(g)
    view = OverlapView(document, follow_selection=False)
    qtbot.addWidget(view)
    view.set_node("t")
    assert not view.details.isVisible() and "no size yet" in view.title.text()


def test_play_steps_the_slider(view, qtbot):
    view.document.select(["up3"])
    view.play_button.click()
    qtbot.waitUntil(lambda: view.slider.value() >= 1, timeout=3000)
    view.play_button.click()
    assert not view._player.isActive()
