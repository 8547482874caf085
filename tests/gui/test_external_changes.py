"""Someone else's changes never vanish: the open file is watched; Save asks when it changed on disk; an
unmodified design reloads itself; a second instance opening the same file is told so."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from PySide6.QtWidgets import QMessageBox

from designer.core import disk, project
from designer.core.edits import MoveNodes, SetParams
from designer.widgets import file_watch
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env = app_support.app_env  # fixture


class Answers:
    """Message boxes answer by clicking the button with the queued text (default: Cancel); each is recorded."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.shown: list[tuple[str, str, str, list[str]]] = []


@pytest.fixture
def answers(monkeypatch) -> Answers:
    record = Answers()

    def fake_exec(box: QMessageBox) -> int:
        labels = [b.text() for b in box.buttons()]
        record.shown.append((box.windowTitle(), box.text(), box.informativeText(), labels))
        wanted = record.queue.pop(0) if record.queue else "Cancel"
        for button in box.buttons():
            if button.text().replace("&", "") == wanted:
                button.click()
                return 0
        return int(QMessageBox.StandardButton.Cancel.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return record


@pytest.fixture
def saved(app_env, qtbot, tmp_path):
    """A window whose design is saved to ``tmp_path/design.mdproj``."""
    window = make_window(qtbot, small_graph(), persist=False)
    path = tmp_path / "design.mdproj"
    assert window.files.save_to(str(path))
    yield window, path
    close_quietly(window)


def edit_elsewhere(path, out_channels: int = 99, name: str | None = "theirs") -> None:
    """Another program saves the file: conv gets other channels, and a layer of its own."""
    graph = project.load(path)
    graph.set_params("conv", dict(graph.node("conv").params, out_channels=out_channels))
    from designer.core.graph import Node

    graph.add_node(Node(name, "ReLU"))
    time.sleep(0.01)  # a distinct modification time even on coarse clocks
    project.write_atomically(path, project.encode(graph))


def test_an_unmodified_design_reloads_itself_with_a_notice(saved, qtbot):
    window, path = saved
    edit_elsewhere(path)
    qtbot.waitUntil(lambda: "theirs" in window.document.graph, timeout=5_000)
    assert window.document.graph.node("conv").params["out_channels"] == 99
    assert not window.document.modified
    assert window.statusBar().currentMessage() == "“design.mdproj” was changed on disk and has been reloaded."
    # The watch survives the atomic replace: a second change is followed too.
    edit_elsewhere(path, out_channels=7, name="again")
    qtbot.waitUntil(lambda: "again" in window.document.graph, timeout=5_000)


def test_our_own_save_is_not_someone_elses_change(saved, qtbot):
    window, path = saved
    window.document.apply(MoveNodes({"x": (80, 80)}))
    assert window.files.save()
    qtbot.wait(600)
    assert window.document.graph.node("x").position == (80, 80)
    assert "changed on disk" not in window.statusBar().currentMessage()
    assert not window.document.changed_on_disk()


def modified_and_changed_elsewhere(window, path, qtbot) -> None:
    window.document.apply(SetParams("conv", dict(window.document.graph.node("conv").params, out_channels=5)))
    edit_elsewhere(path)
    qtbot.waitUntil(lambda: "changed on disk by someone else" in window.statusBar().currentMessage(), timeout=5_000)
    assert window.document.graph.node("conv").params["out_channels"] == 5  # mine stays


def test_save_asks_and_cancel_keeps_both(saved, qtbot, answers):
    window, path = saved
    modified_and_changed_elsewhere(window, path, qtbot)
    theirs = path.read_bytes()
    assert not window.files.save()
    title, text, _info, labels = answers.shown[-1]
    assert title == "Changed on Disk" and "was changed on disk" in text
    assert {"Overwrite", "Save As…", "Reload and Lose Mine", "Show the Difference"} <= set(labels)
    assert path.read_bytes() == theirs and window.document.modified


def test_save_overwrite_writes_mine(saved, qtbot, answers):
    window, path = saved
    modified_and_changed_elsewhere(window, path, qtbot)
    answers.queue = ["Overwrite"]
    assert window.files.save()
    assert project.load(path).node("conv").params["out_channels"] == 5 and "theirs" not in project.load(path)
    assert not window.document.modified and not window.document.changed_on_disk()


def test_reload_and_lose_mine_takes_theirs(saved, qtbot, answers):
    window, path = saved
    modified_and_changed_elsewhere(window, path, qtbot)
    answers.queue = ["Reload and Lose Mine"]
    assert window.files.save()
    assert window.document.graph.node("conv").params["out_channels"] == 99 and "theirs" in window.document.graph
    assert not window.document.modified


def test_show_the_difference_then_save_as(saved, qtbot, answers, monkeypatch, tmp_path):
    window, path = saved
    modified_and_changed_elsewhere(window, path, qtbot)
    answers.queue = ["Show the Difference", "OK", "Save As…"]
    elsewhere = tmp_path / "mine.mdproj"
    monkeypatch.setattr("designer.widgets.files.QFileDialog.getSaveFileName", lambda *a, **k: (str(elsewhere), ""))
    assert window.files.save()
    difference = answers.shown[1]
    assert difference[0] == "Difference"
    assert "Layers only on disk (1): theirs" in difference[2] and "Layers that differ (1): conv" in difference[2]
    assert project.load(elsewhere).node("conv").params["out_channels"] == 5
    assert project.load(path).node("conv").params["out_channels"] == 99  # theirs untouched


def test_the_difference_of_two_designs():
    mine = small_graph()
    theirs = small_graph()
    theirs.disconnect(next(e for e in theirs.edges() if e.target == "out"))
    theirs.remove_node("out")
    theirs.set_params("conv", dict(theirs.node("conv").params, out_channels=8))
    diff = disk.design_difference(mine, theirs)
    assert diff.nodes_removed == ["out"] and diff.nodes_changed == ["conv"] and diff.edges_removed == ["conv → out"]
    assert not disk.design_difference(mine, small_graph())


# ----- a second instance --------------------------------------------------------------------------------
HOLDER = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QLockFile
    lock = QLockFile(sys.argv[1])
    lock.setStaleLockTime(0)
    assert lock.tryLock(0)
    print("locked", flush=True)
    time.sleep(60)
    """
)


def hold_in_another_process(path) -> subprocess.Popen:
    lock = file_watch.lock_path(str(path))
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, lock], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_file_open_in_another_instance_is_said_and_opened_only_if_wanted(app_env, qtbot, tmp_path, answers):
    path = tmp_path / "shared.mdproj"
    project.save(small_graph(), path)
    holder = hold_in_another_process(path)
    window = make_window(qtbot, small_graph(), persist=False)
    try:
        assert not window.files.open_path(str(path))
        title, text, info, labels = answers.shown[-1]
        assert title == "Already Open" and f"process {holder.pid}" in text and "Open Anyway" in labels
        assert window.document.path is None
        answers.queue = ["Open Anyway"]
        assert window.files.open_path(str(path))
        assert window.document.path == str(path) and not window.files.watch.claimed
    finally:
        holder.kill()
        holder.wait()
        close_quietly(window)


def test_a_claim_left_by_a_killed_instance_does_not_block(app_env, qtbot, tmp_path, answers):
    path = tmp_path / "left.mdproj"
    project.save(small_graph(), path)
    holder = hold_in_another_process(path)
    holder.kill()
    holder.wait()
    window = make_window(qtbot, small_graph(), persist=False)
    try:
        assert window.files.open_path(str(path))
        assert answers.shown == [] and window.files.watch.claimed
        assert file_watch.held_elsewhere(str(path)) is None
    finally:
        close_quietly(window)
    assert not window.files.watch.claimed  # closing the window gives the file up


def test_a_window_started_on_a_file_open_elsewhere_says_so(app_env, qtbot, tmp_path):
    path = tmp_path / "started.mdproj"
    project.save(small_graph(), path)
    holder = hold_in_another_process(path)
    try:
        window = make_window(qtbot, project.load(path), str(path), persist=False)
        qtbot.waitUntil(lambda: "also open in another Model Designer window" in window.statusBar().currentMessage(), timeout=3_000)
        assert f"process {holder.pid}" in window.statusBar().currentMessage()
        close_quietly(window)
    finally:
        holder.kill()
        holder.wait()


def test_a_change_on_disk_during_a_big_paste_waits_for_the_paste(saved, qtbot, monkeypatch, answers):
    from PySide6.QtGui import QGuiApplication

    from designer.canvas import big_paste
    from tests.gui.test_limits_gui import chain_text

    window, path = saved
    monkeypatch.setattr(big_paste, "BIG_PASTE_CHARS", 1_000)
    monkeypatch.setattr(big_paste, "MIN_CHUNK", 10)
    QGuiApplication.clipboard().setText(chain_text(200))
    original = window.document.apply_in_steps

    def with_an_edit_elsewhere(edit, step, chunk):
        def step_and_edit(done, total):
            if done == chunk:
                edit_elsewhere(path)
                window.files.watch.check()  # as if the window were activated mid-paste
            return step(done, total)

        return original(edit, step_and_edit, chunk)

    monkeypatch.setattr(window.document, "apply_in_steps", with_an_edit_elsewhere)
    shown = []  # every status bar message, so a later one (the paste's own) cannot hide the notice from the test
    window.statusBar().messageChanged.connect(shown.append)
    assert len(window.view.editor.paste()) == 200
    assert len(window.document.graph) == 203 and window.document.modified  # the paste is whole, not reloaded away
    qtbot.waitUntil(lambda: any("changed on disk by someone else" in text for text in shown), timeout=10_000)
