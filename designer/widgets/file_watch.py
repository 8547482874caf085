"""Someone else's changes never vanish: the open file is watched, and claimed against a second instance.

``FileWatch`` follows the document's file. When it changes on disk (another program, or another Model
Designer saving it), an unmodified design reloads itself with a notice; a modified one keeps the user's
work and is told that Save will ask first (``FileOps.save`` asks: overwrite, save as, reload, show the
difference). The file is also claimed with a lock file in the app-data folder (``open/<hash>.lock``,
holding the process id), so a second instance opening it says so; a lock left by a killed process is
stale and taken over.
"""

from __future__ import annotations

import hashlib
import os

from PySide6.QtCore import QFileSystemWatcher, QLockFile, QObject, QTimer, Signal

from designer.core import project
from designer.document.document import Document
from designer.document.recovery import app_data_folder

LOCKS_FOLDER = "open"
SETTLE_MS = 250  # a writer may touch the file several times in a row: look once it has settled


def lock_path(path: str) -> str:
    """Where the claim on ``path`` lives (one name per real path, whatever spelling opened it)."""
    key = hashlib.sha1(os.fsencode(os.path.realpath(path))).hexdigest()[:20]
    return os.path.join(app_data_folder(), LOCKS_FOLDER, key + ".lock")


def _lock(path: str) -> QLockFile:
    lock = QLockFile(lock_path(path))
    lock.setStaleLockTime(0)  # only a dead process makes a claim stale, never its age
    return lock


def held_elsewhere(path: str) -> int | None:
    """The process id of another live instance that has ``path`` open, or None."""
    lock = _lock(path)
    if lock.tryLock(0):
        lock.unlock()
        return None
    info = lock.getLockInfo()  # PySide answers (pid, host, app), or a tuple starting with False
    pid = info[0] if info and not isinstance(info[0], bool) else None
    return pid if pid and pid != os.getpid() else None


class FileWatch(QObject):
    """Watches ``document``'s file and holds its claim; ``message`` carries the status-bar notices."""

    message = Signal(str)
    reloaded = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._schedule)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.check)
        self._lock: QLockFile | None = None
        self._claimed: str | None = None
        self._told: object = None  # the disk stamp already reported, so one change is said once
        document.path_changed.connect(self._follow)
        self._follow(document.path or "")

    # ----- following the document's file --------------------------------------------------------------
    def _follow(self, path: str) -> None:
        for watched in self.watcher.files():
            self.watcher.removePath(watched)
        if path and os.path.exists(path):
            self.watcher.addPath(path)
        self._claim(path or None)

    def _claim(self, path: str | None) -> None:
        if path == self._claimed:
            return
        self.release()
        if path is None:
            return
        try:
            os.makedirs(os.path.dirname(lock_path(path)), exist_ok=True)
        except OSError:
            return  # no app-data folder: the file is still watched, just not claimed
        lock = _lock(path)
        if lock.tryLock(0):
            self._lock, self._claimed = lock, path
        else:
            self.say_if_shared()

    def say_if_shared(self) -> None:
        """Tell the status bar when another running instance has this file open too."""
        path = self.document.path
        pid = held_elsewhere(path) if path else None
        if pid is not None:
            self.message.emit(
                f"“{os.path.basename(path)}” is also open in another Model Designer window (process {pid}); "
                "Save will ask before replacing changes made there."
            )

    def release(self) -> None:
        if self._lock is not None:
            self._lock.unlock()
        self._lock, self._claimed = None, None

    @property
    def claimed(self) -> bool:
        return self._lock is not None

    def _schedule(self, *_args) -> None:
        self._settle.start()

    # ----- a change on disk ---------------------------------------------------------------------------
    def check(self) -> None:
        """Look at the file now (also called when the window becomes active): reload or warn once."""
        path = self.document.path
        if not path:
            return
        if self.document.busy:  # a paste in progress: look again once it is done
            self._settle.start()
            return
        if path not in self.watcher.files() and os.path.exists(path):
            self.watcher.addPath(path)  # an atomic save replaces the file, and the watch with it
        if not self.document.changed_on_disk():
            return
        name = os.path.basename(path)
        if not self.document.modified:
            try:
                self.document.open(path)
            except project.ProjectError as exc:  # half written, or broken: keep what is shown
                self._say_once(f"“{name}” changed on disk but cannot be read now ({exc.message}); the design shown is unchanged.")
                return
            self.reloaded.emit()
            self.message.emit(f"“{name}” was changed on disk and has been reloaded.")
            return
        self._say_once(f"“{name}” was changed on disk by someone else; Save will ask before replacing their changes.")

    def _say_once(self, text: str) -> None:
        try:
            current = os.stat(self.document.path).st_mtime_ns
        except OSError:
            current = None
        if current != self._told:
            self._told = current
            self.message.emit(text)
