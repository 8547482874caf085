"""Recovery snapshots in one process: when they are written and deleted, stale and live sessions, the prompt."""

from __future__ import annotations

import datetime
import json
import os
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from designer import app as app_module
from designer.core import project
from designer.core.edits import MoveNodes, SetParams
from designer.document.document import Document
from designer.document.recovery import DATA_DIR_ENV, Session, app_data_folder, recovery_folder
from designer.widgets import recovery_prompt
from designer.widgets.crash import log_folder
from designer.widgets.recovery_prompt import Choice, RecoveryPrompt, offer_recovery
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures

FAST = {"debounce_ms": 40, "max_wait_ms": 2_000}


@pytest.fixture
def root(tmp_path):
    return str(tmp_path / "recovery")


@pytest.fixture
def sessions(qapp, root):
    """Sessions made by a test, closed at its end (their locks released) if the test did not close them."""
    made: list[Session] = []

    def make(**kwargs) -> Session:
        made.append(Session(root, **(FAST | kwargs)))
        return made[-1]

    yield make
    for session in made:
        session.close()


def widen(document: Document, channels: int = 24) -> None:
    document.apply(SetParams("conv", dict(document.graph.node("conv").params, out_channels=channels)))


def files_in(folder: str) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def wait_for_snapshot(qtbot, session: Session, document: Document) -> str:
    file = session.snapshot_file(document)
    qtbot.waitUntil(lambda: os.path.exists(file) and read(file) == project.dumps(document.graph))
    return file


def test_the_data_folder_override_is_read_in_one_place(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    assert app_data_folder() == str(tmp_path / "data")
    assert recovery_folder() == str(tmp_path / "data" / "recovery")
    assert log_folder() == app_data_folder()


def test_a_modified_document_is_snapshotted_after_the_quiet_time(qtbot, sessions, tmp_path):
    session = sessions()
    document = Document(small_graph(), str(tmp_path / "small.mdproj"))
    session.watch(document)
    qtbot.wait(120)
    assert files_in(session.folder) == []  # nothing modified, nothing written
    widen(document)
    file = wait_for_snapshot(qtbot, session, document)
    assert project.loads(read(file)).node("conv").params["out_channels"] == 24
    sidecar = json.loads(read(os.path.splitext(file)[0] + ".json"))
    assert sidecar["original_path"] == str(tmp_path / "small.mdproj")
    assert sidecar["display_name"] == "small.mdproj"
    assert abs(time.time() - datetime.datetime.fromisoformat(sidecar["saved_at"]).timestamp()) < 60
    assert session.snapshots_written == 1
    assert not [n for n in files_in(session.folder) if n.endswith(".tmp")]


def test_quick_edits_give_one_snapshot(qtbot, sessions):
    session = sessions(debounce_ms=300, max_wait_ms=600)
    document = Document(small_graph())
    session.watch(document)
    for channels in range(20, 25):  # five edits inside one quiet time
        widen(document, channels)
        qtbot.wait(20)
    qtbot.waitUntil(lambda: session.snapshots_written == 1)
    qtbot.wait(400)
    assert session.snapshots_written == 1
    qtbot.waitUntil(lambda: read(session.snapshot_file(document)) == project.dumps(document.graph))


def test_steady_editing_is_written_when_the_deadline_comes_not_postponed(qtbot, sessions):
    """Bounded by events, not by the clock: the quiet time is a minute, so only the deadline can write,
    and it must, although an edit arrives every 30 ms (each restarts the quiet time, never the deadline).
    A slow machine only spaces the edits out; it cannot make this pass or fail by chance."""
    session = sessions(debounce_ms=60_000, max_wait_ms=400)
    document = Document(small_graph())
    session.watch(document)
    steps = iter(range(100_000))

    def move() -> None:
        step = next(steps)
        document.apply(MoveNodes({"x": (step, step)}))

    typing = QTimer()
    typing.setInterval(30)
    typing.timeout.connect(move)
    typing.start()
    qtbot.waitUntil(lambda: session.snapshots_written == 1, timeout=20_000)
    typing.stop()
    assert session.snapshots_written == 1
    assert project.loads(read(session.snapshot_file(document))).node("x").position is not None


def test_saving_or_undoing_to_clean_deletes_the_snapshot(qtbot, sessions, tmp_path):
    session = sessions()
    document = Document(small_graph())
    session.watch(document)
    widen(document)
    wait_for_snapshot(qtbot, session, document)
    document.undo_stack.undo()
    assert files_in(session.folder) == []
    widen(document, 32)
    wait_for_snapshot(qtbot, session, document)
    document.save(str(tmp_path / "saved.mdproj"))
    assert files_in(session.folder) == []
    qtbot.wait(120)
    assert files_in(session.folder) == []  # a clean document is not written again


def test_a_normal_quit_leaves_nothing_behind(app_env, qtbot, root, dialogs):
    session = Session(root, **FAST)
    window = make_window(qtbot, small_graph())
    app_module._keep_recovered(window, session)
    widen(window.document)
    wait_for_snapshot(qtbot, session, window.document)
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible() and "Unsaved Changes" in dialogs.texts()
    assert files_in(session.folder) == []  # the user discarded: the snapshot went with the window
    session.close()
    assert files_in(root) == []


def test_a_quit_that_skips_the_windows_questions_keeps_the_work(qtbot, sessions, root):
    first = sessions()
    document = Document(small_graph())
    first.watch(document)
    widen(document)  # closed before the quiet time is over: the snapshot is written at close
    first.close()
    recovered = sessions().recovered()
    assert [project.dumps(s.graph) for s in recovered] == [project.dumps(document.graph)]


def test_live_sessions_never_see_or_touch_each_others_snapshots(qtbot, sessions, root):
    a, b = sessions(), sessions()
    doc_a, doc_b = Document(small_graph()), Document(small_graph())
    a.watch(doc_a)
    b.watch(doc_b)
    widen(doc_a, 40)
    widen(doc_b, 50)
    file_a, file_b = wait_for_snapshot(qtbot, a, doc_a), wait_for_snapshot(qtbot, b, doc_b)
    assert os.path.dirname(file_a) != os.path.dirname(file_b)
    assert a.recovered() == [] and b.recovered() == []  # both alive: neither offers the other's work
    text_a = read(file_a)
    b.forget(doc_b)
    b.close()
    assert read(file_a) == text_a and not os.path.exists(b.folder)


def _killed_session(root: str, document: Document) -> str:
    """A session that wrote a snapshot and then vanished without closing (its lock released as if its
    process had died; the kill tests do this for real). Returns the snapshot file."""
    dead = Session(root, **FAST)
    dead.watch(document)
    assert dead.write_now(document)
    file = dead.snapshot_file(document)
    dead._lock.unlock()
    return file


def test_restore_opens_the_design_modified_with_its_path_and_moves_the_snapshot(qtbot, sessions, root, tmp_path):
    original = Document(small_graph(), str(tmp_path / "small.mdproj"))
    widen(original, 40)
    old = _killed_session(root, original)
    session = sessions()
    [snapshot] = session.recovered()
    assert snapshot.original_path == str(tmp_path / "small.mdproj") and snapshot.display_name == "small.mdproj"
    target = Document(small_graph())
    assert session.restore(snapshot, target)
    assert project.dumps(target.graph) == project.dumps(original.graph)
    assert target.modified and target.path == str(tmp_path / "small.mdproj")
    assert not os.path.exists(old)
    assert read(session.snapshot_file(target)) == project.dumps(target.graph)
    widen(target, 41)
    target.undo_stack.undo()
    assert target.modified  # undo cannot pretend the recovered work is saved
    session.release_stale()
    assert files_in(root) == sorted([session.name, session.name + ".lock"])


def test_an_untitled_design_is_restored_untitled(qtbot, sessions, root):
    original = Document(small_graph())
    original.apply(MoveNodes({"out": (900, 40)}))
    _killed_session(root, original)
    session = sessions()
    [snapshot] = session.recovered()
    assert snapshot.original_path is None and snapshot.display_name == "small"
    target = Document()
    session.restore(snapshot, target)
    assert target.path is None and target.modified and target.graph.node("out").position == (900, 40)


def channels(snapshot) -> int:
    return snapshot.graph.node("conv").params["out_channels"]


def _answer(monkeypatch, choices: dict[int, Choice] | None) -> list[RecoveryPrompt]:
    """The prompt returns at once: accepted with the choice for each design's conv width, or closed (None)."""
    shown: list[RecoveryPrompt] = []

    def fake_exec(prompt: RecoveryPrompt) -> int:
        shown.append(prompt)
        if choices is None:
            prompt.reject()
            return QDialog.DialogCode.Rejected.value
        for snapshot in prompt.snapshots:
            prompt.set_choice(snapshot, choices[channels(snapshot)])
        prompt.accept()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(RecoveryPrompt, "exec", fake_exec)
    return shown


def test_later_keeps_discard_deletes_and_restore_moves(qtbot, sessions, root, monkeypatch):
    originals = [Document(small_graph()) for _ in range(3)]
    files = []
    for width, document in zip((31, 32, 33), originals):
        widen(document, width)
        files.append(_killed_session(root, document))
    _answer(monkeypatch, {31: Choice.RESTORE, 32: Choice.DISCARD, 33: Choice.LATER})
    session = sessions()
    targets: list[Document] = []
    assert offer_recovery(session, None, lambda s: targets.append(Document()) or targets[-1]) == 1
    assert project.dumps(targets[0].graph) == project.dumps(originals[0].graph)
    assert [os.path.exists(f) for f in files] == [False, False, True]
    # The next start offers only the one put off, and closing the prompt means Later again.
    shown = _answer(monkeypatch, None)
    later = sessions()
    assert offer_recovery(later, None, lambda s: pytest.fail("nothing should be restored")) == 0
    assert [s.file for s in shown[0].snapshots] == [files[2]] and os.path.exists(files[2])
    assert project.dumps(shown[0].snapshots[0].graph) == project.dumps(originals[2].graph)


def test_a_prompt_in_another_instance_holds_the_dead_sessions(qtbot, sessions, root):
    document = Document(small_graph())
    widen(document)
    _killed_session(root, document)
    first, second = sessions(), sessions()
    assert len(first.recovered()) == 1
    assert second.recovered() == []  # first is offering them right now
    first.release_stale()
    assert len(second.recovered()) == 1


def test_unreadable_copies_and_sidecars_are_offered_without_crashing(qtbot, sessions, root):
    document = Document(small_graph())
    widen(document)
    file = _killed_session(root, document)
    with open(os.path.splitext(file)[0] + ".json", "w", encoding="utf-8") as f:
        f.write("{not json")
    broken = os.path.join(os.path.dirname(file), "design-9.mdproj")
    with open(broken, "w", encoding="utf-8") as f:
        f.write('{"format": "model-designer-project", "version": 1, "nodes": [')
    session = sessions()
    snapshots = {s.file: s for s in session.recovered()}
    assert snapshots[file].graph is not None and snapshots[file].display_name == "small"
    assert snapshots[broken].graph is None and "design-9.mdproj" in snapshots[broken].problem
    prompt = RecoveryPrompt(list(snapshots.values()))
    qtbot.addWidget(prompt)
    prompt.set_choice(snapshots[broken], Choice.RESTORE)  # not possible: the copy cannot be read
    prompt.accept()
    assert dict((s.file, c) for s, c in prompt.choices()) == {file: Choice.RESTORE, broken: Choice.LATER}
    assert not session.restore(snapshots[broken], Document())


def test_a_folder_that_cannot_be_written_is_reported_once(qtbot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    session = Session(str(blocker / "recovery"), **FAST)
    failures: list[str] = []
    session.written.connect(lambda f: pytest.fail(f"nothing can be written, yet {f}"))
    session.write_failed.connect(failures.append)
    document = Document(small_graph())
    session.watch(document)
    widen(document, 20)
    qtbot.waitUntil(lambda: len(failures) == 1)
    widen(document, 21)
    qtbot.wait(150)
    assert len(failures) == 1 and "small" in failures[0] and "Save your work" in failures[0]
    assert session.recovered() == []
    session.close()


def test_restored_designs_go_to_the_untouched_first_window_then_to_new_windows(app_env, qtbot, root):
    session = Session(root, **FAST)
    originals = [Document(small_graph()) for _ in range(2)]
    for width, document in zip((60, 61), originals):
        widen(document, width)
        _killed_session(root, document)
    window = make_window(qtbot, small_graph())
    windows = [window]
    app_module._keep_recovered(window, session)
    snapshots = sorted(session.recovered(), key=channels)
    targets = []
    try:
        for snapshot in snapshots:  # as offer_recovery does: each target chosen after the previous restore
            targets.append(app_module._restore_target(windows, snapshot, session))
            assert session.restore(snapshot, targets[-1])
        assert targets[0] is window.document and len(windows) == 2 and targets[1] is windows[1].document
        assert [project.dumps(w.document.graph) for w in windows] == [project.dumps(d.graph) for d in originals]
        assert all(w.isWindowModified() for w in windows)
        session.release_stale()
        assert len(files_in(session.folder)) == 4  # both restored designs now have this session's snapshots
    finally:
        for w in windows:
            close_quietly(w)
        session.close()
    assert files_in(root) == []


def test_restore_prompt_screenshot(qtbot, sessions, root, tmp_path):
    named = Document(small_graph(), "/home/ada/designs/dcgan_generator.mdproj")
    widen(named)
    _killed_session(root, named)
    untitled = Document(small_graph())
    untitled.graph.name = "Untitled"
    widen(untitled, 8)
    _killed_session(root, untitled)
    prompt = RecoveryPrompt(sessions().recovered())
    qtbot.addWidget(prompt)
    prompt.show()
    QApplication.processEvents()
    out = os.environ.get("RECOVERY_PROMPT_PNG", str(tmp_path / "recovery_prompt.png"))
    assert prompt.grab().save(out)
    assert prompt.width() >= 600 and recovery_prompt.when(datetime.datetime.now().astimezone()).startswith("today")
