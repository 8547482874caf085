"""Edit builders (add and wire, copy and paste, replace with an alternative) and the id policy, on
core graphs without Qt: each builds one edit that applies, reverts exactly and leaves valid ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import builders, examples, project
from designer.core.engine import ShapeEngine
from designer.core.explain import checkerboard_advice
from designer.core.graph import Edge
from designer.core.ids import fresh_id, id_stem, unique_name


def test_ids_have_one_policy_per_purpose():
    assert id_stem("Conv2d") == "conv" and id_stem("BatchNorm1d") == "batchnorm" and id_stem("ReLU") == "relu"
    assert fresh_id("conv", {"conv1", "conv2"}) == "conv3"
    assert fresh_id("conv7", {"conv1"}) == "conv2"  # a pasted conv7 keeps its stem, takes the first free number
    assert fresh_id("Up-Sample 2", set()) == "upsample1"
    assert fresh_id("42", set()) == "node1"
    assert unique_name("conv", {"conv"}) == "conv_2" and unique_name("fc", set()) == "fc"


def test_add_node_edit_fits_params_to_the_node_it_follows_and_wires_it():
    graph = examples.load_example("dcgan_generator")
    engine = ShapeEngine(graph)
    node, edit = builders.add_node_edit(graph, "Conv2d", (0, 0), after="up1", upstream=engine.shape("up1"))
    assert node.id not in graph and node.params["in_channels"] == engine.shape("up1")[1]
    before = project.dumps(graph)
    edit.apply(graph)
    engine.refresh()
    assert graph.inputs(node.id) == {0: "up1"} and engine.result(node.id).ok
    edit.revert(graph)
    assert project.dumps(graph) == before


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_copy_then_paste_adds_the_same_layers_and_edges_under_fresh_ids(data):
    graph = examples.load_example("resnet_blocks")
    chosen = data.draw(st.lists(st.sampled_from(graph.node_ids()), min_size=1, max_size=6, unique=True))
    text = builders.copy_text(graph, chosen)
    edit, new_ids = builders.paste_edit(graph, text, (30, 40))
    before = project.dumps(graph)
    edit.apply(graph)
    assert len(new_ids) == len(chosen) and not set(new_ids) & set(chosen)
    renamed = dict(zip(sorted(chosen, key=graph.index_of), new_ids))  # pasted in file order
    for old, new in renamed.items():
        a, b = graph.node(old), graph.node(new)
        assert (a.type_name, a.params, a.name) == (b.type_name, b.params, b.name)
        assert b.position == (a.position[0] + 30, a.position[1] + 40)
    copied = {Edge(renamed[e.source], renamed[e.target], e.target_port) for e in graph.edges() if {e.source, e.target} <= set(chosen)}
    assert copied == {e for e in graph.edges() if e.target in new_ids}
    edit.revert(graph)
    assert project.dumps(graph) == before


def test_paste_refuses_text_that_is_not_a_design():
    graph = examples.load_example("dcgan_generator")
    with pytest.raises(project.ProjectError):
        builders.paste_edit(graph, "not json", (0, 0))


def test_replacing_an_uneven_transposed_conv_keeps_the_size_and_the_wiring():
    graph = examples.load_example("dcgan_generator")
    graph.set_params("up3", dict(graph.node("up3").params, kernel_size=3, padding=1, output_padding=1))
    engine = ShapeEngine(graph)
    size = engine.shape("up3")
    advice = checkerboard_advice(graph, engine, "up3")
    before = project.dumps(graph)
    for alternative in advice.alternatives:
        edit, selected = builders.replacement_edit(graph, "up3", alternative)
        edit.apply(graph)
        engine.refresh()
        assert engine.shape(selected) == size
        assert not engine.result(selected).warnings
        assert [e.target for e in graph.out_edges(selected)] == ["bn3"]
        edit.revert(graph)
        engine.refresh()
        assert project.dumps(graph) == before


def test_undoing_a_paste_of_the_whole_design_restores_it_exactly():
    graph = examples.load_example("resnet_blocks")
    before = project.dumps(graph)
    edit, new_ids = builders.paste_edit(graph, builders.copy_text(graph, graph.node_ids()), (0, 500))
    edit.apply(graph)
    assert len(graph) == 2 * len(new_ids)
    assert ShapeEngine(graph).problems() == []
    edit.revert(graph)  # the added nodes leave in one removal
    assert project.dumps(graph) == before
