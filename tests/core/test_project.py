"""Project files: strict validation with places, limits against hostile files, migrations, round trips, saving."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import limits, project
from designer.core.engine import ShapeEngine
from designer.core.examples import example_names, example_path
from designer.core.graph import Edge, Graph, Node
from designer.core.project import ProjectError

FIXTURES = Path(__file__).parent / "fixtures"
V1 = (FIXTURES / "project_v1.json").read_text(encoding="utf-8")


def doc(nodes=None, edges=None, **top) -> dict:
    data = {"format": "model-designer-project", "version": 1, "name": "t"}
    data["nodes"] = nodes if nodes is not None else [{"id": "x", "type": "Input", "params": {"shape": [1, 3, 8, 8]}}]
    data["edges"] = edges if edges is not None else []
    data.update(top)
    return data


def conv(node_id="c", **params) -> dict:
    base = {"in_channels": 3, "out_channels": 4, "kernel_size": 3}
    base.update(params)
    return {"id": node_id, "type": "Conv2d", "params": base}


X = {"id": "x", "type": "Input", "params": {"shape": [1, 3, 8, 8]}}


def refused(data, source="p.json") -> ProjectError:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(ProjectError) as info:
        project.loads(text, source)
    return info.value


BAD_FILES = [
    # (document, location, words in the message)
    (doc([X, conv("up2", kernel_size="four")]), "nodes[1] (id 'up2')", "kernel_size must be an integer or a list of 2 integers, got 'four'"),
    (doc([X, conv(bias=0)]), "nodes[1] (id 'c')", "bias must be true or false, got 0"),
    (doc([X, conv(stride=True)]), "nodes[1] (id 'c')", "stride must be an integer"),
    (doc([X, conv(out_channels=3.5)]), "nodes[1] (id 'c')", "got 3.5"),
    (doc([X, conv(padding="full")]), "nodes[1] (id 'c')", "padding must be"),
    (doc([X, conv(colour=1)]), "nodes[1] (id 'c')", "Conv2d has no parameter 'colour'"),
    (doc([X, {"id": "c", "type": "Conv2d", "params": {"in_channels": 3, "out_channels": 4}}]), "nodes[1] (id 'c')", "kernel_size is required"),
    (doc([X, {"id": "c", "type": "Conv5d"}]), "nodes[1] (id 'c')", "unknown layer type 'Conv5d'"),
    (doc([X, {"id": "c", "type": "conv2d"}]), "nodes[1] (id 'c')", "did you mean 'Conv2d'?"),
    (doc([X, {"id": "c", "type": 7}]), "nodes[1] (id 'c')", "\"type\" must be a layer type name"),
    (doc([X, {"id": "c"}]), "nodes[1] (id 'c')", "the field is missing"),
    (doc([X, dict(X)]), "nodes[1] (id 'x')", "used by nodes[0] already"),
    (doc([X, {"type": "Add"}]), "nodes[1]", "\"id\" must be a non-empty text"),
    (doc([X, {"id": "", "type": "Add"}]), "nodes[1]", "non-empty"),
    (doc([X, {"id": 5, "type": "Add"}]), "nodes[1]", "\"id\" must be a non-empty text, got a number"),
    (doc([X, ["x", "Add"]]), "nodes[1]", "a node must be an object"),
    (doc([X, {"id": "a", "type": "Add", "params": [1]}]), "nodes[1] (id 'a')", "\"params\" must be an object"),
    (doc([X, {"id": "a", "type": "Add", "colour": "red"}]), "nodes[1] (id 'a')", "unknown field 'colour'"),
    (doc([X, {"id": "a", "type": "Add", "name": 3}]), "nodes[1] (id 'a')", "\"name\" must be a text"),
    (doc([dict(X, position=[1])]), "nodes[0] (id 'x')", "\"position\" must be a list of 2 numbers"),
    (doc([dict(X, position=[1, True])]), "nodes[0] (id 'x')", "\"position\""),
    (doc([dict(X, params={"shape": [1, 3, 8, 8.0]})]), "nodes[0] (id 'x')", "shape must be a list of 1 to 8 integers"),
    (doc(edges=[{"source": "x", "target": "nowhere"}]), "edges[0]", "\"target\" 'nowhere' is not the id of any node"),
    (doc(edges=[{"source": "ghost", "target": "x"}]), "edges[0]", "\"source\" 'ghost' is not the id of any node"),
    (doc(edges=[{"source": "x"}]), "edges[0]", "\"target\" must be a node id"),
    (doc(edges=[{"source": "x", "target": "x", "target_port": -1}]), "edges[0]", "\"target_port\" must be an integer from 0"),
    (doc(edges=[{"source": "x", "target": "x", "target_port": 1.0}]), "edges[0]", "got 1.0"),
    (doc(edges=[{"source": "x", "target": "x", "target_port": False}]), "edges[0]", "got False"),
    (doc(edges=[{"source": "x", "target": "x", "weight": 2}]), "edges[0]", "unknown field 'weight'"),
    (doc(edges=["x->c"]), "edges[0]", "an edge must be an object"),
    (
        doc([X, {"id": "a", "type": "Add"}], [{"source": "x", "target": "a"}, {"source": "x", "target": "a", "target_port": 0}]),
        "edges[1]",
        "input 0 of 'a' already has an edge (from 'x')",
    ),
]


@pytest.mark.parametrize(("data", "location", "words"), BAD_FILES)
def test_bad_files_are_refused_naming_the_place(data, location, words):
    error = refused(data)
    assert error.location == location
    assert words in error.message
    assert str(error) == f"p.json: {location}: {error.message}"
    assert error.path == "p.json"
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ("[1, 2]", "one JSON object {...}, not a list"),
        ("null", "not null"),
        ('{"version": 1, "nodes": []}', "no \"format\" field"),
        ('{"format": "something-else", "version": 1, "nodes": []}', "'something-else'"),
        ('{"format": "model-designer-project", "nodes": []}', "\"version\" field is missing"),
        ('{"format": "model-designer-project", "version": "1", "nodes": []}', "\"version\" must be an integer"),
        ('{"format": "model-designer-project", "version": true, "nodes": []}', "\"version\" must be an integer"),
        ('{"format": "model-designer-project", "version": 0, "nodes": []}', "versions start at 1"),
        ('{"format": "model-designer-project", "version": 1}', "\"nodes\" must be a list"),
        ('{"format": "model-designer-project", "version": 1, "nodes": {}}', "\"nodes\" must be a list"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "edges": 3}', "\"edges\" must be a list"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "name": 3}', "\"name\" must be a text"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "extra": 3}', "unknown field 'extra'"),
        ('{"format": "model-designer-project", "format": "x", "version": 1, "nodes": []}', "the key 'format' appears twice"),
    ],
)
def test_bad_top_level_is_refused(text, words):
    assert words in str(refused(text))


def test_syntax_errors_name_line_and_column():
    error = refused('{\n  "format": "model-designer-project",\n  "version": 1,,\n}')
    assert error.location == "line 3, column 16"


def test_newer_version_is_refused_naming_both_versions():
    error = refused(doc(version=project.FORMAT_VERSION + 1))
    assert f"version {project.FORMAT_VERSION + 1}" in str(error)
    assert f"up to {project.FORMAT_VERSION}" in str(error)
    assert "newer Model Designer" in str(error)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"format": "model-designer-project", "version": 1, "nodes": [' + "[" * 200_000 + "]}", "nested too deeply"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [' + "[" * 50 + "]" * 50 + "]}", "nested more than"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "name": "' + "a" * 10_000_000 + '"}', "10,000,000 characters"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "name": ' + "9" * 5000 + "}", "name: a number with more than 4,300 digits"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [1e400]}', "nodes[0]: 1e400 is too large for a number and reads as infinity; infinity is not a size"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [NaN]}', "NaN (not a number) is not a size"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [-Infinity]}', "nodes[0]: infinity is not a size"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [' + "1" * 30 + "]}", "too large"),
        ('{"format": "model-designer-project", "version": 1, "nodes": [], "edges": [[' + "0," * 5000 + "0]]}", "longer than"),
    ],
)
def test_hostile_files_fail_with_a_message(text, words):
    started = time.perf_counter()
    error = refused(text)
    assert words in str(error)
    assert time.perf_counter() - started < 5


def test_hostile_values_name_their_place():
    error = refused(doc([dict(X, params={"shape": [1, 3, 8, 1e400]})]))
    assert error.location == "nodes[0] (id 'x').params.shape[3]"


def test_node_and_edge_counts_are_limited(monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 3)
    nodes = [{"id": f"a{i}", "type": "Add"} for i in range(4)]
    assert "4 nodes; the limit is 3" in str(refused(doc(nodes)))
    monkeypatch.setattr(limits, "MAX_EDGES", 1)
    edges = [{"source": "x", "target": "x", "target_port": i} for i in range(2)]
    assert "2 edges; the limit is 1" in str(refused(doc(edges=edges)))


def test_file_size_is_limited(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc(name="x" * 500)))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 200)
    with pytest.raises(ProjectError, match="big.json: the file is .* bytes; project files are limited to 200"):
        project.load(path)


def test_unreadable_files(tmp_path):
    with pytest.raises(ProjectError, match="missing.json: cannot read the file: no such file"):
        project.load(tmp_path / "missing.json")
    with pytest.raises(ProjectError, match="cannot read the file"):
        project.load(tmp_path)
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(doc(name="caf\u00e9"), ensure_ascii=False).encode("latin-1"))
    with pytest.raises(ProjectError, match="latin.json: the file is not UTF-8 text"):
        project.load(latin)


def test_any_extension_and_a_byte_order_mark_open(tmp_path):
    path = tmp_path / "design.model"
    path.write_bytes(b"\xef\xbb\xbf" + V1.encode("utf-8"))
    assert project.load(path).name == "Fixture v1 — kept forever"


def test_cycles_and_wrong_input_counts_load_and_show_on_the_nodes():
    y = {"id": "y", "type": "Input", "params": {"shape": [1]}}
    nodes = [X, y, {"id": "a", "type": "Add"}, {"id": "b", "type": "Add"}, {"id": "lonely", "type": "Output"}]
    edges = [
        {"source": "x", "target": "a"},
        {"source": "b", "target": "a", "target_port": 1},
        {"source": "a", "target": "b"},
        {"source": "x", "target": "y"},
    ]
    graph = project.loads(json.dumps(doc(nodes, edges)))
    engine = ShapeEngine(graph)
    assert "cycle" in engine.result("a").message()
    assert "no input connected" in engine.result("lonely").message()
    assert "takes no inputs" in engine.result("y").message()


def test_the_v1_fixture_loads_forever():
    graph = project.loads(V1, "project_v1.json")
    assert graph.name == "Fixture v1 — kept forever"
    assert graph.node("x").name == "image ✓"
    assert graph.node("down").position == (240.5, -70)
    assert graph.node("side").position is None
    assert graph.inputs("join") == {0: "up", 1: "x"}
    assert ShapeEngine(graph).shape("out") == (2, 7, 16, 16)


def test_canonical_text_round_trips_byte_for_byte():
    assert project.dumps(project.loads(V1)) == V1


@pytest.mark.parametrize("name", example_names())
def test_every_example_round_trips_byte_for_byte(name):
    text = example_path(name).read_text(encoding="utf-8")
    assert project.dumps(project.loads(text, f"{name}.json")) == text


def test_dumps_is_stable_and_writes_params_in_the_catalog_order():
    graph = Graph("g")
    graph.add_node(Node("c", "Conv2d", {"kernel_size": 3, "out_channels": 4, "in_channels": 3}))
    line = project.dumps(graph).splitlines()[5]
    assert line == '    {"id": "c", "type": "Conv2d", "params": {"in_channels": 3, "out_channels": 4, "kernel_size": 3}},'[:-1]
    assert project.dumps(Graph("empty")).endswith('"nodes": [],\n  "edges": []\n}\n')


node_ids = st.text(min_size=1, max_size=12)


@settings(max_examples=60)
@given(
    st.lists(node_ids, min_size=1, max_size=8, unique=True),
    st.text(max_size=20),
    st.lists(st.tuples(st.integers(-5000, 5000), st.floats(-1e6, 1e6, allow_nan=False)), max_size=8),
    st.data(),
)
def test_random_designs_round_trip(ids, name, positions, data):
    graph = Graph(name)
    for i, node_id in enumerate(ids):
        position = positions[i] if i < len(positions) else None
        graph.add_node(Node(node_id, "Add" if i % 2 else "Concat", {} if i % 2 else {"dim": i}, name=node_id[::-1] or None, position=position))
    for port, (a, b) in enumerate(data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6))):
        graph.connect(Edge(a, b, port), strict=False)
    text = project.dumps(graph)
    again = project.loads(text)
    assert project.dumps(again) == text
    assert [(n.id, n.type_name, n.params, n.name, n.position) for n in again.nodes()] == [
        (n.id, n.type_name, n.params, n.name, n.position) for n in graph.nodes()
    ]
    assert list(again.edges()) == list(graph.edges())


def test_5000_nodes_round_trip_byte_for_byte():
    """Its speed is a benchmark figure (save_5000_ms in tests/benchmarks/run.py), not a timed test."""
    graph = Graph("big")
    graph.add_node(Node("x", "Input", {"shape": [1, 3, 8, 8]}, position=(0, 0)))
    previous = "x"
    for i in range(4999):
        node_id = f"conv{i}"
        graph.add_node(Node(node_id, "Conv2d", {"in_channels": 3, "out_channels": 3, "kernel_size": 3, "padding": 1}, position=(i, 0)))
        graph.connect(Edge(previous, node_id))
        previous = node_id
    text = project.dumps(graph)
    assert text.count("\n") > 10_000, "one node or edge per line keeps diffs of big projects readable"
    assert project.dumps(project.loads(text)) == text


# ----- migrations ----------------------------------------------------------------------------------
def test_every_old_version_has_a_migration_step():
    assert sorted(project.MIGRATIONS) == list(range(1, project.FORMAT_VERSION))


def test_migrations_run_one_numbered_step_at_a_time():
    calls = []

    def step(n):
        def migrate(data):
            calls.append(n)
            return {**data, "log": data.get("log", []) + [n]}

        return migrate

    steps = {1: step(1), 2: step(2), 3: step(3)}
    out = project.migrate({"version": 2}, 2, current=4, steps=steps)
    assert calls == [2, 3]
    assert out == {"version": 4, "log": [2, 3]}
    assert project.migrate({"version": 4}, 4, current=4, steps=steps) == {"version": 4}


def test_v1_files_pass_through_the_registered_migration(monkeypatch):
    seen = []
    real = project.MIGRATIONS[1]

    def spy(data):
        seen.append(data["version"])
        return real(data)

    monkeypatch.setitem(project.MIGRATIONS, 1, spy)
    graph = project.loads(V1)
    assert seen == [1]
    assert project.dumps(graph) == V1  # nothing in it needs version 2, so it is written as it was


def test_an_open_batch_is_saved_as_version_2_and_round_trips():
    graph = project.loads(V1)
    input_id = next(n.id for n in graph.nodes() if n.type_name == "Input")
    shape = graph.node(input_id).params["shape"]
    graph.set_params(input_id, {"shape": ["N", *shape[1:]]})
    text = project.dumps(graph)
    assert text.splitlines()[2] == '  "version": 2,'
    again = project.loads(text)
    assert again.node(input_id).params["shape"][0] == "N"
    assert project.dumps(again) == text


def test_n_is_only_allowed_first_in_an_input_shape():
    data = json.loads(V1)
    data["version"] = 2
    node = next(n for n in data["nodes"] if n["type"] == "Input")
    node["params"]["shape"] = [1, "N", 8]
    error = refused(json.dumps(data))
    assert 'the first may be "N"' in str(error)


# ----- saving --------------------------------------------------------------------------------------
def test_save_writes_the_canonical_text_and_keeps_a_backup(tmp_path):
    path = tmp_path / "design.json"
    graph = project.loads(V1)
    project.save(graph, path)
    assert path.read_text(encoding="utf-8") == V1
    assert not Path(project.backup_path(path)).exists()
    graph.set_name("second")
    project.save(graph, path)
    assert Path(project.backup_path(path)).read_text(encoding="utf-8") == V1
    assert project.load(path).name == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.json", "design.json.bak"]


def test_save_keeps_the_file_mode_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    project.save(project.loads(V1), link)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == V1
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_failed_save_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "design.json"
    path.write_text("old contents")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(project.os, "replace", broken_replace)
    with pytest.raises(ProjectError) as info:
        project.save(project.loads(V1), path)
    assert str(info.value) == "design.json: cannot save the file: no space left on device"
    assert info.value.path == str(path)
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["design.json"]


def test_save_into_a_missing_folder_names_the_path(tmp_path):
    with pytest.raises(ProjectError, match="design.json: cannot save the file: no such file or directory"):
        project.save(Graph(), tmp_path / "nope" / "design.json")
