"""Expand in Place: an instance's inside drawn beside its card on the design's own canvas, with that
use's sizes; it follows edits, closes with its × or the action again, and double-clicking it looks inside."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from designer.core import project
from designer.core.edits import Disconnect, RemoveNodes, SetParams
from designer.core.shapes import format_shape
from tests.core import block_designs as bd
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window

app_env = app_support.app_env  # fixture


@pytest.fixture
def window(app_env, qtbot):
    window = make_window(qtbot, project.loads(bd.text(bd.unet())))
    yield window
    close_quietly(window)


def _expand(window, node_id: str):
    window.document.select([node_id])
    window.view.editor.actions["expand_in_place"].trigger()
    QApplication.processEvents()
    return window.view.editor.peeks.peeks.get(node_id)


def test_expanding_an_instance_draws_its_inside_with_its_own_sizes(window):
    action = window.view.editor.actions["expand_in_place"]
    window.document.select(["head"])  # a layer, not an instance
    assert not action.isEnabled()
    peek = _expand(window, "up1")
    assert peek is not None and peek.parentItem() is window.scene.nodes["up1"]
    assert peek.title == "Inside up1 (Up): this use's sizes"
    assert format_shape((1, 32, 32, 32)) in peek.svg  # the skip 16 + the upsampled 16, at 32×32
    assert "ConvTranspose2d" in peek.svg
    card = window.scene.nodes["up1"].sceneBoundingRect()
    assert peek.sceneBoundingRect().left() > card.right()  # across the flow, beside the card
    assert window.view.viewport().rect().intersects(window.view.mapFromScene(peek.sceneBoundingRect()).boundingRect())
    assert action.text() == "Collapse"
    action.trigger()
    assert "up1" not in window.view.editor.peeks.peeks and peek.scene() is None
    assert action.text() == "Expand in Place"


def test_the_peek_follows_edits_of_its_instance_and_goes_with_it(window):
    peek = _expand(window, "up2")
    assert format_shape((1, 8, 64, 64)) in peek.svg
    window.document.apply(SetParams("up2", {"cin": 16, "cout": 4}))
    peek = window.view.editor.peeks.peeks["up2"]
    assert format_shape((1, 4, 64, 64)) in peek.svg  # the block's output, 4 channels now
    assert format_shape((1, 12, 64, 64)) in peek.svg  # the skip's 8 and the upsampled 4, concatenated
    window.document.apply(RemoveNodes(["up2"]))
    assert "up2" not in window.view.editor.peeks.peeks
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert "up2" in window.scene.nodes and "up2" not in window.view.editor.peeks.peeks


def test_a_peek_of_an_instance_that_cannot_run_says_why(window):
    peek = _expand(window, "up1")
    window.document.apply(Disconnect(window.document.graph.input_edges("up1")[0]))
    peek = window.view.editor.peeks.peeks["up1"]
    assert peek.svg is None and peek.reason.startswith("It has not run yet")
    window.document.undo_stack.undo()
    assert format_shape((1, 32, 32, 32)) in window.view.editor.peeks.peeks["up1"].svg


def test_clicking_the_cross_closes_and_double_clicking_looks_inside(window, qtbot):
    view = window.view
    peek = _expand(window, "up1")
    inside = view.mapFromScene(peek.mapToScene(QPointF(peek.boundingRect().center())))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    QApplication.processEvents()
    assert window.navigator.depth == 1 and window.navigator.path() == ["up1 (Up)"]
    window.navigator.leave_to(0)
    assert view.editor.peeks.peeks["up1"] is peek  # still open on the design
    cross = view.mapFromScene(peek.mapToScene(peek.close_rect().center()))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cross)
    assert "up1" not in view.editor.peeks.peeks
    assert window.document.selection == ["up1"]  # the click on the × selected nothing else


def test_the_right_click_menu_offers_it_on_instances_only(window):
    editor = window.view.editor
    for node_id, offered in (("up1", True), ("head", False)):
        item = window.scene.nodes[node_id]
        at = window.view.mapFromScene(item.mapToScene(item.card_rect().center()))
        texts = [a.text() for a in editor.context_menu(QPoint(at.x(), at.y())).actions()]
        assert ("Expand in Place" in texts) is offered
    assert editor.actions["expand_in_place"] in window.menuBar().actions()[2].menu().actions()  # View
