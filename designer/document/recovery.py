"""Recovery snapshots: unsaved work kept on disk while the app runs, offered again after a crash or kill.

Each running instance owns one session folder, ``<app data>/recovery/<session>/``, guarded by a lock file
beside it (``<session>.lock``, a QLockFile holding the process id). A modified document is snapshotted
there a couple of seconds after its last edit, and at least every 30 s while edits keep coming: the
design as a normal project file (``design-N.mdproj``, written atomically by ``project.write_atomically``)
and a small JSON sidecar (``design-N.json``: original path or null, display name, time). A snapshot is
deleted once its document is clean again (saved, reverted, replaced) or its window closed (the user saved
or discarded); a normal quit removes the session folder and its lock.

A session whose lock is stale (its process is gone) left its snapshots for the next start: ``recovered``
lists them and keeps those folders locked, so two instances never offer or delete the same snapshot.
Nothing here asks the user; the restore prompt lives in ``designer.widgets.recovery_prompt``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import uuid
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal

from designer.core import project
from designer.core.graph import Graph
from designer.document.document import Document

DATA_DIR_ENV = "MODEL_DESIGNER_DATA_DIR"  # overrides the app-data folder (tests, portable installs)
FOLDER_NAME = "recovery"
DEBOUNCE_MS = 2_000
MAX_WAIT_MS = 30_000
SNAPSHOT_EXT = ".mdproj"
SIDECAR_EXT = ".json"
SIDECAR_FORMAT = "model-designer-recovery"
LOCK_EXT = ".lock"


def app_data_folder() -> str:
    """Where the app keeps its own files (recovery snapshots, the crash log); not created here."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return os.path.abspath(override)
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return folder or os.path.join(os.path.expanduser("~"), ".model-designer")


def recovery_folder() -> str:
    return os.path.join(app_data_folder(), FOLDER_NAME)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A design left behind by a session that ended without quitting.

    ``graph`` is None when the copy cannot be read; ``problem`` then holds the loader's sentence.
    """

    file: str
    original_path: str | None
    display_name: str
    saved_at: datetime.datetime
    graph: Graph | None
    problem: str | None = None


class Session(QObject):
    """This process's recovery folder: snapshots of watched documents, and the leftovers of dead sessions."""

    written = Signal(str)  # a snapshot file was (re)written
    write_failed = Signal(str)  # a sentence: recovery copies cannot be written (said once until they can)

    def __init__(
        self,
        root: str | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        max_wait_ms: int = MAX_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.root = root or recovery_folder()
        self.debounce_ms, self.max_wait_ms = debounce_ms, max_wait_ms
        self.snapshots_written = 0
        self._trackers: list[_Tracker] = []
        self._next_key = 1
        self._stale: dict[str, QLockFile] = {}  # dead sessions' folders, held while their snapshots are offered
        self._failing = False
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.name = f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.folder = os.path.join(self.root, self.name)
        # The lock comes before the folder: a folder whose lock can be taken is never a live session's.
        self._lock = _lock_file(self.folder + LOCK_EXT)
        self._problem: str | None = None
        try:
            os.makedirs(self.root, exist_ok=True)
            if not self._lock.tryLock(0):
                raise OSError(f"the lock file {self.folder + LOCK_EXT} cannot be created")
            os.makedirs(self.folder, exist_ok=True)
        except OSError as exc:
            self._problem = _reason(exc)

    # ----- this session's snapshots ------------------------------------------------------------------
    def watch(self, document: Document) -> None:
        """Snapshot ``document`` whenever it is modified (debounced) until it is clean or forgotten."""
        if self._tracker(document) is None:
            self._trackers.append(_Tracker(self, document, f"design-{self._next_key}"))
            self._next_key += 1

    def forget(self, document: Document) -> None:
        """The user is done with ``document`` (its window closed after save or discard): drop its snapshot."""
        tracker = self._tracker(document)
        if tracker is not None:
            self._trackers.remove(tracker)
            tracker.stop()
            self._remove(tracker.key)
            tracker.setParent(None)

    def snapshot_file(self, document: Document) -> str | None:
        tracker = self._tracker(document)
        return os.path.join(self.folder, tracker.key + SNAPSHOT_EXT) if tracker is not None else None

    def write_now(self, document: Document) -> bool:
        """Snapshot ``document`` at once (if watched and modified); False when the copy could not be written."""
        tracker = self._tracker(document)
        if tracker is None or not document.modified:
            return False
        tracker.stop()
        return self._write(tracker.key, document)

    def close(self) -> None:
        """A normal quit. Documents still open and modified (a quit that skipped the windows' questions)
        keep their snapshots for the next start; otherwise the session folder and its lock go."""
        kept = [t for t in self._live() if t.document.modified and self.write_now(t.document)]
        for tracker in self._live():
            tracker.stop()
        self._trackers.clear()
        self.release_stale()
        if not kept:
            shutil.rmtree(self.folder, ignore_errors=True)
        self._lock.unlock()

    def _live(self) -> list[_Tracker]:
        # A tracker is its document's child: a destroyed document takes its tracker and timers with it.
        self._trackers = [t for t in self._trackers if shiboken6.isValid(t)]
        return list(self._trackers)

    def _tracker(self, document: Document) -> _Tracker | None:
        return next((t for t in self._live() if t.document is document), None)

    def _write(self, key: str, document: Document) -> bool:
        name = document.display_name() if document.path else (document.graph.name or "Untitled")
        sidecar = {
            "format": SIDECAR_FORMAT,
            "version": 1,
            "original_path": document.path,
            "display_name": name,
            "saved_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        snapshot_file = os.path.join(self.folder, key + SNAPSHOT_EXT)
        sidecar_file = os.path.join(self.folder, key + SIDECAR_EXT)
        try:
            if self._problem is not None:
                raise OSError(self._problem)
            # Every encode before any write: a design that cannot be stored leaves nothing behind.
            data = project.encode(document.graph, snapshot_file)
            meta = json.dumps(sidecar).encode("utf-8")  # ASCII: json escapes whatever a path holds
            os.makedirs(self.folder, exist_ok=True)
            # Sidecar first: a snapshot file on disk always has its sidecar.
            project.write_atomically(sidecar_file, meta)
            try:
                project.write_atomically(snapshot_file, data)
            except OSError:
                if not os.path.exists(snapshot_file):  # no orphan sidecar without its snapshot
                    with contextlib.suppress(OSError):
                        os.unlink(sidecar_file)
                raise
        except (OSError, project.ProjectError) as exc:
            if not self._failing:
                self._failing = True
                self.write_failed.emit(
                    f"A recovery copy of “{name}” could not be written to {self.folder}: {_reason(exc)}. "
                    "Save your work to keep it safe."
                )
            return False
        self._failing = False
        self.snapshots_written += 1
        self.written.emit(snapshot_file)
        return True

    def _remove(self, key: str) -> None:
        for ext in (SNAPSHOT_EXT, SIDECAR_EXT):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.folder, key + ext))

    # ----- what dead sessions left -------------------------------------------------------------------
    def recovered(self) -> list[Snapshot]:
        """Snapshots of sessions whose process is gone, oldest first. Their folders stay locked by this
        session (no other instance offers them) until ``release_stale``."""
        try:
            entries = sorted(os.listdir(self.root))
        except OSError:
            return []
        found: list[Snapshot] = []
        for entry in entries:
            folder = os.path.join(self.root, entry)
            if entry == self.name or not os.path.isdir(folder):
                continue
            if folder not in self._stale:
                lock = _lock_file(folder + LOCK_EXT)
                if not lock.tryLock(0):
                    continue  # a live instance's session
                self._stale[folder] = lock
            found.extend(_read_folder(folder))
        return sorted(found, key=lambda s: (s.saved_at, s.file))

    def restore(self, snapshot: Snapshot, document: Document) -> bool:
        """Put a recovered design into ``document`` as modified work (its original path stays the save
        target). The old snapshot goes only after this session holds its own copy of the design."""
        if snapshot.graph is None:
            return False
        self.watch(document)
        document.reset(snapshot.graph, snapshot.original_path)
        document.undo_stack.resetClean()  # modified until saved: undo cannot make it "clean" again
        if self.write_now(document):
            self.discard(snapshot)
        return True

    def discard(self, snapshot: Snapshot) -> None:
        """Delete a recovered snapshot for good."""
        key = os.path.splitext(snapshot.file)[0]
        for path in (snapshot.file, key + SIDECAR_EXT):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def release_stale(self) -> None:
        """Done offering: dead sessions with nothing left are removed; the rest wait for the next start."""
        for folder, lock in self._stale.items():
            if not _snapshot_files(folder):
                shutil.rmtree(folder, ignore_errors=True)
            lock.unlock()
        self._stale.clear()


class _Tracker(QObject):
    """The two timers of one watched document: quiet for ``debounce`` after the last edit, or ``max_wait``
    after the first edit not yet in a snapshot, whichever comes first."""

    def __init__(self, session: Session, document: Document, key: str) -> None:
        super().__init__(document)
        self.session, self.document, self.key = session, document, key
        self.debounce = self._timer(session.debounce_ms)
        self.deadline = self._timer(session.max_wait_ms)
        # Document signals only: the undo stack's own signals still fire while a document is destroyed.
        document.graph_changed.connect(self._edited)
        document.modified_changed.connect(self._modified_changed)

    def _timer(self, interval: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(self._due)
        return timer

    def _edited(self, *_args) -> None:
        # A first edit changes the graph before the stack marks it modified; ``_due`` checks that flag.
        self.debounce.start()
        if not self.deadline.isActive():
            self.deadline.start()

    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self._edited()
        else:
            self.stop()
            self.session._remove(self.key)

    def _due(self) -> None:
        self.stop()
        if self.document.modified:
            self.session._write(self.key, self.document)

    def stop(self) -> None:
        self.debounce.stop()
        self.deadline.stop()


def _lock_file(path: str) -> QLockFile:
    lock = QLockFile(path)
    # Only a dead process makes a lock stale; age does not (a session may run for days).
    lock.setStaleLockTime(0)
    return lock


def _snapshot_files(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names if n.endswith(SNAPSHOT_EXT) and not n.startswith(".")]


def _read_folder(folder: str) -> list[Snapshot]:
    out = []
    for file in _snapshot_files(folder):
        meta = _read_sidecar(os.path.splitext(file)[0] + SIDECAR_EXT)
        try:
            graph, problem = project.load(file), None
        except project.ProjectError as exc:
            graph, problem = None, str(exc)
        path = meta.get("original_path")
        path = path if isinstance(path, str) and path else None
        name = meta.get("display_name")
        if not isinstance(name, str) or not name.strip():
            name = os.path.basename(path) if path else (graph.name if graph is not None and graph.name else "Untitled")
        out.append(Snapshot(file, path, name[:200], _saved_at(meta.get("saved_at"), file), graph, problem))
    return out


def _read_sidecar(path: str) -> dict:
    """The sidecar's fields, or nothing when it is missing or unreadable (the snapshot still counts)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.loads(f.read(64 * 1024))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == SIDECAR_FORMAT else {}


def _saved_at(value, file: str) -> datetime.datetime:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            stamp = datetime.datetime.fromisoformat(value)
            return stamp if stamp.tzinfo is not None else stamp.astimezone()
    try:
        return datetime.datetime.fromtimestamp(os.path.getmtime(file)).astimezone()
    except OSError:
        return datetime.datetime.now().astimezone()


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or getattr(exc, "message", None) or str(exc)
    location = getattr(exc, "location", None)
    if location:
        text = f"{location}: {text}"
    return text[:1].lower() + text[1:] if text else type(exc).__name__
