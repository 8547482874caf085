"""Group into Block, Ungroup and Make Unique in the app: Ctrl+G with the name dialog, the Edit menu and the
right-click menu, each one undo step, with the palette and the canvas following."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from designer.core import project
from tests.core import block_designs as bd
from tests.core.test_grouping import two_stages
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window
from tests.gui.canvas_support import view_point

app_env = app_support.app_env  # fixtures
dialogs = app_support.dialogs
STAGES = ["conv0", "bn0", "relu0", "conv1", "bn1", "relu1"]


@pytest.fixture
def window(app_env, dialogs, qtbot):
    window = make_window(qtbot, two_stages())
    window.editor = window.view.editor
    yield window
    close_quietly(window)


def palette_blocks(window) -> list[str]:
    tree = window.palette_panel.tree
    top = tree.topLevelItem(0)
    if top is None or top.text(0) != "Blocks":
        return []
    return [top.child(i).text(0) for i in range(top.childCount())]


def menu_texts(menu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_ctrl_g_asks_for_a_name_then_groups_alike_layers_into_one_block(window, qtbot):
    doc, scene, view = window.document, window.scene, window.view
    shapes = {n: doc.engine.shape(n) for n in ("pool", "out")}
    scene.set_selection(STAGES)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = window.editor.blocks.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.name_edit.text() == "Conv2dBlock"
    assert "in_channels, out_channels" in dialog.summary.text() and "2 selected groups" in dialog.summary.text()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    for bad, words in (("Conv2d", "is a layer type"), ("9lives", "not an identifier"), ("", "give the block a name")):
        dialog.name_edit.setText(bad)
        assert not ok.isEnabled() and words in dialog.problem.text().lower()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "ConvUnit")
    assert ok.isEnabled() and dialog.problem.text() == ""
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    graph = doc.graph
    made = [n for n in graph.node_ids() if graph.node(n).type_name == "ConvUnit"]
    assert len(made) == 2 and sorted(doc.selection) == sorted(made)
    assert graph.blocks["ConvUnit"].arguments == {"in_channels": 3, "out_channels": 16}
    assert set(made) <= set(scene.nodes) and not set(STAGES) & set(scene.nodes)
    assert {n: doc.engine.shape(n) for n in shapes} == shapes
    assert palette_blocks(window) == ["ConvUnit"]
    assert "ConvUnit" in window.statusBar().currentMessage()
    assert doc.undo_stack.undoText() == "Group 6 Layers into ConvUnit"
    doc.undo_stack.undo()
    assert set(STAGES) <= set(scene.nodes) and palette_blocks(window) == [] and not graph.blocks
    doc.undo_stack.redo()
    assert palette_blocks(window) == ["ConvUnit"] and set(made) <= set(scene.nodes)


def test_cancel_changes_nothing_and_a_refusal_says_why_without_asking(window, qtbot):
    doc = window.document
    before = project.dumps(doc.graph)
    window.scene.set_selection(["conv0", "bn0"])
    dialog = window.editor.blocks.group_selection()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    QApplication.processEvents()
    assert project.dumps(doc.graph) == before and doc.undo_stack.count() == 0
    window.scene.set_selection(["conv0", "pool"])  # bn0 and relu0 lie between them
    assert window.editor.blocks.group_selection() is None
    assert "'bn0' takes data from the selection" in window.statusBar().currentMessage()
    assert window.editor.blocks.dialog is None and project.dumps(doc.graph) == before


def test_edit_menu_holds_the_block_commands_with_their_shortcuts(window):
    edit = window.actions.menus["edit"]
    texts = menu_texts(edit)
    assert texts[-3:] == ["Group into Block…", "Ungroup", "Make Unique…"]
    actions = window.editor.actions
    assert actions["group"].shortcut().toString() == "Ctrl+G"
    assert actions["ungroup"].shortcut().toString() == "Ctrl+Shift+G"
    window.scene.set_selection(["conv0"])
    assert actions["group"].isEnabled() and not actions["ungroup"].isEnabled()
    window.scene.set_selection(["image"])  # the design's Input stays outside any block
    assert not actions["group"].isEnabled()


@pytest.fixture
def resnet(app_env, dialogs, qtbot):
    window = make_window(qtbot, project.loads(bd.text(bd.resnet18(size=32))))
    window.editor = window.view.editor
    yield window
    close_quietly(window)


def test_right_click_on_an_instance_offers_ungroup_which_is_one_undo_step(resnet, qtbot):
    doc, scene, view = resnet.document, resnet.scene, resnet.view
    logits = doc.engine.shape("logits")
    item = scene.nodes["layer3_0"]
    menu = resnet.editor.context_menu(view_point(view, item.pos() + QPointF(20, 30)))
    assert doc.selection == ["layer3_0"]
    texts = menu_texts(menu)
    assert texts[texts.index("Group into Block…"):][:3] == ["Group into Block…", "Ungroup", "Make Unique…"]
    next(a for a in menu.actions() if a.text() == "Ungroup").trigger()
    QApplication.processEvents()
    assert "layer3_0" not in scene.nodes and "layer3_0_down_conv" in scene.nodes
    assert doc.engine.shape("logits") == logits
    assert "layer3_0_conv1" in doc.selection
    assert palette_blocks(resnet) == ["BasicBlock", "DownBlock"]  # layer2_0 and layer4_0 still use DownBlock
    doc.undo_stack.undo()
    assert "layer3_0" in scene.nodes and "layer3_0_down_conv" not in scene.nodes


def test_ctrl_shift_g_ungroups_every_selected_instance_and_drops_unused_blocks(resnet, qtbot):
    doc, scene, view = resnet.document, resnet.scene, resnet.view
    logits = doc.engine.shape("logits")
    downs = ["layer2_0", "layer3_0", "layer4_0"]
    scene.set_selection(downs)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    QApplication.processEvents()
    assert doc.undo_stack.count() == 1 and "DownBlock" not in doc.graph.blocks
    assert palette_blocks(resnet) == ["BasicBlock"]
    assert doc.engine.shape("logits") == logits and not set(downs) & set(scene.nodes)
    assert "no longer used" in resnet.statusBar().currentMessage()
    doc.undo_stack.undo()
    assert palette_blocks(resnet) == ["BasicBlock", "DownBlock"] and set(downs) <= set(scene.nodes)


def test_make_unique_forks_the_block_of_one_instance(resnet, qtbot):
    doc, scene = resnet.document, resnet.scene
    scene.set_selection(["layer2_1"])
    dialog = resnet.editor.blocks.make_unique_selected()
    assert dialog.name_edit.text() == "BasicBlock2"
    dialog.name_edit.setText("DownBlock")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.name_edit.setText("WideBlock")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    QApplication.processEvents()
    graph = doc.graph
    assert graph.node("layer2_1").type_name == "WideBlock" and graph.node("layer3_1").type_name == "BasicBlock"
    assert palette_blocks(resnet) == ["BasicBlock", "DownBlock", "WideBlock"]
    assert scene.nodes["layer2_1"]._type.startswith("WideBlock")  # the card shows its new block
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert graph.node("layer2_1").type_name == "BasicBlock" and "WideBlock" not in graph.blocks


def test_inside_an_instance_the_block_commands_refuse_without_asking(resnet, qtbot):
    navigator = resnet.navigator
    assert navigator.enter("layer2_0")
    inner = navigator.current_view()
    commands = inner.editor.blocks
    assert not any(inner.editor.actions[n].isEnabled() for n in ("group", "ungroup", "make_unique"))
    inner.graph_scene.set_selection(["conv1", "bn1"])
    messages = []
    inner.editor.status_message.connect(messages.append)
    assert commands.group_selection() is None and commands.dialog is None
    assert "work on the design itself" in messages[-1]
    assert commands.ungroup_selection() == [] and resnet.document.undo_stack.count() == 0
