"""Runs the real app (``designer.app.run_app``) in a child process for the recovery kill tests.

    python tests/gui/recovery_driver.py edit [FILE] EDITS_JSON
        applies the edits (``[[node_id, {param: value}], ...]`` as SetParams) through ``document.apply``,
        waits for a recovery snapshot holding exactly the edited design, prints
        ``SNAPSHOT <file> <canonical text as JSON>`` and keeps running until it is killed.
    python tests/gui/recovery_driver.py restore [FILE]
        answers the restore prompt with Restore for every design, prints
        ``STATE <json list of {path, modified, text}>`` for the windows, then closes them answering Discard.

The caller sets the environment: offscreen platform, ``MODEL_DESIGNER_DATA_DIR`` and the XDG folders.
No product code knows about this driver: it finds the windows and dialogs the way a user would see them.
"""

from __future__ import annotations

import glob
import json
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.app import run_app
from designer.core import project
from designer.core.edits import SetParams
from designer.document.recovery import FOLDER_NAME, SNAPSHOT_EXT, app_data_folder
from designer.widgets.main_window import MainWindow
from designer.widgets.recovery_prompt import Choice, RecoveryPrompt

POLL_MS = 20


def _windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def _say(*parts: str) -> None:
    print(*parts, flush=True)


def edit(edits: list) -> QTimer:
    state = {"text": None}

    def step() -> None:
        windows = _windows()
        if not windows:
            return
        document = windows[0].document
        if state["text"] is None:
            for node_id, params in edits:
                document.apply(SetParams(node_id, dict(document.graph.node(node_id).params, **params)))
            state["text"] = project.dumps(document.graph)
            return
        pattern = os.path.join(app_data_folder(), FOLDER_NAME, "*", "*" + SNAPSHOT_EXT)
        for file in glob.glob(pattern):
            with open(file, encoding="utf-8") as f:
                if f.read() == state["text"]:
                    _say("SNAPSHOT", file, json.dumps(state["text"]))
                    timer.stop()

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(POLL_MS)
    return timer


def restore() -> QTimer:
    state = {"answered": False, "reported": False}

    def step() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, RecoveryPrompt) and widget.isVisible():
                for snapshot in widget.snapshots:
                    widget.set_choice(snapshot, Choice.RESTORE)
                widget.accept()
                state["answered"] = True
                return
            if isinstance(widget, QMessageBox) and widget.isVisible():
                widget.button(QMessageBox.StandardButton.Discard).click()
                return
        windows = _windows()
        if state["answered"] and windows and not state["reported"]:
            state["reported"] = True
            docs = [w.document for w in windows]
            _say("STATE", json.dumps([{"path": d.path, "modified": d.modified, "text": project.dumps(d.graph)} for d in docs]))
            for window in windows:
                QTimer.singleShot(0, window.close)

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(POLL_MS)
    return timer


def main(argv: list[str]) -> int:
    mode, rest = argv[0], argv[1:]
    app = QApplication(sys.argv[:1])  # run_app adopts it; the driver's timers need it first
    if mode == "edit":
        file, edits = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        keep = edit(json.loads(edits))
    else:
        file = rest[0] if rest else None
        keep = restore()
    code = run_app(file, None)
    del keep, app
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
