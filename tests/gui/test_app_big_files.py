"""Opening a big design: read off the GUI thread under a cancellable progress dialog, then the canvas is built."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from designer.core import project
from designer.widgets import background_load, files
from tests.benchmarks.run import chain_graph
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


def _big_file(tmp_path):
    path = tmp_path / "big.json"
    project.save(chain_graph(6000), path)
    assert path.stat().st_size > files.BUSY_ABOVE_BYTES
    return path


def _progress_dialogs() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def _click_cancel() -> None:
    for dialog in _progress_dialogs():
        for button in dialog.findChildren(QPushButton):
            button.click()


def test_a_big_file_loads_in_the_background_then_builds_the_canvas(app_env, qtbot, tmp_path, monkeypatch):
    path = _big_file(tmp_path)
    shown = []
    real_busy = files.busy
    monkeypatch.setattr(files, "busy", lambda *args: (shown.append(args[1:]), real_busy(*args))[1])
    window = make_window(qtbot)
    try:
        assert window.files.open_path(str(path), ask=False)
        assert shown == [("Opening", "Building the canvas for big.json…")]
        assert len(window.scene.nodes) == 6000 and window.document.path == str(path)
        QApplication.processEvents()
        assert not _progress_dialogs()
    finally:
        close_quietly(window)


def test_cancelling_a_big_open_keeps_the_design_on_screen(app_env, qtbot, tmp_path, monkeypatch):
    path = _big_file(tmp_path)
    real_load = project.load
    release = threading.Event()
    finished = threading.Event()

    def held_load(target):
        release.wait(timeout=30)  # the worker is still reading when Cancel is clicked
        try:
            return real_load(target)
        finally:
            finished.set()

    monkeypatch.setattr(background_load.project, "load", held_load)
    window = make_window(qtbot)
    try:
        before = project.dumps(window.document.graph)
        QTimer.singleShot(100, _click_cancel)
        assert not window.files.open_path(str(path), ask=False)
        assert not finished.is_set()  # the window came back while the load was still going
        assert project.dumps(window.document.graph) == before and window.document.path is None
    finally:
        release.set()
        qtbot.waitUntil(finished.is_set, timeout=30_000)  # the abandoned worker ends quietly
        qtbot.waitUntil(lambda: not background_load._abandoned, timeout=5_000)
        close_quietly(window)


def test_a_broken_big_file_reports_the_loader_sentence(app_env, qtbot, tmp_path, dialogs):
    path = _big_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('"Conv2d"', '"Conv9d"', 1), encoding="utf-8")
    window = make_window(qtbot)
    try:
        assert not window.files.open_path(str(path), ask=False)
        assert any("unknown layer type 'Conv9d'" in " ".join(shown) for shown in dialogs.shown)
    finally:
        close_quietly(window)
