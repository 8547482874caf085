"""Pasting thousands of layers: read on a worker thread, added a chunk at a time, with progress and Cancel.

A small paste is instant and needs none of this. A big one (a copied design of thousands of layers) is
read and checked by ``clipboard.paste_edit`` off the GUI thread, then applied by
``Document.apply_in_steps`` between repaints; Cancel at any point leaves the design exactly as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QThread
from PySide6.QtWidgets import QProgressDialog, QWidget

from designer.canvas import clipboard
from designer.core import project
from designer.core.edits import Compound
from designer.core.graph import Graph, Position

BIG_PASTE_CHARS = 100_000  # about 700 layers: below this a paste takes well under a second
STEPS = 40  # the paste is applied in about this many steps: each repaints and lets Cancel in
MIN_CHUNK = 200

_abandoned: set[QThread] = set()  # cancelled readers still running, kept alive until they end


class _Reader(QThread):
    def __init__(self, graph: Graph, text: str, offset: Position, verb: str) -> None:
        super().__init__()
        self.args = (graph, text, offset, verb)
        self.result: tuple[Compound, list[str]] | project.ProjectError | None = None

    def run(self) -> None:
        # The graph is only read here, while the modal dialog keeps every edit away from it.
        try:
            self.result = clipboard.paste_edit(*self.args)
        except project.ProjectError as exc:
            self.result = exc


def _dialog(parent: QWidget, text: str) -> QProgressDialog:
    dialog = QProgressDialog(text, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Pasting")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(380)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


def read_with_progress(parent: QWidget, graph: Graph, text: str, offset: Position, verb: str):
    """``clipboard.paste_edit`` on a worker thread under a cancellable dialog: (edit, new ids), or None
    when cancelled. Raises the loader's ``ProjectError`` as ``paste_edit`` does."""
    reader = _Reader(graph, text, offset, verb)
    dialog = _dialog(parent, f"Reading {len(text):,} characters from the clipboard…")
    waiting = QEventLoop()
    reader.finished.connect(waiting.quit)
    dialog.canceled.connect(waiting.quit)
    dialog.show()
    reader.start()
    waiting.exec()
    cancelled = dialog.wasCanceled() and reader.isRunning()
    dialog.close()
    dialog.deleteLater()
    if cancelled:
        _abandoned.add(reader)
        reader.finished.connect(lambda: _abandoned.discard(reader))
        QCoreApplication.instance().aboutToQuit.connect(reader.wait)
        return None
    reader.wait()
    result = reader.result
    reader.deleteLater()
    if isinstance(result, project.ProjectError):
        raise result
    return result


def apply_with_progress(parent: QWidget, document, edit: Compound, count: int) -> bool:
    """Add the pasted layers a chunk at a time under a progress dialog; False when cancelled (the design
    is then as before). Raises the model's ``GraphError`` if it refuses an edit (nothing is kept)."""
    dialog = _dialog(parent, f"Adding {count:,} layers…")
    dialog.setRange(0, len(edit.edits))
    dialog.show()

    def step(done: int, total: int) -> bool:
        dialog.setValue(done)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return not dialog.wasCanceled()

    try:
        return document.apply_in_steps(edit, step, max(MIN_CHUNK, len(edit.edits) // STEPS))
    finally:
        dialog.close()
        dialog.deleteLater()
