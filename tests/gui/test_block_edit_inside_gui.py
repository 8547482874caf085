"""Editing a block from inside one of its instances in the app: the inspector and the canvas of the level
change the block's definition, every use follows as one undo step of the design, the level shows the new
run without losing the view or the selection, and what belongs to each use is refused with the reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtWidgets import QApplication

from designer.core import project
from designer.core.edits import RemoveNodes, SetParams
from designer.core.errors import BlockError
from designer.widgets.palette import LAYER_MIME
from tests.core import block_designs as bd
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window
from tests.gui.test_app_window import _drop

app_env = app_support.app_env  # fixture


@pytest.fixture
def resnet(app_env, qtbot):
    window = make_window(qtbot, project.loads(bd.text(bd.resnet18(size=32))))
    yield window
    close_quietly(window)


def enter_and_select(window, instance: str, inner_node: str):
    navigator = window.navigator
    assert navigator.enter(instance)
    QApplication.processEvents()
    level = navigator.current_view()
    level.graph_scene.set_selection([inner_node])
    return level


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def basic_block_uses(graph) -> list[str]:
    return [n.id for n in graph.nodes() if n.type_name == "BasicBlock"]


def test_typing_in_the_inspector_inside_changes_every_use_in_one_step(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer2_1", "conv1")
    inspector = resnet.inspector
    assert inspector.document is level.document and inspector.title.text() == "Conv2d"
    zoom = level.transform()
    spin = inspector.rows["kernel_size"].editor.spins[0]
    type_into(qtbot, spin, "11")  # two keys: the field stays while the inside is shown again after each
    assert doc.graph.blocks["BasicBlock"].graph.node("conv1").params["kernel_size"] == 11
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Change kernel_size in BasicBlock"
    assert spin.hasFocus() and inspector.rows["kernel_size"].editor.spins[0] is spin
    # Every use of BasicBlock now runs a kernel of 11: the first one (layer1, 8×8) fails, the rest wait.
    assert "kernel" in doc.engine.result("layer1").message() and doc.engine.result("layer2_1").blocked_by
    assert resnet.navigator.depth == 1 and "sizes of its last run" in resnet.navigator.path()[0]
    assert level.document.graph.node("conv1").params["kernel_size"] == 11 and level.document.selection == ["conv1"]
    assert level.transform() == zoom
    type_into(qtbot, spin, "3")
    QApplication.processEvents()
    assert doc.undo_stack.count() == 2 and all(doc.engine.result(n).ok for n in basic_block_uses(doc.graph))
    assert resnet.navigator.path() == ["layer2_1 (BasicBlock)"]
    doc.undo_stack.undo()
    assert spin.value() == 11  # undo at the design shows in the level and its inspector
    doc.undo_stack.undo()
    assert doc.undo_stack.isClean() and spin.value() == 3 and resnet.navigator.depth == 1


def test_params_that_belong_to_each_use_are_shown_locked_with_where_to_change_them(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer3_1", "conv2")
    rows = resnet.inspector.rows
    assert not rows["out_channels"].editor.isEnabled() and not rows["out_channels"].reset.isEnabled()
    why = rows["out_channels"].label.toolTip()
    assert "out_channels of 'conv2' comes from the argument cout of the block BasicBlock" in why
    assert "change cout on the instance" in why
    assert rows["kernel_size"].editor.isEnabled() and rows["out_channels"].editor.value() == 256  # this use's value
    level.graph_scene.set_selection(["x"])
    rows = resnet.inspector.rows
    assert not rows["shape"].editor.isEnabled() and "takes its size from where the block is used" in rows["shape"].label.toolTip()
    params = {**level.document.graph.node("conv2").params, "out_channels": 7}  # a script or a fix: refused as well
    with pytest.raises(BlockError, match="comes from the argument cout") as refused:
        level.document.apply(SetParams("conv2", params))
    assert refused.value.param == "out_channels" and doc.undo_stack.count() == 0


def test_delete_key_inside_removes_the_layer_from_the_definition_and_undo_puts_it_back(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer4_1", "relu1")
    level.setFocus()
    qtbot.keyClick(level, Qt.Key.Key_Delete)
    QApplication.processEvents()
    assert "relu1" not in doc.graph.blocks["BasicBlock"].graph and "relu1" not in level.graph_scene.nodes
    assert doc.undo_stack.count() == 1 and resnet.navigator.depth == 1
    assert "relu1" not in doc.engine.result("layer1").inner.copies[0].graph  # every use, not only the one looked into
    assert resnet.isWindowModified()
    doc.undo_stack.undo()
    assert "relu1" in level.graph_scene.nodes and doc.undo_stack.isClean()


def test_a_layer_dropped_inside_joins_the_definition(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer2_1", "conv1")
    mime = QMimeData()
    mime.setData(LAYER_MIME, b"Dropout")
    assert _drop(level.viewport(), mime, QPoint(200, 200))
    QApplication.processEvents()
    added = [n for n in doc.graph.blocks["BasicBlock"].graph.nodes() if n.type_name == "Dropout"]
    assert len(added) == 1 and added[0].id in level.graph_scene.nodes
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert not any(n.type_name == "Dropout" for n in doc.graph.blocks["BasicBlock"].graph.nodes())


def test_typing_inside_merges_into_one_step_like_typing_outside(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer2_1", "conv1")
    params = dict(level.document.graph.node("conv1").params)
    for kernel in (1, 5):
        level.document.apply(SetParams("conv1", {**params, "kernel_size": kernel}), mergeable=True)
    assert doc.undo_stack.count() == 1
    assert doc.graph.blocks["BasicBlock"].graph.node("conv1").params["kernel_size"] == 5
    doc.undo_stack.undo()
    assert doc.undo_stack.isClean()


def test_the_level_is_left_when_its_instance_leaves_the_design(resnet, qtbot):
    doc = resnet.document
    enter_and_select(resnet, "layer3_0", "conv1")
    messages = []
    resnet.navigator.status_message.connect(messages.append)
    doc.apply(RemoveNodes(["layer3_0"]))
    QApplication.processEvents()
    assert resnet.navigator.depth == 0 and resnet.inspector.document is doc
    assert "no longer there" in messages[-1]
    doc.undo_stack.undo()
    assert doc.undo_stack.isClean()


def test_a_block_made_to_contain_itself_is_refused_on_the_canvas(resnet, qtbot):
    doc = resnet.document
    level = enter_and_select(resnet, "layer2_1", "conv1")
    messages = []
    level.status_message.connect(messages.append)
    mime = QMimeData()
    mime.setData(LAYER_MIME, b"BasicBlock")
    _drop(level.viewport(), mime, QPoint(220, 220))
    QApplication.processEvents()
    assert doc.undo_stack.count() == 0
    assert any("uses itself" in m for m in messages)


def test_the_windows_edit_actions_are_off_inside_where_the_levels_own_canvas_has_them(resnet, qtbot):
    actions = resnet.actions
    resnet.document.select(["layer1"])
    assert actions.delete.isEnabled() and actions.copy.isEnabled()
    level = enter_and_select(resnet, "layer2_1", "conv1")
    assert not actions.delete.isEnabled() and not actions.copy.isEnabled() and not actions.paste.isEnabled()
    assert level.editor.actions["delete"].isEnabled()  # the level's own Delete (its key, its menu)
    resnet.navigator.leave_to(0)
    assert actions.delete.isEnabled() and actions.copy.isEnabled()
