"""Explanations: worked numbers recompute to the engine's sizes, dims are named, advice is applicable."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from designer.core import arith
from designer.core.engine import ShapeEngine
from designer.core.explain import checkerboard_advice, checkerboard_warning, edge_tooltip, explain, explain_text
from designer.core.graph import Edge
from tests.oracle import single_layer, torch_run
from tests.torch_graph import chain, run_graph

SETTINGS = settings(max_examples=max(settings().max_examples, 200))


def assert_worked_numbers_hold(explanation, shape):
    """Every derivation written as ``expression = size`` evaluates to that size, which is the engine's."""
    checked = 0
    by_label = {d.name: d.size for d in explanation.output.dims}
    for der in explanation.derivations:
        assert by_label[der.label] == der.size
        split = arith.split_worked(der.worked)
        if split is None:
            continue
        expression, stated = split
        assert arith.evaluate(expression) == stated == der.size, der
        assert der.steps[0] == arith.render(arith.parse(expression)) and der.steps[-1] == str(der.size)
        checked += 1
    assert [d.size for d in explanation.output.dims] == list(shape)
    return checked


@st.composite
def windowed_layer(draw):
    family = draw(st.sampled_from(["Conv", "ConvTranspose", "MaxPool", "AvgPool"]))
    n = draw(st.integers(1, 3))
    one = st.integers

    def per_dim(lo, hi):
        return st.one_of(one(lo, hi), st.lists(one(lo, hi), min_size=n, max_size=n))

    params = {"kernel_size": draw(per_dim(1, 4)), "stride": draw(per_dim(1, 3)), "padding": draw(per_dim(0, 2))}
    if family.startswith("Conv"):
        params.update(in_channels=2, out_channels=3, dilation=draw(per_dim(1, 2)))
    if family == "ConvTranspose":
        params["output_padding"] = draw(per_dim(0, 1))
    if family == "MaxPool":
        params["dilation"] = draw(per_dim(1, 2))
    if family in ("MaxPool", "AvgPool"):
        params["ceil_mode"] = draw(st.booleans())
    batched = draw(st.booleans())
    shape = ((draw(one(1, 3)),) if batched else ()) + (2,) + tuple(draw(one(1, 9)) for _ in range(n))
    return f"{family}{n}d", params, shape


@SETTINGS
@given(windowed_layer())
def test_every_worked_formula_recomputes_to_the_engine_size_and_torch(case):
    type_name, params, shape = case
    graph = single_layer(type_name, params, [shape])
    engine = ShapeEngine(graph)
    assume(engine.result("layer").ok)
    expected = torch_run(type_name, params, [shape])
    assert not isinstance(expected, Exception)
    explanation = explain(graph, engine, "layer")
    spatial = int(type_name[-2])
    assert assert_worked_numbers_hold(explanation, expected[0]) >= spatial


def test_dcgan_first_layer_in_words():
    graph = chain((64, 100, 1, 1), [("ConvTranspose2d", {"in_channels": 100, "out_channels": 512, "kernel_size": 4})])
    engine = ShapeEngine(graph)
    ex = explain(graph, engine, "l1")
    assert [(d.name, d.size) for d in ex.inputs[0].dims] == [("N", 64), ("C", 100), ("H", 1), ("W", 1)]
    assert ex.inputs[0].dims[0].meaning.startswith("batch")
    h = ex.derivations[2]
    assert h.steps == ("(1 − 1)·1 − 2·0 + 1·(4 − 1) + 0 + 1", "0·1 − 2·0 + 1·3 + 0 + 1", "0 − 0 + 3 + 0 + 1", "4")
    assert ex.weights == (("weight", (100, 512, 4, 4)), ("bias", (512,)))
    assert ex.params == 819_712
    assert ex.story[0].startswith("512 filters, each 100×4×4")
    assert not ex.warnings and not ex.advice
    text = explain_text(graph, engine, "l1")
    for expected in ("Input from 'x': 64×100×1×1", "Output: 64×512×4×4", "      = 4", "weight [100, 512, 4, 4]"):
        assert expected in text


def test_unbatched_input_dims_are_named_by_the_rule():
    graph = single_layer("Conv1d", {"in_channels": 2, "out_channels": 4, "kernel_size": 3}, [(2, 10)])
    ex = explain(graph, ShapeEngine(graph), "layer")
    assert [d.name for d in ex.output.dims] == ["C", "L"]
    assert [d.name for d in ex.inputs[0].dims] == ["C", "L"]


def test_checkerboard_warning_and_its_alternatives_keep_the_size():
    up = {"in_channels": 8, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}
    graph = chain((2, 8, 5, 5), [("ConvTranspose2d", up)])
    engine = ShapeEngine(graph)
    ex = explain(graph, engine, "l1")
    assert any("checkerboard" in w and "Distill 2016" in w for w in ex.warnings)
    (advice,) = ex.advice
    same, upsample = advice.alternatives
    ((type_name, params),) = same.layers
    assert type_name == "ConvTranspose2d" and params["kernel_size"] == 4 and params["stride"] == 2
    assert torch_run(type_name, params, [(2, 8, 5, 5)])[0] == engine.shape("l1") == (2, 4, 10, 10)
    swapped = chain((2, 8, 5, 5), [(type_name, params)])
    assert checkerboard_advice(swapped, ShapeEngine(swapped), "l1") is None
    replaced = chain((2, 8, 5, 5), list(upsample.layers))
    assert ShapeEngine(replaced).shape("l2") == (2, 4, 10, 10)
    assert run_graph(replaced, ShapeEngine(replaced))["l2"].shape == (2, 4, 10, 10)


def test_uneven_size_change_suggests_an_upsample_to_the_exact_size():
    up = {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2}
    graph = chain((1, 1, 4, 6), [("ConvTranspose2d", up)])
    engine = ShapeEngine(graph)
    advice = checkerboard_advice(graph, engine, "l1")
    resize = advice.alternatives[-1]
    assert resize.layers[0] == ("Upsample", {"size": [9, 13], "mode": "nearest"})
    replaced = chain((1, 1, 4, 6), list(resize.layers))
    assert ShapeEngine(replaced).shape("l2") == engine.shape("l1") == (1, 1, 9, 13)


def test_problem_and_waiting_nodes_say_so():
    graph = chain((1, 3, 8, 8), [("Conv2d", {"in_channels": 4, "out_channels": 8, "kernel_size": 3}),
                                 ("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3})])
    engine = ShapeEngine(graph)
    bad = explain(graph, engine, "l1")
    assert bad.status == "error" and bad.output is None and bad.problem_param == "in_channels"
    assert "set in_channels to 3" in bad.problem
    assert "Problem: " in explain_text(graph, engine, "l1")
    waiting = explain(graph, engine, "l2")
    assert waiting.waits_for == "l1" and "waits for 'l1'" in waiting.problem


def test_edge_tooltip_names_every_dim_and_the_memory():
    graph = chain((64, 100, 1, 1), [("ConvTranspose2d", {"in_channels": 100, "out_channels": 512, "kernel_size": 4})])
    engine = ShapeEngine(graph)
    text = edge_tooltip(graph, engine, Edge("l1", "out"))
    assert text == "'l1' → 'out': 64×512×4×4 (N=64 batch · C=512 channels · H=4 height · W=4 width); 524,288 values, 2.0 MiB as float32"
    graph.set_params("l1", {"in_channels": 3, "out_channels": 512, "kernel_size": 4})
    engine.refresh()  # the engine's owner refreshes it; queries only read
    assert "size unknown" in edge_tooltip(graph, engine, Edge("l1", "out"))


def test_checkerboard_warning_alone_is_cheap_and_tolerates_bad_values():
    assert "kernel_size 3 is not divisible by stride 2" in checkerboard_warning(
        "ConvTranspose1d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2}
    )
    assert checkerboard_warning("ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": [4, 2], "stride": 2}) is None
    assert checkerboard_warning("ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": -2}) is None
    assert checkerboard_warning("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2}) is None
    dilated = checkerboard_warning("ConvTranspose1d", {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "stride": 2, "dilation": 2})
    assert "do not tile evenly" in dilated and "pattern 2/0" in dilated
