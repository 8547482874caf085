"""Saving, reopening, failures that keep the work, bad files, export, and exceptions caught inside the app."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.core import project
from designer.core.edits import MoveNodes, SetParams
from designer.widgets.crash import LOG_NAME, CrashHandler, log_folder
from designer.widgets.export_dialog import ExportDialog
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


def test_save_then_reopen_gives_the_same_design(app_env, qtbot, tmp_path):
    window = make_window(qtbot, small_graph())
    path = tmp_path / "saved.json"
    try:
        doc = window.document
        doc.apply(SetParams("conv", dict(doc.graph.node("conv").params, out_channels=24)))
        assert window.isWindowModified()
        assert window.files.save_to(str(path))
        assert not window.isWindowModified() and doc.path == str(path)
        assert window.windowTitle().startswith("saved.json")
        saved = project.dumps(doc.graph)
    finally:
        close_quietly(window)
    again = make_window(qtbot, small_graph())
    try:
        assert again.files.open_path(str(path))
        assert project.dumps(again.document.graph) == saved
        assert again.document.engine.shape("conv") == (8, 24, 32, 32)
    finally:
        close_quietly(again)


def test_a_failed_save_names_the_path_and_keeps_the_design_modified(app_env, qtbot, tmp_path, dialogs):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        doc.apply(MoveNodes({"x": (40, 40)}))
        # The tests run as root, for whom a read-only folder is writable; a path through a file is not.
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        target = blocker / "design.json"
        assert not window.files.save_to(str(target))
        title, text, info = dialogs.shown[-1]
        assert title == "Could Not Save" and str(target) in text
        assert "not a directory" in info.lower()
        assert doc.modified and window.isWindowModified() and doc.path is None
        assert doc.graph.node("x").position == (40, 40)
        # The work is still there: saving somewhere sensible now works.
        assert window.files.save_to(str(tmp_path / "ok.json")) and not doc.modified
    finally:
        close_quietly(window)


def test_opening_a_malformed_file_shows_the_loader_message_and_keeps_the_app_working(app_env, qtbot, tmp_path, dialogs):
    window = make_window(qtbot, small_graph())
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "model-designer-project", "version": 1, "nodes": [')
    try:
        doc = window.document
        before = project.dumps(doc.graph)
        assert not window.files.open_path(str(bad))
        title, text, info = dialogs.shown[-1]
        try:
            project.load(bad)
        except project.ProjectError as exc:
            expected = str(exc)
        assert title == "Could Not Open the Design" and "broken.json" in text
        assert expected in info and "unchanged" in info
        assert project.dumps(doc.graph) == before and doc.path is None
        doc.apply(MoveNodes({"x": (10, 10)}))  # still editable
        assert doc.undo_stack.count() == 1
        for hostile in ('{"format": "model-designer-project", "version": 99}', "\x00\xff", "[" * 10000):
            bad.write_text(hostile, encoding="utf-8", errors="surrogateescape")
            assert not window.files.open_path(str(bad), ask=False)
        assert len(dialogs.shown) == 4 and window.isVisible()
    finally:
        close_quietly(window)


def test_revert_drops_the_changes_after_asking(app_env, qtbot, tmp_path, dialogs):
    path = tmp_path / "r.json"
    project.save(small_graph(), path)
    window = make_window(qtbot, project.load(path), str(path))
    try:
        doc = window.document
        doc.apply(MoveNodes({"x": (99, 99)}))
        assert window.actions.revert.isEnabled()
        dialogs.answers = [QMessageBox.StandardButton.Yes]
        assert window.files.revert()
        assert doc.graph.node("x").position == (0, 0) and not doc.modified
    finally:
        close_quietly(window)


def test_exported_code_runs_in_torch_with_the_engine_shapes(app_env, qtbot, tmp_path):
    window = make_window(qtbot)  # the DCGAN example
    try:
        graph = window.document.graph
        dialog = ExportDialog(graph, str(tmp_path / "model.py"), window)
        qtbot.addWidget(dialog)
        assert dialog.save_button.isEnabled() and dialog.code
        assert dialog.preview.toPlainText() == dialog.code
        dialog.copy()
        assert QApplication.clipboard().text() == dialog.code
        target = tmp_path / "model.py"
        assert dialog.save_to(str(target))
        run = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs = [n for n in graph.node_ids() if graph.node(n).type_name == "Output"]
        expected = tuple(window.document.engine.shape(outputs[0]))
        assert str(expected) in run.stdout
    finally:
        close_quietly(window)


def test_export_with_errors_names_the_layers_and_offers_no_save(app_env, qtbot):
    graph = small_graph()
    graph.set_params("conv", dict(graph.node("conv").params, in_channels=4))
    dialog = ExportDialog(graph)
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled() and not dialog.copy_button.isEnabled()
    assert "conv" in dialog.status.text() and "in_channels" in dialog.status.text()
    assert dialog.code == "" and dialog.preview.toPlainText() == ""
    dialog.class_name.setText("class")
    assert "cannot name a class" in dialog.status.text()


def test_an_exception_in_a_slot_is_logged_shown_once_and_the_app_keeps_running(app_env, qtbot, dialogs):
    window = make_window(qtbot, small_graph())
    handler = CrashHandler(window)
    handler.install()
    try:

        def broken() -> None:
            raise ZeroDivisionError("a bug in a slot")

        for _ in range(2):
            QTimer.singleShot(0, broken)
            qtbot.wait(20)
        assert len(dialogs.shown) == 1, "the same fault is shown once"
        title, text, info = dialogs.shown[0]
        assert title == "Something went wrong" and "ZeroDivisionError: a bug in a slot" in info
        log = os.path.join(log_folder(), LOG_NAME)
        with open(log, encoding="utf-8") as f:
            assert str(app_env) in log and f.read().count("ZeroDivisionError") >= 2
        window.document.apply(MoveNodes({"x": (5, 5)}))  # the app and the design are fine
        assert window.isVisible() and window.document.undo_stack.count() == 1
    finally:
        handler.uninstall()
        close_quietly(window)


def test_interactive_start_with_a_bad_file_shows_the_message_and_opens_an_empty_design(app_env, qtbot, tmp_path, dialogs, monkeypatch):
    from designer.app import run_app

    monkeypatch.setenv("MODEL_DESIGNER_SCHEME", "light")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1}')
    seen = {}

    def look_and_quit() -> None:
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow" and w.isVisible())
        seen["nodes"] = len(window.document.graph)
        seen["title"] = window.windowTitle()
        window.close()

    QTimer.singleShot(200, look_and_quit)
    assert run_app(str(bad), None) == 0
    assert seen == {"nodes": 0, "title": "Untitled[*] — Model Designer"}
    assert len(dialogs.shown) == 1
    title, text, info = dialogs.shown[0]
    assert "bad.json" in text and "format" in info and "empty design" in info
