"""The kill test: the real app in a child process is edited, killed with SIGKILL and started again.

The child is ``recovery_driver.py``, which runs ``designer.app.run_app`` unchanged and edits through
``document.apply``. Each child gets its own offscreen display, app-data folder (``MODEL_DESIGNER_DATA_DIR``)
and settings, so nothing touches the real home folder.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from designer.core import examples, project
from designer.core.edits import MoveNodes
from designer.document.document import Document
from designer.document.recovery import DATA_DIR_ENV, FOLDER_NAME, Session
from designer.widgets.recovery_prompt import Choice, RecoveryPrompt, offer_recovery

DRIVER = Path(__file__).with_name("recovery_driver.py")
TIMEOUT = 60  # seconds for one child to report; a snapshot needs about 2 s after the edit


class Child:
    """A driver process whose stdout lines are read on a thread, so waiting for one has a time limit."""

    def __init__(self, home: Path, *args: str) -> None:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "xdg-data"),
            XDG_RUNTIME_DIR=str(home / "runtime"),
        )
        env[DATA_DIR_ENV] = str(home / "data")
        (home / "runtime").mkdir(mode=0o700, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")

    def expect(self, tag: str) -> str:
        """The rest of the next line starting with ``tag``."""
        try:
            while True:
                line = self.lines.get(timeout=TIMEOUT)
                if not line:
                    break
                if line.startswith(tag + " "):
                    return line[len(tag) + 1 :]
        except queue.Empty:
            pass
        self.proc.kill()
        pytest.fail(f"the app never said {tag}; exit {self.proc.wait()}, stderr:\n{self.proc.stderr.read()}")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=TIMEOUT) == -signal.SIGKILL

    def finish(self) -> int:
        code = self.proc.wait(timeout=TIMEOUT)
        self.proc.stderr.close()
        return code


def edited(home: Path, file: str | None, edits: list) -> tuple[Child, str, str]:
    """Start the app (on ``file`` or the default example), edit, wait for the snapshot: (child, snapshot, text)."""
    child = Child(home, "edit", *([file] if file else []), json.dumps(edits))
    snapshot, text = child.expect("SNAPSHOT").split(" ", 1)
    return child, snapshot, json.loads(text)


def recovery_root(home: Path) -> Path:
    return home / "data" / FOLDER_NAME


def test_a_killed_app_offers_the_edit_at_the_next_start_and_a_normal_quit_leaves_nothing(tmp_path):
    file = tmp_path / "gan.mdproj"
    project.save(examples.load_example(examples.DEFAULT_EXAMPLE), file)
    on_disk = file.read_text(encoding="utf-8")
    child, snapshot, text = edited(tmp_path, str(file), [["z", {"shape": [16, 100, 1, 1]}]])
    child.kill()
    assert Path(snapshot).read_text(encoding="utf-8") == text and '"shape": [16, 100, 1, 1]' in text
    assert Path(snapshot).parent.with_suffix(".lock").exists()  # the dead process's lock is still there

    again = Child(tmp_path, "restore", str(file))
    [state] = json.loads(again.expect("STATE"))
    assert state == {"path": str(file), "modified": True, "text": text}
    assert again.finish() == 0  # the driver closed the window answering Discard
    assert os.listdir(recovery_root(tmp_path)) == []
    assert file.read_text(encoding="utf-8") == on_disk  # restoring never writes the user's file


def test_a_running_instance_keeps_its_snapshot_to_itself_until_it_is_killed(qtbot, tmp_path, monkeypatch):
    root = str(recovery_root(tmp_path))
    child, snapshot, text = edited(tmp_path, None, [["up1", {"out_channels": 384}], ["bn1", {"num_features": 384}]])
    try:
        other = Session(root)
        assert other.recovered() == []  # the child is alive: its work is not offered
        mine = Document(examples.load_example(examples.DEFAULT_EXAMPLE))
        other.watch(mine)
        mine.apply(MoveNodes({"z": (-500, -500)}))
        assert other.write_now(mine)
        assert Path(snapshot).read_text(encoding="utf-8") == text
        other.forget(mine)
        other.close()
        assert Path(snapshot).read_text(encoding="utf-8") == text and not os.path.exists(other.folder)
    finally:
        child.kill()

    monkeypatch.setattr(RecoveryPrompt, "exec", _restore_all)
    after = Session(root)
    restored = Document()
    assert offer_recovery(after, None, lambda _snapshot: restored) == 1
    assert project.dumps(restored.graph) == text and restored.modified and restored.path is None
    assert restored.graph.node("up1").params["out_channels"] == 384
    assert not os.path.exists(snapshot)
    after.forget(restored)
    after.close()
    assert os.listdir(root) == []


def _restore_all(prompt: RecoveryPrompt) -> int:
    assert [s.original_path for s in prompt.snapshots] == [None]
    for snapshot in prompt.snapshots:
        prompt.set_choice(snapshot, Choice.RESTORE)
    prompt.accept()
    return prompt.result()
