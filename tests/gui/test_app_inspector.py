"""The inspector: typed editors driven with the keyboard, validation, merging into one undo step, explanation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.core import params as kinds
from designer.core.edits import SetParams
from designer.core.graph import Edge
from designer.widgets.param_editors import (
    AnyOfEditor,
    FloatEditor,
    IntOrIntsEditor,
    OptionalEditor,
    ShapeEditor,
    TextEditor,
    make_editor,
    parse_value,
)
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env = app_support.app_env  # fixture


def _select(window, node_id: str):
    window.document.select([node_id])
    QApplication.processEvents()
    return window.inspector


def _type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def test_typing_in_a_spin_box_updates_the_edge_labels_now_and_is_one_undo_step(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc, scene = window.document, window.scene
        label = scene.edges[Edge("conv", "out")]
        assert label.label == "8×16×32×32"
        inspector = _select(window, "conv")
        spin = inspector.rows["out_channels"].editor.spin
        _type_into(qtbot, spin, "128")
        # Same event-loop turn: no waiting between the keystrokes and the label.
        assert doc.graph.node("conv").params["out_channels"] == 128
        assert doc.engine.shape("conv") == (8, 128, 32, 32)
        assert label.label == "8×128×32×32"
        assert doc.undo_stack.count() == 1
        assert doc.undo_stack.text(0) == "Change out_channels"
        _type_into(qtbot, inspector.rows["kernel_size"].editor.spins[0], "5")
        assert doc.undo_stack.count() == 2, "another field starts another step"
        assert doc.engine.shape("conv") == (8, 128, 30, 30)
        doc.undo_stack.undo()
        doc.undo_stack.undo()
        assert doc.undo_stack.isClean()
        assert label.label == "8×16×32×32" and spin.value() == 16
        doc.undo_stack.redo()
        assert label.label == "8×128×32×32" and spin.value() == 128
        doc.undo_stack.undo()
        assert doc.undo_stack.isClean() and not window.isWindowModified()
    finally:
        close_quietly(window)


def test_invalid_text_turns_red_and_is_not_applied(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        inspector = _select(window, "conv")
        editor = inspector.rows["out_channels"].editor
        _type_into(qtbot, editor.spin, "0")  # below the minimum of 1: a QSpinBox keeps the old value
        assert editor.problem and editor.spin.property("invalid")
        assert inspector.message.isVisible() and "out_channels" in inspector.message.text()
        assert doc.graph.node("conv").params["out_channels"] == 16 and doc.undo_stack.count() == 0
        qtbot.keyClick(editor.spin, Qt.Key.Key_Backspace)
        qtbot.keyClicks(editor.spin, "8")
        assert not editor.problem and not editor.spin.property("invalid")
        assert doc.graph.node("conv").params["out_channels"] == 8
    finally:
        close_quietly(window)


def test_same_for_all_toggle_reset_and_padding_modes(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        inspector = _select(window, "conv")
        kernel = inspector.rows["kernel_size"].editor
        assert isinstance(kernel, IntOrIntsEditor) and kernel.same.isChecked()
        kernel.same.click()
        assert doc.graph.node("conv").params["kernel_size"] == [3, 3]
        _type_into(qtbot, kernel.spins[1], "5")
        assert doc.graph.node("conv").params["kernel_size"] == [3, 5]
        assert doc.engine.shape("conv") == (8, 16, 32, 30)

        padding = inspector.rows["padding"].editor
        assert isinstance(padding, AnyOfEditor)
        padding.mode.setCurrentText("'same'")
        assert doc.graph.node("conv").params["padding"] == "same"
        assert doc.engine.shape("conv") == (8, 16, 32, 32)

        stride = inspector.rows["stride"]
        assert not stride.reset.isEnabled()
        _type_into(qtbot, stride.editor.spins[0], "2")
        assert doc.graph.node("conv").params["stride"] == 2
        QApplication.processEvents()
        assert stride.reset.isEnabled()
        assert "padding" in doc.engine.result("conv").message()  # 'same' needs stride 1: the engine explains
        QApplication.processEvents()
        assert inspector.rows["padding"].label.font().bold()
        stride.reset.click()
        assert "stride" not in doc.graph.node("conv").params and stride.editor.value() == 1
        assert doc.engine.result("conv").ok
    finally:
        close_quietly(window)


def test_input_shape_fields_are_named_by_rank(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        inspector = _select(window, "x")
        shape = inspector.rows["shape"].editor
        assert isinstance(shape, ShapeEditor)
        assert [n.text() for n in shape.names] == ["N", "C", "H", "W"]
        assert shape.meanings[0].text() == "batch"
        _type_into(qtbot, shape.spins[2], "64")
        assert doc.graph.node("x").params["shape"] == [8, 3, 64, 32]
        assert window.scene.edges[Edge("x", "conv")].label == "8×3×64×32"
        shape.rank.setValue(3)
        assert doc.graph.node("x").params["shape"] == [8, 3, 64]
        assert [n.text() for n in shape.names] == ["N", "C", "L"]
        assert doc.engine.result("conv").error is not None  # Conv2d now gets a 3-D tensor
    finally:
        close_quietly(window)


def test_name_field_renames_in_one_step_and_explanation_shows_worked_formulas(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        inspector = _select(window, "conv")
        qtbot.waitUntil(lambda: "H_out" in inspector.explanation.text())
        text = inspector.explanation.text()
        assert "⌊(32 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1" in text  # the user's numbers in the formula
        assert "448" in text  # parameters: 16·3·3·3 + 16
        inspector.name.setFocus()
        inspector.name.selectAll()
        qtbot.keyClicks(inspector.name, "features")
        qtbot.keyClick(inspector.name, Qt.Key.Key_Return)
        assert doc.graph.node("conv").name == "features"
        assert doc.undo_stack.count() == 1
        doc.undo_stack.undo()
        assert inspector.name.text() == ""
    finally:
        close_quietly(window)


def test_undo_elsewhere_updates_the_fields_and_selection_changes_rebuild(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        doc = window.document
        inspector = _select(window, "conv")
        doc.apply(SetParams("conv", dict(doc.graph.node("conv").params, out_channels=7)))
        assert inspector.rows["out_channels"].editor.spin.value() == 7
        doc.select(["conv", "x"])
        QApplication.processEvents()
        assert inspector.node_id is None and "2 layers" in inspector.placeholder.text()
        doc.select([])
        qtbot.waitUntil(lambda: "small" in inspector.placeholder.text())
        assert f"{7 * 3 * 3 * 3 + 7} parameters" in inspector.placeholder.text()
    finally:
        close_quietly(window)


def test_editors_for_every_kind(qtbot):
    """Each kind gets its typed editor; a value that does not fit the widget falls back to text."""
    optional = make_editor(kinds.Optional(kinds.Integer(1)), None)
    qtbot.addWidget(optional)
    assert isinstance(optional, OptionalEditor) and optional.none.isChecked() and optional.value() is None
    with qtbot.waitSignal(optional.value_edited) as sent:
        optional.none.click()
    assert sent.args == [1]
    real = make_editor(kinds.Real(0.0, 1.0), 0.5)
    qtbot.addWidget(real)
    assert isinstance(real, FloatEditor) and real.spin.text() == "0.5"
    real.spin.lineEdit().selectAll()
    qtbot.keyClicks(real.spin.lineEdit(), "1e-3")
    assert real.value() == 0.001
    huge = make_editor(kinds.Integer(), 2**40)
    qtbot.addWidget(huge)
    assert isinstance(huge, TextEditor) and huge.value() == 2**40
    ints = make_editor(kinds.Ints(1, None, allow_none=True), [2, None])
    qtbot.addWidget(ints)
    assert isinstance(ints, TextEditor) and ints.field.text() == "2, None"
    assert parse_value("3, 5", kinds.IntOrInts(2)) == [3, 5]
    assert parse_value("3", kinds.IntOrInts(2)) == 3
    assert parse_value("2.5", kinds.RealOrReals()) == 2.5


def test_a_suggested_alternative_replaces_the_layer_in_one_undo_step(app_env, qtbot):
    from designer.core import examples

    graph = examples.load_example()
    graph.set_params("up2", dict(graph.node("up2").params, kernel_size=3))  # uneven overlap: checkerboard
    window = make_window(qtbot, graph)
    try:
        doc = window.document
        inspector = _select(window, "up2")
        qtbot.waitUntil(lambda: "alternative:1" in inspector.explanation.text())
        assert "checkerboard" in inspector.explanation.text()
        before = doc.engine.shape("up2")
        inspector._link("alternative:1")  # what clicking the second "Apply" link does
        types = [doc.graph.node(n).type_name for n in doc.selection]
        assert "up2" not in doc.graph and types == ["Conv2d"]
        upsample = next(n for n in doc.graph.nodes() if n.type_name == "Upsample")
        assert doc.engine.shape(doc.selection[0]) == before and doc.engine.result(upsample.id).ok
        assert doc.undo_stack.count() == 1 and doc.engine.problems() == []
        doc.undo_stack.undo()
        assert "up2" in doc.graph and doc.undo_stack.isClean()
        inspector = _select(window, "up2")
        inspector.apply_alternative(0)  # same layer, even parameters
        assert doc.graph.node("up2").params["kernel_size"] == 4 and doc.engine.shape("up2") == before
    finally:
        close_quietly(window)
