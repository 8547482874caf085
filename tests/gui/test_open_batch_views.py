"""An open batch (the Input's shape starts with "N") as every view shows it: edge labels and tooltips,
the Input's card, the channels-last lens, the inspector's shape editor and explanation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.canvas import tooltips
from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core import examples
from designer.core.edits import SetParams
from designer.core.graph import Edge
from designer.document.document import Document
from designer.plots.stats_dock import StatsPanel
from designer.widgets.explanation import Colors, design_summary_html
from designer.widgets.param_editors import ShapeEditor
from designer.widgets.solver_dialog import SolverDialog
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window
from tests.gui.test_app_inspector import _type_into

app_env = app_support.app_env  # fixture


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
    assert "N · C=512 · H=4 · W=4" in edge_text
    assert "N_out = N_in\n      = N (the batch passes through)" in edge_text
    assert "= 1 (the batch" not in edge_text
    node_text = tooltips.node_tooltip(scene.document, "bn1")
    assert "Output N×512×4×4   (N · C=512 · H=4 · W=4)" in node_text


def test_the_lens_keeps_n_first(scene):
    scene.set_lens("NHWC")
    edge = Edge("relu1", "up2", 0)
    assert scene.edges[edge].label == "N×4×4×512"
    assert "N×4×4×512   (N · H=4 · W=4 · C=512)" in scene._lens_line(edge)


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


# ----- the inspector ---------------------------------------------------------------------------
def _inspect(window, node_id: str):
    window.document.select([node_id])
    QApplication.processEvents()
    return window.inspector


def test_any_batch_box_leaves_the_batch_open_in_one_undo_step(app_env, qtbot):
    window = make_window(qtbot, examples.load_example("dcgan_generator"))
    try:
        doc, scene = window.document, window.scene
        editor = _inspect(window, "z").rows["shape"].editor
        assert isinstance(editor, ShapeEditor)
        assert editor.any_batch.isVisible() and not editor.any_batch.isChecked()
        assert not editor.meanings[0].isVisible()
        qtbot.mouseClick(editor.any_batch, Qt.MouseButton.LeftButton)
        assert doc.graph.node("z").params["shape"] == ["N", 100, 1, 1]
        assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Leave the Batch Open (N)"
        assert scene.edges[Edge("relu1", "up2")].label == "N×512×4×4"
        assert editor.spins[0].text() == "N" and not editor.spins[0].isEnabled()
        # Another size is a step of its own, and the batch stays open.
        _type_into(qtbot, editor.spins[1], "128")
        assert doc.graph.node("z").params["shape"] == ["N", 128, 1, 1]
        assert doc.undo_stack.count() == 2
        doc.undo_stack.undo()
        doc.undo_stack.undo()
        assert doc.graph.node("z").params["shape"] == [64, 100, 1, 1]
        assert not editor.any_batch.isChecked() and editor.spins[0].value() == 64 and editor.spins[0].isEnabled()
        assert scene.edges[Edge("relu1", "up2")].label == "64×512×4×4"
        doc.undo_stack.redo()
        assert editor.any_batch.isChecked() and editor.spins[0].text() == "N"
        # Clearing the box brings back the number the batch had, again as one step.
        qtbot.mouseClick(editor.any_batch, Qt.MouseButton.LeftButton)
        assert doc.graph.node("z").params["shape"] == [64, 100, 1, 1]
        assert doc.undo_stack.count() == 2 and doc.undo_stack.text(1) == "Fix the Batch at 64"
    finally:
        close_quietly(window)


def test_an_open_input_from_a_file_shows_n_and_changes_rank_keeping_it(app_env, qtbot):
    window = make_window(qtbot, open_dcgan().graph)
    try:
        doc = window.document
        editor = _inspect(window, "z").rows["shape"].editor
        assert isinstance(editor, ShapeEditor) and editor.any_batch.isChecked()
        assert editor.spins[0].text() == "N"
        editor.rank.setValue(2)
        assert doc.graph.node("z").params["shape"] == ["N", 100]
        editor.rank.setValue(3)
        assert doc.graph.node("z").params["shape"] == ["N", 100, 100]
    finally:
        close_quietly(window)


def test_explanation_panel_names_n(app_env, qtbot):
    window = make_window(qtbot, open_dcgan().graph)
    try:
        inspector = _inspect(window, "up2")
        qtbot.waitUntil(lambda: "N_out" in inspector.explanation.text())
        text = inspector.explanation.text()
        assert "Output  N×256×8×8" in text
        assert "= N (the batch passes through)" in text
        assert "multiply-adds per sample (at N = 1)" in text
    finally:
        close_quietly(window)


# ----- the solver dialog ------------------------------------------------------------------------
def test_solver_dialog_reads_n_and_keeps_the_batch_open(qtbot):
    document = open_dcgan()
    dialog = SolverDialog(document, "up2")
    qtbot.addWidget(dialog)
    dialog.show()
    assert "takes <b>N×512×4×4</b> and gives <b>N×256×8×8</b>" in dialog.layer_page.header.text()
    page = dialog.design_page
    assert page.input_combo.currentText() == "noise z  (N×100×1×1)"
    page.target.setValue(128)
    page.find()
    assert page.found == [5] and page.list.item(0).text() == "5   (input N×100×5×5)"
    assert page.use_selected()
    assert document.graph.node("z").params["shape"] == ["N", 100, 5, 5]
    assert document.engine.result("image").display_shape == ("N", 3, 128, 128)


def test_status_bar_costs_say_per_sample(app_env, qtbot):
    window = make_window(qtbot, open_dcgan().graph)
    try:
        window.update_costs()
        assert window.costs_label.text() == "104.63 M multiply-adds · 1.5 MiB activations per sample"
        window.document.apply(SetParams("z", {"shape": [2, 100, 1, 1]}))
        window.update_costs()
        assert window.costs_label.text() == "209.26 M multiply-adds · 3.0 MiB activations"
    finally:
        close_quietly(window)


def test_design_summary_names_a_sequence_by_its_own_dims(qapp):
    # Token ids are N batch × L length, not the N × F of a plain 2-D tensor; the logits keep N and L.
    document = Document(examples.load_example("tiny_gpt"))
    colors = Colors("black", "gray", "red", "orange", "white")
    summary = design_summary_html(document.graph, document.engine, colors)
    assert "<span style='color:gray'>L=</span>32" in summary and "F=" not in summary
    assert "<span style='color:gray'>C=</span>" not in summary
