"""Undo manners: Ctrl+Y redoes everywhere, typing merges only within a pause, a return trip stays a step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from designer.core.edits import SetParams
from designer.document import commands
from designer.document.document import Document
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env = app_support.app_env  # fixture


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _typed(document: Document, value: int) -> None:
    params = {**document.graph.node("conv").params, "in_channels": value}
    document.apply(SetParams("conv", params, text="Change in_channels"), mergeable=True)


def test_typing_merges_while_the_keys_come_quickly_and_a_pause_starts_a_new_step(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(commands.time, "monotonic", clock)
    document = Document(small_graph())
    for value in (1, 12, 128):
        clock.now += 0.2
        _typed(document, value)
    assert document.undo_stack.count() == 1
    clock.now += commands.MERGE_PAUSE + 0.5
    _typed(document, 64)
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.graph.node("conv").params["in_channels"] == 128
    document.undo_stack.undo()
    assert document.graph.node("conv").params["in_channels"] == 3


def test_a_value_brought_back_to_where_the_step_began_is_a_step_of_its_own(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(commands.time, "monotonic", clock)
    document = Document(small_graph())
    _typed(document, 5)  # 3 → 5: conv now expects 5 channels, an error
    assert document.engine.result("conv").error is not None
    clock.now += 0.1
    _typed(document, 3)  # back to 3 within the pause: not merged into "nothing changed"
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.engine.result("conv").error is not None  # the error can be revisited


def test_ctrl_y_and_ctrl_shift_z_both_redo(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        shortcuts = window.actions.redo.shortcuts()
        assert QKeySequence("Ctrl+Y") in shortcuts and QKeySequence("Ctrl+Shift+Z") in shortcuts
        doc = window.document
        for keys in ("Ctrl+Y", "Ctrl+Shift+Z"):
            doc.apply(SetParams("conv", {**doc.graph.node("conv").params, "out_channels": 32}))
            doc.undo_stack.undo()
            window.view.setFocus()
            QApplication.processEvents()
            sequence = QKeySequence(keys)[0]
            qtbot.keyClick(window.view, sequence.key(), sequence.keyboardModifiers())
            assert doc.graph.node("conv").params["out_channels"] == 32, keys
            doc.undo_stack.undo()
    finally:
        close_quietly(window)


def test_typing_in_the_inspector_after_a_pause_is_a_new_step(app_env, qtbot, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(commands.time, "monotonic", clock)
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        doc.select(["conv"])
        QApplication.processEvents()
        editor = window.inspector.rows["out_channels"].editor.spin
        editor.setFocus()
        steps = doc.undo_stack.count()
        qtbot.keyClick(editor, Qt.Key.Key_Up)
        clock.now += 0.1
        qtbot.keyClick(editor, Qt.Key.Key_Up)
        assert doc.undo_stack.count() == steps + 1
        clock.now += commands.MERGE_PAUSE + 1
        qtbot.keyClick(editor, Qt.Key.Key_Up)
        assert doc.undo_stack.count() == steps + 2
    finally:
        close_quietly(window)
