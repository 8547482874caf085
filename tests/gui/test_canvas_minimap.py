"""The minimap: shown while the design is larger than the view, it moves the view where it is clicked."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest

from designer.canvas.minimap import REFRESH_MS
from designer.core.graph import Graph, Node
from tests.benchmarks.run import chain_graph
from tests.gui.canvas_support import make_view


def _settle(qtbot) -> None:
    qtbot.wait(REFRESH_MS + 100)


def test_minimap_stays_away_while_the_design_fits(qtbot):
    view = make_view(qtbot, chain_graph(5))
    view.fit_all()
    _settle(qtbot)
    assert not view.minimap.isVisible()  # everything fits: nothing to map


def test_minimap_never_covers_a_card(qtbot):
    view = make_view(qtbot, chain_graph(200))
    view.zoom_reset()
    view.look_at(view.graph_scene.nodes["x"].pos())
    _settle(qtbot)
    minimap = view.minimap
    assert minimap.isVisible()
    on_viewport = view.viewport().mapFrom(view, minimap.geometry().topLeft())
    covered = view.mapToScene(QRect(on_viewport, minimap.size())).boundingRect()
    assert not any(covered.intersects(item.sceneBoundingRect()) for item in view.graph_scene.nodes.values())
    # Cards under every corner: no map rather than a map over a card.
    grid = Graph("grid")
    for i in range(400):
        grid.add_node(Node(f"r{i}", "ReLU", position=((i % 20) * 160, (i // 20) * 80)))
    full = make_view(qtbot, grid)
    full.zoom_reset()
    full.centerOn(1600, 800)
    full.minimap.refresh()
    assert not full.minimap.isVisible()


def test_minimap_appears_when_the_design_overflows_and_navigates(qtbot):
    view = make_view(qtbot, chain_graph(200))
    view.fit_all()
    _settle(qtbot)
    minimap = view.minimap
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
