"""Import keeps the hierarchy: submodules become blocks (one definition per class and structure, arguments
where instances differ, repeats for runs of one block), every size inside equals torch's, and the exported
classes load the original weights strictly and compute the same outputs; what cannot be a block stays flat
and the report says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli import main
from designer.core import blocks, project
from designer.core.block_runs import expand
from designer.core.engine import ShapeEngine
from designer.core.export import export
from designer.core.importer import import_model
from tests.core import torchvision_zoo

torch = pytest.importorskip("torch")

HERE = Path(__file__).parent
MODELS = HERE / "hierarchy_models.py"
OLD_MODELS = HERE / "import_models.py"


def build(code: str, class_name: str):
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)  # our own generated code
    return namespace[class_name]().eval()


def randomize(model) -> None:
    """Weights and statistics far from their initial values, so no mix-up of layers passes by luck."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                values = torch.rand(tensor.shape, generator=generator)
                tensor.copy_(values + 0.5 if name.endswith("running_var") else values - 0.5)


def loads_strictly_and_agrees(model, graph, shape) -> None:
    copy = build(export(graph, "Exported", keep_names=True).code, "Exported")
    randomize(model)
    assert list(copy.state_dict()) == list(model.state_dict())  # the same names, in the same order
    copy.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(*shape)
    with torch.no_grad():
        expected, got = model.eval()(x), copy(x)
    assert got.shape == expected.shape and torch.allclose(got, expected, rtol=1e-4, atol=1e-4)


def design_sizes(graph) -> dict[str, tuple[int, ...]]:
    """Every node's size by module path: top-level ids, and inner paths (``layer1/0/conv1`` is ``layer1.0.conv1``)."""
    engine = ShapeEngine(graph)
    try:
        assert engine.problems() == []
        results = {node_id: engine.result(node_id) for node_id in graph.node_ids()}
        found = {node_id: result.shape for node_id, result in results.items()}
        found.update((inner.path, inner.result.shape) for inner in expand(results))
    finally:
        engine.close()
    return {path.replace(blocks.PATH_SEPARATOR, "."): shape for path, shape in found.items()}


def torch_sizes(model, shape) -> dict[str, tuple[int, ...]]:
    seen: dict[str, tuple[int, ...]] = {}
    for path, module in model.named_modules():
        if path:
            module.register_forward_hook(lambda _m, _i, out, path=path: seen.setdefault(path, tuple(out.shape)) and None)
    with torch.no_grad():
        model.eval()(torch.randn(*shape))
    return seen


def sizes_agree(model, graph, shape) -> set[str]:
    """Every size the design has at a module path equals torch's there; the paths compared."""
    ours, theirs = design_sizes(graph), torch_sizes(model, shape)
    compared = set(ours) & set(theirs)
    assert {path: ours[path] for path in compared} == {path: theirs[path] for path in compared}
    return compared


def owners(model) -> set[str]:
    return {key.rsplit(".", 1)[0] for key in model.state_dict()}


def load(path: Path, name: str):
    from designer.core.importer import load_model

    return load_model(f"{path}:{name}")[0]


# ----- hand-written models -------------------------------------------------------------------------
def test_a_resnet_of_two_block_types_opens_as_stages_with_exact_weight_names():
    shape = (2, 3, 16, 16)
    result = import_model(f"{OLD_MODELS}:ResNetish", [shape])
    graph = result.graph
    assert graph.node_ids() == ["x", "conv1", "bn1", "relu", "layer1", "layer2", "avgpool", "flatten", "fc", "output"]
    layer1 = graph.node("layer1")  # nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 8)): one block, twice
    assert (layer1.type_name, layer1.params, layer1.repeat) == ("BasicBlock", {"in_channels": 8}, 2)
    assert set(graph.blocks) == {"BasicBlock", "BasicBlockShortcut", "Shortcut", "Layer"}
    assert graph.node("layer2").type_name == "Layer"
    stage = graph.blocks["Layer"].graph  # BasicBlock(8, 16, stride=2) has a shortcut, BasicBlock(16, 16) none
    assert [(n.id, n.type_name, n.params) for n in stage.nodes() if n.type_name not in ("Input", "Output")] == [
        ("0", "BasicBlockShortcut", {}), ("1", "BasicBlock", {"in_channels": 16}),
    ]
    basic = graph.blocks["BasicBlock"]
    assert basic.arguments == {"in_channels": 8}
    assert basic.graph.node("conv1").params["out_channels"] == {"arg": "in_channels"}
    assert basic.graph.node("conv1").params["kernel_size"] == 3  # the same in every instance: a literal
    assert [n.id for n in graph.blocks["Shortcut"].graph.nodes()] == ["x", "0", "1", "output"]
    assert result.notes == []
    model = load(OLD_MODELS, "ResNetish")
    assert owners(model) <= sizes_agree(model, graph, shape)
    loads_strictly_and_agrees(model, graph, shape)
    assert result.paths["layer1.1.conv2"] == "layer1/1/conv2" and result.paths["layer2.0.shortcut.0"] == "layer2/0/shortcut/0"


def test_copies_of_one_block_share_a_definition_and_runs_become_repeats():
    shape = (2, 3, 8, 8)
    graph = import_model(f"{MODELS}:Stacked", [shape]).graph
    top = {n.id: (n.type_name, n.params, n.repeat) for n in graph.nodes()}
    assert top["blocks"] == ("Residual", {"out_channels": 16}, 3)  # a ModuleList run by a loop
    assert top["wide"] == ("Residual", {"out_channels": 32}, 2)  # the same class built with other values
    assert top["mixed"] == ("Mixed", {}, None)  # two values: two instances, no repeat
    mixed = graph.blocks["Mixed"].graph
    assert [(n.id, n.params) for n in mixed.nodes() if n.type_name == "Residual"] == [("0", {"out_channels": 16}), ("1", {"out_channels": 24})]
    assert graph.blocks["Residual"].arguments == {"out_channels": 16}
    assert list(graph.blocks) == ["Residual", "Mixed", "Head"]
    model = load(MODELS, "Stacked")
    assert owners(model) <= sizes_agree(model, graph, shape)
    loads_strictly_and_agrees(model, graph, shape)
    code = export(graph, "Stacked", keep_names=True).code
    assert "self.blocks = nn.Sequential(*[Residual(out_channels=16) for _ in range(3)])" in code
    assert code.count("class Residual(nn.Module):") == 1


def test_structures_that_differ_get_definitions_of_their_own():
    shape = (1, 3, 64, 64)
    result = import_model(f"{MODELS}:ResNet50", [shape])
    graph = result.graph
    assert len(graph) == 13  # stem (conv1, bn1, relu, maxpool), four stages, head, input and output
    assert [graph.node(f"layer{i}").type_name for i in range(1, 5)] == ["Layer", "LayerOf4", "LayerOf6", "Layer"]
    assert set(graph.blocks) == {"Downsample", "BottleneckDownsample", "Bottleneck", "Layer", "LayerOf4", "LayerOf6"}
    assert graph.node("layer4").params == {"in_channels": 1024, "out_channels": 512, "stride": 2, "conv3_out_channels": 2048}
    assert graph.blocks["Bottleneck"].arguments == {"in_channels": 256, "out_channels": 64}
    assert "downsample" in graph.blocks["BottleneckDownsample"].graph and "downsample" not in graph.blocks["Bottleneck"].graph
    model = load(MODELS, "ResNet50")
    assert owners(model) <= sizes_agree(model, graph, shape)
    loads_strictly_and_agrees(model, graph, shape)


def test_the_exported_classes_read_as_an_engineer_writes_them(tmp_path):
    graph = import_model(f"{MODELS}:ResNet50", [(1, 3, 64, 64)]).graph
    code = export(graph, "ResNet50", keep_names=True).code
    classes = [line.split("(")[0].removeprefix("class ") for line in code.splitlines() if line.startswith("class ")]
    assert classes == ["Downsample", "BottleneckDownsample", "Bottleneck", "Layer", "LayerOf4", "LayerOf6", "ResNet50"]
    assert "class Layer(nn.Sequential):" in code and "class Downsample(nn.Sequential):" in code  # chains of 0..n-1
    assert "        self.append(Bottleneck(in_channels=512, out_channels=128))" in code
    assert "        self.layer1 = Layer(" in code and "class Bottleneck(nn.Module):" in code
    path = tmp_path / "resnet50.py"
    path.write_text(code, encoding="utf-8")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "E,F,W,I,B,UP,SIM",
                           "--line-length", "88", str(path)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_what_cannot_be_a_block_stays_flat_and_the_report_says_why():
    shape = (2, 3, 8, 8)
    result = import_model(f"{MODELS}:Awkward", [shape])
    graph = result.graph
    assert {"wrapped.conv", "wrapped.norm", "wrapped.extra", "sigmoid", "sigmoid_1"} <= set(graph.node_ids())
    assert list(graph.blocks) == ["TwoWays", "Tail"]
    flat = "stays flat (its layers sit in the design around it, not in a block)"
    assert result.notes == [
        f"Gate at gate {flat}: it is called more than once, and each call of a block is a block of its own",
        f"Wrapper at wrapped {flat}: its layer wrapped.extra is called from outside its forward()",
    ]
    two = graph.blocks["TwoWays"].graph  # a block returning two tensors: one output port each
    assert [n.id for n in two.nodes() if n.type_name == "Output"] == ["output_0", "output_1"]
    assert sorted((e.source_port, e.target) for e in graph.out_edges("split")) == [(0, "add"), (0, "sigmoid"), (1, "add_1"), (1, "sigmoid_1")]
    loads_strictly_and_agrees(load(MODELS, "Awkward"), graph, shape)


def test_a_model_traced_by_torch_export_keeps_its_blocks_too():
    result = import_model(f"{OLD_MODELS}:DataDependent", [(1, 3, 8, 8)])
    assert result.tracer == "torch.export"
    assert result.graph.node("body").type_name == "Body"
    assert [n.type_name for n in result.graph.blocks["Body"].graph.nodes()] == ["Input", "BatchNorm2d", "ReLU", "Conv2d", "Output"]
    loads_strictly_and_agrees(load(OLD_MODELS, "DataDependent"), result.graph, (1, 3, 8, 8))


def test_token_ids_enter_a_block_as_int64():
    result = import_model(f"{MODELS}:Tokens", [(2, 7)], ["int64"])
    graph = result.graph
    assert graph.node_ids() == ["tokens", "embeddings", "head", "output"] and result.notes == []
    assert graph.node("embeddings").type_name == "Embeddings"
    model = load(MODELS, "Tokens")
    copy = build(export(graph, "Exported", keep_names=True).code, "Exported")
    copy.load_state_dict(model.state_dict(), strict=True)
    tokens = torch.randint(0, 50, (2, 7))
    with torch.no_grad():
        assert torch.equal(copy(tokens), model.eval()(tokens))


def test_a_grouped_design_that_fails_its_check_gives_way_to_the_flat_one(monkeypatch):
    from designer.core import import_blocks, import_check

    checked = import_check.refusal

    def refusal(graph, *args):  # as if the grouped code did not load the weights
        return "the exported code lacks 2 weights" if graph.blocks else checked(graph, *args)

    monkeypatch.setattr(import_check, "refusal", refusal)
    result = import_model(f"{OLD_MODELS}:ResNetish", [(2, 3, 16, 16)])
    assert not result.graph.blocks and "layer2.0.shortcut.0" in result.graph
    assert result.notes == ["the design stays flat: grouped into blocks, the exported code lacks 2 weights (please report this)"]
    monkeypatch.setattr(import_check, "refusal", checked)

    def broken(*_args):
        raise KeyError("layer9")

    monkeypatch.setattr(import_blocks, "regroup", broken)
    result = import_model(f"{OLD_MODELS}:ResNetish", [(2, 3, 16, 16)])
    assert not result.graph.blocks
    assert result.notes == ["the design stays flat: grouping it into blocks failed (KeyError: 'layer9') (please report this)"]


def test_flat_gives_every_layer_at_the_top():
    result = import_model(f"{OLD_MODELS}:ResNetish", [(2, 3, 16, 16)], flat=True)
    assert not result.graph.blocks and "layer2.0.shortcut.0" in result.graph
    assert result.paths["layer2.0.shortcut.0"] == "layer2.0.shortcut.0"


def test_the_command_line_writes_the_blocks_and_the_file_round_trips(tmp_path, capsys):
    design, flat, code = tmp_path / "net.json", tmp_path / "flat.json", tmp_path / "net.py"
    args = ["import", f"{MODELS}:Stacked", "--input-shape", "N,3,8,8"]
    assert main([*args, "-o", str(design)]) == 0
    assert capsys.readouterr().out == f"wrote {design}: 7 nodes and 3 block definitions from {MODELS}:Stacked (traced with torch.fx)\n"
    data = json.loads(design.read_text())
    assert data["version"] == 3 and list(data["blocks"]) == ["Residual", "Mixed", "Head"]
    assert project.dumps(project.load(design)) == design.read_text()  # saved again: the same bytes
    assert main([*args, "-o", str(flat), "--flat"]) == 0
    assert "block definition" not in capsys.readouterr().out and "blocks" not in json.loads(flat.read_text())
    assert main(["export", str(design), "-o", str(code), "--class-name", "Exported"]) == 0
    namespace: dict = {}
    exec(compile(code.read_text(), str(code), "exec"), namespace)
    model = load(MODELS, "Stacked")
    randomize(model)
    copy = namespace["Exported"]().eval()
    copy.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(5, 3, 8, 8)  # the batch was left open
    with torch.no_grad():
        assert torch.allclose(copy(x), model.eval()(x), rtol=1e-4, atol=1e-4)


# ----- torchvision ---------------------------------------------------------------------------------
ZOO = HERE / "torchvision_zoo.py"


@pytest.mark.parametrize(
    ("name", "blocks_expected", "stages"),
    [
        ("resnet18", {"BasicBlock", "BasicBlockDownsample", "Downsample", "Layer"}, ["BasicBlock", "Layer", "Layer", "Layer"]),
        ("resnet50", {"Bottleneck", "BottleneckDownsample", "Downsample", "Layer", "LayerOf4", "LayerOf6"},
         ["Layer", "LayerOf4", "LayerOf6", "Layer"]),
    ],
)
def test_torchvision_resnets_open_as_a_stem_four_stages_and_a_head(name, blocks_expected, stages):
    missing = torchvision_zoo.missing()
    if missing:
        pytest.skip(missing)
    shape = (1, 3, 64, 64)
    result = import_model(f"{ZOO}:{name}", [shape])
    graph = result.graph
    assert graph.node_ids() == ["x", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4",
                                "avgpool", "flatten", "fc", "output"]
    assert [graph.node(f"layer{i}").type_name for i in range(1, 5)] == stages
    assert set(graph.blocks) == blocks_expected and result.notes == []
    if name == "resnet18":
        assert (graph.node("layer1").repeat, graph.node("layer1").params) == (2, {"in_channels": 64})
    model = getattr(torchvision_zoo, name)()
    assert owners(model) <= sizes_agree(model, graph, shape)
    loads_strictly_and_agrees(model, graph, shape)
