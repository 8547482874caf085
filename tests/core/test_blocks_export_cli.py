"""Blocks end to end: the exported classes (one per block, arguments as __init__ parameters, repeat as
nn.Sequential) run and match independent torch models; the CLI reports instances, inner paths and bad files."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from designer.cli import main
from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.export import export
from tests.core import block_designs as bd
from tests.core.test_export import load_module

torch = pytest.importorskip("torch")

DESIGNS = {
    "resnet18": (bd.resnet18, bd.torch_resnet18, (2, 3, 64, 64), ("BasicBlock", "DownBlock", "ResNet18")),
    "stage": (bd.residual_stage, bd.torch_residual_stage, (2, 32, 16, 16), ("Residual", "ResidualStage")),
    "unet": (bd.unet, bd.torch_unet, (1, 3, 64, 64), ("DoubleConv", "Down", "Up", "UNet")),
}


@pytest.mark.parametrize("name", DESIGNS)
def test_exported_classes_run_and_match_the_torch_reference(name, tmp_path):
    make, reference, size, classes = DESIGNS[name]
    graph = project.loads(bd.text(make()))
    result = export(graph)
    tree = ast.parse(result.code)
    assert [c.name for c in tree.body if isinstance(c, ast.ClassDef)] == list(classes)
    module, path = load_module(result.code, tmp_path, name)
    model = getattr(module, result.class_name)().eval()
    expected = reference().eval()
    x = torch.randn(*size)
    with torch.no_grad():
        assert tuple(model(x).shape) == tuple(expected(x).shape)
    assert sum(p.numel() for p in model.parameters()) == sum(p.numel() for p in expected.parameters())
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "E,F,W,I,B,UP,SIM",
                           "--line-length", "120", str(path)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_block_class_takes_its_arguments_with_the_files_defaults(tmp_path):
    graph = project.loads(bd.text(bd.resnet18()))
    module, _ = load_module(export(graph).code, tmp_path, "blocks_args")
    block = module.DownBlock()  # the defaults from the file: cin 64, cout 128, stride 2
    with torch.no_grad():
        assert tuple(block(torch.randn(1, 64, 8, 8)).shape) == (1, 128, 4, 4)
        assert tuple(module.DownBlock(cin=32, cout=16, stride=1)(torch.randn(1, 32, 8, 8)).shape) == (1, 16, 8, 8)
    model = module.ResNet18()
    assert isinstance(model.layer1, torch.nn.Sequential) and len(model.layer1) == 2
    assert "layer1.1.conv2.weight" in model.state_dict()  # torchvision's own weight names


def test_every_instance_size_matches_the_exported_model(tmp_path):
    graph = project.loads(bd.text(bd.unet()))
    engine = ShapeEngine(graph)
    result = export(graph)
    module, _ = load_module(result.code, tmp_path, "unet_sizes")
    model = getattr(module, result.class_name)().eval()
    seen = {}
    for node_id, attribute in result.attributes.items():
        model.get_submodule(attribute).register_forward_hook(
            lambda _m, _i, out, node_id=node_id: seen.__setitem__(node_id, tuple(out.shape))
        )
    with torch.no_grad():
        model(torch.randn(1, 3, 64, 64))
    assert {n: engine.shape(n) for n in seen} == seen
    assert set(seen) >= {"inc", "down1", "down2", "up1", "up2", "head"}


# ----- CLI ---------------------------------------------------------------------------------------------
def write(tmp_path, data: dict, name: str = "design.json") -> str:
    path = tmp_path / name
    path.write_text(bd.text(data), encoding="utf-8")
    return str(path)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_shapes_json_reports_instances_and_expands_inner_paths(tmp_path, capsys):
    path = write(tmp_path, bd.residual_stage(repeat=3))
    code, out, _ = run_cli(capsys, "shapes", path, "--json")
    data = json.loads(out)
    assert code == 0
    assert [n["id"] for n in data["nodes"]] == ["x", "stage", "head", "y"]
    stage = data["nodes"][1]
    assert stage["type"] == "Residual" and stage["shape"] == [2, 32, 16, 16] and stage["repeat"] == 3
    assert data["total_params"] == sum(p.numel() for p in bd.torch_residual_stage(3).parameters())
    code, out, _ = run_cli(capsys, "shapes", path, "--json", "--expand")
    ids = [n["id"] for n in json.loads(out)["nodes"]]
    assert ids.index("stage") < ids.index("stage/0/conv") < ids.index("stage/2/conv") < ids.index("head")
    inner = next(n for n in json.loads(out)["nodes"] if n["id"] == "stage/2/conv")
    assert inner["shape"] == [2, 32, 16, 16] and inner["params"] == 32 * 32 * 9 + 32


def test_shapes_names_the_broken_instance_inner_node_and_argument(tmp_path, capsys):
    path = write(tmp_path, bd.resnet18(broken=True))
    code, out, _ = run_cli(capsys, "shapes", path, "--json", "--expand")
    nodes = {n["id"]: n for n in json.loads(out)["nodes"]}
    assert code == 1
    broken = nodes["layer3_1"]
    assert "layer3_1/conv1" in broken["error"] and "cin" in broken["error"]
    assert broken["error_at"] == "layer3_1/conv1" and broken["error_argument"] == "cin"
    assert nodes["layer4_0"]["blocked_by"] == "layer3_1"
    assert nodes["layer3_1/conv1"]["error"] is not None
    assert nodes["layer3_1/bn1"]["blocked_by"] == "layer3_1/conv1"
    assert [n for n, e in nodes.items() if e["error"] and "/" not in n and e["blocked_by"] is None] == ["layer3_1"]


def test_open_batch_reads_n_inside_instances(tmp_path, capsys):
    data = bd.residual_stage()
    data["nodes"][0]["params"]["shape"] = ["N", 32, 16, 16]
    code, out, _ = run_cli(capsys, "shapes", write(tmp_path, data), "--json", "--expand")
    nodes = {n["id"]: n for n in json.loads(out)["nodes"]}
    assert nodes["stage"]["shape"] == ["N", 32, 16, 16]
    assert nodes["stage/1/conv"]["shape"] == ["N", 32, 16, 16]


def test_stats_and_explain_work_on_instances_and_inner_paths(tmp_path, capsys):
    path = write(tmp_path, bd.resnet18())
    code, out, _ = run_cli(capsys, "stats", path, "--json")
    stats = json.loads(out)
    assert code == 0
    reference = bd.torch_resnet18()
    assert stats["total"]["params"] == sum(p.numel() for p in reference.parameters())
    assert stats["total"]["buffers"] == sum(b.numel() for b in reference.buffers())
    layer = next(n for n in stats["nodes"] if n["id"] == "layer2_0")
    assert layer["params"] == sum(p.numel() for p in reference[5][0].parameters())
    assert layer["macs"] > 0
    code, out, _ = run_cli(capsys, "explain", path, "layer2_0/conv1", "--json")
    assert code == 0
    explained = json.loads(out)
    assert explained["output"]["shape"] == [2, 128, 8, 8]
    code, out, _ = run_cli(capsys, "explain", path, "layer2_0")
    assert code == 0 and "DownBlock" in out and "2×128×8×8" in out


def test_flops_of_an_instance_add_up_its_layers(tmp_path, capsys):
    from torch.utils.flop_counter import FlopCounterMode

    path = write(tmp_path, bd.resnet18())
    _, out, _ = run_cli(capsys, "stats", path, "--json")
    stats = json.loads(out)
    block = bd.torch_resnet18()[5][0].eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        block(torch.randn(2, 64, 16, 16))
    layer = next(n for n in stats["nodes"] if n["id"] == "layer2_0")
    assert 2 * layer["macs"] == counter.get_total_flops()


@pytest.mark.parametrize("command", [["shapes"], ["shapes", "--json"], ["stats"], ["export"], ["explain", "-", "x"]])
def test_bad_block_files_exit_2_with_one_line(tmp_path, capsys, command):
    data = bd.resnet18()
    data["blocks"]["BasicBlock"]["nodes"][3]["type"] = "DownBlock"
    data["blocks"]["DownBlock"]["nodes"][3]["type"] = "BasicBlock"
    path = write(tmp_path, data, "recursive.json")
    argv = [command[0], path, *command[1:]] if command[0] != "explain" else ["explain", path, "x"]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and "recursive.json" in err and "cannot contain itself" in err
    assert "Traceback" not in err


def two_output_design() -> dict:
    """A block with two Output nodes (a strided branch and a same-size branch), its outputs wired apart."""
    inner = bd.Sheet()
    x = inner.add("x", "Input")
    low = inner.add("low", "Conv2d", {"in_channels": bd.arg("c"), "out_channels": bd.arg("wide"), "kernel_size": 3,
                                      "stride": 2, "padding": 1}, x)
    same = inner.add("same", "Conv2d", {"in_channels": bd.arg("c"), "out_channels": bd.arg("c"), "kernel_size": 1}, x)
    inner.add("coarse", "Output", {}, low)
    inner.add("fine", "Output", {}, same)
    top = bd.Sheet()
    top.add("image", "Input", {"shape": [2, 8, 16, 16]})
    top.add("branches", "Branches", {"c": 8, "wide": 24}, "image")
    top.add("head", "Conv2d", {"in_channels": 8, "out_channels": 4, "kernel_size": 3}, "branches")
    top.add("out_coarse", "Output", {}, "branches")
    top.add("out_fine", "Output", {}, "head")
    top.edges[1]["source_port"] = 1  # head reads the block's second output, "fine"
    data = bd.design("two_outputs", {"Branches": inner.block({"c": 8, "wide": 16})}, top)
    data["version"] = 4  # edges from another output than the first
    return data


def test_a_block_with_two_outputs_gives_each_its_size_and_exports_a_tuple(tmp_path, capsys):
    graph = project.loads(bd.text(two_output_design()))
    engine = ShapeEngine(graph)
    assert engine.result("branches").output_shapes == ((2, 24, 8, 8), (2, 8, 16, 16))
    assert engine.shape("head") == (2, 4, 14, 14) and engine.shape("out_coarse") == (2, 24, 8, 8)
    # The exported model runs in torch and gives what the engine says, per output.
    result = export(graph)
    module, _ = load_module(result.code, tmp_path, "two_outputs")
    model = getattr(module, result.class_name)().eval()
    with torch.no_grad():
        coarse, fine = model(torch.randn(2, 8, 16, 16))
        low, same = module.Branches(c=8, wide=24)(torch.randn(2, 8, 16, 16))
    assert (tuple(coarse.shape), tuple(fine.shape)) == ((2, 24, 8, 8), (2, 4, 14, 14))
    assert (tuple(low.shape), tuple(same.shape)) == ((2, 24, 8, 8), (2, 8, 16, 16))
    code, out, _ = run_cli(capsys, "shapes", write(tmp_path, two_output_design()), "--json")
    node = next(n for n in json.loads(out)["nodes"] if n["id"] == "branches")
    assert code == 0 and node["shape"] == [2, 24, 8, 8] and node["output_shapes"] == [[2, 24, 8, 8], [2, 8, 16, 16]]


def test_a_block_output_port_beyond_its_outputs_is_refused(tmp_path, capsys):
    data = two_output_design()
    data["edges"][1]["source_port"] = 2
    code, _, err = run_cli(capsys, "shapes", write(tmp_path, data))
    assert code == 2 and "edges[1].source_port" in err and "'branches' has 2 outputs, so there is no output 2" in err
