"""Every built-in example: statistics equal torch's, and every worked formula gives the engine's size."""

import pytest

from designer.core import arith
from designer.core.engine import ShapeEngine
from designer.core.examples import example_names, load_example
from designer.core.explain import explain
from tests.core.test_stats import assert_matches_torch


@pytest.mark.parametrize("name", example_names())
def test_example_stats_match_torch(name):
    assert_matches_torch(load_example(name))


@pytest.mark.parametrize("name", example_names())
def test_example_explanations_recompute(name):
    graph = load_example(name)
    engine = ShapeEngine(graph)
    worked = 0
    for node_id in engine.order():
        ex = explain(graph, engine, node_id)
        assert ex.status == "ok" and ex.output is not None, node_id
        sizes = {d.name: d.size for d in ex.output.dims}
        for der in ex.derivations:
            assert sizes.get(der.label, der.size) == der.size, (node_id, der)
            split = arith.split_worked(der.worked)
            if split is not None:
                assert arith.evaluate(split[0]) == split[1] == der.size, (node_id, der)
                worked += 1
    assert worked > 0
