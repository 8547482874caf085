"""MultiheadAttention, TransformerEncoderLayer and TransformerDecoderLayer against torch on real CPU tensors:
every output port, the parameter count and torch's weight names, valid and invalid configurations."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import catalog
from designer.core.shapes import LayerError
from designer.core.spec import RuleContext
from tests.oracle import check_agreement, torch_module, torch_outputs

SETTINGS = settings(max_examples=max(settings().max_examples, 200), deadline=None)


def mostly(value, *rare):
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


def sequence(draw, rank, length, batch, width, batch_first):
    if rank == 2:
        return (length, width)
    if rank == 3:
        return (batch, length, width) if batch_first else (length, batch, width)
    return tuple(draw(st.integers(1, 3)) for _ in range(rank))


@st.composite
def mha_case(draw):
    heads = draw(st.integers(1, 3))
    e = heads * draw(st.integers(1, 3))
    params = {"embed_dim": draw(mostly(e, e + 1, 0)), "num_heads": draw(mostly(heads, 0, -1))}
    for name, strategy in (
        ("bias", st.booleans()),
        ("add_bias_kv", st.booleans()),
        ("add_zero_attn", st.booleans()),
        ("batch_first", st.booleans()),
        ("dropout", st.sampled_from([0.0, 0.5, 1.5])),
        ("kdim", st.one_of(st.none(), st.integers(1, 5))),
        ("vdim", st.one_of(st.none(), st.integers(1, 5))),
    ):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    first = params.get("batch_first", False)
    rank = draw(mostly(3, 2, 4))
    batch, length, source = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kdim = params.get("kdim") or e
    vdim = params.get("vdim") or e
    shapes = [
        sequence(draw, draw(mostly(rank, 2, 3)), length, batch, draw(mostly(e, e + 1)), first),
        sequence(draw, draw(mostly(rank, 2, 3)), source, draw(mostly(batch, batch + 1)), draw(mostly(kdim, kdim + 1)), first),
        sequence(draw, draw(mostly(rank, 2, 3)), draw(mostly(source, source + 1)), batch, draw(mostly(vdim, vdim + 1)), first),
    ]
    return "MultiheadAttention", params, shapes


@st.composite
def transformer_case(draw):
    type_name = draw(st.sampled_from(["TransformerEncoderLayer", "TransformerDecoderLayer"]))
    heads = draw(st.integers(1, 3))
    d = heads * draw(st.integers(1, 3))
    params = {"d_model": draw(mostly(d, d + 1, 0)), "nhead": draw(mostly(heads, 0))}
    for name, strategy in (
        ("dim_feedforward", st.integers(0, 8)),
        ("dropout", st.sampled_from([0.0, 0.1, 1.0, 1.5])),
        ("activation", st.sampled_from(["relu", "gelu"])),
        ("layer_norm_eps", st.sampled_from([1e-5, 1e-6])),
        ("batch_first", st.booleans()),
        ("norm_first", st.booleans()),
        ("bias", st.booleans()),
    ):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    first = params.get("batch_first", False)
    rank = draw(mostly(3, 2, 1, 4))
    batch = draw(st.integers(1, 3))
    shapes = [sequence(draw, rank, draw(st.integers(1, 4)), batch, draw(mostly(d, d + 1)), first)]
    if type_name == "TransformerDecoderLayer":
        shapes.append(
            sequence(draw, draw(mostly(rank, 2, 3)), draw(st.integers(1, 4)), draw(mostly(batch, batch + 1)), draw(mostly(d, d + 1)), first)
        )
    return type_name, params, shapes


@SETTINGS
@given(mha_case())
def test_multihead_attention_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(transformer_case())
def test_transformer_layers_agree_with_torch(case):
    check_agreement(*case)


@pytest.mark.parametrize(
    "type_name, params",
    [
        ("MultiheadAttention", {"embed_dim": 6, "num_heads": 2}),
        ("MultiheadAttention", {"embed_dim": 6, "num_heads": 3, "kdim": 4, "vdim": 5, "add_bias_kv": True}),
        ("MultiheadAttention", {"embed_dim": 4, "num_heads": 1, "bias": False}),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16}),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 4, "bias": False}),
        ("TransformerDecoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 12}),
        ("TransformerDecoderLayer", {"d_model": 6, "nhead": 3, "bias": False}),
    ],
)
def test_weights_are_torchs_names_and_shapes_in_order(type_name, params):
    spec = catalog.get(type_name)
    ours = [(name, tuple(shape)) for name, shape in spec.weights(spec.resolve(params))]
    theirs = [(name, tuple(p.shape)) for name, p in torch_module(type_name, params).named_parameters()]
    assert ours == theirs


@pytest.mark.parametrize("batch_first", [False, True])
def test_self_attention_with_one_tensor_on_all_three_ports_matches_torchs_fast_path(batch_first):
    """The exported ``self.attn(x, x, x)`` may take torch's fused path; its sizes are the same."""
    import torch

    params = {"embed_dim": 8, "num_heads": 2, "batch_first": batch_first}
    x = torch.randn(3, 5, 8)
    with torch.no_grad():
        out, weights = torch_module("MultiheadAttention", params).eval()(x, x, x)
    spec = catalog.get("MultiheadAttention")
    got = spec.infer(RuleContext("MultiheadAttention", spec.resolve(params), ((3, 5, 8),) * 3, "attn"))
    assert got.output_shapes == (tuple(out.shape), tuple(weights.shape))


@pytest.mark.parametrize(
    "shapes",
    [[(0, 2, 4), (3, 2, 4), (3, 2, 4)], [(5, 0, 4), (3, 0, 4), (3, 0, 4)], [(5, 2, 4), (0, 2, 4), (0, 2, 4)]],
)
def test_multihead_attention_rule_on_empty_sizes_agrees_with_torch(shapes):
    """Zero-size tensors arrive only from upstream layers, so the rule runs on them directly."""
    params = {"embed_dim": 4, "num_heads": 2}
    expected = torch_outputs("MultiheadAttention", params, shapes)
    spec = catalog.get("MultiheadAttention")
    try:
        got = spec.infer(RuleContext("MultiheadAttention", spec.resolve(params), tuple(shapes), "attn"))
    except LayerError as exc:
        assert isinstance(expected, Exception), f"torch gave {expected}, rule said {exc}"
    else:
        assert not isinstance(expected, Exception), f"torch raised {expected}, rule gave {got.output_shapes}"
        assert got.output_shapes == expected[0]


def test_attention_outputs_are_named_and_weights_read_n_l_s():
    got = check_agreement("MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "batch_first": True},
                          [(4, 10, 8), (4, 7, 8), (4, 7, 8)])
    assert got.output_shapes == ((4, 10, 8), (4, 10, 7))
    assert [n.label for n in got.inferred.dims] == ["N", "L", "E"]
    spec = catalog.get("MultiheadAttention")
    assert spec.output_names == ("attn_output", "attn_weights") and spec.input_names == ("query", "key", "value")
