"""An open batch: an Input's shape may start with "N"; sizes that follow it read N, and the design
must work for any batch. Checked by substituting concrete batches and asking the engine and torch."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import examples
from designer.core.edits import SetParams
from designer.core.engine import ShapeEngine, symbolize
from designer.core.graph import Edge, Graph, Node
from tests.core.batch import open_batch, with_batch
from tests.oracle import torch_run

SIZE_IN_N = re.compile(r"^(?:(\d+)·)?N(?:([+−])(\d+))?$")


def evaluate(display, batch: int) -> tuple[int, ...]:
    """Read a displayed size such as ``N``, ``8192·N`` or ``N+4`` at a concrete batch."""
    out = []
    for dim in display:
        if isinstance(dim, int):
            out.append(dim)
            continue
        factor, sign, offset = SIZE_IN_N.match(dim).groups()
        value = int(factor or 1) * batch
        out.append(value + (int(offset) if sign == "+" else -int(offset)) if sign else value)
    return tuple(out)


@pytest.mark.parametrize("name", examples.example_names())
def test_every_example_with_an_open_batch_reads_n_and_holds_for_any_batch(name):
    graph = open_batch(examples.load_example(name))
    engine = ShapeEngine(graph)
    assert engine.symbolic
    for batch in (1, 2, 5):
        concrete = ShapeEngine(with_batch(graph, batch))
        for node_id in graph.node_ids():
            display = engine.result(node_id).display_shape
            assert display is not None, engine.result(node_id).message()
            assert evaluate(display, batch) == concrete.result(node_id).shape
    sinks = [n for n in graph.node_ids() if not list(graph.successors(n))]
    assert all(engine.result(n).display_shape[0] == "N" for n in sinks)


def test_flatten_over_the_batch_reads_a_multiple_of_n():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 512, 4, 4]}))
    g.add_node(Node("f", "Flatten", {"start_dim": 0}))
    g.connect(Edge("x", "f"))
    assert ShapeEngine(g).result("f").display_shape == ("8192·N",)


def test_concat_along_the_batch_adds_a_constant():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 3]}))
    g.add_node(Node("y", "Input", {"shape": [4, 3]}))
    g.add_node(Node("cat", "Concat", {"dim": 0}))
    g.connect(Edge("x", "cat", 0))
    g.connect(Edge("y", "cat", 1))
    assert ShapeEngine(g).result("cat").display_shape == ("N+4", 3)


def test_a_design_that_only_works_for_some_batches_is_an_error():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 3]}))
    g.add_node(Node("y", "Input", {"shape": [2, 3]}))
    g.add_node(Node("sum", "Add"))
    g.connect(Edge("x", "sum", 0))
    g.connect(Edge("y", "sum", 1))
    result = ShapeEngine(g).result("sum")
    assert result.error is not None and "every batch must work" in result.message()
    assert isinstance(torch_run("Add", {}, [(3, 3), (2, 3)]), Exception)


def test_batchnorm_without_running_stats_needs_more_than_one_value():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 8, 1, 1]}))
    g.add_node(Node("bn", "BatchNorm2d", {"num_features": 8, "track_running_stats": False}))
    g.connect(Edge("x", "bn"))
    assert ShapeEngine(g).result("bn").error is not None
    assert isinstance(torch_run("BatchNorm2d", {"num_features": 8, "track_running_stats": False}, [(1, 8, 1, 1)]), Exception)


def test_closing_the_batch_again_reports_every_changed_node():
    graph = open_batch(examples.load_example())
    engine = ShapeEngine(graph)
    input_id = next(n.id for n in graph.nodes() if n.type_name == "Input")
    SetParams(input_id, {"shape": [64, *graph.node(input_id).params["shape"][1:]]}).apply(graph)
    changes = engine.refresh()
    assert not engine.symbolic
    assert set(graph.node_ids()) <= changes.nodes
    assert all(engine.result(n).display_shape == engine.result(n).shape for n in graph.node_ids())


@settings(max_examples=60)
@given(st.lists(st.sampled_from(["conv", "pool", "relu", "flatten0"]), min_size=1, max_size=6), st.integers(1, 4))
def test_incremental_open_batch_equals_a_fresh_engine(layers, batch):
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": [batch, 4, 16, 16]}))
    engine = ShapeEngine(g)
    prev = "x"
    for i, kind in enumerate(layers):
        node = {
            "conv": Node(f"n{i}", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}),
            "pool": Node(f"n{i}", "MaxPool2d", {"kernel_size": 2}),
            "relu": Node(f"n{i}", "ReLU"),
            "flatten0": Node(f"n{i}", "Flatten", {"start_dim": 0}),
        }[kind]
        g.add_node(node)
        g.connect(Edge(prev, node.id))
        prev = node.id
    engine.refresh()
    g.set_params("x", {"shape": ["N", 4, 16, 16]})
    engine.refresh()
    fresh = ShapeEngine(g)
    for node_id in g.node_ids():
        assert engine.result(node_id) == fresh.result(node_id)


def test_symbolize_reads_linear_sizes():
    assert symbolize((1, 3, 8), (3, 3, 8)) == ("N", 3, 8)
    assert symbolize((5, 2), (7, 2)) == ("N+4", 2)
    assert symbolize((192,), (576,)) == ("192·N",)


def test_errors_quote_sizes_as_people_see_them():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 512, 4, 4]}))
    g.add_node(Node("fc", "Linear", {"in_features": 8192, "out_features": 10}))
    g.connect(Edge("x", "fc"))
    message = ShapeEngine(g).result("fc").message()
    assert "N×512×4×4" in message and "1×512×4×4" not in message
