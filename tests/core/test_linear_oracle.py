"""Linear, Flatten and Unflatten shape rules against torch on real CPU tensors, valid and invalid configs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.rules import check_rule_agreement, check_warnings_agree
from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 300))


def mostly(value, *rare):
    """``value`` about nine times in ten, else one of the ``rare`` alternatives."""
    return st.sampled_from([value] * (9 * len(rare)) + list(rare))


def small_shape(draw, lo=1, hi=5):
    rank = draw(st.integers(lo, hi))
    return tuple(draw(st.integers(1, 4)) for _ in range(rank))


@st.composite
def linear_case(draw):
    shape = small_shape(draw, 1, 4)
    params = {
        "in_features": draw(mostly(shape[-1], shape[-1] + 1, 0, -1)),
        "out_features": draw(mostly(draw(st.integers(1, 6)), 0, -2)),
    }
    if draw(st.booleans()):
        params["bias"] = draw(st.booleans())
    return "Linear", params, [shape]


@st.composite
def flatten_case(draw):
    shape = small_shape(draw)
    rank = len(shape)
    params = {}
    for name in ("start_dim", "end_dim"):
        if draw(st.integers(0, 3)):
            params[name] = draw(mostly(draw(st.integers(-rank, rank - 1)), rank, -rank - 1))
    return "Flatten", params, [shape]


@st.composite
def unflatten_case(draw):
    shape = small_shape(draw, 1, 4)
    rank = len(shape)
    dim = draw(mostly(draw(st.integers(-rank, rank - 1)), rank, -rank - 1))
    size = shape[dim] if -rank <= dim < rank else 6
    # Split the size into its factors in a random order, then maybe replace one by -1.
    pieces = draw(st.permutations(_factors(size) + [1] * draw(st.integers(0, 1))))
    if draw(st.booleans()):
        pieces[draw(st.integers(0, len(pieces) - 1))] = -1
    pieces = draw(mostly(pieces, [*pieces, 2], [-1, -1], [-2, *pieces], [0, -1]))
    return "Unflatten", {"dim": dim, "unflattened_size": list(pieces)}, [shape]


def _factors(n: int) -> list[int]:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out or [1]


@SETTINGS
@given(linear_case())
def test_linear_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(flatten_case())
def test_flatten_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(unflatten_case())
def test_unflatten_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(st.one_of(linear_case(), flatten_case(), unflatten_case()), st.data())
def test_empty_inputs_agree_with_torch(case, data):
    type_name, params, (shape,) = case
    axis = data.draw(st.integers(0, len(shape) - 1))
    check_rule_agreement(type_name, params, tuple(0 if i == axis else d for i, d in enumerate(shape)))


def test_an_empty_tensor_made_by_linear_reaches_the_next_layer():
    """Linear(out_features=0) is how an empty tensor arises in a design; the layers after it still agree."""
    from designer.core.engine import ShapeEngine
    from designer.core.graph import Edge, Graph, Node

    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [4, 3]}))
    graph.add_node(Node("fc", "Linear", {"in_features": 3, "out_features": 0}))
    graph.add_node(Node("split", "Unflatten", {"dim": 1, "unflattened_size": [0, 5]}))
    graph.add_node(Node("flat", "Flatten", {"start_dim": 0}))
    for a, b in (("x", "fc"), ("fc", "split"), ("split", "flat")):
        graph.connect(Edge(a, b))
    engine = ShapeEngine(graph)
    assert engine.shape("fc") == (4, 0)
    assert engine.result("fc").warnings
    assert engine.shape("split") == (4, 0, 5)
    assert engine.shape("flat") == (0,)



@SETTINGS
@given(st.one_of(linear_case(), flatten_case(), unflatten_case()))
def test_warnings_agree_with_torch(case):
    check_warnings_agree(*case)

# ----- explanations ----------------------------------------------------------------------------
def test_linear_after_conv_suggests_flatten():
    got = check_agreement("Linear", {"in_features": 1000, "out_features": 10}, [(64, 512, 4, 4)])
    assert got.error.param == "in_features"
    assert got.error.sentence() == (
        "Linear 'layer' expects in_features=1000, but 'x0' gives a 4-D tensor 64×512×4×4 and Linear reads only its "
        "last dim (W=4); insert a Flatten before it and set in_features to C·H·W = 512·4·4 = 8192 "
        "(or set in_features to 4 to act on the last dim only)"
    )


def test_linear_on_flat_features_says_what_to_set():
    got = check_agreement("Linear", {"in_features": 1000, "out_features": 10}, [(64, 8192)])
    assert got.error.sentence() == (
        "Linear 'layer' expects 1000 input features (in_features) but receives 8192 from 'x0' (a 2-D tensor 64×8192); "
        "set in_features to 8192"
    )


def test_linear_explains_its_output():
    got = check_agreement("Linear", {"in_features": 8192, "out_features": 10}, [(64, 8192)])
    assert got.shape == (64, 10) and got.param_count == 81930
    assert [d.text() for d in got.inferred.dims] == ["N_out = N_in = 64 (unchanged)", "F_out = out_features = 10"]
    assert got.inferred.story[0] == (
        "Each of the 10 outputs is a weighted sum of all 8192 inputs plus a bias: weight [10, 8192], 81,930 parameters."
    )


def test_flatten_explains_the_product():
    got = check_agreement("Flatten", {}, [(64, 512, 4, 4)])
    assert got.shape == (64, 8192)
    assert got.inferred.dims[1].text() == "F = C·H·W = 512·4·4 = 8192"


def test_unflatten_works_out_the_minus_one():
    got = check_agreement("Unflatten", {"dim": 1, "unflattened_size": [-1, 4, 4]}, [(64, 8192)])
    assert got.shape == (64, 512, 4, 4)
    assert [d.label for d in got.inferred.dims] == ["N", "C", "H", "W"]
    assert got.inferred.dims[1].text() == "C = F / (H·W) = 8192 / (4·4) = 512 (the -1 is worked out)"


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        (
            {"dim": 1, "unflattened_size": [512, 4, 3]},
            "Unflatten 'layer' splits F = 8192 from 'x0' into [512, 4, 3], but 512·4·3 = 6144, not 8192; "
            "make the sizes multiply to 8192 (one of them may be -1 to have it worked out)",
        ),
        (
            {"dim": 1, "unflattened_size": [-1, 3]},
            "Unflatten 'layer' splits F = 8192 from 'x0' into [-1, 3], but 8192 cannot be split evenly by 3 = 3; "
            "make the sizes multiply to 8192 (one of them may be -1 to have it worked out)",
        ),
        (
            {"dim": 2, "unflattened_size": [8192]},
            "Unflatten 'layer': dim 2 does not exist in a 2-D tensor 64×8192 from 'x0' (use -2..1)",
        ),
    ],
)
def test_unflatten_errors(params, sentence):
    got = check_agreement("Unflatten", params, [(64, 8192)])
    assert got.error.sentence() == sentence


def test_flatten_start_after_end():
    got = check_agreement("Flatten", {"start_dim": 2, "end_dim": 1}, [(64, 512, 4, 4)])
    assert got.error.param == "start_dim"
    assert "comes after end_dim" in got.error.message
