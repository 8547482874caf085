"""The main window: docks, palette drops, live totals, undo naming, problems, closing, settings, file drops."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.core import catalog, project
from designer.core.edits import MoveNodes, SetParams
from designer.core.graph import Edge
from designer.core.shapes import format_count
from designer.widgets import settings
from designer.widgets.main_window import MainWindow
from designer.widgets.palette import LAYER_MIME
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


def _drop(widget, mime: QMimeData, pos: QPoint) -> bool:
    """Send the drag-enter and drop a real drag would deliver; returns whether the drop was accepted."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def test_window_opens_the_example_with_docks_totals_and_title(app_env, qtbot):
    window = make_window(qtbot)
    try:
        doc = window.document
        assert window.windowTitle().startswith(doc.graph.name)
        assert not window.isWindowModified()
        for dock in (window.palette_dock, window.inspector_dock, window.problems_dock):
            assert dock.isVisible()
        assert window.dockWidgetArea(window.palette_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
        assert window.dockWidgetArea(window.inspector_dock) == Qt.DockWidgetArea.RightDockWidgetArea
        assert window.dockWidgetArea(window.problems_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert window.centralWidget() is window.navigator and window.navigator.current_view() is window.view
        assert set(window.palette_panel.visible_types()) == set(catalog.type_names())
        layers, params, errors = window.totals()
        assert params == doc.engine.total_params() > 0 and errors == 0
        assert f"{layers} layers" in window.totals_label.text()
        assert format_count(params) in window.totals_label.text()
        assert "no errors" in window.errors_label.text()
        menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
        assert menus == ["File", "Edit", "View", "Design", "Help"]
        view_menu = [a.text() for a in window.actions.menus["view"].actions()]
        assert "Auto Layout" in view_menu and "Auto Layout Left to Right" in view_menu
    finally:
        close_quietly(window)


def test_palette_drop_on_the_canvas_adds_that_layer_at_the_drop_point(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        before = set(doc.graph.node_ids())
        mime = window.palette_panel.tree.mimeData([window.palette_panel.item("MaxPool2d")])
        assert bytes(mime.data(LAYER_MIME)).decode() == "MaxPool2d"
        target = window.view.viewport().rect().center() + QPoint(40, 120)
        assert _drop(window.view.viewport(), mime, target)
        added = set(doc.graph.node_ids()) - before
        assert len(added) == 1
        node = doc.graph.node(added.pop())
        assert node.type_name == "MaxPool2d"
        scene_point = window.view.mapToScene(target)
        x, y = node.position
        assert abs(x - scene_point.x()) < 200 and abs(y - scene_point.y()) < 200
        assert doc.undo_stack.count() == 1 and window.isWindowModified()
    finally:
        close_quietly(window)


def test_palette_double_click_adds_at_view_centre_and_search_filters(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        palette, doc = window.palette_panel, window.document
        palette.search.setText("batchnorm 2d")
        assert palette.visible_types() == ["BatchNorm2d"]
        palette.search.setText("")
        item = palette.item("ReLU")
        palette.tree.scrollToItem(item)
        rect = palette.tree.visualItemRect(item)
        # A real double-click is a click followed by a double-click event (QTest sends only the latter).
        qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        relus = [n for n in doc.graph.nodes() if n.type_name == "ReLU"]
        assert len(relus) == 1
        assert item.parent().text(0) == "Activation"
        assert "ReLU(" in item.toolTip(0)
    finally:
        close_quietly(window)


def test_undo_and_redo_are_named_after_the_command(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        doc.apply(MoveNodes({"x": (0, 40), "conv": (260, 40), "out": (520, 40)}))
        assert window.actions.undo.text().replace("&", "") == "Undo Move 3 Nodes"
        window.actions.undo.trigger()
        assert window.actions.redo.text().replace("&", "") == "Redo Move 3 Nodes"
        assert doc.undo_stack.isClean() and not window.isWindowModified()
        window.actions.redo.trigger()
        assert window.isWindowModified() and "[*]" in window.windowTitle()
    finally:
        close_quietly(window)


def test_totals_and_problems_follow_edits_and_a_problem_click_selects_its_node(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        params = dict(doc.graph.node("conv").params, in_channels=5)
        doc.apply(SetParams("conv", params))
        qtbot.waitUntil(lambda: "1 error" in window.errors_label.text())
        rows = window.problems.rows()
        assert [(n, kind) for n, kind, _ in rows] == [("conv", "error")]
        assert "in_channels" in rows[0][2]
        item = window.problems.topLevelItem(0)
        window.problems.scrollToItem(item)
        rect = window.problems.visualItemRect(item)
        with qtbot.waitSignal(window.problems.node_activated):
            qtbot.mouseClick(window.problems.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert doc.selection == ["conv"]
        doc.undo_stack.undo()
        qtbot.waitUntil(lambda: "no errors" in window.errors_label.text())
        assert window.problems.rows() == []
    finally:
        close_quietly(window)


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(app_env, qtbot, dialogs):
    window = make_window(qtbot, small_graph())
    doc = window.document
    doc.apply(MoveNodes({"x": (20, 20)}))
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    assert not window.close()
    assert window.isVisible() and "Save the changes" in dialogs.shown[-1][1]
    dialogs.answers = [QMessageBox.StandardButton.Discard]
    assert window.close()


def test_layout_and_recent_files_persist_in_settings(app_env, qtbot, tmp_path):
    path = tmp_path / "small.json"
    project.save(small_graph(), path)
    window = make_window(qtbot, small_graph())
    assert window.files.open_path(str(path))
    assert settings.recent_files() == [str(path)]
    window.history_dock.show()
    window.problems_dock.hide()
    window.resize(780, 590)  # within the offscreen screen, which restoreGeometry clamps to
    close_quietly(window)
    again = make_window(qtbot, small_graph())
    try:
        assert again.problems_dock.isHidden()
        assert (again.width(), again.height()) == (780, 590)
        recent = [a.text() for a in again.actions.recent_menu.actions()]
        assert any("small.json" in text for text in recent)
    finally:
        close_quietly(again)


def test_dropping_a_project_file_on_the_window_opens_it(app_env, qtbot, tmp_path):
    path = tmp_path / "dropped.json"
    graph = small_graph()
    graph.set_name("dropped design")
    project.save(graph, path)
    window = make_window(qtbot)
    try:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        assert _drop(window, mime, QPoint(400, 300))
        qtbot.waitUntil(lambda: window.document.path == str(path))
        assert window.document.graph.name == "dropped design"
        assert window.windowTitle().startswith("dropped.json")
    finally:
        close_quietly(window)


def test_new_and_new_from_example_replace_the_design(app_env, qtbot, dialogs):
    window = make_window(qtbot, small_graph())
    try:
        assert window.files.new()
        assert len(window.document.graph) == 0
        titles = [a.text() for a in window.actions.examples_menu.actions()]
        assert "DCGAN generator" in titles
        window.actions.examples_menu.actions()[titles.index("DCGAN generator")].trigger()
        assert window.document.graph.name.lower().startswith("dcgan")
        assert window.document.path is None and not dialogs.shown
    finally:
        close_quietly(window)


def test_edge_selection_survives_to_delete_and_the_window_stays_usable(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        window.scene.set_selection([], [Edge("conv", "out")])
        window.view.setFocus()
        window.actions.delete.trigger()
        assert not window.document.graph.has_edge(Edge("conv", "out"))
        assert isinstance(window, MainWindow) and window.isVisible()
    finally:
        close_quietly(window)


def test_heavy_panels_are_built_only_when_their_dock_is_first_shown(app_env, qtbot):
    from designer.app import _window

    window = _window(small_graph(), None, persist=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        docks = {dock.objectName(): dock for dock in window.lazy_docks}
        assert set(docks) == {"OverlapDock", "StatsDock"}
        assert all(dock.content is None for dock in docks.values())
        assert window.tabifiedDockWidgets(window.problems_dock) == [docks["StatsDock"]]
        docks["StatsDock"].raise_()
        qtbot.waitUntil(lambda: docks["StatsDock"].content is not None)
        assert type(docks["StatsDock"].content).__name__ == "StatsPanel"
        docks["OverlapDock"].raise_()
        qtbot.waitUntil(lambda: docks["OverlapDock"].content is not None)
        panels = [a.text() for a in window.actions.menus["view"].actions() if a.menu()]
        assert panels == ["&Theme", "&Panels"]
        panels_menu = next(a.menu() for a in window.actions.menus["view"].actions() if a.text() == "&Panels")
        toggles = [a.text() for a in panels_menu.actions()]
        assert toggles == ["Layers", "Inspector", "Problems", "History", "Overlap", "Statistics"]
    finally:
        close_quietly(window)
