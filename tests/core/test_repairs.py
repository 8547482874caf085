"""One-click fixes: mistakes planted in real designs, every offered fix applied and the result run in torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.examples import example_names, load_example
from designer.core.graph import Graph
from designer.core.repairs import RECEIVED_WIDTH_PARAMS, WINDOW_PARAMS, apply_params, fixes_for, offered_fixes
from designer.core.shapes import Fix, LayerError
from tests.torch_graph import chain, run_graph

SMALL_BATCH = 2  # the examples' batches shrunk so that torch runs each design quickly


def _example(name: str) -> Graph:
    graph = load_example(name)
    for node in graph.nodes():
        if node.type_name == "Input" and isinstance(node.params["shape"][0], int):
            graph.set_params(node.id, {"shape": [SMALL_BATCH, *node.params["shape"][1:]]})
    return graph


def _copy(graph: Graph) -> Graph:
    return project.loads(project.dumps(graph))


def _assert_fix_works(graph: Graph, node_id: str, fix: Fix, whole_design: bool) -> bool:
    """Applying ``fix`` clears ``node_id``'s error and breaks no working node; when ``whole_design``, it leaves
    no problem at all and torch runs the design to the same sizes. Returns whether the whole design works."""
    worked_before = {n for n in graph.node_ids() if ShapeEngine(graph).result(n).ok}
    fixed = _copy(graph)
    fixed.set_params(fix.node, apply_params(fixed.node(fix.node).params, fix))
    engine = ShapeEngine(fixed)
    assert engine.result(node_id).ok, f"{fix.label} left {engine.result(node_id).message()}"
    assert all(engine.result(n).ok for n in worked_before), f"{fix.label} broke a working node"
    works = all(engine.result(n).ok for n in fixed.node_ids())
    if whole_design:
        assert works, f"{fix.label} left {engine.problems()}"
    if works:
        ran = run_graph(fixed, engine)
        for n, torch_node in ran.items():
            assert torch_node.shape == engine.shape(n), f"{n} after {fix.label}"
    return works


PLANTS = st.sampled_from(["width", "padding", "kernel_size"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(example_names()), plant=PLANTS, data=st.data())
def test_every_offered_fix_clears_a_planted_mistake_and_torch_accepts_the_result(name, plant, data) -> None:
    graph = _example(name)
    params = RECEIVED_WIDTH_PARAMS if plant == "width" else (plant,)
    candidates = [
        (n.id, p) for n in graph.nodes() for p in params if p in n.params and isinstance(n.params[p], int)
    ]
    if not candidates:
        return
    node_id, param = data.draw(st.sampled_from(candidates), label="planted at")
    current = graph.node(node_id).params[param]
    if plant == "width":
        value = data.draw(st.integers(1, 600).filter(lambda v: v != current), label="width")
    elif plant == "padding":
        value = data.draw(st.integers(-4, 40).filter(lambda v: v != current), label="padding")
    else:
        value = data.draw(st.integers(1, 80).filter(lambda v: v != current), label="kernel_size")
    graph.set_params(node_id, {**graph.node(node_id).params, param: value})
    engine = ShapeEngine(graph)
    in_error = [n for n, _ in engine.problems()]
    fixes = offered_fixes(graph, engine)
    if plant == "width" and engine.result(node_id).error is not None:
        assert fixes[node_id], f"no fix for {engine.result(node_id).message()}"
        assert fixes[node_id][0].params == {param: engine.result(node_id).error.fixes[0].params[param]}
    for n in in_error:
        outcomes = [_assert_fix_works(graph, n, fix, whole_design=False) for fix in fixes[n]]
        # A fix that only moves the problem on is never offered beside one that solves it.
        assert len(set(outcomes)) <= 1, [f.label for f in fixes[n]]
        if plant in ("width", "padding") and in_error == [node_id] and fixes[n]:
            assert outcomes[0], f"{fixes[n][0].label} does not make the design work"


def _planted(name: str, node_id: str, **params) -> tuple[Graph, ShapeEngine]:
    graph = _example(name)
    graph.set_params(node_id, {**graph.node(node_id).params, **params})
    return graph, ShapeEngine(graph)


@pytest.mark.parametrize(
    ("name", "node_id", "planted", "first"),
    [
        ("dcgan_discriminator", "conv3", {"in_channels": 512}, "Set in_channels to 128"),
        ("dcgan_discriminator", "bn3", {"num_features": 100}, "Set num_features to 256"),
        ("vgg_classifier", "fc1", {"in_features": 1000}, None),
        ("dcgan_generator", "up2", {"padding": 9}, None),
        ("dcgan_discriminator", "conv2", {"padding": -1}, "Set padding to 1"),  # 0 would break conv5
        ("dcgan_discriminator", "conv5", {"kernel_size": 9}, None),
    ],
)
def test_planted_mistakes_get_a_first_fix_that_torch_confirms(name, node_id, planted, first) -> None:
    graph, engine = _planted(name, node_id, **planted)
    assert engine.result(node_id).error is not None
    fixes = fixes_for(graph, engine, node_id)
    assert fixes, engine.result(node_id).message()
    if first is not None:
        assert fixes[0].label == first
    for fix in fixes:
        _assert_fix_works(graph, node_id, fix, whole_design=True)


@pytest.mark.parametrize(
    ("layers", "planted", "first"),
    [
        ([("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}), ("Conv2d", {"in_channels": 5, "out_channels": 4, "kernel_size": 3})], "l2", "Set in_channels to 8"),
        ([("Flatten", {}), ("Linear", {"in_features": 100, "out_features": 10})], "l2", "Set in_features to 768"),
        ([("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}), ("BatchNorm2d", {"num_features": 3})], "l2", "Set num_features to 8"),
        ([("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}), ("GroupNorm", {"num_groups": 3, "num_channels": 8})], "l2", None),
        ([("LayerNorm", {"normalized_shape": [16, 15]})], "l1", "Set normalized_shape to [16, 16]"),
        ([("MaxPool2d", {"kernel_size": 2, "padding": 3})], "l1", None),
        ([("ConvTranspose2d", {"in_channels": 3, "out_channels": 3, "kernel_size": 3, "padding": 12})], "l1", None),
        ([("Conv2d", {"in_channels": 3, "out_channels": 3, "kernel_size": 3, "padding": -2})], "l1", "Set padding to 0"),
        ([("ZeroPad2d", {"padding": -9})], "l1", None),
        ([("AvgPool2d", {"kernel_size": 40})], "l1", None),
    ],
)
def test_small_designs_with_one_mistake_get_a_first_fix_that_torch_runs(layers, planted, first) -> None:
    graph = chain((2, 3, 16, 16), layers)
    engine = ShapeEngine(graph)
    assert [n for n, _ in engine.problems()] == [planted]
    fixes = fixes_for(graph, engine, planted)
    assert fixes, engine.result(planted).message()
    if first is not None:
        assert fixes[0].label == first
    for fix in fixes:
        _assert_fix_works(graph, planted, fix, whole_design=True)


def test_a_count_can_also_be_met_by_the_layer_that_makes_it() -> None:
    # fc1 → ReLU → Dropout → fc2: fc1 may produce what fc2 expects instead.
    graph, engine = _planted("vgg_classifier", "fc2", in_features=128)
    fixes = fixes_for(graph, engine, "fc2")
    assert [f.label for f in fixes] == ["Set in_features to 512", "Set 'fc1' out_features to 128"]
    for fix in fixes:
        _assert_fix_works(graph, "fc2", fix, whole_design=True)


def test_a_fix_that_only_moves_the_problem_downstream_is_not_offered() -> None:
    # conv3 → bn3: conv3 making 100 channels would leave conv4 (256 expected) broken instead.
    graph, engine = _planted("dcgan_discriminator", "bn3", num_features=100)
    assert [f.label for f in fixes_for(graph, engine, "bn3")] == ["Set num_features to 256"]


def test_a_fix_that_would_break_a_working_layer_is_not_offered() -> None:
    # conv2 feeds bn2 (128 channels): making conv2 produce 512 would break bn2, so only conv3 changes.
    graph, engine = _planted("dcgan_discriminator", "conv3", in_channels=512)
    assert [f.node for f in fixes_for(graph, engine, "conv3")] == ["conv3"]


def test_a_size_made_negative_offers_each_window_parameter_with_padding_first() -> None:
    graph, engine = _planted("dcgan_generator", "up2", padding=9)
    fixes = fixes_for(graph, engine, "up2")
    assert [next(iter(f.params)) for f in fixes][:3] == ["padding", "kernel_size", "stride"]
    assert all(set(f.params) <= set(WINDOW_PARAMS) for f in fixes)


def test_a_fix_label_names_the_value_as_the_file_spells_it() -> None:
    assert Fix.setting("padding_mode", "zeros").label == "Set padding_mode to 'zeros'"
    assert Fix.setting("align_corners", None).label == "Set align_corners to null"
    assert Fix.setting("affine", False).label == "Set affine to false"
    error = LayerError("x", param="eps", fixes=(Fix.setting("eps", 1e-05),))
    assert error.sentence() == "x; set eps to 1e-05"


def test_nodes_without_an_error_get_no_fixes() -> None:
    graph = _example("dcgan_generator")
    engine = ShapeEngine(graph)
    assert all(fixes == [] for fixes in offered_fixes(graph, engine).values())


def test_shapes_json_lists_fixes_that_update_the_node(tmp_path) -> None:
    graph, _ = _planted("dcgan_discriminator", "conv3", in_channels=512)
    path = tmp_path / "planted.json"
    project.save(graph, path)
    out = subprocess.run(
        [sys.executable, "-m", "designer", "shapes", str(path), "--json"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 1
    nodes = {n["id"]: n for n in json.loads(out.stdout)["nodes"]}
    fix = nodes["conv3"]["fixes"][0]
    assert fix["label"] == "Set in_channels to 128" and fix["node"] == "conv3"
    assert fix["params"] == {**graph.node("conv3").params, "in_channels": 128}
    assert fix["set"] == {"in_channels": 128}
    assert nodes["conv1"]["fixes"] == [] and nodes["bn3"]["fixes"] == []
    data = json.loads(path.read_text())
    for node in data["nodes"]:
        if node["id"] == fix["node"]:
            node["params"].update(fix["params"])
    path.write_text(json.dumps(data))
    again = subprocess.run([sys.executable, "-m", "designer", "shapes", str(path), "--json"], capture_output=True, text=True)
    assert again.returncode == 0 and json.loads(again.stdout)["ok"]
