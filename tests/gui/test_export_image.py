"""File ▸ Export Image…: the whole design or the selection, as SVG, PNG or PDF, every size as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtWidgets import QFileDialog

from designer.core import examples
from designer.widgets.export_image import export_image_dialog, write_image
from tests.gui.app_support import app_env, close_quietly, dialogs, make_window  # noqa: F401 (fixtures)

SVG = "{http://www.w3.org/2000/svg}"


def texts(path) -> list[str]:
    return [t.text or "" for t in ET.parse(path).getroot().iter(f"{SVG}text")]


def test_export_the_whole_design_through_the_menu(qtbot, app_env, dialogs, tmp_path, monkeypatch):  # noqa: F811
    window = make_window(qtbot, examples.load_example("espcn"), persist=False)
    target = tmp_path / "espcn"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PNG image, 300 dpi (*.png)"))
    assert window.actions.export_image.text() == "Export &Image…"
    written = export_image_dialog(window)
    assert written == str(target) + ".png" and (tmp_path / "espcn.png").read_bytes()[:4] == b"\x89PNG"
    assert dialogs.shown == []  # nothing selected: no question
    close_quietly(window)


def test_export_only_the_selection(qtbot, app_env, dialogs, tmp_path):  # noqa: F811
    window = make_window(qtbot, examples.load_example("espcn"), persist=False)
    path = write_image(window, str(tmp_path / "part.svg"), ["conv1", "tanh1"])
    found = texts(path)
    assert "1×64×64×64" in found  # the edge between the two
    assert not any("low-res" in t for t in found) and not any("shuffle" in t for t in found)
    assert write_image(window, str(tmp_path / "all.pdf")) == str(tmp_path / "all.pdf")
    assert (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")
    assert write_image(window, str(tmp_path / "no" / "such.svg")) is None
    assert dialogs.shown and dialogs.shown[-1][1].startswith("Cannot write ")
    close_quietly(window)
