"""The teaching tools reach the window's menus: the solver (Edit menu) and the channels-last lens (View)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from designer.core.graph import Edge
from designer.widgets.solver_dialog import SolverDialog
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


def _menu_texts(window, title: str) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)
    return [a.text() for a in menu.actions()]


def test_lens_in_view_menu_relabels_edges(app_env, qtbot):
    window = make_window(qtbot)
    try:
        assert window.actions.lens.text() in _menu_texts(window, "View")
        edge = Edge("up1", "bn1", 0)
        before = window.scene.edges[edge].label
        window.actions.lens.trigger()
        after = window.scene.edges[edge].label
        assert before == "64×512×4×4" and after == "64×4×4×512"
        window.actions.lens.trigger()
        assert window.scene.edges[edge].label == before
    finally:
        close_quietly(window)


def test_solver_in_edit_menu_opens_for_the_selected_layer(app_env, qtbot):
    window = make_window(qtbot)
    try:
        assert window.actions.solve.text() in _menu_texts(window, "Edit")
        window.document.select(["up2"])
        window.actions.solve.trigger()
        QApplication.processEvents()
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SolverDialog) and w.isVisible()]
        assert len(dialogs) == 1
        assert dialogs[0].layer_page is not None and dialogs[0].layer_page.node_id == "up2"
        dialogs[0].close()
    finally:
        close_quietly(window)


def test_status_bar_shows_live_costs(app_env, qtbot):
    from designer.core.edits import SetParams
    from designer.core.stats import compute_stats, format_big

    window = make_window(qtbot)
    try:
        doc = window.document
        macs = compute_stats(doc.graph, doc.engine).total.macs
        assert f"{format_big(macs)} multiply-adds" in window.costs_label.text()
        params = dict(doc.graph.node("up1").params, out_channels=256)
        doc.apply(SetParams("up1", params))
        doc.apply(SetParams("bn1", {"num_features": 256}))
        doc.apply(SetParams("up2", dict(doc.graph.node("up2").params, in_channels=256)))
        qtbot.waitUntil(lambda: f"{format_big(compute_stats(doc.graph, doc.engine).total.macs)} multiply-adds" in window.costs_label.text())
        assert compute_stats(doc.graph, doc.engine).total.macs < macs
    finally:
        close_quietly(window)
