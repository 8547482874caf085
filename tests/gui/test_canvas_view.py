"""The canvas view: zoom and fit, level of detail, quick add, tooltips, and the pure geometry and defaults."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.canvas import geometry as geo
from designer.canvas import style, tooltips
from designer.canvas.quick_add import ranked_types
from designer.core import catalog
from designer.core.defaults import default_params
from designer.core.graph import Edge
from designer.core.ids import id_stem
from tests.gui.canvas_support import chain_graph, make_view


def test_zoom_steps_reset_and_fit(qtbot):
    view = make_view(qtbot, chain_graph())
    view.zoom_in()
    assert abs(view.zoom() - 1.25) < 1e-9
    view.zoom_out()
    view.zoom_out()
    assert abs(view.zoom() - 0.8) < 1e-9
    view.zoom_reset()
    assert view.zoom() == 1.0
    view.fit_all()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in view.graph_scene.nodes.values())
    assert view.zoom() <= 1.25


def test_wheel_zooms_around_the_cursor(qtbot):
    view = make_view(qtbot, chain_graph())
    cursor = QPointF(300, 200)
    before = view.mapToScene(cursor.toPoint())
    event = QWheelEvent(cursor, view.viewport().mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert abs(view.zoom() - 1.25) < 1e-9
    after = view.mapToScene(cursor.toPoint())
    assert abs(after.x() - before.x()) <= 2 and abs(after.y() - before.y()) <= 2


def test_zoom_shortcuts(qtbot):
    view = make_view(qtbot, chain_graph())
    QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.zoom() - 1.25) < 1e-9
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == 1.0


def _dark_pixels(view, node_id: str) -> int:
    """Pixels in the node's card darker than the card itself: its text (an overview box has none)."""
    item = view.graph_scene.nodes[node_id]
    rect = view.mapFromScene(item.mapToScene(item.card_rect().adjusted(8, 8, -8, -4))).boundingRect()
    image = view.viewport().grab().toImage()
    return sum(
        image.pixelColor(x, y).lightness() < 120 for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())
    )


def test_level_of_detail(qtbot, monkeypatch):
    style.set_dark(False)
    view = make_view(qtbot, chain_graph())
    scene = view.graph_scene
    overviews = []
    original_overview = scene.overview
    monkeypatch.setattr(scene, "overview", lambda: (overviews.append(1), original_overview())[1])
    view.centerOn(scene.nodes["c1"])
    assert _dark_pixels(view, "c1") > 20 and not overviews  # readable text at 100%
    view.set_zoom(0.3)
    view.centerOn(scene.nodes["c1"])
    assert _dark_pixels(view, "c1") > 0 and not overviews  # boxes with the name alone, large, painted by the items
    view.set_zoom(0.25)
    view.centerOn(scene.nodes["c1"])
    monkeypatch.setattr(scene.nodes["c1"], "_name", "")
    scene.nodes["c1"].update()
    assert _dark_pixels(view, "c1") == 0  # without a name the zoomed-out card is a plain box: no small text
    view.set_zoom(0.1)
    view.centerOn(scene.nodes["c1"])
    centre = view.mapFromScene(scene.nodes["c1"].sceneBoundingRect().center())
    colour = view.viewport().grab().toImage().pixelColor(centre)
    assert overviews  # far out: one batched pass instead of one paint per item
    assert colour == style.current().category("Convolution")
    overview = original_overview()
    assert sum(len(r) for r in overview.boxes.values()) == 4 and len(overview.lines) == 3


def test_tab_opens_quick_add_and_enter_adds_at_the_cursor(qtbot):
    view = make_view(qtbot, chain_graph())
    view.document.select(["c1"])
    QTest.keyClick(view, Qt.Key.Key_Tab)
    popup = view.editor._quick_add
    assert popup is not None and popup.isVisible()
    QTest.keyClicks(popup.search, "relu")
    assert popup.list.currentItem().data(Qt.ItemDataRole.UserRole) == "ReLU"
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert "relu1" in view.document.graph
    assert view.document.graph.inputs("relu1") == {0: "c1"}


def test_ranked_types_prefers_prefix_matches():
    ranked = ranked_types("conv")
    assert ranked[0].startswith("Conv")
    assert all("conv" in (n + catalog.get(n).description + catalog.get(n).category).lower() for n in ranked)
    assert ranked_types("") == catalog.type_names()


def test_tooltips_name_the_dims_and_the_explanation(qtbot):
    view = make_view(qtbot, chain_graph())
    text = tooltips.edge_tooltip(view.document, Edge("c2", "out", 0))
    assert text.startswith("1×16×16×16")
    assert "N=1 · C=16 · H=16 · W=16" in text and "H_out" in text
    view.document.select(["c1"])  # without c1, c2 has its own error and out waits for it
    view.editor.delete_selection()
    assert "no input connected" in tooltips.node_tooltip(view.document, "c2")
    assert view.graph_scene.nodes["c2"].status == "error"
    assert view.graph_scene.nodes["out"].status == "blocked"


def test_geometry_is_pure_and_consistent():
    assert geo.shown_input_count(2, None, frozenset()) == 2
    assert geo.shown_input_count(2, None, frozenset({0, 1})) == 3
    assert geo.shown_input_count(1, 1, frozenset()) == 1
    assert geo.shown_input_count(0, 0, frozenset()) == 0
    assert geo.node_size(1) == (geo.NODE_WIDTH, geo.NODE_HEIGHT)
    assert geo.node_size(5)[1] > geo.NODE_HEIGHT
    for count in (1, 2, 3, 6):
        ys = [geo.input_port_pos(p, count)[1] for p in range(count)]
        assert ys == sorted(ys) and abs(sum(ys) / count - geo.output_port_pos(count)[1]) < 1e-9
        assert [geo.nearest_input_port(y, count) for y in ys] == list(range(count))


def test_default_params_fit_the_upstream_shape():
    assert default_params(catalog.get("Conv2d"), (8, 5, 32, 32)) == {"in_channels": 5, "out_channels": 5, "kernel_size": 3}
    assert default_params(catalog.get("Conv2d"))["in_channels"] == 64
    assert default_params(catalog.get("Input")) == {"shape": [1, 3, 64, 64]}
    for spec in catalog.all_specs():
        params = default_params(spec, (2, 16, 8, 8))
        assert spec.check_params(params) == [], spec.type_name
    assert id_stem("ConvTranspose2d") == "convtranspose" and id_stem("ReLU") == "relu"
