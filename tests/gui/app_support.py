"""Fixtures for the application-shell tests: temporary settings and app-data, a main window, captured dialogs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.core import examples
from designer.core.graph import Edge, Graph, Node
from designer.document.document import Document
from designer.widgets import settings
from designer.widgets.main_window import MainWindow


@pytest.fixture
def app_env(qapp, tmp_path, monkeypatch):
    """Settings and the app-data folder redirected into ``tmp_path`` (nothing touches the real home)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    qapp.setOrganizationName(settings.ORGANIZATION)
    qapp.setApplicationName(settings.APPLICATION)
    QSettings().clear()
    assert str(tmp_path) in QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return tmp_path


@dataclass
class Dialogs:
    """Every message box the code under test opened: (title, text, informative text); answers to give."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    answers: list[QMessageBox.StandardButton] = field(default_factory=list)

    def texts(self) -> str:
        return "\n".join(" | ".join(parts) for parts in self.shown)


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    """Message boxes never block: each records itself and returns the next queued answer (default: Cancel)."""
    record = Dialogs()

    def fake_exec(box: QMessageBox) -> int:
        record.shown.append((box.windowTitle(), box.text(), box.informativeText()))
        return int((record.answers.pop(0) if record.answers else QMessageBox.StandardButton.Cancel).value)

    def fake_question(parent, title, text, *args, **kwargs):
        record.shown.append((title, text, ""))
        return record.answers.pop(0) if record.answers else QMessageBox.StandardButton.Cancel

    def fake_notice(parent, title, text, *args, **kwargs):
        record.shown.append((title, text, ""))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake_question))
    # The static notices run their own C++ exec(), which the patch above cannot reach: offscreen it never returns.
    for notice in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, notice, staticmethod(fake_notice))
    return record


def small_graph() -> Graph:
    """x (8×3×32×32) → conv (3→16, k3 p1) → out, positioned."""
    g = Graph("small")
    g.add_node(Node("x", "Input", {"shape": [8, 3, 32, 32]}, position=(0, 0)))
    g.add_node(Node("conv", "Conv2d", {"in_channels": 3, "out_channels": 16, "kernel_size": 3, "padding": 1}, position=(260, 0)))
    g.add_node(Node("out", "Output", {}, position=(520, 0)))
    g.connect(Edge("x", "conv"))
    g.connect(Edge("conv", "out"))
    return g


def make_window(qtbot, graph: Graph | None = None, path: str | None = None, persist: bool = True) -> MainWindow:
    document = Document(graph if graph is not None else examples.load_example(), path)
    window = MainWindow(document, persist=persist)
    document.setParent(window)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def close_quietly(window: MainWindow) -> None:
    """Close without the unsaved-changes question (for fixtures' teardown)."""
    window.document.undo_stack.setClean()
    window.close()
