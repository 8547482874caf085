"""Right-click menus: a layer's commands act on the layer under the pointer; the empty canvas offers adding."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction

from tests.gui.canvas_support import chain_graph, make_view, view_point


def _texts(menu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_right_click_on_a_layer_selects_it_and_offers_its_commands(qtbot):
    view = make_view(qtbot, chain_graph())
    scene, doc = view.graph_scene, view.document
    doc.select(["c1"])
    extra = QAction("Solve for a Size…", view)
    view.editor.node_menu_actions.append(extra)
    item = scene.nodes["c2"]
    menu = view.editor.context_menu(view_point(view, item.pos() + QPointF(70, 30)))
    assert doc.selection == ["c2"]
    assert _texts(menu) == ["Rename", "Duplicate", "Copy", "Cut", "Delete", "Group into Block…", "Solve for a Size…"]
    next(a for a in menu.actions() if a.text() == "Delete").trigger()
    assert "c2" not in doc.graph and "c1" in doc.graph
    doc.undo_stack.undo()
    assert "c2" in doc.graph


def test_right_click_on_empty_canvas_adds_a_layer_there(qtbot):
    view = make_view(qtbot, chain_graph())
    far = view.graph_scene.nodes_rect().bottomRight() + QPointF(300, 300)
    view.centerOn(far)
    spot = view_point(view, far)
    menu = view.editor.context_menu(spot)
    assert _texts(menu)[:2] == ["Add Layer Here…", "Paste"]
    next(a for a in menu.actions() if a.text() == "Add Layer Here…").trigger()
    popup = view.editor._quick_add
    assert popup is not None and popup.isVisible()
    assert (view.editor._quick_add_pos - view.mapToScene(spot)).manhattanLength() < 1
    popup.close()
