"""File → Export to ONNX…: say what to install or which layers to fix, ask for a path, write the file.

:mod:`designer.core.onnx_export` does the work (torch.onnx on the generated PyTorch code, checked with
``onnx.checker``, nothing written on failure). This module checks what can be checked before the user
picks a file (packages, the design's errors), shows a busy dialog while torch exports, and shows every
failure as the core's own sentence.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from designer.core.export import ExportError, export
from designer.core.onnx_export import OnnxUnavailable, check_available, export_onnx
from designer.widgets.busy import busy

TITLE = "Export to ONNX"
MAX_LISTED = 8


def export_onnx_dialog(window) -> bool:
    """The menu command for a MainWindow: True when a file was written."""
    graph = window.document.graph
    try:
        check_available()
    except OnnxUnavailable as exc:
        _tell(window, QMessageBox.Icon.Information, "ONNX export needs packages that are not installed.", str(exc))
        return False
    try:
        export(graph, keep_names=True)  # the design's errors, before the user picks a file
    except ExportError as exc:
        _tell(window, QMessageBox.Icon.Warning, *problems_text(graph, exc))
        return False
    path = window.document.path
    stem = os.path.splitext(path)[0] if path else os.path.join(os.path.expanduser("~"), graph.name or "model")
    chosen, _filter = QFileDialog.getSaveFileName(window, TITLE, stem + ".onnx", "ONNX models (*.onnx)")
    if not chosen:
        return False
    if not chosen.endswith(".onnx"):
        chosen += ".onnx"
    return write(window, chosen)


def write(window, path: str) -> bool:
    """Export the window's design to ``path`` with a busy dialog; on failure show the reason."""
    name = os.path.basename(path)
    try:
        with busy(window, TITLE, f"Exporting {name}: torch is building and checking the ONNX model…"):
            export_onnx(window.document.graph, path)
    except ExportError as exc:
        if exc.problems:
            _tell(window, QMessageBox.Icon.Warning, *problems_text(window.document.graph, exc))
        else:
            _tell(window, QMessageBox.Icon.Critical, f"“{name}” could not be written.", str(exc))
        return False
    window.statusBar().showMessage(f"Exported {name}", 4000)
    return True


def problems_text(graph, exc: ExportError) -> tuple[str, str]:
    """(headline, body) naming the layers to fix, as the PyTorch export dialog does."""
    if not exc.problems:
        return "The design cannot be exported.", str(exc)
    count = len(exc.problems)
    lines = [
        f"• {graph.node(node_id).label if node_id in graph else node_id}: {sentence}"
        for node_id, sentence in exc.problems[:MAX_LISTED]
    ]
    if count > MAX_LISTED:
        lines.append(f"… and {count - MAX_LISTED} more")
    headline = (
        f"The design cannot be exported yet: {count} layer{'s have' if count > 1 else ' has'} a problem. "
        f"Fix {'them' if count > 1 else 'it'} first (the Problems panel lists them too)."
    )
    return headline, "\n".join(lines)


def _tell(parent: QWidget, icon: QMessageBox.Icon, text: str, detail: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(TITLE)
    box.setText(text)
    box.setInformativeText(detail)
    box.exec()
