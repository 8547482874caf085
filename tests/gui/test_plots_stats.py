"""The statistics panel on real examples: clicks select, edits update the same plot items, log scale, export."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core import examples
from designer.core.edits import SetParams
from designer.core.stats import compute_stats
from designer.document.document import Document
from designer.plots.stats_dock import LOG_FLOOR, StatsPanel, short_number


@pytest.fixture
def panel(qtbot):
    document = Document(examples.load_example("dcgan_generator"))
    view = GraphView(GraphScene(document))
    qtbot.addWidget(view)
    widget = StatsPanel(document, view)
    qtbot.addWidget(widget)
    widget.resize(1100, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def heights(panel: StatsPanel) -> list[float]:
    return [float(h) for h in panel.bars.opts["height"]]


def test_opens_on_an_example_with_the_core_numbers(panel):
    document = panel.document
    facts = compute_stats(document.graph, document.engine)
    drawn = [n for n in facts.nodes if document.graph.node(n).type_name != "Output"]
    assert list(panel.series.ids) == drawn
    assert heights(panel) == [float(facts.nodes[n].params) for n in drawn]
    assert "3.58 M parameters" in panel.totals_label.text()
    # The size ladder of the DCGAN generator: 1 → 4 → 8 → 16 → 32 → 64 on a side.
    ups = [panel.series.index(n) for n in ("z", "up1", "up2", "up3", "up4", "up5")]
    assert [panel.series.spatial[i] for i in ups] == [1, 16, 64, 256, 1024, 4096]
    assert [panel.series.channels[i] for i in ups] == [100, 512, 256, 128, 64, 3]
    assert list(panel.spatial_line.getData()[1][ups]) == [1, 16, 64, 256, 1024, 4096]


def test_clicking_a_bar_selects_and_centres_the_node(panel, qtbot):
    view = panel.view
    view.resize(600, 400)
    view.zoom_reset()
    view.centerOn(0, 0)
    index = panel.series.index("up3")
    point = panel.column_center(index)
    QTest.mouseClick(panel.plots.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert panel.document.selection == ["up3"]
    centre = view.mapToScene(view.viewport().rect().center())
    card = view.graph_scene.nodes["up3"].sceneBoundingRect()
    assert abs(centre.x() - card.center().x()) < 2 and abs(centre.y() - card.center().y()) < 2
    # The selected column is highlighted in both plots.
    assert all(band.isVisible() for band in panel.selection_bands)
    assert panel.selection_bands[0].getRegion() == (index - 0.5, index + 0.5)
    assert panel.bars._pens[index].widthF() > panel.bars._pens[index + 1].widthF()


def test_the_margin_left_of_the_first_column_picks_nothing(panel):
    box = panel.bar_plot.getViewBox()
    y = sum(box.viewRange()[1]) / 2
    assert panel.index_at(box.mapViewToScene(QPointF(0.3, y))) == 0
    assert panel.index_at(box.mapViewToScene(QPointF(-0.58, y))) is None


def test_selecting_a_node_elsewhere_highlights_its_bar(panel):
    panel.document.select(["up2"])
    index = panel.series.index("up2")
    assert panel.selection_bands[1].isVisible()
    assert panel.selection_bands[1].getRegion() == (index - 0.5, index + 0.5)
    panel.document.select([])
    assert not any(band.isVisible() for band in panel.selection_bands)


def test_an_edit_changes_the_bars_of_the_same_items(panel, qtbot):
    bars, line, channels = panel.bars, panel.spatial_line, panel.channel_line
    index = panel.series.index("up2")
    before = heights(panel)[index]
    params = dict(panel.document.graph.node("up2").params, out_channels=128)
    panel.document.apply(SetParams("up2", params))
    qtbot.waitUntil(lambda: heights(panel)[index] != before, timeout=2000)
    assert heights(panel)[index] == 512 * 128 * 4 * 4
    assert panel.bars is bars and panel.spatial_line is line and panel.channel_line is channels
    assert panel.bar_plot.items.count(bars) == 1
    assert panel.series.channels[index] == 128
    panel.document.undo_stack.undo()
    qtbot.waitUntil(lambda: heights(panel)[index] == before, timeout=2000)


def test_log_scale_toggle(panel):
    linear = heights(panel)
    panel.log_box.click()
    assert panel.log_scale
    logged = panel.bar_tops()
    assert logged == [math.log10(v) if v > 0 else LOG_FLOOR for v in linear]
    # A zero has no bar (not one drawn up to 10⁰ = 1) and is ringed on the baseline instead; 1 still shows.
    zeros = [i for i, v in enumerate(linear) if v == 0]
    assert zeros and [heights(panel)[i] for i in zeros] == [0.0] * len(zeros)
    assert list(panel.zero_marks.getData()[0]) == zeros and set(panel.zero_marks.getData()[1]) == {LOG_FLOOR}
    assert "log scale" in panel.plot_titles()[0]
    assert panel.bar_plot.getAxis("left").logMode
    ys = panel.spatial_line.getData()[1]
    assert ys[panel.series.index("up5")] == pytest.approx(math.log10(4096))
    panel.log_box.click()
    assert heights(panel) == linear


def test_metric_buttons_switch_the_bars(panel):
    facts = panel.series.stats.nodes
    panel.metric_buttons["macs"].click()
    assert heights(panel) == [float(facts[n].macs) for n in panel.series.ids]
    panel.metric_buttons["memory"].click()
    assert heights(panel) == [float(facts[n].activation_bytes) for n in panel.series.ids]
    assert "Activation memory per layer (bytes)" in panel.plot_titles()[0]


def test_hover_text_names_the_layer_and_numbers(panel):
    text = panel.series.hover_text(panel.series.index("up5"))
    assert "up5 — ConvTranspose2d" in text
    assert "64×3×64×64" in text and "3,072" in text and "spatial 64×64 = 4,096 positions" in text


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_export(panel, tmp_path, suffix, magic):
    for target in ("bars", "ladder", "both"):
        path = tmp_path / f"{target}{suffix}"
        panel.export_plot(str(path), target)
        data = path.read_bytes()
        assert data.startswith(magic), target
        if suffix == ".svg":
            assert b"<svg" in data


def test_refresh_waits_while_hidden(panel, qtbot):
    panel.hide()
    series = panel.series
    params = dict(panel.document.graph.node("up1").params, out_channels=256)
    panel.document.apply(SetParams("up1", params))
    qtbot.wait(20)
    assert panel.series is series  # nothing recomputed for a hidden panel
    panel.show()
    qtbot.waitUntil(lambda: panel.series is not series, timeout=2000)
    assert panel.series.channels[panel.series.index("up1")] == 256


def test_reset_rebuilds_the_numbers(panel, qtbot):
    bars = panel.bars
    panel.document.reset(examples.load_example("vgg_classifier"))
    graph = panel.document.graph
    expected = [n for n in panel.document.engine.order() if graph.node(n).type_name != "Output"]
    qtbot.waitUntil(lambda: list(panel.series.ids) == expected, timeout=2000)
    assert len(panel.bars.opts["height"]) == len(expected) and panel.bars is bars
    assert panel.bar_axis.labels[0] == graph.node(expected[0]).label[:14]


def test_short_numbers():
    assert [short_number(v) for v in (0, 40, 1500, 2_000_000, 3.5e9)] == ["0", "40", "1.5 k", "2 M", "3.5 G"]


def test_hovering_a_column_shows_its_numbers(panel, qtbot):
    index = panel.series.index("up2")
    scene_pos = panel.plots.mapToScene(panel.column_center(index, "ladder"))
    panel._on_mouse_moved(scene_pos)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert QToolTip.text() == panel.series.hover_text(index)
    QToolTip.hideText()


def test_both_plots_are_titled_with_a_legend_and_no_rotated_axis_titles(panel):
    bars, ladder = panel.plot_titles()
    assert "Parameters per layer" in bars and "Sizes along the network" in ladder
    legend = panel.legend_text()
    for words in ("Convolution", "Normalization", "positions (H·W), left axis", "channels or features, right axis"):
        assert words in legend
    assert "zero" not in legend
    panel.log_box.click()
    assert "zero (a log axis has no 0)" in panel.legend_text()
    for plot in (panel.bar_plot, panel.ladder_plot):
        for side in ("left", "right"):
            assert not plot.getAxis(side).labelText


def test_the_plots_read_at_a_small_dock(panel, qtbot):
    panel.resize(700, 240)
    qtbot.wait(50)
    top_of_ladder = panel.ladder_plot.getViewBox().sceneBoundingRect().top()
    bottom_of_bars = panel.bar_plot.getAxis("bottom").sceneBoundingRect().bottom()
    assert panel.bar_plot.titleLabel.sceneBoundingRect().bottom() <= panel.bar_plot.getViewBox().sceneBoundingRect().top() + 1
    assert panel.ladder_plot.titleLabel.sceneBoundingRect().top() >= bottom_of_bars - 1
    assert top_of_ladder > bottom_of_bars


def test_value_labels_never_stack_on_a_short_plot(panel, qtbot):
    panel.resize(700, 230)
    qtbot.wait(50)
    for plot in (panel.bar_plot, panel.ladder_plot):
        axis = plot.getAxis("left")
        low, high = plot.getViewBox().viewRange()[1]
        levels = axis.tickSpacing(low, high, axis.geometry().height())
        spacing = levels[0][0]
        assert spacing * axis.geometry().height() / (high - low) >= 22


def test_the_selected_layer_is_always_named_on_the_axis(panel, qtbot):
    panel.resize(420, 300)
    qtbot.wait(50)
    axis = panel.ladder_axis
    low, high = panel.ladder_plot.getViewBox().viewRange()[0]
    width = axis.geometry().width()
    step, named = axis.tickValues(low, high, width)[0]
    assert step > 1, "the panel is narrow enough to thin the names"
    hidden = next(i for i in range(len(panel.series)) if i not in named)
    panel.document.select([panel.series.ids[hidden]])
    step, named = axis.tickValues(low, high, width)[0]
    assert hidden in named
    assert all(abs(i - hidden) >= step for i in named if i != hidden)
    assert axis.tickStrings([hidden], 1, step) == [panel.series.labels[hidden][:14]]
