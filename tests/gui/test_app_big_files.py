"""Opening a big design says so while it works, and leaves nothing behind once it is open."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QProgressDialog

from designer.core import project
from designer.widgets import files
from tests.benchmarks.run import chain_graph
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


def test_a_big_file_opens_under_a_busy_indicator(app_env, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    project.save(chain_graph(6000), path)
    assert path.stat().st_size > files.BUSY_ABOVE_BYTES
    shown = []
    real_busy = files.busy

    def spy(*args, **kwargs):
        shown.append(args[1:])
        return real_busy(*args, **kwargs)

    monkeypatch.setattr(files, "busy", spy)
    window = make_window(qtbot)
    try:
        assert window.files.open_path(str(path), ask=False)
        assert shown == [("Opening", "Opening big.json…")]
        assert len(window.scene.nodes) == 6000
        QApplication.processEvents()
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    finally:
        close_quietly(window)
