"""File operations of a window: new, open, save, save as, revert, with their dialogs and messages.

The document does the work (atomic saves and strict loading live in ``designer.core.project``); this
module asks the questions (where, save the changes?) and turns every failure into a dialog naming the
file and the reason, leaving the design in memory untouched and still marked modified.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from designer.core import disk, examples, project
from designer.core.graph import Graph
from designer.document.document import Document
from designer.widgets import settings
from designer.widgets.background_load import load_with_progress
from designer.widgets.busy import busy
from designer.widgets.file_watch import FileWatch, held_elsewhere

# Above about 5,000 layers, loading (off the GUI thread, cancellable) and building the canvas take long
# enough to deserve a word.
BUSY_ABOVE_BYTES = 1_000_000


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # the loader reports the file's real problem

# New designs are saved as .mdproj (the registered project type); .json files open and save as well.
EXTENSION = ".mdproj"
FILE_FILTER = "Model Designer projects (*.mdproj *.json);;All files (*)"


def example_title(name: str) -> str:
    """``dcgan_generator`` → ``DCGAN generator`` for the New from Example menu."""
    words = name.replace("_", " ").replace("-", " ").split()
    upper = {"dcgan", "vgg", "mnist", "espcn", "unet", "resnet", "gan", "mlp", "cnn", "rnn"}
    pretty = {"unet": "U-Net", "resnet": "ResNet", "conv1d": "Conv1d"}
    out = [pretty.get(w.lower(), w.upper() if w.lower() in upper else w) for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:]


class FileOps(QObject):
    """Runs the file commands for ``window``; ``opened(path)`` fires after a successful open or save."""

    recent_changed = Signal()
    message = Signal(str)  # a short status-bar note ("Saved dcgan.json")

    def __init__(self, window: QWidget, document: Document) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.watch = FileWatch(document, self)
        self.watch.message.connect(self.message)
        QTimer.singleShot(0, self, self.watch.say_if_shared)  # a file given at start-up that another window has open

    # ----- questions ----------------------------------------------------------------------------
    def maybe_save(self, action: str = "closing") -> bool:
        """True when it is fine to drop the current design (saved, discarded, or never modified)."""
        if not self.document.modified:
            return True
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved Changes")
        box.setText(f"Save the changes to “{self.document.display_name()}” before {action}?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _folder(self) -> str:
        if self.document.path:
            return os.path.dirname(self.document.path)
        recent = settings.recent_files()
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    # ----- commands -----------------------------------------------------------------------------
    def new(self) -> bool:
        if not self.maybe_save("starting a new design"):
            return False
        self.document.reset(Graph(), None)
        return True

    def new_from_example(self, name: str) -> bool:
        """Open a copy of a built-in example as a new, unsaved design (the example stays as shipped)."""
        if not self.maybe_save("opening the example"):
            return False
        try:
            graph = examples.load_example(name)
        except (KeyError, project.ProjectError) as exc:
            self.show_open_failure(name, str(exc))
            return False
        self.document.reset(graph, None)
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save("opening another design"):
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Open Design", self._folder(), FILE_FILTER)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open ``path``; on failure show the loader's sentence and keep the current design."""
        if ask and not self.maybe_save("opening another design"):
            return False
        if not self._open_anyway(path):
            return False
        try:
            if _size(path) > BUSY_ABOVE_BYTES:
                graph = load_with_progress(self.window, path)
                if graph is None:
                    self.message.emit("Opening cancelled")
                    return False
                with busy(self.window, "Opening", f"Building the canvas for {os.path.basename(path)}…"):
                    self.document.reset(graph, os.path.abspath(path))
            else:
                self.document.open(path)
        except project.ProjectError as exc:
            if not os.path.exists(path):
                settings.remove_recent_file(os.path.abspath(path))
                self.recent_changed.emit()
            self.show_open_failure(path, str(exc))
            return False
        settings.add_recent_file(path)
        self.recent_changed.emit()
        self.message.emit(f"Opened {self.document.display_name()}")
        return True

    def show_open_failure(self, path: str, reason: str, at_start: bool = False) -> None:
        """The loader's own sentence (it names the file and the place), and what the user has now."""
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Could Not Open the Design")
        box.setText(f"“{os.path.basename(path) or path}” could not be opened.")
        now = "An empty design is open instead." if at_start else "The design you had open is unchanged."
        box.setInformativeText(f"{_full_stop(reason)}\n\n{now}")
        box.setDetailedText(os.path.abspath(path))
        box.exec()

    def _open_anyway(self, path: str) -> bool:
        """A file another running Model Designer has open: say so, and open it only if the user wants."""
        if os.path.abspath(path) == self.document.path:
            return True  # this window's own file (revert, reload)
        pid = held_elsewhere(path)
        if pid is None:
            return True
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Already Open")
        box.setText(f"“{os.path.basename(path)}” is already open in another Model Designer window (process {pid}).")
        box.setInformativeText(
            "If both windows save, one could replace the other's changes. Model Designer will ask before "
            "saving over changes made elsewhere."
        )
        open_button = box.addButton("Open Anyway", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is open_button

    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        if self.document.changed_on_disk():
            return self._save_over_their_changes()
        return self.save_to(self.document.path)

    def _save_over_their_changes(self) -> bool:
        """The file changed on disk since it was opened or saved here: ask before replacing it."""
        name = self.document.display_name()
        while True:
            box = QMessageBox(self.window)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Changed on Disk")
            box.setText(f"“{name}” was changed on disk since you opened it.")
            box.setInformativeText(
                "Someone else (another program, or another Model Designer window) saved it. Saving now would "
                "replace their changes with yours."
            )
            overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
            save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
            reload = box.addButton("Reload and Lose Mine", QMessageBox.ButtonRole.DestructiveRole)
            show = box.addButton("Show the Difference", QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.setDefaultButton(save_as)
            box.exec()
            clicked = box.clickedButton()
            if clicked is overwrite:
                return self.save_to(self.document.path)
            if clicked is save_as:
                return self.save_as()
            if clicked is reload:
                return self.open_path(self.document.path, ask=False)
            if clicked is not show:
                return False
            self.show_difference()

    def show_difference(self) -> None:
        """The layers and edges the file on disk has that this window has not, and back."""
        path = self.document.path
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Difference")
        box.setText(f"How “{os.path.basename(path)}” on disk differs from the design in this window:")
        try:
            theirs = project.load(path)
        except project.ProjectError as exc:
            box.setInformativeText(f"The file on disk cannot be read: {_full_stop(str(exc))}")
        else:
            box.setInformativeText("\n".join(f"• {line}" for line in disk.design_difference(self.document.graph, theirs).lines()))
        box.exec()

    def save_as(self) -> bool:
        start = self.document.path or os.path.join(self._folder(), _file_stem(self.document.graph.name) + EXTENSION)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save Design As", start, FILE_FILTER)
        if not path:
            return False
        if not os.path.splitext(path)[1]:
            path += EXTENSION
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Save to ``path``; on failure say where and why. The design stays in memory, still modified."""
        try:
            self.document.save(path)
        except project.ProjectError as exc:
            box = QMessageBox(self.window)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle("Could Not Save")
            box.setText(f"The design could not be saved to\n{os.path.abspath(path)}")
            box.setInformativeText(
                f"{_full_stop(_where_and_why(exc))}\n\nNothing was lost: the design is still open with all its changes. "
                f"Try Save As… to choose another place."
            )
            box.exec()
            return False
        settings.add_recent_file(path)
        self.recent_changed.emit()
        self.message.emit(f"Saved {self.document.display_name()}")
        return True

    def revert(self) -> bool:
        """Reload the file from disk, dropping the changes (after asking)."""
        if not self.document.path or not self.document.modified:
            return False
        answer = QMessageBox.question(
            self.window,
            "Revert",
            f"Drop all changes since “{self.document.display_name()}” was last saved?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self.open_path(self.document.path, ask=False)


def _where_and_why(exc: project.ProjectError) -> str:
    """The save error's sentence, after the place in the design when it names one (a node and field)."""
    text = f"{exc.location}: {exc.message}" if exc.location else exc.message
    return text[:1].upper() + text[1:]


def _full_stop(text: str) -> str:
    """The message as given (it may start with a file name, so no capitalising), ending in a full stop."""
    text = text.strip()
    if not text:
        return "The reason is unknown."
    return text if text.endswith((".", "!", "?")) else text + "."


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip().replace(" ", "_")
    return stem[:60] or "design"
