"""File → Import from PyTorch… and Export to ONNX…: the dialog, the window after an import, the round trip of
weights through the PyTorch export dialog, ONNX files, and the messages when packages or layers are wrong."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from designer.core import block_runs, importer
from designer.core.edits import MoveNodes
from designer.core.graph import Edge, Graph, Node
from designer.core.onnx_export import OnnxUnavailable, check_available
from designer.core.shapes import format_shape
from designer.widgets.export_dialog import ExportDialog
from designer.widgets.import_dialog import NO_TORCH, ImportDialog
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env, dialogs = app_support.app_env, app_support.dialogs  # fixtures

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(Path(__file__).with_name("import_sample.py"))


def make_dialog(qtbot) -> ImportDialog:
    dialog = ImportDialog(None, str(ROOT))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def torch_shapes(model: torch.nn.Module, *inputs: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """Every leaf module's output shape, as torch computes it (the oracle for the imported design)."""
    seen: dict[str, tuple[int, ...]] = {}

    def record(name: str):
        def hook(_module, _inputs, out) -> None:
            seen[name] = tuple(out.shape)

        return hook

    hooks = [
        module.register_forward_hook(record(name))
        for name, module in model.named_modules()
        if name and not list(module.children())
    ]
    with torch.no_grad():
        seen["output"] = tuple(model.eval()(*inputs).shape)
    for hook in hooks:
        hook.remove()
    return seen


def test_file_import_asks_to_save_lists_the_models_and_opens_the_import(app_env, qtbot, dialogs):
    window = make_window(qtbot, small_graph())
    window.document.apply(MoveNodes({"x": (30, 30)}))
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    seen = {}

    def drive() -> None:
        dialog = window.findChild(ImportDialog)
        try:
            assert "Importing runs the Python file you choose" in "".join(
                label.text() for label in dialog.findChildren(type(dialog.status))
            )
            dialog.source.setText(SAMPLE)
            seen["found"] = dialog.find_models()
            seen["models"] = [dialog.model.itemText(i) for i in range(dialog.model.count())]
            QTest.keyClicks(dialog.shape_edits[0], "1,3,16,16")
            seen["enabled"] = dialog.import_button.isEnabled()
            QTest.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        finally:
            if dialog.isVisible():
                dialog.reject()

    try:
        QTimer.singleShot(0, drive)
        window.actions.import_model.trigger()
        assert dialogs.shown[0][0] == "Unsaved Changes" and "importing a model" in dialogs.shown[0][1]
        # Block(cin, cout) needs arguments, so it is not offered; the factory function is.
        assert seen == {"found": True, "models": ["SmallNet", "Summed", "make_pair", "Pair"], "enabled": True}
        doc = window.document
        assert doc.path is None and doc.modified and doc.graph.name == "SmallNet"
        assert window.windowTitle().startswith("SmallNet")
        original, _name = importer.load_model(f"{SAMPLE}:SmallNet")
        expected = torch_shapes(original, torch.randn(1, 3, 16, 16))
        assert {"stem.conv", "stem.bn", "layer1.0.conv", "layer1.1", "head"} <= set(expected)
        # The model's classes are blocks: Block twice (stem, and inside layer1), layer1 a block of its own.
        assert doc.graph.node_ids() == ["x", "stem", "layer1", "flatten", "head", "output"]
        assert set(doc.graph.blocks) == {"Block", "Layer"}
        results = {node_id: doc.engine.result(node_id) for node_id in doc.graph.node_ids()}
        sizes = {node_id: result.shape for node_id, result in results.items()}
        sizes.update((inner.path.replace("/", "."), inner.result.shape) for inner in block_runs.expand(results))
        for node_id, shape in expected.items():
            assert sizes[node_id] == shape, node_id
        # The canvas shows every node, and each edge is labelled with the size torch computed.
        assert set(window.scene.nodes) == set(doc.graph.node_ids())
        assert window.scene.edges[Edge("layer1", "flatten")].label == format_shape(expected["layer1.1"])
        assert window.scene.edges[Edge("head", "output")].label == format_shape((1, 10))
        QApplication.processEvents()
        assert "Imported SmallNet: 6 nodes and 2 blocks" in window.statusBar().currentMessage()
    finally:
        close_quietly(window)


def test_unchecking_blocks_imports_every_layer_on_one_sheet(app_env, qtbot, dialogs):
    dialog = make_dialog(qtbot)
    dialog.source.setText(f"{SAMPLE}:SmallNet")
    dialog.shape_edits[0].setText("1,3,16,16")
    assert dialog.keep_blocks.isChecked()
    dialog.keep_blocks.setChecked(False)
    assert dialog.run_import(), dialogs.texts()
    graph = dialog.result.graph
    assert not graph.blocks and {"stem.conv", "stem.bn", "layer1.0.conv", "layer1.1", "head"} <= set(graph.node_ids())


def test_cancelling_the_unsaved_changes_question_opens_no_dialog(app_env, qtbot, dialogs):
    window = make_window(qtbot, small_graph())
    try:
        window.document.apply(MoveNodes({"x": (30, 30)}))
        before = window.document.graph.node_ids()
        window.actions.import_model.trigger()  # the default answer is Cancel
        assert window.findChild(ImportDialog) is None
        assert window.document.graph.node_ids() == before and window.document.modified
    finally:
        close_quietly(window)


def test_an_unsupported_operation_shows_the_importers_report_verbatim(app_env, qtbot, dialogs):
    dialog = make_dialog(qtbot)
    dialog.source.setText(f"{SAMPLE}:Summed")
    assert not dialog.find_button.isEnabled() and dialog.model.currentText() == "Summed"
    dialog.shape_edits[0].setText("1,3,8,8")
    assert dialog.import_button.isEnabled()
    assert not dialog.run_import()
    with pytest.raises(importer.ModelImportError) as refused:
        importer.import_model(f"{SAMPLE}:Summed", [(1, 3, 8, 8)])
    message = str(refused.value)
    assert ".cumsum()" in message and "import_sample.py:40" in message  # the op and its source line
    assert dialogs.shown == [("Could Not Import the Model", "Summed could not be imported. Nothing was changed.", message)]
    assert dialog.result is None and dialog.isVisible() and dialog.status.text() == message


def test_shapes_are_checked_as_they_are_typed_and_several_inputs_import(app_env, qtbot, dialogs, monkeypatch):
    monkeypatch.chdir(ROOT)  # package.module:NAME is looked up from the working folder
    dialog = make_dialog(qtbot)
    dialog.source.setText("tests.gui.import_sample:make_pair")
    first = dialog.shape_edits[0]
    QTest.keyClicks(first, "2,5x")
    assert not dialog.import_button.isEnabled() and first.property("invalid")
    assert "'2,5x' is not a list of sizes" in dialog.shape_problem.text() and dialog.shape_problem.isVisible()
    QTest.keyClick(first, Qt.Key.Key_Backspace)
    assert dialog.import_button.isEnabled() and not first.property("invalid") and dialog.shape_problem.isHidden()
    second = dialog.add_input()
    assert not dialog.import_button.isEnabled()  # an empty shape is not yet a problem, but not a shape either
    assert not second.property("invalid")
    QTest.keyClicks(second, "2,0")
    assert "Input 2:" in dialog.shape_problem.text() and "at least 1" in dialog.shape_problem.text()
    second.setText("2,3")
    assert dialog.shapes() == [(2, 5), (2, 3)] and dialog.import_button.isEnabled()
    assert dialog.run_import(), dialogs.texts()
    graph = dialog.result.graph
    assert sorted(n.id for n in graph.nodes() if n.type_name == "Input") == ["x", "y"]
    assert [n.type_name for n in graph.nodes()].count("Add") == 1


def test_without_torch_the_dialog_says_what_to_install(app_env, qtbot, dialogs, monkeypatch):
    dialog = make_dialog(qtbot)
    dialog.source.setText(SAMPLE)
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` fails, as in an install without it
    assert not dialog.find_models()
    assert dialog.status.text() == NO_TORCH and "pip install torch" in NO_TORCH
    assert dialog.model.count() == 0 and dialogs.shown == []


def test_the_pytorch_export_dialog_keeps_names_so_the_original_weights_load(app_env, qtbot, dialogs):
    dialog = make_dialog(qtbot)
    dialog.source.setText(f"{SAMPLE}:SmallNet")
    dialog.shape_edits[0].setText("2,3,16,16")
    assert dialog.run_import(), dialogs.texts()
    export = ExportDialog(dialog.result.graph)
    qtbot.addWidget(export)
    assert export.save_button.isEnabled() and "class Block(nn.Module):" in export.code and "self.stem = Block(" in export.code
    namespace: dict = {"__name__": "exported_from_the_dialog"}
    exec(compile(export.code, "<exported>", "exec"), namespace)
    rebuilt = namespace[export.class_name.text()]().eval()
    original, _name = importer.load_model(f"{SAMPLE}:SmallNet")
    original.eval()
    rebuilt.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(rebuilt(x), original(x), atol=1e-6)


def test_export_to_onnx_writes_a_file_the_checker_accepts(app_env, qtbot, dialogs, tmp_path, monkeypatch):
    onnx = pytest.importorskip("onnx")
    window = make_window(qtbot, small_graph(), persist=False)
    target = tmp_path / "small"
    asked = []

    def fake_save(parent, title, start, filters):
        asked.append((title, os.path.basename(start), filters))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    try:
        window.actions.export_onnx.trigger()
        assert asked == [("Export to ONNX", "small.onnx", "ONNX models (*.onnx)")] and dialogs.shown == []
        written = tmp_path / "small.onnx"
        onnx.checker.check_model(str(written), full_check=True)
        model = onnx.load(str(written))
        assert [i.name for i in model.graph.input] == ["x"] and [o.name for o in model.graph.output] == ["out"]
        dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
        assert dims == list(window.document.engine.shape("conv"))
        assert window.statusBar().currentMessage() == "Exported small.onnx"
        assert not [p for p in os.listdir(tmp_path) if p != "small.onnx"]  # no temporary file left behind
    finally:
        close_quietly(window)


def test_export_to_onnx_says_what_to_install_without_onnx(app_env, qtbot, dialogs, monkeypatch):
    window = make_window(qtbot, small_graph(), persist=False)
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` fails
    with pytest.raises(OnnxUnavailable) as missing:
        check_available()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: pytest.fail("asked for a path")))
    try:
        window.actions.export_onnx.trigger()
        assert dialogs.shown == [("Export to ONNX", "ONNX export needs packages that are not installed.", str(missing.value))]
        assert "onnx" in str(missing.value) and "pip install" in str(missing.value)
        monkeypatch.setitem(sys.modules, "torch", None)
        window.actions.export_onnx.trigger()
        assert "pip install torch" in dialogs.shown[-1][2]
    finally:
        close_quietly(window)


def test_export_to_onnx_names_the_layers_to_fix(app_env, qtbot, dialogs, monkeypatch):
    graph = Graph("broken")
    graph.add_node(Node("x", "Input", {"shape": [1, 3, 8, 8]}, position=(0, 0)))
    graph.add_node(Node("conv", "Conv2d", {"in_channels": 5, "out_channels": 4, "kernel_size": 3}, position=(260, 0)))
    graph.add_node(Node("out", "Output", {}, position=(520, 0)))
    graph.connect(Edge("x", "conv"))
    graph.connect(Edge("conv", "out"))
    window = make_window(qtbot, graph, persist=False)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: pytest.fail("asked for a path")))
    try:
        window.actions.export_onnx.trigger()
        title, text, info = dialogs.shown[-1]
        assert title == "Export to ONNX" and "cannot be exported yet: 1 layer has a problem" in text
        assert info.startswith("• conv: ") and "5" in info and "3" in info
    finally:
        close_quietly(window)


def test_the_file_menu_offers_import_and_onnx_export(app_env, qtbot):
    window = make_window(qtbot, small_graph(), persist=False)
    try:
        texts = [a.text().replace("&", "") for a in window.actions.menus["file"].actions() if not a.isSeparator()]
        assert texts.index("Import from PyTorch…") == texts.index("Open Recent") + 1
        assert texts.index("Export to ONNX…") == texts.index("Export to PyTorch…") + 1
    finally:
        close_quietly(window)
