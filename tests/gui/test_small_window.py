"""A 1024×640 window: palette names tell variants apart, the Inspector's fields fit, View ▸ Reset Layout."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from designer.core import examples
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window

app_env = app_support.app_env  # fixture


def _small(qtbot, name: str = "dcgan_discriminator"):
    window = make_window(qtbot, examples.load_example(name))
    window.resize(1024, 640)
    QApplication.processEvents()
    return window


def test_palette_names_are_cut_in_the_middle_so_variants_differ(app_env, qtbot):
    window = _small(qtbot)
    try:
        tree = window.palette_panel.tree
        assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
        item = window.palette_panel.item("AdaptiveAvgPool2d")
        assert item.text(0) == "AdaptiveAvgPool2d" and "AdaptiveAvgPool2d" in item.toolTip(0)
    finally:
        close_quietly(window)


def test_the_inspector_fields_fit_the_panel(app_env, qtbot):
    window = _small(qtbot)
    try:
        for node_id in ("image", "conv2", "bn2"):
            window.document.select([node_id])
            QApplication.processEvents()
            inspector = window.inspector
            edge = inspector.viewport().width()
            for widget in [inspector.name] + [row.editor for row in inspector.rows.values()]:
                right = widget.mapTo(inspector.viewport(), QPoint(widget.width(), 0)).x()
                assert right <= edge, (node_id, widget)
    finally:
        close_quietly(window)


def test_reset_layout_puts_every_panel_back(app_env, qtbot):
    window = _small(qtbot)
    try:
        first = {dock.objectName(): window.dockWidgetArea(dock) for dock in window.docks}
        window.inspector_dock.setFloating(True)
        window.palette_dock.hide()
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, window.problems_dock)
        QApplication.processEvents()
        window.actions.reset_layout.trigger()
        QApplication.processEvents()
        assert {dock.objectName(): window.dockWidgetArea(dock) for dock in window.docks} == first
        assert not window.inspector_dock.isFloating()
        assert window.palette_dock.isVisible() and window.inspector_dock.isVisible() and window.problems_dock.isVisible()
        assert window.view.height() > 200  # the canvas keeps most of the height
        labels = [a.text().replace("&", "") for a in window.actions.menus["view"].actions()]
        assert "Reset Layout" in labels
    finally:
        close_quietly(window)
