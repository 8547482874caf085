"""Export to PyTorch: a preview of the generated code, copy to the clipboard, save as a .py file.

The code comes from ``designer.core.export``; when the design has errors the dialog names the layers
to fix and offers nothing to copy or save, because code that fails would only move the problem.
"""

from __future__ import annotations

import contextlib
import html
import os
import tempfile

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.core.export import ExportError, class_identifier, export, valid_class_name
from designer.core.graph import Graph
from designer.core.shapes import counted


class _PythonHighlighter(QSyntaxHighlighter):
    """Keywords, strings, numbers and comments: enough colour to read generated code at a glance."""

    def __init__(self, document, dark: bool) -> None:
        super().__init__(document)
        palette = {
            "keyword": "#c678dd" if dark else "#8839ef",
            "string": "#98c379" if dark else "#40a02b",
            "number": "#d19a66" if dark else "#d2620f",
            "comment": "#7f8792" if dark else "#7c7f93",
        }
        words = r"\b(class|def|return|import|from|if|with|as|None|True|False|self|super)\b"
        self._rules = [
            (QRegularExpression(words), _format(palette["keyword"], bold=True)),
            (QRegularExpression(r"\b\d+(\.\d+)?([eE][+-]?\d+)?\b"), _format(palette["number"])),
            (QRegularExpression(r"\"[^\"\n]*\"|'[^'\n]*'"), _format(palette["string"])),
            (QRegularExpression(r"#[^\n]*"), _format(palette["comment"], italic=True)),
        ]
        self._doc = _format(palette["string"])

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), fmt)
        # Docstrings span lines: state 1 means "inside one".
        inside = self.previousBlockState() == 1
        quotes = text.count('"""')
        if inside or quotes:
            self.setFormat(0, len(text), self._doc)
        self.setCurrentBlockState(1 if inside != (quotes % 2 == 1) else 0)


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


def write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder (raises OSError)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".export.", suffix=".py.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ExportDialog(QDialog):
    """Modal dialog over one graph; ``suggested_path`` is where Save… starts."""

    saved = Signal(str)  # the path the code was written to

    def __init__(self, graph: Graph, suggested_path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.suggested_path = suggested_path
        self.code = ""
        self.setWindowTitle("Export to PyTorch")
        self.resize(760, 640)
        self.class_name = QLineEdit(class_identifier(graph.name), self)
        self.class_name.setToolTip("The name of the nn.Module class in the generated file")
        self.class_name.textChanged.connect(self.regenerate)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.preview.setFont(mono)
        self._highlighter = _PythonHighlighter(self.preview.document(), style.current().dark)
        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("Copy to Clipboard", self)
        self.save_button = QPushButton("Save…", self)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.choose_and_save)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Class name", self.class_name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.regenerate()

    def regenerate(self) -> None:
        wanted = self.class_name.text().strip()
        error_color = style.current().error.name()
        if wanted and not valid_class_name(wanted):
            self._fail(f"<span style='color:{error_color}'>'{html.escape(wanted)}' cannot name a class: use letters, "
                       f"digits and underscores, starting with a letter (e.g. Generator).</span>", keep_code=True)
            return
        try:
            result = export(self.graph, wanted or None, keep_names=True)  # imported models keep their state_dict names
        except ExportError as exc:
            self._fail(self._explain(exc, error_color))
            return
        self.code = result.code
        self.preview.setPlainText(self.code)
        lines = self.code.count("\n")
        self.status.setText(
            f"A self-contained file: <b>{result.class_name}</b> with {counted(len(result.attributes), 'layer')}, "
            f"{counted(len(result.inputs), 'input')} and {counted(len(result.outputs), 'output')}, {counted(lines, 'line')}. "
            f"Run it with <code>python</code> to check the output sizes."
        )
        self.copy_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def _explain(self, exc: ExportError, color: str) -> str:
        if not exc.problems:
            return f"<span style='color:{color}'>{html.escape(str(exc)[:1].upper() + str(exc)[1:])}.</span>"
        items = "".join(
            f"<li><b>{html.escape(self.graph.node(n).label if n in self.graph else n)}</b>: {html.escape(sentence)}</li>"
            for n, sentence in exc.problems[:8]
        )
        more = f"<li>… and {len(exc.problems) - 8} more</li>" if len(exc.problems) > 8 else ""
        count = len(exc.problems)
        return (
            f"<span style='color:{color}'><b>The code cannot be exported yet:</b> {count} layer"
            f"{'s have' if count > 1 else ' has'} a problem. Fix {'them' if count > 1 else 'it'} first "
            f"(the Problems panel lists them too):</span><ul style='margin-top:2px'>{items}{more}</ul>"
        )

    def _fail(self, message: str, keep_code: bool = False) -> None:
        self.status.setText(message)
        if not keep_code:
            self.code = ""
            self.preview.setPlainText("")
        self.copy_button.setEnabled(False)
        self.save_button.setEnabled(False)

    def copy(self) -> None:
        if self.code:
            QGuiApplication.clipboard().setText(self.code)
            self.copy_button.setText("Copied ✓")

    def choose_and_save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Save PyTorch Code", self.suggested_path, "Python files (*.py)")
        if path:
            if not path.endswith(".py"):
                path += ".py"
            if self.save_to(path):
                self.accept()

    def save_to(self, path: str) -> bool:
        """Write the code to ``path``; on failure say where and why, and keep the dialog open."""
        if not self.code:
            return False
        try:
            write_text_atomically(path, self.code)
        except OSError as exc:
            QMessageBox.warning(
                self,
                "Could Not Save the Code",
                f"The code could not be saved to\n{path}\n\n{exc.strerror or exc}.",
            )
            return False
        self.saved.emit(path)
        return True
