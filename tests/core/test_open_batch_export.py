"""Exported code with an open batch: comments read N, the example block alone picks a batch, and the
model runs at other batches with exactly the shapes the engine gives for them (forward hooks); ONNX
files get a dynamic batch axis, checked in onnxruntime at two batch sizes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnxruntime
import pytest
import torch

from designer.core import examples, onnx_export
from designer.core.engine import ShapeEngine
from designer.core.export import EXAMPLE_BATCH, export
from designer.core.graph import Graph
from tests.core.batch import batch_plus_four
from tests.core.test_export import check_code_is_safe, load_module, ruff
from tests.core.test_open_batch_outputs import open_batch, with_batch
from tests.oracle import flat_outputs, torch_tensors


def hooked_run(model, result, graph: Graph, batch: int) -> dict[str, tuple]:
    """Every layer's output shape when the exported model runs at ``batch`` (open Inputs only take it)."""
    seen: dict[str, tuple] = {}
    for node_id, attribute in result.attributes.items():
        layer = model.get_submodule(attribute)
        layer.register_forward_hook(
            lambda _m, _i, out, node_id=node_id: seen.__setitem__(node_id, tuple(flat_outputs(out)[0].shape))
        )
    concrete = ShapeEngine(with_batch(graph, batch))
    args = torch_tensors([concrete.shape(n) for n in result.inputs], [concrete.result(n).dtype for n in result.inputs])
    with torch.no_grad():
        outputs = model(*args)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    seen.update((node_id, tuple(o.shape)) for node_id, o in zip(result.outputs, outputs))
    return {node_id: (shape, concrete.shape(node_id)) for node_id, shape in seen.items()}


@pytest.mark.parametrize("name", examples.example_names())
def test_every_open_example_runs_at_two_batches_with_the_engines_shapes(name, tmp_path):
    graph = open_batch(examples.load_example(name))
    result = export(graph)
    module, _ = load_module(result.code, tmp_path)
    model = getattr(module, result.class_name)().eval()
    for batch in (2, 5):
        shapes = hooked_run(model, result, graph, batch)
        assert shapes and all(torch_shape == engine_shape for torch_shape, engine_shape in shapes.values()), shapes
        assert all(torch_shape[0] == batch for torch_shape, _ in shapes.values())
    check_code_is_safe(result.code, result.class_name)
    ruff(tmp_path)


def test_the_code_speaks_n_and_only_the_example_picks_a_batch(tmp_path):
    graph = open_batch(examples.load_example("dcgan_generator"))
    code = export(graph).code
    head, _, main = code.partition('if __name__ == "__main__":')
    assert "    z: N×100×1×1\n" in head and "    image: N×3×64×64\n" in head
    assert "The batch N is left open: forward() takes any batch size" in head
    assert "        # z: N×100×1×1 (N×C×H×W)\n" in head
    assert "        up2 = self.up2(relu1)  # N×256×8×8\n" in head
    assert "64" not in "".join(line for line in head.splitlines() if line.strip().startswith("#"))
    assert f"    batch = {EXAMPLE_BATCH}  # any batch size works" in main
    assert "    z = torch.randn(batch, 100, 1, 1)\n" in main
    path = tmp_path / "gen.py"
    path.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"fake image ({EXAMPLE_BATCH}, 3, 64, 64)\n"


def test_a_fixed_input_beside_an_open_one_keeps_its_batch_in_the_example(tmp_path):
    g = batch_plus_four("two inputs")
    code = export(g).code
    assert "        cat = torch.cat([x, y], dim=0)  # (N+4)×3\n" in code
    assert "        flat = self.flat(cat)  # 3·N+12\n" in code
    assert "    x = torch.randn(batch, 3)\n" in code and "    y = torch.randn(4, 3)\n" in code
    path = tmp_path / "two.py"
    path.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"flat ({3 * EXAMPLE_BATCH + 12},)\n"


# ----- ONNX -------------------------------------------------------------------------------------
def onnx_against_torch(graph: Graph, path, batches=(2, 5)) -> onnxruntime.InferenceSession:
    """Export ``graph`` (open batch) to ONNX and run it at each batch in onnxruntime and torch alike."""
    torch.manual_seed(0)  # the exporter builds the model from the code: same seed, same initial weights
    result = onnx_export.export_onnx(graph, path, "Net")
    torch.manual_seed(0)
    module, _ = load_module(export(graph, "Net", keep_names=True).code, path.parent, "net")
    model = module.Net().eval()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in batches:
        concrete = ShapeEngine(with_batch(graph, batch))
        rng = np.random.default_rng(batch)
        feeds = {n: rng.standard_normal(concrete.shape(n)).astype(np.float32) for n in result.inputs}
        got = session.run(None, feeds)
        with torch.no_grad():
            expected = model(*(torch.from_numpy(feeds[n]) for n in result.inputs))
        expected = expected if isinstance(expected, tuple) else (expected,)
        for node_id, a, b in zip(result.outputs, got, expected):
            assert a.shape == tuple(b.shape) == concrete.shape(node_id)
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-5)
    return session


def test_onnx_of_an_open_batch_runs_at_two_batch_sizes(tmp_path):
    graph = open_batch(examples.load_example("dcgan_generator"))
    session = onnx_against_torch(graph, tmp_path / "dcgan.onnx")
    (z,) = session.get_inputs()
    assert z.shape[0] == "batch" and z.shape[1:] == [100, 1, 1]
    assert session.get_outputs()[0].shape[0] == "batch"


def test_onnx_batch_axis_through_a_flatten_and_a_classifier(tmp_path):
    graph = open_batch(examples.load_example("vgg_classifier"))
    onnx_against_torch(graph, tmp_path / "vgg.onnx", batches=(3, 1))


def test_onnx_of_a_closed_batch_keeps_fixed_sizes(tmp_path):
    graph = examples.load_example("dcgan_generator")
    onnx_export.export_onnx(graph, tmp_path / "fixed.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "fixed.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == [64, 100, 1, 1]
