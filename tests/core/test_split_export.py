"""Chunk and Split in exported code, explanations and ONNX: forward() unpacks one variable per piece a
later layer reads (``_`` for the others), the values equal torch's own pieces, a block's class unpacks the
pieces it reads whatever the count of a use, and every sentence carries the user's numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings

from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.explain import explain, explain_text
from designer.core.export import export
from designer.core.graph import Edge, Node
from designer.core.stats import compute_stats
from tests.core.test_explain import assert_worked_numbers_hold
from tests.core.test_export import load_module
from tests.core.test_split_oracle import split_case
from tests.oracle import flat_outputs, single_layer, torch_op

torch = pytest.importorskip("torch")


def every_piece_out(type_name: str, params: dict, shape: tuple[int, ...], read=None):
    """The op, and one Output per piece it gives (or per port in ``read``)."""
    graph = single_layer(type_name, params, [shape])
    engine = ShapeEngine(graph)
    count = len(engine.result("layer").output_shapes) if engine.result("layer").ok else 1
    engine.close()
    for port in read if read is not None else range(count):
        graph.add_node(Node(f"out{port}", "Output"))
        graph.connect(Edge("layer", f"out{port}", 0, port))
    return graph


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=split_case())
def test_exported_pieces_are_torchs_pieces(case, tmp_path):
    type_name, params, (shape,) = case
    graph = every_piece_out(type_name, params, shape)
    engine = ShapeEngine(graph)
    result = engine.result("layer")
    engine.close()
    assume(result.ok)
    code = export(graph)
    module, _ = load_module(code.code, tmp_path)
    model = getattr(module, code.class_name)().eval()
    x = torch.randn(*shape)
    got = flat_outputs(model(x))
    expected = flat_outputs(torch_op(type_name, graph.spec(type_name).resolve(params), [x]))
    assert [tuple(t.shape) for t in got] == list(result.output_shapes)
    assert len(got) == len(expected) and all(torch.equal(a, b) for a, b in zip(got, expected))


def test_forward_unpacks_the_pieces_read_and_skips_the_others(tmp_path):
    graph = every_piece_out("Chunk", {"chunks": 4, "dim": 1}, (2, 5, 3), read=[0, 2])
    code = export(graph).code
    assert "layer, _, layer_output_2 = x0.chunk(4, dim=1)  # 2×2×3, 2×2×3, 2×1×3" in code
    one = every_piece_out("Split", {"split_size_or_sections": 8, "dim": -1}, (2, 5))
    text = export(one).code
    assert "(layer,) = x0.split(8, dim=-1)  # 2×5" in text  # a tuple of one piece is still a tuple
    module, _ = load_module(text, tmp_path)
    x = torch.randn(2, 5)
    assert torch.equal(getattr(module, export(one).class_name)()(x), x)


def test_a_block_unpacks_the_pieces_it_reads_whatever_each_use_gives(tmp_path):
    data = {
        "format": "model-designer-project",
        "version": project.FORMAT_VERSION,
        "name": "halves",
        "blocks": {
            "Gate": {
                "arguments": {"n": 2},
                "nodes": [
                    {"id": "x", "type": "Input", "params": {}},
                    {"id": "cut", "type": "Chunk", "params": {"chunks": {"arg": "n"}, "dim": -1}},
                    {"id": "gate", "type": "Mul", "params": {}},
                    {"id": "out", "type": "Output", "params": {}},
                ],
                "edges": [
                    {"source": "x", "target": "cut", "target_port": 0},
                    {"source": "cut", "target": "gate", "target_port": 0},
                    {"source": "cut", "source_port": 1, "target": "gate", "target_port": 1},
                    {"source": "gate", "target": "out", "target_port": 0},
                ],
            }
        },
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [2, 6]}},
            {"id": "two", "type": "Gate", "params": {}},
            {"id": "three", "type": "Gate", "params": {"n": 3}},
        ],
        "edges": [{"source": "x", "target": "two", "target_port": 0}, {"source": "two", "target": "three", "target_port": 0}],
    }
    graph = project.loads(json.dumps(data))
    engine = ShapeEngine(graph)
    assert engine.shape("two") == (2, 3) and engine.shape("three") == (2, 1)
    engine.close()
    code = export(graph)
    assert "cut, cut_output_1, *_ = x.chunk(self.n_arg, dim=-1)" in code.code
    module, _ = load_module(code.code, tmp_path)
    x = torch.randn(2, 6)
    a, b = x.chunk(2, -1)
    h = a * b
    c, d, _ = h.chunk(3, -1)
    assert torch.equal(getattr(module, code.class_name)()(x), c * d)


def test_explanations_name_every_dim_and_the_pieces_with_the_users_numbers():
    graph = single_layer("Split", {"split_size_or_sections": [1, 3, 2], "dim": 1}, [(4, 6, 5)])
    engine = ShapeEngine(graph)
    ex = explain(graph, engine, "layer")
    assert [d.name for d in ex.output.dims] == ["N", "C", "L"]
    assert_worked_numbers_hold(ex, engine.shape("layer"))
    assert ex.story[0] == "Cuts C = 6 (dim 1) into the sizes listed: 1 + 3 + 2 = 6."
    assert "3 outputs, one per piece (output 0: 4×1×5, output 1: 4×3×5, output 2: 4×2×5)" in ex.story[1]
    text = explain_text(graph, engine, "layer")
    assert "Traceback" not in text and "Split" in text
    assert compute_stats(graph, engine).total.params == 0


def test_a_layer_fed_by_a_later_piece_is_costed_on_that_piece():
    graph = single_layer("Split", {"split_size_or_sections": [1, 3], "dim": 1}, [(2, 4)])
    graph.add_node(Node("fc", "Linear", {"in_features": 3, "out_features": 5}))
    graph.connect(Edge("layer", "fc", 0, 1))
    engine = ShapeEngine(graph)
    assert compute_stats(graph, engine).nodes["fc"].macs == 2 * 3 * 5  # N·in·out with in = 3, the second piece


@pytest.mark.parametrize(
    ("type_name", "params", "shape"),
    [("Chunk", {"chunks": 3, "dim": -1}, (2, 3, 7)), ("Split", {"split_size_or_sections": [1, 2], "dim": 1}, (2, 3, 4))],
)
def test_chunk_and_split_export_to_onnx(type_name, params, shape, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    import onnx

    from designer.core.onnx_export import export_onnx

    graph = every_piece_out(type_name, params, shape)
    export_onnx(graph, tmp_path / "model.onnx")
    model = onnx.load(tmp_path / "model.onnx")
    engine = ShapeEngine(graph)
    sizes = [tuple(d.dim_value for d in out.type.tensor_type.shape.dim) for out in model.graph.output]
    assert sizes == list(engine.result("layer").output_shapes)


def test_a_new_chunk_or_split_cuts_in_two():
    from designer.core import catalog
    from designer.core.defaults import default_params

    for type_name, expected in (("Chunk", {"chunks": 2}), ("Split", {"split_size_or_sections": 3})):
        params = default_params(catalog.get(type_name), (5, 16, 8, 8))
        assert params == expected
        graph = single_layer(type_name, params, [(5, 16, 8, 8)])
        assert ShapeEngine(graph).result("layer").output_shapes == ((3, 16, 8, 8), (2, 16, 8, 8))
