"""File → Import from PyTorch…: pick a .py file (or a module), choose one of its models, give the input shapes.

The work is :mod:`designer.core.importer`'s (torch is imported there, only when the user asks for a list
of models or an import); this module asks the questions, validates the shapes as they are typed, shows a
busy dialog while torch traces, and shows the importer's report verbatim when a model cannot be imported.
The imported design opens like New from Example does: after the unsaved-changes question, as a new design
without a file, the model's classes as blocks unless the user asks for one flat sheet.
"""

from __future__ import annotations

import importlib.util
import os
import warnings

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.core.importer import ImportResult, ModelImportError, candidates, import_model, parse_shape
from designer.core.shapes import counted
from designer.widgets.busy import busy
from designer.widgets.param_editors import mark_invalid

TITLE = "Import from PyTorch"
MAX_INPUTS = 8
NO_TORCH = "Importing a PyTorch model needs torch, which is not installed: pip install torch"


def split_spec(text: str) -> tuple[str, str | None]:
    """``net.py:ResNet`` → ``("net.py", "ResNet")``; a bare file or module → ``(text, None)``."""
    text = text.strip()
    source, sep, name = text.rpartition(":")
    if sep and source and name and all(part.isidentifier() for part in name.split(".")):
        return source, name
    return text, None


class ImportDialog(QDialog):
    """Modal dialog; after ``exec()`` returns Accepted, ``result`` holds the imported design."""

    def __init__(self, parent: QWidget | None = None, start_folder: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(600)
        self.start_folder = start_folder
        self.result: ImportResult | None = None
        self.listed_source: str | None = None  # the source whose models the combo box lists

        warning = QLabel(
            "<b>Importing runs the Python file you choose</b>, as running it with Python would. "
            "Only import files you trust.",
            self,
        )
        warning.setWordWrap(True)
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        banner = QHBoxLayout()
        banner.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        banner.addWidget(warning, 1)

        self.source = QLineEdit(self)
        self.source.setPlaceholderText("models/resnet.py, or package.module (add :NAME to skip the list)")
        self.source.setToolTip("A .py file, or a module importable from the working folder; FILE.py:NAME names the model")
        self.source.setClearButtonEnabled(True)
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.clicked.connect(self.browse)
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(self.browse_button)

        self.model = QComboBox(self)
        self.model.setMinimumContentsLength(24)
        self.model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model.setToolTip("An nn.Module class built with no arguments, or a function that returns a model")
        self.find_button = QPushButton("Find Models", self)
        self.find_button.setToolTip("Run the file and list the models it defines")
        self.find_button.clicked.connect(self.find_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.find_button)

        self.shape_edits: list[QLineEdit] = []
        self._shape_rows: list[tuple[QLabel, QLineEdit, QToolButton]] = []
        self._shape_grid = QGridLayout()
        self._shape_grid.setContentsMargins(0, 0, 0, 0)
        self._shape_grid.setColumnStretch(1, 1)
        self.add_input_button = QPushButton("Add Input", self)
        self.add_input_button.setToolTip("forward() takes several tensors: give a shape for each, in order")
        self.add_input_button.clicked.connect(lambda: self.add_input())
        shape_hint = QLabel(
            "One shape per input of forward(), in order, batch first: 1,3,224,224 is one 224×224 RGB image.", self
        )
        shape_hint.setWordWrap(True)
        shape_hint.setEnabled(False)  # drawn in the palette's muted text colour
        self.shape_problem = QLabel(self)
        self.shape_problem.setWordWrap(True)
        self.shape_problem.setTextFormat(Qt.TextFormat.PlainText)
        shapes = QVBoxLayout()
        shapes.addLayout(self._shape_grid)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_input_button)
        add_row.addStretch(1)
        shapes.addLayout(add_row)
        shapes.addWidget(shape_hint)
        shapes.addWidget(self.shape_problem)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Python file", source_row)
        form.addRow("Model", model_row)
        form.addRow("Input shapes", shapes)
        self.keep_blocks = QCheckBox("Keep the model's classes as blocks", self)
        self.keep_blocks.setChecked(True)
        self.keep_blocks.setToolTip(
            "Each class of the model (a ResNet's Bottleneck, its stages) becomes a block you can open; "
            "unchecked, every layer sits on one flat sheet"
        )
        form.addRow("", self.keep_blocks)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = QPushButton("Import", self)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.run_import)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(banner)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(buttons)

        self.source.textChanged.connect(self._source_changed)
        self.model.currentIndexChanged.connect(self._update_state)
        self.add_input()
        self._source_changed()

    # ----- the model ----------------------------------------------------------------------------
    def browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a Python File", self.start_folder, "Python files (*.py);;All files (*)"
        )
        if path:
            self.source.setText(path)
            self.start_folder = os.path.dirname(path)
            self.find_models()

    def _source_changed(self, *_args) -> None:
        source, name = split_spec(self.source.text())
        self.model.clear()
        self.listed_source = None
        if name:
            self.model.addItem(name)
            self._set_status(f"Imports {name} from {source}.")
        elif source:
            self._set_status("Press Find Models to list the models this file defines (this runs the file).")
        else:
            self._set_status("Choose a .py file that defines the model, or type package.module.")
        self._update_state()

    def find_models(self) -> bool:
        """List the models the source defines (runs its code); False, with the reason shown, when it cannot."""
        source, name = split_spec(self.source.text())
        if not source or name:
            return False
        if importlib.util.find_spec("torch") is None:
            self._set_status(NO_TORCH, error=True)
            return False
        try:
            with busy(self, TITLE, f"Running {os.path.basename(source)} to find its models…"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                names = candidates(source)
        except ModelImportError as exc:
            self._set_status(_sentence(str(exc)), error=True)
            return False
        self.model.clear()
        self.model.addItems(names)
        self.listed_source = source
        if names:
            self._set_status(f"{len(names)} model{'s' if len(names) != 1 else ''} in {os.path.basename(source)}.")
        else:
            self._set_status(
                f"{os.path.basename(source)} defines no model that can be built without arguments: add an nn.Module "
                f"class whose __init__ needs no arguments, or a function that returns the model.",
                error=True,
            )
        self._update_state()
        return bool(names)

    def spec(self) -> str | None:
        """``SOURCE:NAME`` for the importer, or None while no model is chosen."""
        source, name = split_spec(self.source.text())
        name = name or self.model.currentText()
        return f"{source}:{name}" if source and name else None

    # ----- input shapes -------------------------------------------------------------------------
    def add_input(self, text: str = "") -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setPlaceholderText("1,3,224,224")
        edit.textChanged.connect(self._update_state)
        remove = QToolButton(self)
        remove.setText("Remove")
        remove.setAutoRaise(True)
        remove.setToolTip("Remove this input")
        remove.clicked.connect(lambda: self.remove_input(edit))
        row = len(self._shape_rows)
        label = QLabel(self)
        self._shape_grid.addWidget(label, row, 0)
        self._shape_grid.addWidget(edit, row, 1)
        self._shape_grid.addWidget(remove, row, 2)
        self._shape_rows.append((label, edit, remove))
        self.shape_edits.append(edit)
        self._renumber()
        if self.isVisible():
            edit.setFocus()
        return edit

    def remove_input(self, edit: QLineEdit) -> None:
        index = self.shape_edits.index(edit)
        for widget in self._shape_rows.pop(index):
            self._shape_grid.removeWidget(widget)
            widget.hide()  # deleteLater() waits for the event loop
            widget.deleteLater()
        self.shape_edits.pop(index)
        for row, widgets in enumerate(self._shape_rows):
            for column, widget in enumerate(widgets):
                self._shape_grid.addWidget(widget, row, column)
        self._renumber()

    def _renumber(self) -> None:
        several = len(self._shape_rows) > 1
        for i, (label, _edit, remove) in enumerate(self._shape_rows):
            label.setText(f"input {i + 1}" if several else "input")
            remove.setVisible(several)
        self.add_input_button.setEnabled(len(self._shape_rows) < MAX_INPUTS)
        self._update_state()

    def shapes(self) -> list[tuple[int, ...]] | None:
        """The parsed shapes, or None while one is empty or not a list of sizes."""
        try:
            return [parse_shape(edit.text()) for edit in self.shape_edits]
        except ModelImportError:
            return None

    def _check_shapes(self) -> bool:
        problem = ""
        for i, edit in enumerate(self.shape_edits):
            text = edit.text().strip()
            try:
                parse_shape(text)
            except ModelImportError as exc:
                mark_invalid(edit, bool(text))
                if text and not problem:
                    which = f"Input {i + 1}: t" if len(self.shape_edits) > 1 else "T"
                    problem = which + _sentence(str(exc))[1:]
            else:
                mark_invalid(edit, False)
        self.shape_problem.setText(problem)
        _tint(self.shape_problem, error=True)
        self.shape_problem.setVisible(bool(problem))
        return all(edit.text().strip() for edit in self.shape_edits) and not problem

    # ----- running it ---------------------------------------------------------------------------
    def _update_state(self, *_args) -> None:
        source, name = split_spec(self.source.text())
        self.find_button.setEnabled(bool(source) and not name)
        self.model.setEnabled(self.model.count() > 0 and not name)
        shapes_ok = self._check_shapes()
        self.import_button.setEnabled(shapes_ok and self.spec() is not None)
        self._fit_height()

    def _fit_height(self) -> None:
        # A window's minimum size ignores its wrapped labels' height for its width, so rows would be squeezed.
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_height()

    def run_import(self) -> bool:
        """Import the chosen model; on success keep the result and close, otherwise show why and stay open."""
        spec, shapes = self.spec(), self.shapes()
        if spec is None or shapes is None:
            return False
        if importlib.util.find_spec("torch") is None:
            self._set_status(NO_TORCH, error=True)
            return False
        name = spec.rpartition(":")[2]
        # On the GUI thread, not a worker: the importer is not thread-safe. It runs the user's code, edits
        # sys.path and sys.modules, and torch.fx patches torch.nn.Module process-wide while it traces.
        try:
            text = f"Importing {name}: torch is tracing the model and checking every size…"
            with busy(self, TITLE, text), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch's tracing chatter; refusals come back as sentences
                result = import_model(spec, shapes, flat=not self.keep_blocks.isChecked())
        except ModelImportError as exc:
            self.show_report(name, exc)
            return False
        self.result = result
        self.accept()
        return True

    def show_report(self, name: str, exc: ModelImportError) -> None:
        """The importer's message as it is: it names each operation and its source line."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Could Not Import the Model")
        box.setText(f"{name} could not be imported. Nothing was changed.")
        box.setInformativeText(str(exc))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if len(exc.problems) > 1:
            box.setDetailedText("\n".join(exc.problems))
        box.exec()
        self._set_status(str(exc), error=True)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        _tint(self.status, error)
        self._fit_height()


def import_into(files) -> bool:
    """File → Import from PyTorch… for a window's FileOps: ask to save, run the dialog, open the result."""
    if not files.maybe_save("importing a model"):
        return False
    folder = os.path.dirname(files.document.path) if files.document.path else os.path.expanduser("~")
    dialog = ImportDialog(files.window, folder)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result is None:
            return False
        result = dialog.result
    finally:
        dialog.deleteLater()
    files.document.reset(result.graph, None)
    # An import exists nowhere on disk yet: it counts as unsaved, so closing asks and recovery keeps it.
    files.document.undo_stack.resetClean()
    blocks = f" and {counted(len(result.graph.blocks), 'block')}" if result.graph.blocks else ""
    files.message.emit(f"Imported {result.graph.name}: {len(result.graph)} nodes{blocks}, traced with {result.tracer}")
    if result.notes:
        box = QMessageBox(files.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Imported with a Note")
        box.setText(f"{result.graph.name} was imported.")
        box.setInformativeText("\n\n".join(_sentence(note) for note in result.notes))
        box.exec()
    return True


def _tint(label: QLabel, error: bool) -> None:
    """Problems in the scheme's error colour, everything else in the palette's."""
    palette = QApplication.palette(label)
    if error:
        palette.setColor(label.foregroundRole(), style.current().error)
    label.setPalette(palette)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
