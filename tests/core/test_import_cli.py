"""``model-designer import`` and ``export`` through real subprocesses: the original weights load into the
exported class strictly and give the same outputs; refusals are one line on stderr with exit 2."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch

from designer.core import project

MODELS = Path(__file__).parent / "import_models.py"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "designer", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)


def load_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(f"cli_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize(("name", "shape"), [("ResNetish", "2,3,16,16"), ("make_generator", "2,8,1,1")])
def test_import_then_export_loads_the_original_weights(name, shape, tmp_path):
    design, code = tmp_path / "design.json", tmp_path / "model.py"
    run = cli("import", f"{MODELS}:{name}", "-o", str(design), "--input-shape", shape)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"wrote {design}: ") and "traced with torch.fx" in run.stdout and run.stderr == ""
    graph = project.load(design)  # a plain project file: opening it runs nothing
    assert all(node.position is not None for node in graph.nodes())
    run = cli("export", str(design), "-o", str(code), "--class-name", "Exported")
    assert run.returncode == 0, run.stderr
    original = load_file(MODELS, name)().eval()
    for module in original.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_var.uniform_(0.5, 1.5)
    copy = load_file(code, "Exported")().eval()
    copy.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(*(int(d) for d in shape.split(",")))
    with torch.no_grad():
        assert torch.allclose(copy(x), original(x), atol=1e-5)


def test_two_inputs_and_onnx_from_the_command_line(tmp_path):
    design, out = tmp_path / "two.json", tmp_path / "two.onnx"
    run = cli("import", f"{MODELS}:TwoInputs", "-o", str(design), "--input-shape", "2,6", "--input-shape", "2,3")
    assert run.returncode == 0, run.stderr
    run = cli("export", str(design), "--format", "onnx", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote {out}: ONNX model of class TwoInputs, 3 layers\n" and run.stderr == ""
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    results = session.run(None, {"x": np.ones((2, 6), np.float32), "y": np.ones((2, 3), np.float32)})
    assert [r.shape for r in results] == [(2, 4), (2, 4)]
    np.testing.assert_allclose(np.tanh(results[0]), results[1], rtol=1e-5, atol=1e-6)


def test_the_module_form_and_the_working_folder(tmp_path):
    (tmp_path / "nets.py").write_text("from torch import nn\n\n\ndef tiny():\n    return nn.Sequential(nn.Linear(4, 2), nn.Tanh())\n")
    run = cli("import", "nets:tiny", "-o", "tiny.json", "--input-shape", "3,4", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert [n.id for n in project.load(tmp_path / "tiny.json").nodes()] == ["input", "0", "1", "output"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["Unsupported", "1,3,8,8"], "1× torch.cumsum: the designer has no layer for it\n    the model itself (Unsupported) at "),
        (["SharedWeights", "2,4"], "shares its weights"),
        (["Missing", "1,3"], "has no 'Missing' (models it defines: ResNetish"),
        (["ResNetish", "1,3,a"], "is not a list of sizes like 1,3,224,224"),
        (["ResNetish", "1,5,16,16"], "running the model on random inputs failed: RuntimeError: "),
    ],
)
def test_refusals_are_sentences_with_exit_2_and_write_nothing(args, expected, tmp_path):
    out = tmp_path / "out.json"
    run = cli("import", f"{MODELS}:{args[0]}", "-o", str(out), "--input-shape", args[1])
    assert run.returncode == 2
    assert run.stderr.startswith("model-designer: ") and expected in run.stderr
    lines = 3 if args[0] in ("Unsupported", "SharedWeights") else 1  # a count, then each operation and its places
    assert run.stderr.count("\n") == lines and "Traceback" not in run.stderr
    assert not out.exists()


def test_onnx_needs_an_output_file(tmp_path):
    design = tmp_path / "g.json"
    assert cli("import", f"{MODELS}:make_generator", "-o", str(design), "--input-shape", "1,8,1,1").returncode == 0
    run = cli("export", str(design), "--format", "onnx")
    assert run.returncode == 2 and run.stderr == "model-designer: --format onnx writes a binary file: give it with -o OUT.onnx\n"
