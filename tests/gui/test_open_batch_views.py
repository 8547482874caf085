"""An open batch (the Input's shape starts with "N") as every view shows it: edge labels and tooltips,
the Input's card, the channels-last lens, the inspector's shape editor and explanation."""

from __future__ import annotations

import pytest

from designer.canvas import tooltips
from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core import examples
from designer.core.edits import SetParams
from designer.core.graph import Edge
from designer.document.document import Document
from designer.plots.stats_dock import StatsPanel
from designer.widgets.explanation import Colors, design_summary_html


def open_dcgan() -> Document:
    """The DCGAN generator with its noise input's batch left open."""
    document = Document(examples.load_example("dcgan_generator"))
    shape = document.graph.node("z").params["shape"]
    document.apply(SetParams("z", {"shape": ["N", *shape[1:]]}))
    return document


@pytest.fixture
def scene(qapp):
    return GraphScene(open_dcgan())


def test_edge_labels_read_n(scene):
    assert scene.edges[Edge("relu1", "up2", 0)].label == "N×512×4×4"
    assert scene.edges[Edge("z", "up1", 0)].label == "N×100×1×1"
    assert scene.edges[Edge("tanh", "image", 0)].label == "N×3×64×64"
    assert all(item.label.startswith("N×") for item in scene.edges.values())


def test_the_input_card_reads_n(scene):
    assert scene.nodes["z"]._summary == "N×100×1×1"


def test_closing_the_batch_relabels_every_edge(scene):
    document = scene.document
    document.apply(SetParams("z", {"shape": [16, 100, 1, 1]}))
    assert scene.edges[Edge("relu1", "up2", 0)].label == "16×512×4×4"
    assert scene.nodes["z"]._summary == "16×100×1×1"
    document.undo_stack.undo()
    assert scene.edges[Edge("relu1", "up2", 0)].label == "N×512×4×4"


def test_tooltips_read_n_and_the_batch_passes_through(scene):
    edge_text = tooltips.edge_tooltip(scene.document, Edge("up1", "bn1", 0))
    assert edge_text.startswith("N×512×4×4   from 'up1'")
    assert "N=N · C=512 · H=4 · W=4" in edge_text
    assert "N_out = N_in\n      = N (the batch passes through)" in edge_text
    assert "= 1 (the batch" not in edge_text
    node_text = tooltips.node_tooltip(scene.document, "bn1")
    assert "Output N×512×4×4   (N=N · C=512 · H=4 · W=4)" in node_text


def test_the_lens_keeps_n_first(scene):
    scene.set_lens("NHWC")
    edge = Edge("relu1", "up2", 0)
    assert scene.edges[edge].label == "N×4×4×512"
    assert "N×4×4×512   (N=N · H=4 · W=4 · C=512)" in scene._lens_line(edge)


def test_the_statistics_panel_says_costs_are_per_sample(qtbot):
    document = open_dcgan()
    view = GraphView(GraphScene(document))
    qtbot.addWidget(view)
    panel = StatsPanel(document, view)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    assert "the batch N is open: costs at N = 1, per sample" in panel.totals_label.text()
    up2 = panel.series.index("up2")
    assert "output N×256×8×8" in panel.series.hover_text(up2)
    document.apply(SetParams("z", {"shape": [64, 100, 1, 1]}))
    qtbot.waitUntil(lambda: "per sample" not in panel.totals_label.text())
    assert "output 64×256×8×8" in panel.series.hover_text(up2)


def test_design_summary_says_per_sample(qapp):
    document = open_dcgan()
    colors = Colors("black", "gray", "red", "orange", "white")
    summary = design_summary_html(document.graph, document.engine, colors)
    assert "N×100×1×1" in summary and "multiply-adds per sample" in summary
    assert "costs are worked out for one sample (N = 1)" in summary
