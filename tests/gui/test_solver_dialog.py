"""The solver dialog: ranked rows from core.solver, one-click apply as one undo step, the reverse question."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.core import examples
from designer.core.edits import RemoveNodes, SetParams
from designer.core.graph import Edge, Graph, Node
from designer.core.solver import solve
from designer.document.document import Document
from designer.widgets.solver_dialog import SolverDialog, can_solve, combine


def dcgan() -> Document:
    return Document(examples.load_example("dcgan_generator"))


def open_dialog(qtbot, document: Document, node_id: str | None) -> SolverDialog:
    dialog = SolverDialog(document, node_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def cell(dialog: SolverDialog, row: int, column: str) -> str:
    page = dialog.layer_page
    return page.table.item(row, page._columns.index(column)).text()


def test_only_convs_and_pools_get_the_layer_page(qtbot):
    document = dcgan()
    assert can_solve(document, "up2") and not can_solve(document, "bn1") and not can_solve(document, None)
    dialog = open_dialog(qtbot, document, "bn1")
    assert dialog.layer_page is None and dialog.tabs.count() == 1


def test_rows_are_the_solver_answers_best_first(qtbot):
    document = dcgan()
    dialog = open_dialog(qtbot, document, "up2")
    page = dialog.layer_page
    assert page.sizes() == ([4, 4], [8, 8])  # input from the engine, wanted = the output now
    assert all(spin.isReadOnly() for spin in page.input_spins)
    answers = solve("ConvTranspose2d", 4, 8)
    assert page.table.rowCount() == len(answers)
    for i, answer in enumerate(answers[:10]):
        assert [cell(dialog, i, k) for k in ("kernel_size", "stride", "padding", "output_padding", "dilation")] == [
            str(answer.kernel_size), str(answer.stride), str(answer.padding), str(answer.output_padding), str(answer.dilation)
        ]  # fmt: skip
    current = [
        i
        for i in range(page.table.rowCount())
        if page.table.cellWidget(i, page.table.columnCount() - 1).text() == "Current"
    ]
    assert [
        (cell(dialog, i, "kernel_size"), cell(dialog, i, "stride"), cell(dialog, i, "padding")) for i in current
    ] == [("4", "2", "1")]


def test_applying_a_row_is_one_undo_step_with_the_asked_size(qtbot):
    document = dcgan()
    dialog = open_dialog(qtbot, document, "up3")
    page = dialog.layer_page
    page.set_wanted([17, 17])  # 8 → 17: needs an odd trick, e.g. output_padding or kernel 3 stride 2
    assert page.rows, page.summary.text()
    before = document.undo_stack.count()
    first = page.rows[0]
    button = page.table.cellWidget(0, page.table.columnCount() - 1)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert document.undo_stack.count() == before + 1
    assert document.engine.result("up3").shape == (64, 128, 17, 17)
    node = document.graph.node("up3")
    assert node.params["in_channels"] == 256 and node.params["bias"] is False  # the rest stays
    for key, value in first.values.items():
        assert node.params.get(key, 1 if key == "dilation" else None) == value
    assert "17×17" in page.status.text()
    document.undo_stack.undo()
    assert document.engine.result("up3").shape == (64, 128, 16, 16)


def test_pool_settings_drop_ceil_mode_the_solver_does_not_assume(qtbot):
    g = Graph("pool")
    g.add_node(Node("x", "Input", {"shape": [1, 3, 9, 9]}, position=(0, 0)))
    g.add_node(Node("p", "MaxPool2d", {"kernel_size": 2, "ceil_mode": True}, position=(240, 0)))
    g.connect(Edge("x", "p"))
    document = Document(g)
    dialog = open_dialog(qtbot, document, "p")
    page = dialog.layer_page
    page.set_wanted([4, 4])
    assert page.apply_row(0)
    assert document.engine.result("p").shape == (1, 3, 4, 4)
    assert "ceil_mode" not in document.graph.node("p").params


def test_non_square_sizes_share_kernel_and_stride(qtbot):
    g = Graph("wide")
    g.add_node(Node("x", "Input", {"shape": [2, 3, 16, 24]}, position=(0, 0)))
    g.add_node(Node("c", "Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3}, position=(240, 0)))
    g.connect(Edge("x", "c"))
    document = Document(g)
    dialog = open_dialog(qtbot, document, "c")
    page = dialog.layer_page
    page.set_wanted([8, 11])
    assert page.rows
    for i in range(len(page.rows)):
        assert page.apply_row(i)
        assert document.engine.result("c").shape == (2, 4, 8, 11), page.rows[i]
        document.undo_stack.undo()


def test_combine_keeps_a_square_answer_square():
    answers = solve("ConvTranspose2d", 4, 8)
    rows = combine([answers, answers])
    assert [r.values["padding"] for r in rows] == [a.padding for a in answers]


def test_no_answer_says_what_to_do(qtbot):
    dialog = open_dialog(qtbot, dcgan(), "up2")
    page = dialog.layer_page
    page.set_wanted([1000, 1000])
    assert page.table.rowCount() == 0
    assert "Raise the limits" in page.summary.text()


def test_the_dialog_follows_edits_and_closes_when_its_node_goes(qtbot):
    document = dcgan()
    dialog = open_dialog(qtbot, document, "up2")
    document.apply(RemoveNodes(["up2"]))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)


def test_reverse_question_finds_and_sets_the_input_size(qtbot):
    document = dcgan()
    dialog = open_dialog(qtbot, document, None)
    page = dialog.design_page
    assert page.input_combo.currentData() == "z" and page.end_combo.currentData() == "image"
    page.target.setValue(128)
    page.find()
    assert page.found == [5]  # up1 (k4 s1 p0) adds 3, then four layers double: (5 + 3)·16 = 128
    before = document.undo_stack.count()
    assert page.use_selected()
    assert document.undo_stack.count() == before + 1
    assert document.engine.result("image").shape[2:] == (128, 128)
    assert document.graph.node("z").params["shape"] == [64, 100, 5, 5]


@pytest.mark.parametrize("axis_text, expected", [("H only", (128, 64))])
def test_reverse_question_along_one_axis(qtbot, axis_text, expected):
    document = dcgan()
    dialog = open_dialog(qtbot, document, None)
    page = dialog.design_page
    page.axis_combo.setCurrentIndex(page.axis_combo.findText(axis_text))
    page.target.setValue(128)
    page.find()
    assert page.use_selected()
    assert document.engine.result("image").shape[2:] == expected


def test_stale_answers_are_dropped_after_an_outside_edit(qtbot):
    document = dcgan()
    dialog = open_dialog(qtbot, document, None)
    page = dialog.design_page
    page.find()
    assert page.found
    node = document.graph.node("up5")
    document.apply(SetParams("up5", {**node.params, "stride": 1}))
    qtbot.waitUntil(lambda: not page.found, timeout=2000)
    assert "find again" in page.result.text()
