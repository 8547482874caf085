"""LSTM, GRU and RNN against torch on real CPU tensors: every output (output, h_n, c_n), the parameter
count and torch's weight names and shapes, valid and invalid configurations."""

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
def recurrent_case(draw, empty=False):
    type_name = draw(st.sampled_from(["LSTM", "GRU", "RNN"]))
    rank = draw(mostly(3, 2, 3, 1, 4))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    if empty and rank >= 2:
        shape[draw(st.integers(0, rank - 2))] = 0  # an empty batch, or no time steps
    features = shape[-1] if shape else 1
    params = {
        "input_size": draw(mostly(features, features + 1, 0, -1)),
        "hidden_size": draw(mostly(draw(st.integers(1, 5)), 0)),
    }
    for name, strategy in (
        ("num_layers", mostly(draw(st.integers(1, 3)), 0)),
        ("bias", st.booleans()),
        ("batch_first", st.booleans()),
        ("dropout", st.sampled_from([0.0, 0.25, 1.0, 1.5])),
        ("bidirectional", st.booleans()),
    ):
        if draw(st.booleans()):
            params[name] = draw(strategy)
    if type_name == "LSTM" and draw(st.booleans()):
        params["proj_size"] = draw(st.integers(-1, 5))
    if type_name == "RNN" and draw(st.booleans()):
        params["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    return type_name, params, [tuple(shape)]


@SETTINGS
@given(recurrent_case())
def test_recurrent_layers_agree_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(recurrent_case(empty=True))
def test_recurrent_rules_agree_with_torch_on_empty_sizes(case):
    """Zero-size tensors arrive only from upstream layers, so the rule runs on them directly."""
    type_name, params, shapes = case
    expected = torch_outputs(type_name, params, shapes)
    got = rule_run(type_name, params, shapes[0])
    if isinstance(expected, Exception):
        assert isinstance(got, Exception), f"{case}: torch raised {expected}, rule gave {got}"
    else:
        assert not isinstance(got, Exception), f"{case}: torch gave {expected[0]}, rule said {got}"
        assert got.output_shapes == expected[0]


@pytest.mark.parametrize(
    "type_name, params",
    [
        ("LSTM", {"input_size": 4, "hidden_size": 3, "num_layers": 2, "bidirectional": True, "proj_size": 2}),
        ("GRU", {"input_size": 5, "hidden_size": 7, "bias": False, "num_layers": 3}),
        ("RNN", {"input_size": 2, "hidden_size": 6, "nonlinearity": "relu", "bidirectional": True}),
    ],
)
def test_weights_are_torchs_names_and_shapes_in_order(type_name, params):
    spec = catalog.get(type_name)
    ours = [(name, tuple(shape)) for name, shape in spec.weights(spec.resolve(params))]
    theirs = [(name, tuple(p.shape)) for name, p in torch_module(type_name, params).named_parameters()]
    assert ours == theirs


def test_lstm_outputs_are_named_and_the_batch_first_output_reads_n_t_h():
    got = check_agreement("LSTM", {"input_size": 8, "hidden_size": 16, "batch_first": True, "num_layers": 2}, [(4, 10, 8)])
    assert got.output_shapes == ((4, 10, 16), (2, 4, 16), (2, 4, 16))
    assert [n.label for n in got.inferred.dims] == ["N", "T", "H_out"]
    assert catalog.get("LSTM").output_names == ("output", "h_n", "c_n")


def test_a_float_only_layer_refuses_int64_token_ids_as_torch_does():
    got = check_agreement("GRU", {"input_size": 3, "hidden_size": 2}, [(5, 2, 3)], ["int64"])
    assert not got.ok and "int64" in got.error.message
