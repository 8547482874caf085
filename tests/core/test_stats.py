"""Statistics against torch: parameters, buffers, weight layouts, FlopCounterMode/2 and output sizes."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from designer.core import catalog
from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from designer.core.stats import compute_stats, format_big, format_bytes
from tests.oracle import single_layer
from tests.torch_graph import chain, run_graph

SETTINGS = settings(max_examples=max(settings().max_examples, 150))


def assert_matches_torch(graph: Graph) -> None:
    engine = ShapeEngine(graph)
    stats = compute_stats(graph, engine)
    torch_nodes = run_graph(graph, engine)
    for node_id, expected in torch_nodes.items():
        got = stats.nodes[node_id]
        where = f"{got.type_name} {graph.node(node_id).params} on {graph.node(node_id).type_name}"
        assert got.status == "ok", where
        assert got.params == expected.params, where
        assert got.buffers == expected.buffers, where
        assert got.macs * 2 == expected.flops, f"{where}: {got.macs} MACs, torch {expected.flops} FLOPs"
        assert got.shape == expected.shape, where
        assert got.activation_elements == _numel(expected.shape), where
        assert dict(got.weights) == expected.weights, where
    total = stats.total
    assert total.params == sum(t.params for t in torch_nodes.values())
    assert total.macs * 2 == sum(t.flops for t in torch_nodes.values())
    kinds = {n: catalog.get(graph.node(n).type_name).kind for n in torch_nodes}
    layers = [n for n in torch_nodes if kinds[n] not in ("input", "output")]
    assert total.activation_elements == sum(_numel(torch_nodes[n].shape) for n in layers)
    assert total.layers == len(layers)


def _numel(shape):
    out = 1
    for d in shape:
        out *= d
    return out


@st.composite
def valid_conv(draw):
    n = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin, cout = draw(st.integers(1, 3)) * groups, draw(st.integers(1, 3)) * groups

    def per_dim(lo, hi):
        one = st.integers(lo, hi)
        return st.one_of(one, st.lists(one, min_size=n, max_size=n))

    params = {
        "in_channels": cin,
        "out_channels": cout,
        "kernel_size": draw(per_dim(1, 5)),
        "stride": draw(per_dim(1, 3)),
        "padding": draw(per_dim(0, 2)),
        "dilation": draw(per_dim(1, 2)),
        "groups": groups,
        "bias": draw(st.booleans()),
    }
    if transposed:
        params["output_padding"] = draw(per_dim(0, 1))
    batched = draw(st.integers(0, 4)) > 0
    shape = ([draw(st.integers(1, 3))] if batched else []) + [cin] + [draw(st.integers(1, 9)) for _ in range(n)]
    return f"{'ConvTranspose' if transposed else 'Conv'}{n}d", params, tuple(shape)


@SETTINGS
@given(valid_conv())
def test_conv_stats_match_torch(case):
    type_name, params, shape = case
    graph = single_layer(type_name, params, [shape])
    result = ShapeEngine(graph).result("layer")
    # Empty outputs (size 0, which the engine warns about) only run outside FlopCounterMode's dispatch.
    assume(result.ok and 0 not in result.shape)
    assert_matches_torch(graph)


def test_transposed_conv_counts_per_input_position():
    # DCGAN's first layer: 64·100·1·1 inputs, each scattering a 512×4×4 kernel.
    graph = single_layer(
        "ConvTranspose2d", {"in_channels": 100, "out_channels": 512, "kernel_size": 4, "bias": False}, [(64, 100, 1, 1)]
    )
    stats = compute_stats(graph, ShapeEngine(graph))
    layer = stats.nodes["layer"]
    assert layer.macs == 64 * 100 * 512 * 16
    assert layer.formulas["macs"].startswith("N·C_in·H_in·W_in·(C_out/groups)·kH·kW = 64·100·1·1·(512/1)·4·4 = 52,428,800")
    assert layer.weights == (("weight", (100, 512, 4, 4)),)
    assert_matches_torch(graph)


def test_dcgan_generator_chain_matches_torch():
    def up(cin, cout, stride, padding):
        return ("ConvTranspose2d", {"in_channels": cin, "out_channels": cout, "kernel_size": 4, "stride": stride,
                                    "padding": padding, "bias": False})

    graph = chain((8, 100, 1, 1), [up(100, 64, 1, 0), up(64, 32, 2, 1), up(32, 16, 2, 1), up(16, 3, 2, 1)])
    stats = compute_stats(graph, ShapeEngine(graph))
    assert [s.shape[-1] for s in stats.nodes.values()] == [1, 4, 8, 16, 32, 32]
    assert_matches_torch(graph)


def test_residual_add_and_concat_totals():
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [2, 4, 8, 8]}))
    graph.add_node(Node("a", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}))
    graph.add_node(Node("sum", "Add"))
    graph.add_node(Node("cat", "Concat"))
    graph.add_node(Node("b", "Conv2d", {"in_channels": 8, "out_channels": 2, "kernel_size": 1, "groups": 2}))
    for edge in [Edge("x", "a"), Edge("a", "sum", 0), Edge("x", "sum", 1), Edge("sum", "cat", 0), Edge("x", "cat", 1),
                 Edge("cat", "b")]:
        graph.connect(edge)
    assert_matches_torch(graph)
    stats = compute_stats(graph, ShapeEngine(graph))
    assert stats.nodes["sum"].other_ops == 2 * 4 * 8 * 8
    assert stats.total.input_elements == 2 * 4 * 8 * 8


def test_training_memory_formula_adds_up():
    graph = chain((4, 3, 16, 16), [("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3})])
    total = compute_stats(graph, ShapeEngine(graph)).total
    params = 8 * 3 * 9 + 8
    activations = 4 * 8 * 14 * 14
    assert total.training_memory_bytes == 16 * params + 4 * (4 * 3 * 16 * 16 + activations)
    assert total.formulas["training_memory"].endswith("(an estimate)")


def test_failing_node_counts_nothing_and_is_reported():
    graph = chain((1, 3, 4, 4), [("Conv2d", {"in_channels": 5, "out_channels": 8, "kernel_size": 3}),
                                 ("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 1})])
    stats = compute_stats(graph, ShapeEngine(graph))
    assert stats.nodes["l1"].status == "error" and stats.nodes["l2"].status == "blocked"
    assert stats.nodes["l1"].macs == 0 and stats.nodes["l1"].params == 8 * 5 * 9 + 8
    assert stats.total.errors == 1 and not stats.total.complete
    assert "macs" not in stats.nodes["l1"].formulas


def test_json_shape_of_the_report():
    graph = chain((1, 3, 8, 8), [("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3})])
    data = compute_stats(graph, ShapeEngine(graph)).to_dict()
    assert [n["id"] for n in data["nodes"]] == ["x", "l1", "out"]
    assert data["nodes"][1]["macs"] == 1 * 4 * 6 * 6 * 3 * 9
    assert {"params", "macs", "activation_elements", "training_memory_bytes"} <= set(data["total"])


def test_number_formats():
    assert format_bytes(512) == "512 B"
    assert format_bytes(2 * 1024 * 1024) == "2.0 MiB"
    assert format_big(52_428_800) == "52.43 M"
    assert format_big(999) == "999"


# One valid configuration per layer type beyond the convolutions: torch must agree on every field.
SAMPLES = [
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, (2, 3, 9, 9)),
    ("MaxPool1d", {"kernel_size": 2, "dilation": 2, "ceil_mode": True}, (2, 3, 9)),
    ("AvgPool3d", {"kernel_size": [1, 2, 2]}, (1, 2, 3, 4, 4)),
    ("AdaptiveAvgPool2d", {"output_size": [3, 2]}, (2, 3, 7, 5)),
    ("AdaptiveMaxPool1d", {"output_size": 4}, (3, 9)),
    ("BatchNorm2d", {"num_features": 3}, (2, 3, 4, 4)),
    ("BatchNorm1d", {"num_features": 3, "bias": False, "track_running_stats": False}, (2, 3)),
    ("InstanceNorm2d", {"num_features": 3, "affine": True, "track_running_stats": True}, (2, 3, 4, 4)),
    ("GroupNorm", {"num_groups": 2, "num_channels": 4, "bias": False}, (2, 4, 3, 3)),
    ("LayerNorm", {"normalized_shape": [4, 4]}, (2, 3, 4, 4)),
    ("LayerNorm", {"normalized_shape": 4, "elementwise_affine": False}, (2, 3, 4)),
    ("LocalResponseNorm", {"size": 2}, (2, 3, 4, 4)),
    ("PReLU", {"num_parameters": 3}, (2, 3, 4, 4)),
    ("LeakyReLU", {"negative_slope": 0.2}, (2, 3, 4, 4)),
    ("Softmax", {"dim": 1}, (2, 5)),
    ("Tanh", {}, (2, 3, 4, 4)),
    ("Linear", {"in_features": 4, "out_features": 5}, (2, 3, 7, 4)),
    ("Linear", {"in_features": 4, "out_features": 5, "bias": False}, (2, 4)),
    ("Linear", {"in_features": 4, "out_features": 5}, (4,)),
    ("Linear", {"in_features": 4, "out_features": 2, "bias": False}, (3, 2, 4)),
    ("Flatten", {}, (2, 3, 4, 4)),
    ("Unflatten", {"dim": 1, "unflattened_size": [2, 6]}, (2, 12)),
    ("Dropout2d", {"p": 0.2}, (2, 3, 4, 4)),
    ("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": "same", "padding_mode": "reflect"},
     (2, 3, 6, 6)),
    ("Conv1d", {"in_channels": 3, "out_channels": 6, "kernel_size": 2, "padding": 1, "padding_mode": "circular",
                "groups": 3}, (2, 3, 5)),
]


@pytest.mark.parametrize(("type_name", "params", "shape"), SAMPLES)
def test_other_layer_families_match_torch(type_name, params, shape):
    assert_matches_torch(chain(shape, [(type_name, params)]))


def test_pool_and_norm_operation_counts():
    graph = chain((2, 3, 9, 9), [("MaxPool2d", {"kernel_size": 3, "stride": 2}), ("BatchNorm2d", {"num_features": 3}),
                                 ("AdaptiveAvgPool2d", {"output_size": 3})])
    stats = compute_stats(graph, ShapeEngine(graph)).nodes
    assert stats["l1"].other_ops == 2 * 3 * 4 * 4 * 9 and stats["l1"].macs == 0
    assert stats["l2"].other_ops == 2 * 3 * 4 * 4 and stats["l2"].buffers == 2 * 3 + 1
    # 4 → 3 adaptive windows: [0, 2), [1, 3), [2, 4): 2 + 2 + 2 per axis.
    assert stats["l3"].other_ops == 2 * 3 * 6 * 6


OP_SAMPLES = [
    ("MatMul", {}, [(2, 3), (3, 4)]),
    ("MatMul", {}, [(5, 1, 2, 3), (7, 3, 4)]),
    ("MatMul", {}, [(3,), (5, 3, 4)]),
    ("Mul", {}, [(2, 3, 4), (3, 1)]),
    ("Div", {"other": 2}, [(2, 3)]),
    ("Mean", {"dim": [2, 3], "keepdim": True}, [(2, 3, 4, 4)]),
    ("Permute", {"dims": [0, 2, 1]}, [(2, 3, 4)]),
    ("Slice", {"dim": 1, "start": 1}, [(2, 3, 4)]),
]


def _op_graph(type_name, params, shapes):
    graph = single_layer(type_name, params, shapes)
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge("layer", "out"))
    return graph


@pytest.mark.parametrize(("type_name", "params", "shapes"), OP_SAMPLES)
def test_ops_match_torch(type_name, params, shapes):
    assert_matches_torch(_op_graph(type_name, params, shapes))


@pytest.mark.parametrize(
    ("shapes", "as_matrices"),
    [([(3,), (3,)], [(1, 3), (3, 1)]), ([(5, 2, 3), (3,)], [(5, 2, 3), (3, 1)]), ([(2, 3), (3,)], [(2, 3), (3, 1)])],
)
def test_matmul_of_vectors_counts_the_products_torch_leaves_uncounted(shapes, as_matrices):
    """FlopCounterMode does not count torch.dot and torch.mv; the same product with the vector as a
    one-column matrix is counted, and has exactly as many multiply-adds."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    graph = _op_graph("MatMul", {}, shapes)
    stats = compute_stats(graph, ShapeEngine(graph)).nodes["layer"]
    with FlopCounterMode(display=False) as counter:
        torch.matmul(*(torch.randn(*s) for s in as_matrices))
    assert stats.macs * 2 == counter.get_total_flops() > 0
    assert stats.formulas["macs"].endswith(f"= {stats.macs:,}")


def test_elementwise_and_reduction_operation_counts():
    nodes = {t: compute_stats(g, ShapeEngine(g)).nodes["layer"] for t, g in [
        ("Add3", _op_graph("Add", {}, [(2, 3), (2, 3), (3,)])),
        ("Mul", _op_graph("Mul", {"other": 0.5}, [(2, 3)])),
        ("Sum", _op_graph("Sum", {"dim": 1}, [(2, 3)])),
        ("Mean", _op_graph("Mean", {}, [(2, 3)])),
        ("Reshape", _op_graph("Reshape", {"shape": [-1]}, [(2, 3)])),
    ]}
    assert nodes["Add3"].other_ops == 12 and nodes["Mul"].other_ops == 6
    assert nodes["Sum"].other_ops == 6 and nodes["Mean"].other_ops == 7
    assert nodes["Reshape"].other_ops == 0 and all(n.params == 0 for n in nodes.values())
