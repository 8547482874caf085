"""Reading a big project file off the GUI thread, with a progress dialog that can cancel it.

Loading is pure Python in the core (``project.load`` builds a fresh Graph that nothing else sees yet),
so a worker thread can do it while the window stays responsive. Cancelling lets the worker finish
in the background and drops its result; the design on screen is never touched.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread
from PySide6.QtWidgets import QProgressDialog, QWidget

from designer.core import project
from designer.core.graph import Graph

# Cancelled loads still running: kept alive here (not by a window that may close first) until they end.
_abandoned: set[QThread] = set()


class _Loader(QThread):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.result: Graph | project.ProjectError | None = None

    def run(self) -> None:
        try:
            self.result = project.load(self.path)
        except project.ProjectError as exc:
            self.result = exc


def load_with_progress(parent: QWidget, path: str) -> Graph | None:
    """The design in ``path``, read by a worker thread while a cancellable dialog shows; None if cancelled.

    Raises the loader's ``ProjectError`` when the file cannot be read, as ``project.load`` does.
    """
    loader = _Loader(path)
    dialog = QProgressDialog(f"Reading {os.path.basename(path)}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening")
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(380)
    dialog.setAutoClose(False)
    waiting = QEventLoop()
    loader.finished.connect(waiting.quit)
    dialog.canceled.connect(waiting.quit)
    dialog.show()
    loader.start()
    waiting.exec()
    cancelled = dialog.wasCanceled() and loader.isRunning()
    dialog.close()
    dialog.deleteLater()
    if cancelled:
        # It finishes on its own and its result is dropped; quitting meanwhile waits for it, since
        # destroying a running thread would abort the app.
        _abandoned.add(loader)
        loader.finished.connect(lambda: _abandoned.discard(loader))
        QCoreApplication.instance().aboutToQuit.connect(loader.wait)
        return None
    loader.wait()
    result = loader.result
    loader.deleteLater()
    if isinstance(result, project.ProjectError):
        raise result
    return result
