"""Limits and refusals in the window: every refused gesture says why in the status bar; big pastes show
progress and can be cancelled; names beyond the limits are refused where they are typed."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QProgressDialog

from designer.canvas import big_paste
from designer.core import limits, project
from designer.core.graph import Edge, Graph, Node
from tests.gui.app_support import app_env, close_quietly, dialogs, make_window, small_graph  # noqa: F401
from tests.gui.canvas_support import view_point

SURROGATE = "\ud800"


@pytest.fixture
def window(qtbot, app_env, dialogs):  # noqa: F811
    win = make_window(qtbot, small_graph(), persist=False)
    yield win
    close_quietly(win)


def status(window) -> str:
    return window.statusBar().currentMessage()


def clipboard_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def chain_text(count: int) -> str:
    graph = Graph("chain")
    graph.add_node(Node("x", "Input", {"shape": [1, 8]}, position=(0, 0)))
    previous = "x"
    for i in range(1, count):
        graph.add_node(Node(f"r{i}", "ReLU", position=(i * 200, 0)))
        graph.connect(Edge(previous, f"r{i}"))
        previous = f"r{i}"
    return project.dumps(graph)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Nothing to paste: the clipboard is empty."),
        ("hello, world", "the clipboard holds no layers"),
        ("{not json", "Nothing to paste: the clipboard: line 1, column 2: this is not valid JSON"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [{"id": "a", "type": "ReLU", "name": "x\\ud800"}]}',
         "Nothing to paste: the clipboard: nodes[0] (id 'a').name: the text holds a broken character"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [{"id": "a", "type": "Dropout", "params": {"p": 1e309}}]}',
         "1e309 is too large for a number and reads as infinity; infinity is not a size"),
    ],
)
def test_a_refused_paste_says_why_in_the_status_bar(window, text, words):
    before = project.dumps(window.document.graph)
    clipboard_text(text)
    assert window.view.editor.paste() == []
    assert words in status(window)
    assert project.dumps(window.document.graph) == before and not window.document.modified


def test_a_refused_drop_and_an_unknown_layer_say_why(window):
    data = QMimeData()
    data.setText("some text")
    event = QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.view.dragEnterEvent(event)
    assert not event.isAccepted()
    assert status(window) == "Only layers from the Layers panel (or project files) can be dropped here."
    window.view.editor.drop_layer("NoSuchLayer", QPointF(50, 50))
    assert "NoSuchLayer" in status(window)


def test_a_refused_connection_says_why_in_the_status_bar(window):
    view, scene = window.view, window.view.graph_scene
    view.fit_all()
    # x → conv's input 0, which conv already takes from x: refused, and the status bar says so.
    start = view_point(view, scene.nodes["x"].output_port_pos())
    end = view_point(view, scene.nodes["out"].input_port_pos(0))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert "already connected" in status(window)
    assert window.document.undo_stack.count() == 0


def test_a_name_beyond_the_limit_is_refused_on_the_canvas_with_the_sentence(window):
    window.view.editor.start_rename("conv")
    window.view.editor._rename.setText("n" * (limits.MAX_TEXT + 1))
    window.view.editor._rename.commit()
    assert status(window) == "The name is 1,001 characters long; the limit is 1,000."
    assert window.document.graph.node("conv").name is None and not window.document.modified
    window.view.editor.start_rename("conv")
    window.view.editor._rename.setText("n" * limits.MAX_TEXT)
    window.view.editor._rename.commit()
    assert window.document.graph.node("conv").name == "n" * limits.MAX_TEXT


def test_a_name_beyond_the_limit_is_refused_in_the_inspector(window):
    window.document.select(["conv"])
    window.inspector.name.setText("n" * (limits.MAX_TEXT + 1))
    window.inspector._rename()
    assert "the limit is 1,000" in window.inspector.message.text()
    assert window.document.graph.node("conv").name is None
    assert window.inspector.name.text() == ""


def test_a_paste_beyond_the_node_limit_is_a_sentence_not_a_freeze(window, monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 10)
    clipboard_text(chain_text(8))
    assert window.view.editor.paste() == []
    assert status(window) == (
        "Nothing to paste: the clipboard: 8 layers cannot be added: a design holds at most 10 layers, "
        "and this one would have 11."
    )


def test_a_big_paste_shows_progress_and_is_one_undo_step(window, monkeypatch):
    monkeypatch.setattr(big_paste, "BIG_PASTE_CHARS", 1_000)
    monkeypatch.setattr(big_paste, "MIN_CHUNK", 10)
    shown = []
    original = QProgressDialog.setValue
    monkeypatch.setattr(QProgressDialog, "setValue", lambda self, value: (shown.append(value), original(self, value)))
    clipboard_text(chain_text(300))
    new_ids = window.view.editor.paste()
    assert len(new_ids) == 300 and len(window.document.graph) == 303
    assert len(shown) > 10 and shown == sorted(shown) and shown[-1] == 599  # 300 nodes and 299 edges
    assert status(window) == "Pasted 300 layers."
    assert all(window.document.engine.result(n).ok for n in new_ids)
    assert set(new_ids) <= set(window.view.graph_scene.nodes)
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert len(window.document.graph) == 3 and len(window.view.graph_scene.nodes) == 3
    window.document.undo_stack.redo()
    assert len(window.document.graph) == 303


def test_cancelling_a_big_paste_leaves_the_design_as_it_was(window, monkeypatch):
    monkeypatch.setattr(big_paste, "BIG_PASTE_CHARS", 1_000)
    monkeypatch.setattr(big_paste, "MIN_CHUNK", 10)
    steps = []

    def cancel_on_the_third_step(self):
        steps.append(self.value())
        return len(steps) >= 3 and self.maximum() > 0

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancel_on_the_third_step)
    before = project.dumps(window.document.graph)
    clipboard_text(chain_text(300))
    assert window.view.editor.paste() == []
    assert status(window) == "Paste cancelled; the design is unchanged."
    assert project.dumps(window.document.graph) == before
    assert len(window.view.graph_scene.nodes) == 3 and window.document.undo_stack.count() == 0
    assert not window.document.modified


def test_the_status_bar_shows_what_the_canvas_says(window):
    window.view.status_message.emit("A sentence.")
    assert status(window) == "A sentence."


def test_json_refusals_in_the_clipboard_never_reach_the_model(window):
    text = json.dumps({"format": project.FORMAT, "version": 1, "nodes": [{"id": "a" * 1001, "type": "ReLU"}]})
    clipboard_text(text)
    window.view.editor.paste()
    assert "nodes[0].id: the text is 1,001 characters long; the limit is 1,000" in status(window)
