"""Group into Block, Ungroup and Make Unique (designer.core.grouping): every size and the parameter total
stay as before, undo gives back the very file and redo the grouped one, the exported model runs in torch
with the engine's sizes, and what cannot be grouped is refused with a sentence."""

from __future__ import annotations

import json

import pytest

from designer.core import blocks, grouping, project
from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from tests.core import block_designs as bd
from tests.core.test_export import check_against_engine


def flat(nodes: bd.Sheet, name: str = "flat") -> Graph:
    return project.loads(json.dumps({"format": "model-designer-project", "version": 1, "name": name,
                                     "nodes": nodes.nodes, "edges": nodes.edges}))


def conv(cin: int, cout: int, **more) -> dict:
    return {"in_channels": cin, "out_channels": cout, "kernel_size": 3, "padding": 1, **more}


def residual_net() -> Graph:
    """A stem, one residual unit written out flat (conv, norm, relu, conv, add with the skip, relu), a head."""
    s = bd.Sheet()
    x = s.add("image", "Input", {"shape": [2, 3, 16, 16]})
    stem = s.add("stem", "Conv2d", conv(3, 8), x)
    y = s.add("c1", "Conv2d", conv(8, 8), stem)
    y = s.add("n1", "BatchNorm2d", {"num_features": 8}, y)
    y = s.add("r1", "ReLU", {}, y)
    y = s.add("c2", "Conv2d", conv(8, 8), y)
    y = s.add("add", "Add", {}, y, stem)
    y = s.add("r2", "ReLU", {}, y)
    y = s.add("pool", "AdaptiveAvgPool2d", {"output_size": 1}, y)
    y = s.add("flat", "Flatten", {}, y)
    y = s.add("fc", "Linear", {"in_features": 8, "out_features": 4}, y)
    s.add("logits", "Output", {}, y)
    return flat(s)


def two_stages() -> Graph:
    """conv, norm, relu (3 → 16), a pool, then the same three layers again (16 → 32): two groups alike."""
    s = bd.Sheet()
    y = s.add("image", "Input", {"shape": [2, 3, 32, 32]})
    for i, (cin, cout) in enumerate([(3, 16), (16, 32)]):
        y = s.add(f"conv{i}", "Conv2d", conv(cin, cout), y)
        y = s.add(f"bn{i}", "BatchNorm2d", {"num_features": cout}, y)
        y = s.add(f"relu{i}", "ReLU", {}, y)
        if i == 0:
            y = s.add("pool", "MaxPool2d", {"kernel_size": 2}, y)
    s.add("out", "Output", {}, y)
    return flat(s)


def sizes(graph: Graph) -> tuple[dict[str, tuple], int]:
    engine = ShapeEngine(graph)
    try:
        return {n: engine.shape(n) for n in graph.node_ids()}, engine.total_params()
    finally:
        engine.close()


def apply_undo_redo(graph: Graph, edit) -> tuple[str, str]:
    """Apply ``edit``; check that reverting gives back the file exactly and applying again the same result."""
    before = project.dumps(graph)
    edit.apply(graph)
    after = project.dumps(graph)
    edit.revert(graph)
    assert project.dumps(graph) == before
    edit.apply(graph)
    assert project.dumps(graph) == after
    return before, after


def test_grouping_a_residual_unit_keeps_every_size_and_undoes_exactly(tmp_path):
    graph = residual_net()
    shapes, total = sizes(graph)
    chosen = ["c1", "n1", "r1", "c2", "add", "r2"]
    assert grouping.propose_name(graph, chosen) == "Conv2dBlock"
    edit, made = grouping.group_edit(graph, chosen, "Residual")
    apply_undo_redo(graph, edit)
    (unit,) = made
    block = graph.blocks["Residual"]
    assert block.inputs() == ["x"]  # the stem's output feeds c1 and the Add: one tensor, one Input
    assert block.arguments == {}
    assert sorted(e.target for e in block.graph.out_edges("x")) == ["add", "c1"]
    assert graph.node_ids() == ["image", "stem", unit, "pool", "flat", "fc", "logits"]
    after, after_total = sizes(graph)
    assert after[unit] == shapes["r2"] == (2, 8, 16, 16)
    assert {n: s for n, s in after.items() if n != unit} == {n: shapes[n] for n in after if n != unit}
    assert after_total == total
    check_against_engine(graph, tmp_path)
    text = project.dumps(graph)
    assert project.dumps(project.loads(text)) == text


def test_groups_built_alike_become_one_block_whose_differences_are_arguments(tmp_path):
    graph = two_stages()
    shapes, total = sizes(graph)
    chosen = ["conv0", "bn0", "relu0", "conv1", "bn1", "relu1"]
    edit, made = grouping.group_edit(graph, chosen, "ConvBNReLU")
    apply_undo_redo(graph, edit)
    assert len(made) == 2 and list(graph.blocks) == ["ConvBNReLU"]
    block = graph.blocks["ConvBNReLU"]
    # out_channels and num_features always agree, so they are one argument.
    assert block.arguments == {"in_channels": 3, "out_channels": 16}
    inner = block.graph
    assert inner.node("conv0").params == {"in_channels": {"arg": "in_channels"}, "out_channels": {"arg": "out_channels"},
                                          "kernel_size": 3, "padding": 1}
    assert inner.node("bn0").params == {"num_features": {"arg": "out_channels"}}
    assert [graph.node(n).params for n in made] == [{"in_channels": 3, "out_channels": 16},
                                                    {"in_channels": 16, "out_channels": 32}]
    after, after_total = sizes(graph)
    assert [after[n] for n in made] == [shapes["relu0"], shapes["relu1"]]
    assert after["pool"] == shapes["pool"] and after["out"] == shapes["out"] == (2, 32, 16, 16)
    assert after_total == total
    check_against_engine(graph, tmp_path)


def test_a_param_given_in_one_group_and_left_to_its_default_in_another_is_an_argument():
    graph = two_stages()
    params = dict(graph.node("conv1").params, padding_mode="reflect")
    graph.set_params("conv1", params)
    edit, made = grouping.group_edit(graph, ["conv0", "bn0", "relu0", "conv1", "bn1", "relu1"], "Unit")
    edit.apply(graph)
    assert graph.blocks["Unit"].arguments["padding_mode"] == "zeros"  # torch's default where conv0 gave none
    assert graph.node(made[1]).params["padding_mode"] == "reflect"


def test_unlike_groups_make_one_block_of_them_all_and_inputs_follow_file_order_and_ports():
    s = bd.Sheet()
    a = s.add("a", "Input", {"shape": [1, 4, 8, 8]})
    b = s.add("b", "Input", {"shape": [1, 6, 8, 8]})
    ra = s.add("ra", "ReLU", {}, a)
    cat = s.add("cat", "Concat", {"dim": 1}, b, ra)  # port 0 from b, port 1 from ra
    y = s.add("conv", "Conv2d", conv(10, 5), cat)
    s.add("y", "Output", {}, y)
    graph = flat(s)
    shapes, _ = sizes(graph)
    edit, (unit,) = grouping.group_edit(graph, ["cat", "conv"], "Merge")
    apply_undo_redo(graph, edit)
    assert graph.blocks["Merge"].inputs() == ["x1", "x2"]
    assert [(e.source, e.target_port) for e in graph.in_edges(unit)] == [("b", 0), ("ra", 1)]
    assert sizes(graph)[0][unit] == shapes["conv"] == (1, 5, 8, 8)


def test_a_selection_holding_instances_makes_a_block_that_uses_blocks(tmp_path):
    graph = project.loads(bd.text(bd.resnet18(size=32)))
    shapes, total = sizes(graph)
    chosen = ["layer2_0", "layer2_1", "layer4_0", "layer4_1"]  # two stages apart: two instances
    edit, made = grouping.group_edit(graph, chosen, "Stage")
    apply_undo_redo(graph, edit)
    stage = graph.blocks["Stage"]
    assert stage.uses() == {"DownBlock", "BasicBlock"}
    assert stage.arguments == {"cin": 64, "cout": 128}  # layer2_1's cin and both couts move together
    assert [graph.node(n).params for n in made] == [{"cin": 64, "cout": 128}, {"cin": 256, "cout": 512}]
    after, after_total = sizes(graph)
    assert [after[n] for n in made] == [shapes["layer2_1"], shapes["layer4_1"]]
    assert after["logits"] == shapes["logits"] and after_total == total
    check_against_engine(graph, tmp_path)


@pytest.mark.parametrize(
    ("chosen", "words"),
    [
        (["c1", "n1"], None),  # fine: one tensor leaves
        (["stem", "c1"], "2 leave the selection"),
        (["c1", "add"], "takes data from the selection and gives data back"),
        (["image", "logits"], "select the layers to group first"),
        ([], "select the layers to group first"),
    ],
)
def test_what_cannot_become_a_block_is_refused_with_a_sentence(chosen, words):
    graph = residual_net()
    before = project.dumps(graph)
    if words is None:
        grouping.group_edit(graph, chosen, "Pair")[0].apply(graph)
        return
    with pytest.raises(grouping.GroupError, match=words):
        grouping.group_edit(graph, chosen, "Pair")
    assert project.dumps(graph) == before


@pytest.mark.parametrize(
    ("name", "words"),
    [("", "give the block a name"), ("2fast", "not an identifier"), ("class", "not an identifier"),
     ("Conv2d", "is a layer type"), ("Input", "is a layer type"), ("BasicBlock", "has a block called BasicBlock")],
)
def test_block_names_are_identifiers_that_clash_with_nothing(name, words):
    graph = project.loads(bd.text(bd.resnet18(size=32)))
    assert words in grouping.name_problem(graph, name)
    with pytest.raises(grouping.GroupError, match=words):
        grouping.group_edit(graph, ["conv1", "bn1"], name)
    assert grouping.name_problem(graph, grouping.propose_name(graph, ["layer1"])) is None
    assert grouping.propose_name(graph, ["layer1"]) == "BasicBlock2"


def test_ungroup_inlines_the_layers_with_their_arguments_bound_and_keeps_the_definition_in_use(tmp_path):
    graph = project.loads(bd.text(bd.resnet18(size=32)))
    shapes, total = sizes(graph)
    edit, made = grouping.ungroup_edit(graph, "layer3_0")
    apply_undo_redo(graph, edit)
    assert "DownBlock" in graph.blocks  # layer2_0 and layer4_0 still use it
    assert "layer3_0_down_conv" in made and "layer3_0" not in graph
    assert graph.node("layer3_0_conv1").params == {"in_channels": 128, "out_channels": 256, "kernel_size": 3,
                                                   "stride": 2, "padding": 1, "bias": False}
    assert not any(blocks.references(v) for n in made for v in graph.node(n).params.values())
    after, after_total = sizes(graph)
    assert after["layer3_0_relu2"] == shapes["layer3_0"]
    assert after["layer3_1"] == shapes["layer3_1"] and after_total == total
    check_against_engine(graph, tmp_path)


def test_ungroup_of_a_repeat_inlines_every_copy_in_a_row_and_the_last_use_takes_the_definition(tmp_path):
    graph = project.loads(bd.text(bd.residual_stage(repeat=3)))
    shapes, total = sizes(graph)
    edit, made = grouping.ungroup_edit(graph, "stage")
    before, _ = apply_undo_redo(graph, edit)
    assert graph.blocks == {}  # nothing else used Residual
    assert [n for n in made if n.endswith("_conv")] == ["stage_0_conv", "stage_1_conv", "stage_2_conv"]
    assert [e.source for e in graph.in_edges("stage_1_conv")] == ["stage_0_add"]
    assert [e.source for e in graph.in_edges("stage_2_add")] == ["stage_2_conv_b", "stage_1_add"]
    after, after_total = sizes(graph)
    assert after["stage_2_add"] == shapes["stage"] and after["y"] == shapes["y"] and after_total == total
    assert json.loads(project.dumps(graph))["version"] == 1
    check_against_engine(graph, tmp_path)
    edit.revert(graph)
    assert project.dumps(graph) == before


def test_group_then_ungroup_gives_back_the_same_sizes():
    graph = two_stages()
    shapes, total = sizes(graph)
    edit, made = grouping.group_edit(graph, ["conv0", "bn0", "relu0", "conv1", "bn1", "relu1"], "Unit")
    edit.apply(graph)
    for node_id in made:
        grouping.ungroup_edit(graph, node_id)[0].apply(graph)
    assert graph.blocks == {}
    after, after_total = sizes(graph)
    assert sorted(after.values(), key=repr) == sorted(shapes.values(), key=repr) and after_total == total


def test_make_unique_forks_one_instance_and_leaves_the_others(tmp_path):
    graph = project.loads(bd.text(bd.resnet18(size=32)))
    shapes, total = sizes(graph)
    edges = graph.in_edges("layer2_1") + graph.out_edges("layer2_1")
    edit, name = grouping.make_unique_edit(graph, "layer2_1")
    apply_undo_redo(graph, edit)
    assert name == "BasicBlock2" and list(graph.blocks)[-1] == name
    assert graph.node("layer2_1").type_name == name
    assert graph.node("layer3_1").type_name == graph.node("layer1").type_name == "BasicBlock"
    assert graph.in_edges("layer2_1") + graph.out_edges("layer2_1") == edges
    assert graph.node_ids().index("layer2_1") == 7
    forked, original = graph.blocks[name].graph, graph.blocks["BasicBlock"].graph
    assert list(forked.nodes()) == list(original.nodes()) and list(forked.edges()) == list(original.edges())
    assert graph.blocks[name].arguments == graph.blocks["BasicBlock"].arguments
    forked.set_params("relu2", {"inplace": True})  # the fork changes alone
    assert "inplace" not in original.node("relu2").params
    after, after_total = sizes(graph)
    assert after == shapes and after_total == total
    with pytest.raises(grouping.GroupError, match="not a block instance"):
        grouping.make_unique_edit(graph, "conv1")


def same_as_fresh(graph: Graph, engine: ShapeEngine) -> None:
    fresh = ShapeEngine(graph)
    try:
        for node_id in graph.node_ids():
            assert engine.result(node_id)[:6] == fresh.result(node_id)[:6], node_id
        assert [(i.path, i.result[:6]) for i in engine.inner_nodes()] == [(i.path, i.result[:6]) for i in fresh.inner_nodes()]
        assert engine.total_params() == fresh.total_params()
    finally:
        fresh.close()


def test_the_engine_follows_block_edits_as_a_fresh_pass_would():
    """A block made, undone and made again under the same name from another layer with the same sizes in
    and out: nothing of the first is reused."""
    graph = two_stages()
    engine = ShapeEngine(graph)
    first, _ = grouping.group_edit(graph, ["bn1"], "Unit")
    first.apply(graph)
    engine.refresh()
    assert engine.total_params() == sizes(graph)[1]
    first.revert(graph)
    engine.refresh()
    same_as_fresh(graph, engine)
    second, made = grouping.group_edit(graph, ["relu1"], "Unit")  # 32×16×16 in and out, as bn1
    second.apply(graph)
    engine.refresh()
    same_as_fresh(graph, engine)
    assert [i.node.type_name for i in engine.inner_nodes()] == ["Input", "ReLU", "Output"]
    ungroup, _ = grouping.ungroup_edit(graph, made[0])
    ungroup.apply(graph)
    engine.refresh()
    same_as_fresh(graph, engine)


def test_ungrouping_instances_wired_to_each_other_is_one_edit(tmp_path):
    graph = project.loads(bd.text(bd.resnet18(size=32)))
    shapes, total = sizes(graph)
    edit, made = grouping.ungroup_all_edit(graph, ["layer2_0", "layer2_1", "layer1"])
    apply_undo_redo(graph, edit)
    assert [e.source for e in graph.in_edges("layer2_1_conv1")] == ["layer2_0_relu2"]  # one instance into the next
    assert [e.source for e in graph.in_edges("layer2_0_conv1")] == ["layer1_1_relu2"]  # the second copy of layer1
    assert set(graph.blocks) == {"BasicBlock", "DownBlock"}  # both still used by layer3 and layer4
    after, after_total = sizes(graph)
    assert after["layer3_0"] == shapes["layer3_0"] and after["logits"] == shapes["logits"] and after_total == total
    check_against_engine(graph, tmp_path)


def test_costs_per_block_add_up_the_instances_as_torch_and_the_flat_layers_count_them():
    from designer.core.stats import compute_stats, per_block

    graph = project.loads(bd.text(bd.resnet18(size=64)))
    engine = ShapeEngine(graph)
    totals = {t.block: t for t in per_block(graph, compute_stats(graph, engine))}
    model = bd.torch_resnet18()
    count = lambda modules: sum(p.numel() for m in modules for p in m.parameters())  # noqa: E731
    basic = totals["BasicBlock"]
    assert basic.instances == ("layer1", "layer2_1", "layer3_1", "layer4_1")
    assert basic.params == count([model[4], model[5][1], model[6][1], model[7][1]])
    assert totals["DownBlock"].params == count([model[5][0], model[6][0], model[7][0]])
    assert "BasicBlock (4 uses): " in basic.describe()
    # The same network with every instance taken apart: its layers' own costs add up to the same figures.
    edit, _ = grouping.ungroup_all_edit(graph, [n for n in graph.node_ids() if graph.node(n).type_name in totals])
    edit.apply(graph)
    flat_engine = ShapeEngine(graph)
    flat = compute_stats(graph, flat_engine).nodes
    for block in totals.values():
        layers = [s for n, s in flat.items() if any(n.startswith(f"{i}_") for i in block.instances)]
        assert sum(s.macs for s in layers) == block.macs > 0
        assert sum(s.params for s in layers) == block.params
        assert sum(s.activation_elements for s in layers) == block.activation_elements
