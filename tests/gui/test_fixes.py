"""One-click fixes in the window: the inspector's buttons, the Problems row, the badge and right-click menus."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from designer.core.edits import SetParams
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph
from tests.gui.canvas_support import chain_graph, make_view, view_point

app_env = app_support.app_env  # fixture


def _break(document, node_id: str, **params) -> None:
    document.apply(SetParams(node_id, {**document.graph.node(node_id).params, **params}))
    QApplication.processEvents()


def test_the_inspector_offers_the_fix_as_a_button_and_applying_it_is_one_undo_step(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        _break(doc, "conv", in_channels=5)
        doc.select(["conv"])
        # Worked out after a short pause in editing; a button added to a shown panel shows on the next turn.
        qtbot.waitUntil(lambda: bool(window.inspector.fix_buttons) and window.inspector.fix_buttons[0].isVisible())
        button = window.inspector.fix_buttons[0]
        assert button.text() == "Fix: Set in_channels to 3"
        steps = doc.undo_stack.count()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert doc.engine.result("conv").ok
        assert doc.undo_stack.count() == steps + 1
        assert doc.undo_stack.undoText() == "Set in_channels to 3"
        doc.undo_stack.undo()
        assert doc.graph.node("conv").params["in_channels"] == 5
        qtbot.waitUntil(lambda: bool(window.inspector.fix_buttons))
        doc.undo_stack.undo()
        qtbot.waitUntil(lambda: not window.inspector.fix_box.isVisible())
    finally:
        close_quietly(window)


def test_an_error_does_not_widen_the_inspector(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        doc.select(["conv"])
        QApplication.processEvents()
        before = window.inspector.widget().sizeHint().width()
        _break(doc, "conv", in_channels=5)
        qtbot.waitUntil(lambda: bool(window.inspector.fix_buttons))
        assert window.inspector.widget().sizeHint().width() <= before
    finally:
        close_quietly(window)


def test_the_problems_row_wraps_its_sentence_and_has_the_fix_button(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        _break(doc, "conv", in_channels=5)
        qtbot.waitUntil(lambda: window.problems.fix_button(0) is not None)
        problems = window.problems
        assert problems.wordWrap() and problems.topLevelItem(0).text(1).endswith("set in_channels to 3")
        problems.resize(420, 300)
        QApplication.processEvents()
        rect = problems.visualItemRect(problems.topLevelItem(0))
        assert rect.height() > problems.fontMetrics().height() * 1.5  # wrapped onto several lines, not cut
        menu = problems.context_menu(rect.center())
        labels = [a.text() for a in menu.actions() if a.text()]
        assert labels[0] == "Set in_channels to 3" and labels[-1].startswith("Show ")
        qtbot.mouseClick(problems.fix_button(0), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: problems.rows() == [])
        assert doc.undo_stack.undoText() == "Set in_channels to 3"
    finally:
        close_quietly(window)


def test_the_badge_and_the_right_click_menu_offer_every_fix(qtbot):
    graph = chain_graph()
    view = make_view(qtbot, graph)
    doc = view.document
    # c2 expects 8 channels from c1; asking for 4 can be met by c2 (in_channels) or by c1 (out_channels).
    _break(doc, "c2", in_channels=4)
    badge = view.editor.badge_menu("c2")
    labels = [a.text() for a in badge.actions()]
    assert labels == ["Fix: Set in_channels to 8", "Or: Set 'c1' out_channels to 4"]
    context = view.editor.context_menu(view_point(view, view.graph_scene.nodes["c2"].sceneBoundingRect().center()))
    assert [a.text() for a in context.actions()][:2] == labels
    badge.actions()[1].trigger()
    assert doc.graph.node("c1").params["out_channels"] == 4 and doc.engine.result("c2").ok
    assert doc.undo_stack.undoText() == "Set 'c1' out_channels to 4"


def test_clicking_the_badge_opens_the_fix_menu(qtbot, monkeypatch):
    view = make_view(qtbot, chain_graph())
    _break(view.document, "c2", in_channels=4)
    opened = []
    monkeypatch.setattr("PySide6.QtWidgets.QMenu.popup", lambda menu, *_a: opened.append(menu))
    item = view.graph_scene.nodes["c2"]
    badge = item.mapToScene(QPointF(item.card_rect().right() - 3, 3))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(view, badge))
    assert opened and opened[0].actions()[0].text() == "Fix: Set in_channels to 8"
    assert view.document.graph.node("c2").params["in_channels"] == 4  # the click alone changes nothing


def test_hovering_a_layer_in_error_names_its_fix(qtbot):
    from designer.canvas import tooltips

    view = make_view(qtbot, chain_graph())
    _break(view.document, "c2", in_channels=4)
    text = tooltips.node_tooltip(view.document, "c2")
    assert "One-click fix: Set in_channels to 8 (click the red badge" in text
    assert "One-click fix" not in tooltips.node_tooltip(view.document, "c1")
