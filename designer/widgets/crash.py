"""The last line of defence inside the app: an exception escaping a slot is logged and shown, never fatal.

PySide6 hands an exception raised in a Python slot or virtual override to ``sys.excepthook`` and carries
on with the event loop. Our hook appends the traceback to ``crash.log`` in the app-data folder and shows
one dialog with the sentence and a "Copy Details" button; the same fault repeating (a paint handler
failing on every frame) is logged each time but shown only once, and dialogs never stack.
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from designer import __version__
from designer.document.recovery import app_data_folder

LOG_NAME = "crash.log"


def log_folder() -> str:
    """The app-data folder (created on demand), where the crash log lives."""
    return app_data_folder()


class CrashHandler:
    """Installed as ``sys.excepthook`` while the app runs; ``uninstall`` puts the previous hook back."""

    def __init__(self, parent: QWidget | None = None, interactive: bool = True) -> None:
        self.parent = parent
        self.interactive = interactive
        self.log_path = os.path.join(log_folder(), LOG_NAME)
        self._shown: set[tuple] = set()
        self._showing = False
        self._previous = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if sys.excepthook == self.handle and self._previous is not None:
            sys.excepthook = self._previous

    def handle(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        logged = self._log(details)
        where = f"; details in {self.log_path}" if logged else ""
        print(f"model-designer: internal error ({kind.__name__}: {_first_line(exc)}){where}", file=sys.stderr)
        signature = _signature(kind, tb)
        if not self.interactive or self._showing or signature in self._shown:
            return
        self._shown.add(signature)
        self._showing = True
        try:
            self._show(kind, exc, details, logged)
        finally:
            self._showing = False

    def _log(self, details: str) -> bool:
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        try:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"--- {stamp} model-designer {__version__}\n{details}\n")
        except OSError:
            return False
        return True

    def _show(self, kind: type[BaseException], exc: BaseException, details: str, logged: bool) -> None:
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Something went wrong")
        box.setText("An internal error interrupted the last action. Your design is intact and you can keep working.")
        where = f"The details were written to {self.log_path}." if logged else "The details could not be logged."
        box.setInformativeText(f"{kind.__name__}: {_first_line(exc)}\n\n{where} Saving your work now is a good idea.")
        box.setDetailedText(details)
        copy = box.addButton("Copy Details", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.setDefaultButton(QMessageBox.StandardButton.Ok)
        # Any button closes a message box; after copying, show it again so the user can still read it.
        while True:
            box.exec()
            if box.clickedButton() is not copy:
                break
            QApplication.clipboard().setText(details)


def _signature(kind: type[BaseException], tb: TracebackType | None) -> tuple:
    """Type and innermost code location: what makes two faults "the same" for the show-once rule."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    last = frames[-1] if frames else None
    return (kind.__name__, last.filename if last else "", last.lineno if last else 0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else "(no message)"
    return line if len(line) <= 200 else line[:199] + "…"
