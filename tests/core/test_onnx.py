"""ONNX export: files pass onnx.checker and onnxruntime computes what torch computes from the same code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from designer.cli import main
from designer.core import onnx_export
from designer.core.examples import load_example
from designer.core.export import export
from designer.core.graph import Edge, Graph, Node
from designer.core.importer import import_model

MODELS = Path(__file__).parent / "import_models.py"


def build(code: str, class_name: str):
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)
    return namespace[class_name]().eval()


def check_against_torch(graph, path: Path) -> None:
    torch.manual_seed(0)  # the exporter builds the model from the code: same seed, same initial weights
    result = onnx_export.export_onnx(graph, path, "Net")
    torch.manual_seed(0)
    model = build(export(graph, "Net", keep_names=True).code, "Net")
    onnx.checker.check_model(str(path), full_check=True)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == result.inputs
    assert [o.name for o in session.get_outputs()] == result.outputs
    rng = np.random.default_rng(0)
    feeds = {  # token ids are small integers, any other input random values
        i.name: rng.integers(0, 10, i.shape) if i.type == "tensor(int64)" else rng.standard_normal(i.shape).astype(np.float32)
        for i in session.get_inputs()
    }
    got = session.run(None, feeds)
    with torch.no_grad():
        expected = model(*(torch.from_numpy(feeds[name]) for name in result.inputs))
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("name", "shapes"), [("ResNetish", [(2, 3, 16, 16)]), ("UNetish", [(1, 1, 16, 16)]), ("TwoInputs", [(2, 6), (2, 3)]), ("Functional", [(2, 1, 28, 28)])])
def test_imported_models_export_to_onnx_and_run_in_onnxruntime(name, shapes, tmp_path):
    check_against_torch(import_model(f"{MODELS}:{name}", shapes).graph, tmp_path / f"{name}.onnx")


@pytest.mark.parametrize("name", ["dcgan_generator", "unet", "tiny_gpt"])
def test_a_built_in_example_exports_to_onnx(name, tmp_path):
    check_against_torch(load_example(name), tmp_path / f"{name}.onnx")


def sequence_design(type_name: str, params: dict, outputs: int) -> Graph:
    """One sequence layer on a float input, every output of it returned."""
    graph = Graph(type_name)
    graph.add_node(Node("x", "Input", {"shape": [3, 7, 8]}))
    graph.add_node(Node("layer", type_name, params))
    for port in range(1 if type_name != "MultiheadAttention" else 3):
        graph.connect(Edge("x", "layer", port))
    for port in range(outputs):
        graph.add_node(Node(f"out{port}", "Output"))
        graph.connect(Edge("layer", f"out{port}", 0, port))
    return graph


@pytest.mark.parametrize(
    ("type_name", "params", "outputs"),
    [
        ("LSTM", {"input_size": 8, "hidden_size": 16, "batch_first": True, "num_layers": 2}, 3),
        ("GRU", {"input_size": 8, "hidden_size": 6, "batch_first": True, "bidirectional": True}, 2),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "batch_first": True}, 2),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True}, 1),
    ],
)
def test_sequence_layers_export_every_output_to_onnx(type_name, params, outputs, tmp_path):
    check_against_torch(sequence_design(type_name, params, outputs), tmp_path / f"{type_name}.onnx")


def test_without_the_packages_the_export_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(onnx_export, "NEEDED", ("onnx", "surely_not_installed_package"))
    graph = load_example("dcgan_generator")
    with pytest.raises(onnx_export.OnnxUnavailable, match="needs surely_not_installed_package: pip install 'model-designer\\[onnx\\]'"):
        onnx_export.export_onnx(graph, tmp_path / "m.onnx")
    from designer.core import project

    project.save(graph, tmp_path / "g.json")
    assert main(["export", str(tmp_path / "g.json"), "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install onnx onnxscript onnxruntime" in err
    assert not (tmp_path / "m.onnx").exists()
