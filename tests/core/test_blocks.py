"""Blocks: sizes and parameter totals through instances against independent torch models, the errors of a
broken instance, strict loading of v3 files with the place named, round trips, memoization, incremental
refresh and the open batch through instances."""

from __future__ import annotations

import copy
import json

import pytest

from designer.core import block_runs, project
from designer.core.engine import ShapeEngine
from designer.core.graph import Node
from tests.core import block_designs as bd


def load(data: dict):
    return project.loads(bd.text(data))


def engine_for(data: dict):
    graph = load(data)
    return graph, ShapeEngine(graph)


def torch_sizes(model, inputs, names: dict) -> dict[str, tuple[int, ...]]:
    """Output sizes of the submodules ``names`` maps (our node id → module), from forward hooks."""
    import torch

    seen = {}
    for node_id, module in names.items():
        module.register_forward_hook(lambda _m, _i, out, node_id=node_id: seen.__setitem__(node_id, tuple(out.shape)))
    with torch.no_grad():
        seen["__out__"] = tuple(model.eval()(*inputs).shape)
    return seen


def param_total(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_resnet18_sizes_per_instance_and_params_match_torch():
    import torch

    graph, engine = engine_for(bd.resnet18(size=64))
    model = bd.torch_resnet18()
    names = {"layer1": model[4]}
    for stage in (2, 3, 4):
        names[f"layer{stage}_0"], names[f"layer{stage}_1"] = model[3 + stage][0], model[3 + stage][1]
    sizes = torch_sizes(model, [torch.randn(2, 3, 64, 64)], names)
    for node_id in names:
        assert engine.result(node_id).shape == sizes[node_id], node_id
    assert engine.result("logits").shape == sizes["__out__"]
    assert engine.total_params() == param_total(model) == 11_181_642
    assert engine.result("layer2_0").param_count == param_total(model[5][0])
    assert engine.result("layer1").param_count == param_total(model[4])  # repeat 2 counts both copies


def test_residual_stage_repeat_sizes_paths_and_params_match_torch():
    import torch

    graph, engine = engine_for(bd.residual_stage(size=16, repeat=3))
    model = bd.torch_residual_stage(3)
    sizes = torch_sizes(model, [torch.randn(2, 32, 16, 16)], {"stage": model[2]})
    assert engine.result("stage").shape == sizes["stage"]
    assert engine.result("y").shape == sizes["__out__"]
    assert engine.total_params() == param_total(model)
    paths = {inner.path: inner.result for inner in block_runs.expand({n: engine.result(n) for n in graph.node_ids()})}
    assert {f"stage/{k}/conv" for k in range(3)} <= set(paths)
    assert "stage/3/conv" not in paths
    assert paths["stage/2/conv"].shape == (2, 32, 16, 16)
    assert paths["stage/2/conv"].param_count == param_total(model[2].body[0])


def test_unet_up_block_takes_the_skip_as_second_input_and_matches_torch():
    import torch

    graph, engine = engine_for(bd.unet(size=64, base=8))
    model = bd.torch_unet(8)
    names = {n: getattr(model, n) for n in ("inc", "down1", "down2", "up1", "up2")}
    sizes = torch_sizes(model, [torch.randn(1, 3, 64, 64)], names)
    for node_id in names:
        assert engine.result(node_id).shape == sizes[node_id], node_id
    assert engine.result("mask").shape == sizes["__out__"] == (1, 2, 64, 64)
    assert engine.total_params() == param_total(model)
    # the Up block's inner Concat saw the skip (port 1 of the instance) first
    cat = block_runs.find_path({n: engine.result(n) for n in graph.node_ids()}, "up1/cat")
    assert cat.result.shape == (1, 32, 32, 32)


def test_broken_instance_reports_on_the_instance_naming_inner_node_and_argument():
    graph, engine = engine_for(bd.resnet18(broken=True))
    result = engine.result("layer3_1")
    assert result.error is not None
    message = result.message()
    assert "layer3_1/conv1" in message and "cin" in message and "BasicBlock 'layer3_1'" in message
    assert result.error.param == "cin"
    assert result.error.extra["path"] == "layer3_1/conv1" and result.error.extra["argument"] == "cin"
    assert engine.result("layer4_0").blocked_by == "layer3_1"
    assert engine.result("layer3_0").ok
    assert [node_id for node_id, _ in engine.problems()] == ["layer3_1"]


def test_nested_error_path_goes_through_every_level():
    data = bd.unet()
    up1 = next(n for n in data["nodes"] if n["id"] == "up1")
    up1["params"]["cout"] = 8  # the upsampled 8 channels + the 16-channel skip reach DoubleConv(cin=32)
    graph, engine = engine_for(data)
    error = engine.result("up1").error
    assert error.extra["path"] == "up1/conv/conv1"
    assert "up1/conv/conv1" in error.message


def test_twelve_identical_instances_run_their_block_once(monkeypatch):
    data = bd.residual_stage()
    top = bd.Sheet()
    y = top.add("x", "Input", {"shape": [1, 32, 8, 8]})
    for i in range(12):
        y = top.add(f"layer{i}", "Residual", {"channels": 32}, y)
    data["nodes"], data["edges"] = top.nodes, top.edges
    calls = []
    original = block_runs.BlockRunner._compute
    monkeypatch.setattr(block_runs.BlockRunner, "_compute", lambda self, *a: calls.append(a) or original(self, *a))
    graph, engine = engine_for(data)
    assert engine.result("layer11").shape == (1, 32, 8, 8)
    assert len(calls) == 1


def test_incremental_refresh_equals_a_full_pass_through_instances():
    graph, engine = engine_for(bd.resnet18(size=64))
    for shape in ([2, 3, 96, 96], [1, 3, 33, 47], [2, 3, 8, 8], [2, 3, 64, 64]):
        graph.set_params("image", {"shape": shape})
        engine.refresh()
        fresh = ShapeEngine(graph)
        for node_id in graph.node_ids():
            assert engine.result(node_id)[:6] == fresh.result(node_id)[:6], (shape, node_id)
        fresh.close()
    graph.set_params("layer2_0", {"cin": 64, "cout": 256, "stride": 1})
    engine.refresh()
    fresh = ShapeEngine(graph)
    assert engine.result("layer2_1").error is not None
    assert engine.result("layer2_1").message() == fresh.result("layer2_1").message()


def test_open_batch_flows_through_instances():
    data = bd.resnet18(size=64)
    data["nodes"][0]["params"]["shape"] = ["N", 3, 64, 64]
    graph, engine = engine_for(data)
    assert engine.symbolic
    assert engine.result("layer4_1").display_shape == ("N", 512, 2, 2)
    assert engine.result("logits").display_shape == ("N", 10)


def token_design(dtype: str) -> dict:
    """Token ids through an embedding block, then a block that only passes its input on, repeated."""
    embed = bd.Sheet()
    embed.add("e", "Embedding", {"num_embeddings": bd.arg("vocab"), "embedding_dim": 8}, embed.add("x", "Input"))
    embed.add("out", "Output", {}, "e")
    relay = bd.Sheet()
    relay.add("out", "Output", {}, relay.add("x", "Input"))
    top = bd.Sheet()
    top.add("tokens", "Input", {"shape": [2, 7], "dtype": dtype})
    top.add("ids", "Relay", {}, "tokens", repeat=2)
    top.add("emb", "Embed", {"vocab": 50}, "ids")
    data = bd.design("tokens", {"Embed": embed.block({"vocab": 10}), "Relay": relay.block({})}, top)
    data["version"] = 4
    return data


def test_token_ids_keep_their_dtype_through_instances():
    import torch

    graph, engine = engine_for(token_design("int64"))
    assert engine.problems() == []
    assert engine.result("ids").dtype == "int64"  # passed on through both copies
    assert engine.result("emb").shape == tuple(torch.nn.Embedding(50, 8)(torch.zeros(2, 7, dtype=torch.long)).shape)
    _, engine = engine_for(token_design("float32"))  # torch: an embedding takes integer indices only
    with pytest.raises(RuntimeError):
        torch.nn.Embedding(50, 8)(torch.zeros(2, 7))
    (node_id, sentence), = engine.problems()
    assert node_id == "emb" and "emb/e" in sentence


# ----- files -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [bd.resnet18, bd.residual_stage, bd.unet])
def test_v3_round_trip_gives_identical_text(make):
    text = project.dumps(load(make()))
    assert '"version": 3' in text
    assert project.dumps(project.loads(text)) == text


def test_design_without_blocks_is_still_written_at_version_1():
    data = bd.resnet18()
    graph = load(data)
    plain = project.loads(project.dumps(graph))
    for node_id in [n.id for n in plain.nodes() if n.type_name in plain.blocks]:
        plain.remove_node(node_id)
    plain.blocks.clear()
    assert '"version": 1' in project.dumps(plain)


def malformed(mutate) -> str:
    data = bd.resnet18()
    mutate(data)
    with pytest.raises(project.ProjectError) as info:
        project.loads(json.dumps(data), "net.json")
    return str(info.value)


def _node(data, node_id, block=None):
    nodes = data["blocks"][block]["nodes"] if block else data["nodes"]
    return next(n for n in nodes if n["id"] == node_id)


def _recursive(data):
    _node(data, "relu1", "BasicBlock")["type"] = "DownBlock"
    _node(data, "relu1", "DownBlock")["type"] = "BasicBlock"


@pytest.mark.parametrize(
    ("mutate", "place", "words"),
    [
        (lambda d: _node(d, "layer2_1")["params"].update(width=3), "nodes[7] (id 'layer2_1')", "no argument 'width'"),
        (lambda d: _node(d, "layer2_1")["params"].update(cin="wide"), "nodes[7] (id 'layer2_1')", "cin must be an integer"),
        (lambda d: _node(d, "conv1", "BasicBlock")["params"].update(out_channels={"arg": "width"}),
         "blocks.BasicBlock.nodes[1] (id 'conv1')", "'width', which the block does not declare"),
        (_recursive, "blocks.BasicBlock", "cannot contain itself"),
        (lambda d: _node(d, "relu1", "BasicBlock").update(type="BasicBlock"), "blocks.BasicBlock", "uses itself"),
        (lambda d: d["blocks"].update(Conv2d=d["blocks"]["BasicBlock"]), "blocks.Conv2d", "is a layer type"),
        (lambda d: _node(d, "x", "BasicBlock")["params"].update(shape=[1, 64, 8, 8]),
         "blocks.BasicBlock.nodes[0] (id 'x')", "takes its size from where the block is used"),
        (lambda d: d["blocks"]["BasicBlock"].update(extra=1), "blocks.BasicBlock", "unknown field 'extra'"),
        (lambda d: d["blocks"]["BasicBlock"].update(arguments=[1]), "blocks.BasicBlock.arguments", "must be an object"),
        (lambda d: d["blocks"]["BasicBlock"]["arguments"].update(c={"arg": "cin"}), "blocks.BasicBlock.arguments",
         "plain value"),
        (lambda d: _node(d, "out", "BasicBlock").update(type="Identity"), "blocks.BasicBlock", "no Output node"),
        (lambda d: _node(d, "layer2_1").update(repeat=0), "nodes[7] (id 'layer2_1')", "\"repeat\" must be an integer"),
        (lambda d: _node(d, "conv1").update(repeat=2), "nodes[1] (id 'conv1')", "only a block can repeat"),
        (lambda d: _node(d, "conv1", "DownBlock").update(id="a/b"), "blocks.DownBlock.nodes[1]", "cannot contain '/'"),
        (lambda d: _node(d, "layer2_1").update(type="BasicBlok"), "nodes[7] (id 'layer2_1')", "did you mean 'BasicBlock'"),
        (lambda d: d.update(blocks=[]), "", "\"blocks\" must be an object"),
        (lambda d: d["edges"].append({"source": "image", "target": "layer2_1", "target_port": 1}), "edges[15]",
         "BasicBlock 'layer2_1' has 1 input(s), one per Input node of the block (ports 0 ('x')), so there is no input 1"),
    ],
)
def test_malformed_block_files_are_refused_naming_the_place(mutate, place, words):
    message = malformed(mutate)
    assert message.startswith("net.json: ")
    assert place in message and words in message, message


def test_repeat_needs_one_input_and_one_output():
    data = bd.unet()
    _node(data, "up1")["repeat"] = 2
    with pytest.raises(project.ProjectError, match=r"nodes\[4\] \(id 'up1'\).*exactly one Input and one Output"):
        project.loads(json.dumps(data))


def test_edits_keep_instance_rules():
    graph = load(bd.residual_stage())
    with pytest.raises(ValueError, match="no argument 'width'"):
        graph.add_node(Node("extra", "Residual", {"width": 3}))
    with pytest.raises(ValueError, match="exactly one Input"):
        graph.blocks["Residual"].graph.add_node(Node("x2", "Input"))
        graph.add_node(Node("again", "Residual", {}, repeat=2))
    spec = graph.spec("Residual")
    assert spec.kind == "block" and spec.param_names == ("channels",)
    assert copy.deepcopy(spec.param("channels").default) == 16


def test_editing_a_definition_updates_every_instance_as_a_fresh_pass_would():
    graph, engine = engine_for(bd.unet())
    double = graph.blocks["DoubleConv"].graph  # used by inc directly and by down1/down2/up1/up2 inside blocks
    double.set_params("conv2", {"in_channels": {"arg": "cout"}, "out_channels": {"arg": "cout"}, "kernel_size": 3,
                                "padding": 0, "bias": False})
    changes = engine.refresh()
    fresh = ShapeEngine(graph)
    assert {"inc", "down1", "up2"} <= changes.nodes
    for node_id in graph.node_ids():
        assert engine.result(node_id)[:6] == fresh.result(node_id)[:6], node_id
    assert engine.result("inc").shape == (1, 8, 62, 62)
    assert engine.total_params() == fresh.total_params()


def test_references_inside_lists_bind_and_export(tmp_path):
    import torch

    data = bd.residual_stage(repeat=2)
    conv = _node(data, "conv", "Residual")["params"]
    conv["kernel_size"], conv["padding"] = [{"arg": "k"}, {"arg": "k"}], [{"arg": "pad"}, 1]
    data["blocks"]["Residual"]["arguments"].update(k=3, pad=1)
    _node(data, "stage")["params"].update(k=5, pad=2)
    graph, engine = engine_for(data)
    inner = block_runs.find_path({n: engine.result(n) for n in graph.node_ids()}, "stage/0/conv")
    assert inner.node.params["kernel_size"] == [5, 5]
    assert inner.result.shape == (2, 32, 16, 14)  # 16 + 2·2 − 5 + 1 rows, 16 + 2·1 − 5 + 1 columns
    assert engine.result("stage").error is not None  # the Add inside cannot add 16×14 to 16×16
    _node(data, "stage")["params"].update(pad=[2, 2][0])
    conv["padding"] = [{"arg": "pad"}, {"arg": "pad"}]
    graph, engine = engine_for(data)
    assert engine.result("y").shape == (2, 8, 16, 16)
    from designer.core.export import export
    from tests.core.test_export import load_module

    result = export(graph)
    assert "kernel_size=(k, k)" in result.code
    module, _ = load_module(result.code, tmp_path, "listref")
    with torch.no_grad():
        assert tuple(getattr(module, result.class_name)()(torch.randn(2, 32, 16, 16)).shape) == (2, 8, 16, 16)


def test_repeat_may_be_an_argument_inside_a_block(tmp_path):
    import torch

    data = bd.residual_stage(repeat=1)
    stage = bd.Sheet()
    y = stage.add("x", "Input")
    y = stage.add("body", "Residual", {"channels": {"arg": "channels"}}, y, repeat={"arg": "depth"})
    stage.add("out", "Output", {}, y)
    data["blocks"]["Stage"] = stage.block({"channels": 32, "depth": 2})
    _node(data, "stage").update(type="Stage", params={"depth": 3})
    del _node(data, "stage")["repeat"]
    graph, engine = engine_for(data)
    reference = bd.torch_residual_stage(3)
    assert engine.result("y").shape == (2, 8, 16, 16)
    assert engine.total_params() == sum(p.numel() for p in reference.parameters())
    paths = [i.path for i in engine.inner_nodes()]
    assert "stage/body/2/conv" in paths and "stage/body/3/conv" not in paths
    text = project.dumps(graph)
    assert '"repeat": {"arg": "depth"}' in text and project.dumps(project.loads(text)) == text
    from designer.core.export import export
    from tests.core.test_export import load_module

    result = export(graph)
    assert "for _ in range(depth)" in result.code
    module, _ = load_module(result.code, tmp_path, "repeat_arg")
    model = getattr(module, result.class_name)()
    assert sum(p.numel() for p in model.parameters()) == engine.total_params()
    with torch.no_grad():
        assert tuple(model(torch.randn(2, 32, 16, 16)).shape) == (2, 8, 16, 16)
    data["blocks"]["Stage"]["nodes"][1]["repeat"] = {"arg": "layers"}
    with pytest.raises(project.ProjectError, match=r"blocks.Stage.nodes\[1\] \(id 'body'\): repeat refers to .*'layers'"):
        project.loads(json.dumps(data))
