"""The minimap: shown while the design is larger than the view, it moves the view where it is clicked."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from designer.canvas.minimap import REFRESH_MS
from tests.benchmarks.run import chain_graph
from tests.gui.canvas_support import make_view


def _settle(qtbot) -> None:
    qtbot.wait(REFRESH_MS + 100)


def test_minimap_appears_when_the_design_overflows_and_navigates(qtbot):
    view = make_view(qtbot, chain_graph(200))
    view.fit_all()
    _settle(qtbot)
    minimap = view.minimap
    assert not minimap.isVisible()  # everything fits: nothing to map
    view.zoom_reset()
    view.look_at(view.graph_scene.nodes["x"].pos())
    _settle(qtbot)
    assert minimap.isVisible()
    area = view.viewport().geometry()
    assert area.contains(minimap.geometry())
    assert area.right() - minimap.geometry().right() < 30 and area.bottom() - minimap.geometry().bottom() < 30
    before = view.mapToScene(view.viewport().rect().center())
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(minimap.width() - 10, minimap.height() // 2))
    after = view.mapToScene(view.viewport().rect().center())
    assert after.x() > before.x() + 1000  # the far end of the chain
    view.canvas_actions["show_minimap"].setChecked(False)
    assert not minimap.isVisible()
