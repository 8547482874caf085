"""A busy indicator for long work that holds the GUI thread (importing a model, exporting ONNX).

The dialog is painted before the work starts, so the window says what it is doing instead of looking
frozen; it has no Cancel button because torch's tracing and export cannot be interrupted midway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget


@contextlib.contextmanager
def busy(parent: QWidget | None, title: str, text: str) -> Iterator[QProgressDialog]:
    """Show a modal busy dialog (``text`` says what is happening) for the duration of the ``with`` block."""
    progress = QProgressDialog(text, "", 0, 0, parent)  # a 0..0 range draws the busy bar
    progress.setCancelButton(None)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setMinimumWidth(380)
    progress.setAutoClose(False)
    progress.show()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    # Lay out and paint the dialog now: the work below gives the event loop no chance until it ends.
    for _ in range(3):
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    try:
        yield progress
    finally:
        QApplication.restoreOverrideCursor()
        progress.close()
        progress.deleteLater()
