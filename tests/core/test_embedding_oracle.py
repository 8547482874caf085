"""Embedding and Parameter against torch on real CPU tensors, valid and invalid; dtypes as torch has them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import catalog
from tests.core.rules import rule_run
from tests.oracle import check_agreement, torch_module, torch_outputs

SETTINGS = settings(max_examples=max(settings().max_examples, 200), deadline=None)


def mostly(value, *rare):
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


@st.composite
def embedding_case(draw, empty=False):
    rows = draw(mostly(draw(st.integers(1, 12)), 0, -1))
    params = {"num_embeddings": rows, "embedding_dim": draw(mostly(draw(st.integers(1, 6)), 0, -2))}
    if draw(st.booleans()):
        params["padding_idx"] = draw(st.one_of(st.none(), st.integers(-rows - 2, rows + 2)))
    if draw(st.integers(0, 3)) == 0:
        params["max_norm"] = draw(st.sampled_from([None, 1.0, 0.5]))
    for name in ("scale_grad_by_freq", "sparse"):
        if draw(st.integers(0, 3)) == 0:
            params[name] = draw(st.booleans())
    shape = tuple(draw(st.integers(0 if empty else 1, 4)) for _ in range(draw(st.integers(1, 4))))
    dtype = draw(mostly("int64", "float32"))
    return "Embedding", params, [shape], [dtype]


@SETTINGS
@given(embedding_case())
def test_embedding_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(embedding_case(empty=True))
def test_embedding_rule_on_empty_sizes_agrees_with_torch(case):
    type_name, params, shapes, dtypes = case
    expected = torch_outputs(type_name, params, shapes, ["int64"])
    got = rule_run(type_name, params, shapes[0])
    if isinstance(expected, Exception):
        assert isinstance(got, Exception), f"{case}: torch raised {expected}, rule gave {got}"
    else:
        assert not isinstance(got, Exception), f"{case}: torch gave {expected[0]}, rule said {got}"
        assert got.output_shapes == expected[0]


@SETTINGS
@given(st.lists(st.integers(-1, 4), min_size=0, max_size=5))
def test_parameter_agrees_with_torch(shape):
    expected = torch_outputs("Parameter", {"shape": shape}, [])
    got = rule_run("Parameter", {"shape": shape}, ())
    if isinstance(expected, Exception):
        assert isinstance(got, Exception)
    else:
        assert got.output_shapes == expected[0]
        spec = catalog.get("Parameter")
        assert spec.count_params(spec.resolve({"shape": shape})) == expected[2]


def test_embedding_weights_and_dims_are_torchs():
    spec = catalog.get("Embedding")
    params = {"num_embeddings": 100, "embedding_dim": 16}
    ours = [(n, tuple(s)) for n, s in spec.weights(spec.resolve(params))]
    assert ours == [(n, tuple(p.shape)) for n, p in torch_module("Embedding", params).named_parameters()]
    got = check_agreement("Embedding", params, [(2, 7)], ["int64"])
    assert got.shape == (2, 7, 16) and got.dtype == "float32"
    assert [n.label for n in got.inferred.dims] == ["N", "L", "E"]
    assert "16" in got.inferred.story[0] and "100·16 = 1,600" in got.inferred.story[0]


@pytest.mark.parametrize(
    "type_name, params, shape, keeps",
    [
        ("Linear", {"in_features": 3, "out_features": 2}, (2, 3), None),
        ("Conv1d", {"in_channels": 2, "out_channels": 2, "kernel_size": 1}, (1, 2, 5), None),
        ("LayerNorm", {"normalized_shape": [3]}, (2, 3), None),
        ("BatchNorm1d", {"num_features": 2}, (4, 2), None),
        ("GELU", {}, (2, 3), None),
        ("MaxPool1d", {"kernel_size": 2}, (1, 2, 4), None),
        ("ReLU", {}, (2, 3), "int64"),
        ("Flatten", {}, (2, 3, 4), "int64"),
        ("MaxPool2d", {"kernel_size": 2}, (1, 2, 4, 4), "int64"),
        ("Dropout", {}, (2, 3), "int64"),
        ("ZeroPad2d", {"padding": 1}, (1, 1, 3, 3), "int64"),
        ("Sigmoid", {}, (2, 3), "float32"),
        ("LocalResponseNorm", {"size": 2}, (1, 2, 3, 3), "float32"),
        ("Upsample", {"scale_factor": 2}, (1, 1, 3, 3), None),
        ("MultiheadAttention", {"embed_dim": 4, "num_heads": 2}, None, None),
    ],
)
def test_int64_tensors_are_refused_kept_or_turned_into_floats_as_torch_does(type_name, params, shape, keeps):
    shapes = [(3, 2, 4)] * 3 if shape is None else [shape]
    got = check_agreement(type_name, params, shapes, ["int64"] * len(shapes))
    assert (got.dtype if got.ok else None) == keeps
