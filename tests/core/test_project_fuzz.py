"""Fuzzing the loader: random bytes, random JSON and mutations of real projects.

Every input must end in a loaded graph or the loader's own ProjectError, quickly; a graph that loads
must also survive the shape engine and the exporter (a result or their own typed error).
"""

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.core import examples, project
from designer.core.engine import ShapeEngine
from designer.core.export import ExportError, export_code
from tests.core import block_designs as bd

FUZZ = settings(max_examples=max(settings().max_examples, 300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXAMPLE_TEXTS = [examples.example_path(name).read_text(encoding="utf-8") for name in examples.example_names()]
BLOCK_TEXTS = [bd.text(make()) for make in (bd.resnet18, bd.residual_stage, bd.unet)]  # format v3

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["same", "valid", "zeros", "nearest", "N", "Conv2d", "Input", "", "\u202e", "x" * 2000]),
)
json_values = st.recursive(
    json_leaf,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=30,
)


def survive(text: str) -> None:
    start = time.perf_counter()
    try:
        graph = project.loads(text, "fuzz.json")
    except project.ProjectError as exc:
        assert str(exc).startswith("fuzz.json"), str(exc)
        assert "\n" not in str(exc)
    else:
        engine = ShapeEngine(graph)
        for node_id in graph.node_ids():
            result = engine.result(node_id)
            assert result.ok or result.message()
        try:
            export_code(graph)
        except ExportError as exc:
            assert str(exc)
        assert project.loads(project.dumps(graph), "again.json") is not None
    assert time.perf_counter() - start < 5, "the loader must answer quickly"


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.json"
    path.write_bytes(data)
    try:
        project.load(path)
    except project.ProjectError as exc:
        assert str(exc).startswith("fuzz.json")


@FUZZ
@given(json_values)
def test_random_json(value):
    survive(json.dumps(value))


DEEP = "<deeply nested list>"


@st.composite
def mutated_project(draw, texts=EXAMPLE_TEXTS):
    data = json.loads(draw(st.sampled_from(texts)))
    depth = 0
    for _ in range(draw(st.integers(1, 4))):
        holder, key = draw(_places(data))
        if key is None:
            continue
        action = draw(st.sampled_from(["delete", "replace", "huge", "deep", "unicode", "swap"]))
        if action == "delete":
            del holder[key]
        elif action == "replace":
            holder[key] = draw(json_values)
        elif action == "huge":
            holder[key] = draw(st.sampled_from([10**30, -(10**30), 2**63, 1e308, -1, 0]))
        elif action == "deep":
            depth = draw(st.integers(10, 3000))
            holder[key] = DEEP
        elif action == "unicode":
            holder[key] = draw(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30))
        elif action == "swap" and isinstance(holder[key], (int, float)) and not isinstance(holder[key], bool):
            holder[key] = str(holder[key])
    return json.dumps(data).replace(json.dumps(DEEP), "[" * depth + "0" + "]" * depth)


@st.composite
def _places(draw, data):
    """A (container, key) pair somewhere inside ``data``."""
    holder = data
    while True:
        keys = list(holder) if isinstance(holder, dict) else list(range(len(holder)))
        if not keys:
            return holder, None
        key = draw(st.sampled_from(keys))
        child = holder[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            holder = child
            continue
        return holder, key


@FUZZ
@given(mutated_project())
def test_mutated_examples(text):
    survive(text)


@FUZZ
@given(mutated_project(BLOCK_TEXTS))
def test_mutated_block_designs(text):
    survive(text)


def test_deep_nesting_is_refused_not_a_recursion_error():
    text = '{"format": "model-designer-project", "version": 1, "nodes": ' + "[" * 100_000 + "]" * 100_000 + "}"
    survive(text)
