"""Regrouping a flat imported design into blocks, without torch: the module stacks the importer reads from a
trace are given by hand, so each rule is seen on its own (tests/core/test_import_hierarchy.py imports real
models)."""

from __future__ import annotations

from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from designer.core.import_blocks import Module, regroup

CONV = {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}


def chain(*layers: tuple[str, str, dict]) -> Graph:
    graph = Graph("net")
    graph.add_node(Node("x", "Input", {"shape": [1, 4, 8, 8]}))
    previous = "x"
    for node_id, type_name, params in layers:
        graph.add_node(Node(node_id, type_name, params))
        graph.connect(Edge(previous, node_id))
        previous = node_id
    graph.add_node(Node("output", "Output"))
    graph.connect(Edge(previous, "output"))
    return graph


def cls(name: str, *children: str, container: bool = False) -> Module:
    key = f"torch.nn.modules.container.{name}" if container else f"models.{name}"
    return Module(key, name, container, children)


def test_calls_of_one_class_share_a_definition_with_arguments_where_values_differ():
    flat = chain(
        ("a.conv", "Conv2d", CONV), ("a.act", "ReLU", {}),
        ("b.conv", "Conv2d", {**CONV, "kernel_size": 5, "padding": 2}), ("b.act", "ReLU", {}),
    )
    stacks = {"a.conv": [("a", "a")], "a.act": [("a", "a")], "b.conv": [("b", "b")], "b.act": [("b", "b")]}
    named = {n: n for n in ("a.conv", "a.act", "b.conv", "b.act")}
    modules = {"": cls("Net", "a", "b"), "a": cls("Unit", "conv", "act"), "b": cls("Unit", "conv", "act")}
    grouped = regroup(flat, stacks, named, modules)
    graph = grouped.graph
    assert graph.node_ids() == ["x", "a", "b", "output"] and list(graph.blocks) == ["Unit"]
    unit = graph.blocks["Unit"]
    assert unit.arguments == {"kernel_size": 3, "padding": 1}
    assert unit.graph.node("conv").params == {"in_channels": 4, "out_channels": 4, "kernel_size": {"arg": "kernel_size"},
                                              "padding": {"arg": "padding"}}
    assert graph.node("b").params == {"kernel_size": 5, "padding": 2}
    assert grouped.paths == {"x": "x", "a.conv": "a/conv", "a.act": "a/act", "b.conv": "b/conv", "b.act": "b/act", "output": "output"}
    engine = ShapeEngine(graph)
    assert engine.problems() == [] and engine.shape("b") == (1, 4, 8, 8)
    assert project.dumps(project.loads(project.dumps(graph))) == project.dumps(graph)


def test_a_run_of_equal_copies_in_a_container_is_one_repeat():
    flat = chain(*[(f"s.{i}.conv", "Conv2d", CONV) for i in range(3)])
    stacks = {f"s.{i}.conv": [("s", "s"), (f"s.{i}", f"s.{i}")] for i in range(3)}
    modules = {"": cls("Net", "s"), "s": cls("Sequential", "0", "1", "2", container=True)}
    modules.update({f"s.{i}": cls("Unit", "conv") for i in range(3)})
    graph = regroup(flat, stacks, {n: n for n in stacks}, modules).graph
    node = graph.node("s")
    assert (node.type_name, node.params, node.repeat) == ("Unit", {}, 3)


def test_a_scope_that_data_leaves_and_reenters_stays_flat_with_the_reason():
    flat = chain(("a.conv", "Conv2d", CONV), ("relu", "ReLU", {}), ("a.bn", "BatchNorm2d", {"num_features": 4}))
    stacks = {"a.conv": [("a", "a")], "a.bn": [("a", "a")], "relu": []}
    modules = {"": cls("Net", "a"), "a": cls("Odd", "conv", "bn")}
    grouped = regroup(flat, stacks, {"a.conv": "a.conv", "a.bn": "a.bn"}, modules)
    assert grouped.graph.node_ids() == flat.node_ids() and not grouped.graph.blocks
    assert grouped.notes == ["Odd at a stays flat (its layers sit in the design around it, not in a block): data leaves it "
                             "and comes back in, so it cannot sit in the design as one node"]


def test_a_container_holding_everything_adds_no_block():
    flat = chain(("main.0", "Conv2d", CONV), ("main.1", "ReLU", {}))
    stacks = {"main.0": [("main", "main")], "main.1": [("main", "main")]}
    modules = {"": cls("Net", "main"), "main": cls("Sequential", "0", "1", container=True)}
    grouped = regroup(flat, stacks, {"main.0": "main.0", "main.1": "main.1"}, modules)
    assert grouped.graph.node_ids() == ["x", "main.0", "main.1", "output"] and grouped.notes == []
