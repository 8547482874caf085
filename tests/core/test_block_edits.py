"""Editing a block's definition from inside one of its instances (core.block_edits, Graph.edit_block): what
the user does to the copy they see changes the definition, every use follows as a fresh pass would, one
undo step puts everything back, and what belongs to each use (argument values, input sizes) or would make a
block contain itself is refused with a sentence naming the place."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import project
from designer.core.block_edits import definition_edit
from designer.core.edits import (
    AddNode,
    Compound,
    Connect,
    Disconnect,
    EditBlock,
    MoveNodes,
    RemoveNodes,
    Rename,
    SetParams,
)
from designer.core.engine import ShapeEngine
from designer.core.errors import BlockError
from designer.core.graph import BlockEdited, Edge, Node
from tests.core import block_designs as bd


def opened(data: dict):
    graph = project.loads(bd.text(data))
    return graph, ShapeEngine(graph)


def shown_copy(engine: ShapeEngine, instance: str):
    """The graph someone looking inside ``instance`` sees (its bound copy, with that use's sizes)."""
    result = engine.result(instance)
    return result.inner.shown_copy(failed=result.error is not None)[1].graph


def fresh_results(graph) -> tuple[dict, int]:
    """Every top-level result and the parameter total of the design as written to a file and read back."""
    again = project.loads(project.dumps(graph))
    engine = ShapeEngine(again)
    return {n: engine.result(n)[:6] for n in again.node_ids()}, engine.total_params()


def current_results(graph, engine: ShapeEngine) -> tuple[dict, int]:
    engine.refresh()
    return {n: engine.result(n)[:6] for n in graph.node_ids()}, engine.total_params()


def test_a_param_changed_inside_one_use_changes_the_definition_and_every_use():
    graph, engine = opened(bd.unet())
    before = project.dumps(graph)
    shown = shown_copy(engine, "down1")  # Down's copy: its DoubleConv "conv" is an instance inside
    inner = shown_copy(ShapeEngine(shown), "conv")
    params = {**inner.node("conv1").params, "kernel_size": 5, "padding": 2}
    edit = definition_edit(graph, "DoubleConv", inner, SetParams("conv1", params))
    edit.apply(graph)
    stored = graph.blocks["DoubleConv"].graph.node("conv1").params
    assert stored["kernel_size"] == 5 and stored["padding"] == 2
    assert stored["in_channels"] == {"arg": "cin"} and stored["out_channels"] == {"arg": "cout"}  # references stay
    assert current_results(graph, engine) == fresh_results(graph)
    assert engine.result("inc").inner.copies[0].results["conv1"].param_count == 8 * 3 * 25  # every use: inc too
    edit.revert(graph)
    assert project.dumps(graph) == before
    assert current_results(graph, engine) == fresh_results(graph)


def test_structure_edited_inside_a_repeated_block_reaches_every_copy_and_undoes_exactly():
    graph, engine = opened(bd.residual_stage(repeat=3))
    before = project.dumps(graph)
    shown = shown_copy(engine, "stage")
    insert = Compound([
        Disconnect(Edge("act", "conv_b")),
        AddNode(Node("drop", "Dropout", {"p": 0.25}, position=(10.0, 20.0))),
        Connect(Edge("act", "drop")),
        Connect(Edge("drop", "conv_b")),
        Rename("conv_b", "second"),
        MoveNodes({"norm": (5.0, 6.0)}),
    ], "Insert Dropout")
    edit = definition_edit(graph, "Residual", shown, insert)
    assert isinstance(edit, EditBlock) and edit.text == "Insert Dropout in Residual"
    events = []
    graph.subscribe(events.append)
    edit.apply(graph)
    assert events == [BlockEdited("Residual")]
    engine.refresh()
    run = engine.result("stage")
    assert [("drop" in copy.graph) for copy in run.inner.copies] == [True, True, True]
    assert current_results(graph, engine) == fresh_results(graph)
    edit.revert(graph)
    assert project.dumps(graph) == before
    edit.apply(graph)  # redo
    assert graph.blocks["Residual"].graph.node("conv_b").name == "second"
    assert current_results(graph, engine) == fresh_results(graph)


def test_deleting_inside_a_block_is_one_step_every_use_follows():
    graph, engine = opened(bd.unet())
    shown = shown_copy(engine, "inc")
    edit = definition_edit(graph, "DoubleConv", shown, RemoveNodes(["relu2"]))
    edit.apply(graph)
    engine.refresh()
    assert "out" in engine.result("inc").message()  # the Output lost its source: the first use says so
    assert engine.result("down1").blocked_by == "inc"  # and what follows waits, as after any error
    assert current_results(graph, engine) == fresh_results(graph)
    edit.revert(graph)
    assert current_results(graph, engine) == fresh_results(graph)
    assert engine.result("mask").ok


def test_a_param_that_is_an_argument_is_refused_naming_node_param_and_argument():
    graph, engine = opened(bd.unet())
    before = project.dumps(graph)
    shown = shown_copy(engine, "inc")
    params = {**shown.node("conv2").params, "out_channels": 32}
    with pytest.raises(BlockError, match=r"out_channels of 'conv2' comes from the argument cout .*change cout on the instance") as refused:
        definition_edit(graph, "DoubleConv", shown, SetParams("conv2", params))
    assert (refused.value.node_id, refused.value.param) == ("conv2", "out_channels")
    assert project.dumps(graph) == before


def test_an_input_size_inside_belongs_to_each_use():
    graph, engine = opened(bd.residual_stage())
    shown = shown_copy(engine, "stage")
    with pytest.raises(BlockError, match="takes its size from where the block is used"):
        definition_edit(graph, "Residual", shown, SetParams("x", {"shape": [2, 32, 8, 8]}))


def test_an_input_added_inside_is_a_port_without_size():
    graph, engine = opened(bd.unet())
    shown = shown_copy(engine, "inc")
    edit = definition_edit(graph, "DoubleConv", shown, AddNode(Node("extra", "Input", {"shape": [1, 3, 8, 8]})))
    edit.apply(graph)
    assert graph.blocks["DoubleConv"].graph.node("extra").params == {}
    engine.refresh()
    assert "needs at least 2 inputs but has 1" in engine.result("inc").message()  # each use now has a port to fill
    assert project.loads(project.dumps(graph)).blocks["DoubleConv"].inputs() == ["x", "extra"]  # the file holds it


@pytest.mark.parametrize(("block", "used", "words"), [
    ("DoubleConv", "DoubleConv", "the block DoubleConv uses itself"),
    ("DoubleConv", "Down", r"blocks use each other in a circle \(DoubleConv → Down → DoubleConv\)"),
])
def test_a_block_made_to_contain_itself_is_refused_and_left_as_it_was(block, used, words):
    graph, engine = opened(bd.unet())
    before = project.dumps(graph)
    events = []
    graph.subscribe(events.append)
    shown = shown_copy(engine, "inc")
    edit = definition_edit(graph, block, shown, AddNode(Node("again", used, {"cin": 8, "cout": 8})))
    with pytest.raises(BlockError, match=words):
        edit.apply(graph)
    assert project.dumps(graph) == before and events == []
    assert current_results(graph, engine) == fresh_results(graph)


def test_a_second_input_in_a_repeated_block_is_refused_naming_the_use():
    graph, engine = opened(bd.residual_stage())
    before = project.dumps(graph)
    edit = definition_edit(graph, "Residual", shown_copy(engine, "stage"), AddNode(Node("y", "Input")))
    with pytest.raises(BlockError, match="'stage' in the design uses Residual with repeat: .*exactly one Input and one Output"):
        edit.apply(graph)
    assert project.dumps(graph) == before


def test_commands_of_the_design_itself_are_refused_inside():
    graph, engine = opened(bd.unet())
    inner = EditBlock("Down", Rename("pool", "p"))
    with pytest.raises(BlockError, match="works on the design itself"):
        definition_edit(graph, "DoubleConv", shown_copy(engine, "inc"), inner)
    with pytest.raises(BlockError, match="no block called 'Gone'"):
        definition_edit(graph, "Gone", shown_copy(engine, "inc"), Rename("conv1", "c"))


@settings(max_examples=60, deadline=None)
@given(kernel=st.integers(1, 7), padding=st.integers(0, 4), stride=st.integers(1, 3))
def test_any_inner_conv_setting_gives_what_a_fresh_pass_gives_and_undoes(kernel, padding, stride):
    """Valid or not (a padding over half the kernel, sizes the skip no longer matches), the design after the
    edit reads as the same design written to a file, and one revert restores every result."""
    graph, engine = opened(bd.unet(size=32))
    original = current_results(graph, engine)
    shown = shown_copy(engine, "inc")
    params = {**shown.node("conv1").params, "kernel_size": kernel, "padding": padding, "stride": stride}
    try:
        edit = definition_edit(graph, "DoubleConv", shown, SetParams("conv1", params))
        edit.apply(graph)
    except BlockError:
        return
    except ValueError as refused:  # the layer's own rule refused the value: nothing changed
        assert current_results(graph, engine) == original, refused
        return
    assert current_results(graph, engine) == fresh_results(graph)
    edit.revert(graph)
    assert current_results(graph, engine) == original


def test_the_file_of_an_edited_design_keeps_references_and_loads(tmp_path):
    graph, engine = opened(bd.resnet18())
    shown = shown_copy(engine, "layer2_0")
    params = {**shown.node("down_conv").params, "kernel_size": 3, "padding": 1}
    definition_edit(graph, "DownBlock", shown, SetParams("down_conv", params)).apply(graph)
    path = tmp_path / "edited.json"
    project.save(graph, str(path))
    written = json.loads(path.read_text())
    down = next(n for n in written["blocks"]["DownBlock"]["nodes"] if n["id"] == "down_conv")
    assert down["params"]["in_channels"] == {"arg": "cin"} and down["params"]["kernel_size"] == 3
    assert current_results(graph, engine) == fresh_results(project.load(str(path)))
