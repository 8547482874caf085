"""File ▸ Export Image…: the whole design, or the selected layers, as an SVG, PNG or PDF diagram.

The picture is ``designer.canvas.diagram``'s (the same as ``model-designer render``), in the canvas's
current light or dark scheme, with every size as text.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.canvas import style
from designer.canvas.diagram import DARK, LIGHT, diagram_svg
from designer.canvas.diagram_image import save_diagram

TITLE = "Export Image"
FILTERS = "SVG drawing (*.svg);;PNG image, 300 dpi (*.png);;PDF document (*.pdf)"
_SUFFIX = {"SVG": ".svg", "PNG": ".png", "PDF": ".pdf"}


def export_image_dialog(window) -> str | None:
    """The menu command for a MainWindow: the path written, or None."""
    document = window.document
    selected = [n for n in window.view.graph_scene.selected_node_ids() if n in document.graph]
    only = None
    if selected and len(selected) < len(document.graph):
        count = len(selected)
        ask = QMessageBox(QMessageBox.Icon.Question, TITLE, "Export the whole design or only the selected layers?",
                          QMessageBox.StandardButton.Cancel, window)
        part = ask.addButton(f"Selected Layer{'s' if count != 1 else ''} ({count})", QMessageBox.ButtonRole.AcceptRole)
        ask.addButton("Whole Design", QMessageBox.ButtonRole.AcceptRole)
        ask.exec()
        if ask.clickedButton() is None or ask.clickedButton() == ask.button(QMessageBox.StandardButton.Cancel):
            return None
        only = selected if ask.clickedButton() is part else None
    path = document.path
    stem = os.path.splitext(path)[0] if path else os.path.join(os.path.expanduser("~"), document.graph.name or "design")
    chosen, chosen_filter = QFileDialog.getSaveFileName(window, TITLE, stem + ".svg", FILTERS)
    if not chosen:
        return None
    if not os.path.splitext(chosen)[1]:
        chosen += _SUFFIX.get(chosen_filter.split()[0], ".svg")
    return write_image(window, chosen, only)


def write_image(window, path: str, only: list[str] | None = None) -> str | None:
    """Write the diagram to ``path`` (the selection's layers only, with ``only``); says a failure in a message box."""
    document = window.document
    theme = DARK if style.current().dark else LIGHT
    svg = diagram_svg(document.graph, theme, only, document.engine, vertical=window.view.graph_scene.vertical)
    problem = save_diagram(svg, path)
    if problem:
        QMessageBox.warning(window, TITLE, problem[0].upper() + problem[1:] + ".")
        return None
    window.statusBar().showMessage(f"Exported the {'selection' if only else 'design'} to {path}.", 8000)
    return path
