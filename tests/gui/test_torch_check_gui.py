"""Design ▸ Check with PyTorch: runs off the GUI thread, shows its outcome in the statistics panel, and marks on
the canvas every node torch disagrees with, until the design changes."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtWidgets import QApplication

from designer.app import _window
from designer.core import catalog
from designer.core.edits import SetParams
from tests.gui import app_support
from tests.gui.app_support import close_quietly, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures


@pytest.fixture
def window(qtbot, app_env, dialogs):
    window = _window(small_graph(), None, persist=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    if window.actions.torch_check is not None:
        window.actions.torch_check.wait()
    close_quietly(window)


def run_check(qtbot, window) -> str:
    window.actions.check.trigger()
    checker = window.actions.torch_check
    assert checker.thread is not None and checker.progress.isVisible()  # the GUI thread is free meanwhile
    with qtbot.waitSignal(checker.finished, timeout=120_000) as blocker:
        pass
    qtbot.waitUntil(lambda: checker.thread is None)
    return blocker.args[0]


def test_the_menu_runs_the_check_and_the_statistics_panel_shows_it(qtbot, window):
    assert window.actions.check in window.actions.menus["design"].actions()
    text = run_check(qtbot, window)
    panel = window.show_statistics()
    assert panel.check_label.isVisible() and panel.check_label.text() == text
    assert "torch agrees with all 3 nodes" in text and "Forward" in text and "peak memory" in text
    assert window.actions.torch_check.report.agree
    assert window.actions.torch_check.progress is None
    assert window.scene.nodes["conv"].status == "ok"


def test_a_disagreement_is_shown_on_the_node_until_the_design_changes(qtbot, window, monkeypatch):
    spec = catalog.get("Conv2d")
    wrong = dataclasses.replace(spec, infer=lambda ctx: dataclasses.replace(spec.infer(ctx), shape=(8, 16, 31, 31)))
    monkeypatch.setitem(catalog._SPECS, "Conv2d", wrong)
    text = run_check(qtbot, window)
    assert "torch disagrees on 2 node(s): conv, out" in text  # the Output shows conv's size too
    assert window.scene.nodes["conv"].status == "error" and window.scene.nodes["x"].status == "ok"
    assert window.scene.torch_notes["conv"] == "torch gives [8, 16, 32, 32], the designer says [8, 16, 31, 31]"
    params = window.document.graph.node("conv").params
    window.document.apply(SetParams("conv", {**params, "kernel_size": 5, "padding": 2}))
    QApplication.processEvents()
    assert window.scene.torch_notes == {}
