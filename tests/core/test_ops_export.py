"""Math and Shape ops in exported code: the call forward() writes runs, has the engine's size and computes
what torch's own call computes on the same values; ONNX export where torch supports the op."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from designer.core.engine import ShapeEngine
from designer.core.explain import explain, explain_text
from designer.core.export import export
from designer.core.graph import Edge, Node
from tests.core.test_explain import assert_worked_numbers_hold
from tests.core.test_export import load_module
from tests.core.test_ops_oracle import elementwise_case, matmul_case, reduce_case, shape_op_case
from tests.oracle import single_layer, torch_op

torch = pytest.importorskip("torch")

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def exported(type_name: str, params: dict, shapes: list[tuple[int, ...]], folder):
    graph = single_layer(type_name, params, shapes)
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge("layer", "out"))
    engine = ShapeEngine(graph)
    result = engine.result("layer")
    engine.close()
    return graph, result, export(graph) if result.ok else None


@SETTINGS
@given(case=st.one_of(elementwise_case(), matmul_case(), reduce_case(), shape_op_case()))
def test_exported_ops_run_with_the_engine_size_and_torch_values(case, tmp_path):
    type_name, params, shapes = case
    graph, result, code = exported(type_name, params, shapes, tmp_path)
    assume(result.ok)
    module, _ = load_module(code.code, tmp_path)
    model = getattr(module, code.class_name)().eval()
    inputs = [torch.randn(*s) for s in shapes]
    with torch.no_grad():
        out = model(*inputs)
        expected = torch_op(type_name, graph.spec(type_name).resolve(params), inputs)
    assert tuple(out.shape) == result.shape
    assert torch.equal(out, expected) or torch.allclose(out, expected, equal_nan=True)


@pytest.mark.parametrize(
    ("type_name", "params", "shapes", "line"),
    [
        ("Mul", {"other": 0.5}, [(2, 3)], "x0 * 0.5"),
        ("Sub", {}, [(2, 3), (3,)], "x0 - x1"),
        ("Add", {"other": -1}, [(2, 3)], "x0 + -1"),
        ("MatMul", {}, [(2, 3), (3, 4)], "torch.matmul(x0, x1)"),
        ("Mean", {"dim": [2, 3], "keepdim": True}, [(2, 3, 4, 4)], "x0.mean(dim=(2, 3), keepdim=True)"),
        ("Sum", {"keepdim": True}, [(2, 3)], "x0.sum(dim=None, keepdim=True)"),
        ("Permute", {"dims": [0, 2, 1]}, [(2, 3, 4)], "x0.permute(0, 2, 1)"),
        ("Transpose", {"dim0": 1, "dim1": 2}, [(2, 3, 4)], "x0.transpose(1, 2)"),
        ("Reshape", {"shape": [2, -1]}, [(2, 3, 4)], "x0.reshape(2, -1)"),
        ("Squeeze", {}, [(2, 1)], "x0.squeeze()"),
        ("Unsqueeze", {"dim": 1}, [(2, 3)], "x0.unsqueeze(1)"),
        ("Select", {"dim": 1, "index": 0}, [(2, 3)], "x0.select(1, 0)"),
        ("Slice", {"dim": 1, "start": 1, "end": 3}, [(2, 4)], "x0[:, 1:3]"),
        ("Slice", {"dim": -2, "end": -1, "step": 2}, [(2, 4, 5)], "x0[..., :-1:2, :]"),
        ("Expand", {"size": [4, -1, 3]}, [(2, 1)], "x0.expand(4, -1, 3)"),
    ],
)
def test_each_op_is_written_as_torch_code_people_write(type_name, params, shapes, line, tmp_path):
    _, result, code = exported(type_name, params, shapes, tmp_path)
    assert result.ok
    assert f"layer = {line}  #" in code.code


def test_ops_inside_a_block_take_their_arguments(tmp_path):
    from designer.core import project

    data = {
        "format": "model-designer-project",
        "version": project.FORMAT_VERSION,
        "name": "crop",
        "blocks": {
            "Crop": {
                "arguments": {"d": 2, "k": 1},
                "nodes": [
                    {"id": "x", "type": "Input", "params": {}},
                    {"id": "cut", "type": "Slice", "params": {"dim": {"arg": "d"}, "start": {"arg": "k"}}},
                    {"id": "scale", "type": "Mul", "params": {"other": {"arg": "k"}}},
                    {"id": "out", "type": "Output", "params": {}},
                ],
                "edges": [
                    {"source": "x", "target": "cut", "target_port": 0},
                    {"source": "cut", "target": "scale", "target_port": 0},
                    {"source": "scale", "target": "out", "target_port": 0},
                ],
            }
        },
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [2, 3, 6]}},
            {"id": "c", "type": "Crop", "params": {"d": -1, "k": 2}},
        ],
        "edges": [{"source": "x", "target": "c", "target_port": 0}],
    }
    import json

    graph = project.loads(json.dumps(data))
    engine = ShapeEngine(graph)
    assert engine.shape("c") == (2, 3, 4)
    code = export(graph)
    module, _ = load_module(code.code, tmp_path)
    model = getattr(module, code.class_name)().eval()
    x = torch.randn(2, 3, 6)
    assert torch.equal(model(x), x[..., 2:] * 2)


ONNX_CASES = [
    ("Mul", {}, [(2, 3), (1, 3)]),
    ("Div", {"other": 2}, [(2, 3)]),
    ("MatMul", {}, [(2, 2, 3), (3, 4)]),
    ("Mean", {"dim": [2, 3], "keepdim": True}, [(2, 3, 4, 4)]),
    ("Sum", {"dim": 1}, [(2, 3, 4)]),
    ("Permute", {"dims": [0, 2, 1]}, [(2, 3, 4)]),
    ("Transpose", {"dim0": 1, "dim1": 2}, [(2, 3, 4)]),
    ("Reshape", {"shape": [2, -1]}, [(2, 3, 4)]),
    ("Squeeze", {"dim": 1}, [(2, 1, 3)]),
    ("Unsqueeze", {"dim": 1}, [(2, 3)]),
    ("Select", {"dim": 1, "index": -1}, [(2, 3, 4)]),
    ("Slice", {"dim": 2, "start": 1, "end": -1}, [(2, 3, 5)]),
    ("Expand", {"size": [2, 3, 4]}, [(3, 1)]),
]


@pytest.mark.parametrize(("type_name", "params", "shapes"), ONNX_CASES)
def test_ops_export_to_onnx(type_name, params, shapes, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    import onnx

    from designer.core.onnx_export import export_onnx

    graph = single_layer(type_name, params, shapes)
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge("layer", "out"))
    export_onnx(graph, tmp_path / "model.onnx")
    model = onnx.load(tmp_path / "model.onnx")
    engine = ShapeEngine(graph)
    dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    assert tuple(dims) == engine.shape("layer")


@settings(max_examples=150, deadline=None)
@given(case=st.one_of(elementwise_case(), matmul_case(), reduce_case(), shape_op_case()))
def test_op_explanations_name_every_dim_and_their_numbers_hold(case):
    type_name, params, shapes = case
    graph = single_layer(type_name, params, shapes)
    engine = ShapeEngine(graph)
    result = engine.result("layer")
    assume(result.ok)
    ex = explain(graph, engine, "layer")
    assert len({d.name for d in ex.output.dims}) == len(result.shape)
    assert [d.label for d in ex.derivations] == [d.name for d in ex.output.dims]
    assert_worked_numbers_hold(ex, result.shape)
    assert ex.story and ex.params == 0
    text = explain_text(graph, engine, "layer")
    assert "Traceback" not in text and type_name in text


def test_explanations_use_the_users_numbers():
    graph = single_layer("Reshape", {"shape": [2, -1, 4]}, [(2, 3, 4, 4)])
    ex = explain(graph, ShapeEngine(graph), "layer")
    assert ex.derivations[1].worked == "96 / (2·4) = 12 (the -1 is worked out)"
    graph = single_layer("Permute", {"dims": [0, 2, 3, 1]}, [(2, 3, 4, 5)])
    ex = explain(graph, ShapeEngine(graph), "layer")
    assert [d.name for d in ex.output.dims] == ["N", "H", "W", "C"]
    assert "N×C×H×W → N×H×W×C" in ex.story[0]
    graph = single_layer("Slice", {"dim": 2, "start": 1, "end": 7, "step": 2}, [(1, 3, 8)])
    ex = explain(graph, ShapeEngine(graph), "layer")
    assert ex.derivations[2].steps[-1] == "3" and ex.derivations[2].worked == "⌈(7 − 1) / 2⌉ = 3"
