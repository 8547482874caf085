"""``model-designer check``: every example runs in the installed torch and agrees node by node; a design with
errors, a disagreement, an unreadable file and a machine without torch each end in their exit code."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli import main
from designer.core import catalog, project, torch_version
from designer.core.graph import Edge, Graph, Node
from designer.core.torch_check import RUN_BATCH, check

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
NODE_KEYS = {"id", "shape", "torch_shape", "params", "torch_params"}
REPORT_KEYS = {
    "torch", "device", "agree", "nodes", "forward_ms", "backward_ms", "peak_memory_bytes",
    "estimated_training_memory_bytes",
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_agrees_with_torch(path):
    graph = project.load(path)
    report = check(graph)
    assert report.agree, [n.to_dict() for n in report.disagreements]
    assert [n.id for n in report.nodes] and all(n.ran for n in report.nodes)
    for node in report.nodes:
        assert node.torch_shape == node.shape and node.torch_params == node.params, node
    assert report.torch == torch_version.installed_text().split("+")[0]
    assert report.forward_ms > 0 and report.backward_ms > 0
    assert report.peak_memory_bytes > 0 and report.estimated_training_memory_bytes > 0


def test_json_has_the_keys_the_issue_names(tmp_path, capsys):
    path = ROOT / "resources" / "examples" / "espcn.json"
    assert main(["check", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= REPORT_KEYS and data["agree"] is True and data["device"] == "cpu"
    assert data["torch"] == torch_version.installed_text().split("+")[0]
    assert all(set(node) >= NODE_KEYS for node in data["nodes"])
    conv1 = next(n for n in data["nodes"] if n["id"] == "conv1")
    assert conv1["shape"] == conv1["torch_shape"] == [1, 64, 64, 64] and conv1["params"] == conv1["torch_params"] == 1664


def _chain(first_shape, layers) -> Graph:
    graph = Graph("chain")
    graph.add_node(Node("x", "Input", {"shape": first_shape}))
    previous = "x"
    for i, (type_name, params) in enumerate(layers):
        node_id = f"l{i}"
        graph.add_node(Node(node_id, type_name, params))
        graph.connect(Edge(previous, node_id, 0))
        previous = node_id
    return graph


def test_an_open_batch_runs_at_a_concrete_batch():
    graph = _chain(["N", 3, 8, 8], [("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3}), ("Flatten", {})])
    report = check(graph)
    assert report.agree and report.batch == RUN_BATCH
    assert {n.id: n.torch_shape for n in report.nodes} == {"x": [2, 3, 8, 8], "l0": [2, 4, 6, 6], "l1": [2, 144]}


def test_statements_are_compared_too():
    """Add and Concat are lines of forward(), not layers: their sizes come from forward()'s locals."""
    graph = Graph("merge")
    graph.add_node(Node("x", "Input", {"shape": [1, 2, 4]}))
    graph.add_node(Node("a", "Conv1d", {"in_channels": 2, "out_channels": 2, "kernel_size": 1}))
    graph.add_node(Node("sum", "Add", {}))
    graph.add_node(Node("cat", "Concat", {"dim": 1}))
    for edge in [Edge("x", "a", 0), Edge("a", "sum", 0), Edge("x", "sum", 1), Edge("sum", "cat", 0), Edge("a", "cat", 1)]:
        graph.connect(edge)
    report = check(graph)
    shapes = {n.id: n.torch_shape for n in report.nodes}
    assert report.agree and shapes["sum"] == [1, 2, 4] and shapes["cat"] == [1, 4, 4]


def test_a_disagreement_is_named_and_exits_1(tmp_path, monkeypatch, capsys):
    """A rule that got a size wrong (simulated) is caught by torch's hook on that very node."""
    path = tmp_path / "design.json"
    project.save(_chain([1, 3, 8, 8], [("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3})]), path)
    spec = catalog.get("Conv2d")
    wrong_rule = dataclasses.replace(spec, infer=lambda ctx: dataclasses.replace(spec.infer(ctx), shape=(1, 4, 7, 7)))
    monkeypatch.setitem(catalog._SPECS, "Conv2d", wrong_rule)
    assert main(["check", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["agree"] is False
    wrong = next(n for n in data["nodes"] if n["id"] == "l0")
    assert wrong["shape"] == [1, 4, 7, 7] and wrong["torch_shape"] == [1, 4, 6, 6]
    assert "node 'l0': torch gives 1×4×6×6, the designer says 1×4×7×7" in captured.err


def test_a_design_torch_rejects_exits_1_naming_the_node(tmp_path, capsys):
    path = tmp_path / "broken.json"
    project.save(_chain([1, 3, 8, 8], [("Conv2d", {"in_channels": 5, "out_channels": 4, "kernel_size": 3})]), path)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "broken.json" in err and "expects 5 input channels but receives 3" in err


def test_an_unreadable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "nonsense.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert main(["check", str(tmp_path / "missing.json")]) == 2


_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # "import torch" now raises ImportError, as on a machine without it
from designer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_torch_it_exits_3_saying_what_to_install():
    example = ROOT / "resources" / "examples" / "espcn.json"
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH, "check", str(example), "--json"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert "not installed: pip install torch --index-url https://download.pytorch.org/whl/cpu" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cuda_without_a_gpu_exits_3(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    assert main(["check", str(ROOT / "resources" / "examples" / "espcn.json"), "--device", "cuda"]) == 3
    assert "sees no CUDA device here; use --device cpu" in capsys.readouterr().err


def test_block_instances_are_checked_as_their_exported_classes():
    from tests.core import block_designs

    graph = project.loads(block_designs.text(block_designs.residual_stage()), "stage.json")
    report = check(graph)
    instances = [n for n in report.nodes if graph.node(n.id).type_name not in catalog.type_names()]
    assert report.agree and instances and all(n.ran and n.torch_params == n.params > 0 for n in instances)
