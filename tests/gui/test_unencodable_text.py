"""Text UTF-8 cannot store (a lone surrogate) never crashes a save or a snapshot: the save dialog names the
node and field and the design stays modified; a snapshot that cannot be written leaves no file behind."""

from __future__ import annotations

import os

from designer.core.edits import MoveNodes
from designer.document.recovery import Session
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures

SURROGATE = "\ud800"


def test_a_save_that_cannot_encode_says_where_in_the_save_dialog_and_keeps_the_work(app_env, qtbot, tmp_path, dialogs):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        (tmp_path / "designs").mkdir()
        target = tmp_path / "designs" / "design.mdproj"
        assert window.files.save_to(str(target))
        before = target.read_bytes()
        doc.apply(MoveNodes({"x": (40, 40)}))
        doc.graph.node("conv").name = "bad" + SURROGATE  # past the model's door, as a bug elsewhere might
        assert not window.files.save_to(str(target))
        title, text, info = dialogs.shown[-1]
        assert title == "Could Not Save" and str(target) in text
        assert info.startswith("Nodes[1] (id 'conv'): the name holds a broken character at position 4")
        assert "Nothing was lost" in info
        assert doc.modified and window.isWindowModified()
        assert target.read_bytes() == before
        assert sorted(os.listdir(tmp_path / "designs")) == ["design.mdproj"]
    finally:
        close_quietly(window)


def test_a_snapshot_that_cannot_encode_leaves_no_files_and_says_so_once(app_env, qtbot, tmp_path):
    window = make_window(qtbot, small_graph())
    session = Session(str(tmp_path / "recovery"), debounce_ms=40, max_wait_ms=2_000)
    try:
        failures: list[str] = []
        session.write_failed.connect(failures.append)
        doc = window.document
        session.watch(doc)
        doc.apply(MoveNodes({"x": (40, 40)}))
        assert session.write_now(doc)
        assert sorted(os.listdir(session.folder)) == ["design-1.json", "design-1.mdproj"]
        doc.graph.node("conv").name = SURROGATE
        os.unlink(os.path.join(session.folder, "design-1.mdproj"))
        os.unlink(os.path.join(session.folder, "design-1.json"))
        assert not session.write_now(doc)
        assert os.listdir(session.folder) == []  # no orphan sidecar, no temporary file
        assert len(failures) == 1 and "nodes[1] (id 'conv')" in failures[0] and "broken character" in failures[0]
        doc.graph.node("conv").name = "fine"
        assert session.write_now(doc)
        assert sorted(os.listdir(session.folder)) == ["design-1.json", "design-1.mdproj"]
    finally:
        session.close()
        close_quietly(window)
