"""Blocks in the app: the palette lists the design's blocks, double-clicking an instance looks inside it
(with that instance's sizes) under a breadcrumb, and Esc or the breadcrumb goes back out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication, QToolButton

from designer.core import project
from designer.core.edits import MoveNodes
from designer.core.shapes import format_shape
from designer.widgets.palette import LAYER_MIME
from tests.core import block_designs as bd
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window
from tests.gui.test_app_window import _drop

app_env = app_support.app_env  # fixture


@pytest.fixture
def window(app_env, qtbot):
    window = make_window(qtbot, project.loads(bd.text(bd.unet())))
    yield window
    close_quietly(window)


def test_palette_lists_the_designs_blocks_and_adds_one(window, qtbot):
    palette = window.palette_panel
    group = palette.tree.topLevelItem(0)
    assert group.text(0) == "Blocks"
    assert [group.child(i).text(0) for i in range(group.childCount())] == ["DoubleConv", "Down", "Up"]
    palette.filter("Down")
    assert "Down" in palette.visible_types()
    palette.filter("")
    before = len(window.document.graph)
    palette.add_requested.emit("DoubleConv")
    graph = window.document.graph
    assert len(graph) == before + 1
    added = graph.node(graph.node_ids()[-1])
    assert added.type_name == "DoubleConv" and added.params == {}
    window.document.undo_stack.undo()
    assert len(graph) == before
    mime = QMimeData()
    mime.setData(LAYER_MIME, b"Up")
    assert _drop(window.view.viewport(), mime, QPoint(300, 300))  # dragged from the palette like a layer
    assert graph.node(graph.node_ids()[-1]).type_name == "Up"
    window.document.undo_stack.undo()


def test_double_click_enters_an_instance_with_its_sizes_and_esc_leaves(window, qtbot):
    navigator, view = window.navigator, window.view
    item = window.scene.nodes["up1"]
    title = item.title_rect()
    body = item.mapToScene(QPointF(title.center().x(), title.bottom() + 6))  # below the title, which renames
    assert window.scene.node_at(body) is item
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(body))
    QApplication.processEvents()
    assert navigator.depth == 1 and navigator.trail.isVisible()
    assert navigator.path() == ["up1 (Up)"]
    inner = navigator.current_view()
    assert inner is not view and inner.isVisible()
    scene = inner.graph_scene
    assert set(scene.nodes) == {"x", "skip", "up", "cat", "conv", "out"}
    inner_doc = inner.document
    assert inner_doc.engine.result("cat").shape == (1, 32, 32, 32)  # the skip 16 + the upsampled 16, at 32×32
    labels = {edge.target: label for edge, label in _edge_labels(scene).items()}
    assert labels["conv"] == format_shape((1, 32, 32, 32))
    inner_doc.apply(MoveNodes({"cat": (5, 5)}))  # moves the card in the definition: one step of the design
    assert window.document.graph.blocks["Up"].graph.node("cat").position == (5, 5)
    assert window.document.undo_stack.count() == 1 and navigator.depth == 1
    assert navigator.current_view().graph_scene.nodes["cat"].pos() == QPointF(5, 5)
    window.document.undo_stack.undo()
    assert window.document.undo_stack.isClean()
    assert navigator.enter("conv")  # a block inside a block
    assert navigator.path() == ["up1 (Up)", "conv (DoubleConv)"]
    buttons = navigator.trail.findChildren(QToolButton)
    assert [b.text() for b in buttons] == ["Design", "up1 (Up)"]
    qtbot.keyClick(navigator.current_view(), Qt.Key.Key_Escape)
    assert navigator.depth == 1
    buttons = [b for b in navigator.trail.findChildren(QToolButton) if b.text() == "Design"]
    buttons[0].click()
    QApplication.processEvents()
    assert navigator.depth == 0 and not navigator.trail.isVisible() and navigator.current_view() is view


def test_entering_a_broken_instance_shows_the_failing_copy(app_env, qtbot):
    window = make_window(qtbot, project.loads(bd.text(bd.resnet18(broken=True))))
    try:
        assert window.navigator.enter("layer3_1")
        inner = window.navigator.current_view().document
        assert inner.engine.result("conv1").error is not None
        assert inner.engine.result("bn1").blocked_by == "conv1"
        assert not window.navigator.enter("bn1")  # a layer, not an instance: nothing to enter
    finally:
        close_quietly(window)


def _edge_labels(scene) -> dict:
    return {edge: item.label for edge, item in scene.edges.items()}


def test_copy_and_paste_of_instances_keeps_their_block_and_repeat(app_env, qtbot):
    from designer.core import builders
    from designer.core.graph import Graph

    window = make_window(qtbot, project.loads(bd.text(bd.residual_stage())))
    try:
        graph = window.document.graph
        text = builders.copy_text(graph, ["stage", "head"])
        assert '"Residual"' in text and '"repeat": 3' in text
        edit, new_ids = builders.paste_edit(graph, text, (40, 40))
        window.document.apply(edit)
        pasted = graph.node(new_ids[0])
        assert pasted.type_name == "Residual" and pasted.repeat == 3
        engine = window.document.engine
        assert "no input connected" in engine.result(new_ids[0]).message()  # the copy's input stayed behind
        assert engine.result(new_ids[1]).blocked_by == new_ids[0]
        assert engine.result(new_ids[0]).param_count == engine.result("stage").param_count
        with pytest.raises(project.ProjectError, match="blocks this design does not define .Residual."):
            builders.paste_edit(Graph("other"), text, (0, 0))
        window.document.undo_stack.undo()
        assert new_ids[0] not in graph
    finally:
        close_quietly(window)
