"""One set of limits: what the model accepts, save writes and load reads back equal; what it refuses,
every door (load, paste, rename, params, move, connect) refuses with the same sentence and the place."""

from __future__ import annotations

import contextlib
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.core import builders, catalog, ids, limits, project
from designer.core.errors import GraphError, LimitError
from designer.core.graph import Edge, Graph, Node
from designer.core.project import ProjectError

SURROGATE = "\ud800"
HOSTILE_TEXTS = [
    SURROGATE,
    "a\udfffb",
    "x" * limits.MAX_TEXT,
    "x" * (limits.MAX_TEXT + 1),
    "\u202eevil",
    "nul\x00byte",
    "line\nbreak",
    "emoji 😀",
    "",
    "'\"\\",
]
texts = st.one_of(st.sampled_from(HOSTILE_TEXTS), st.text(st.characters(blacklist_categories=()), max_size=30))
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([limits.MAX_INT, limits.MAX_INT + 1, -limits.MAX_INT - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
TYPES = ["Input", "Conv2d", "Linear", "ReLU", "Add", "Upsample", "Output", "Dropout"]


def same_design(a: Graph, b: Graph) -> None:
    assert a.name == b.name
    assert [(n.id, n.type_name, n.params, n.name, n.position) for n in a.nodes()] == [
        (n.id, n.type_name, n.params, n.name, n.position) for n in b.nodes()
    ]
    assert list(a.edges()) == list(b.edges())


def params_for(type_name: str, draw) -> dict:
    spec = catalog.get(type_name)
    params = dict({"Input": {"shape": [1, 3, 8, 8]}, "Conv2d": {"in_channels": 3, "out_channels": 4, "kernel_size": 3},
                   "Linear": {"in_features": 8, "out_features": 2}}.get(type_name, {}))
    # One hostile number where the layer takes one.
    for p in spec.params:
        if p.kind.editor in ("int", "float") and draw(st.booleans()):
            params[p.name] = draw(numbers)
            break
    return params


@st.composite
def designs(draw) -> Graph:
    """A design built the way the app builds one: every change through the model, refusals included."""
    try:
        graph = Graph(draw(texts))
    except LimitError:
        graph = Graph("refused name")
    for i in range(draw(st.integers(0, 6))):
        type_name = draw(st.sampled_from(TYPES))
        node_id = draw(st.one_of(st.just(f"n{i}"), texts.filter(bool)))
        position = draw(st.one_of(st.none(), st.tuples(numbers, numbers)))
        node = Node(node_id, type_name, params_for(type_name, draw), draw(st.one_of(st.none(), texts)), position)
        try:
            graph.add_node(node)
        except GraphError as exc:
            assert str(exc) and "\n" not in str(exc)
    ids = graph.node_ids()
    for _ in range(draw(st.integers(0, 6))):
        if len(ids) < 2:
            break
        source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        with contextlib.suppress(GraphError):
            graph.connect(Edge(source, target, draw(st.sampled_from([0, 1, limits.MAX_PORT, limits.MAX_PORT + 1]))))
    for node_id in ids:
        try:
            graph.rename(node_id, draw(texts))
        except LimitError as exc:
            assert exc.node_id == node_id and exc.param == "name"
    return graph


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(designs())
def test_anything_the_model_holds_is_saved_and_read_back_equal(tmp_path_factory, graph):
    path = tmp_path_factory.mktemp("agree") / "design.mdproj"
    project.save(graph, path)  # the model refused all that a file cannot hold, so saving never fails here
    same_design(project.load(path), graph)


def test_a_design_at_every_limit_is_saved_and_read_back_equal(tmp_path):
    graph = Graph("n" * limits.MAX_TEXT)
    long_id = "i" * limits.MAX_TEXT
    graph.add_node(Node(long_id, "Input", {"shape": [1, 3, 8, 8]}, "m" * limits.MAX_TEXT, (limits.MAX_COORDINATE, -limits.MAX_COORDINATE)))
    graph.add_node(Node("cat", "Concat", {"dim": limits.MAX_INT}, position=(0.5, -1e-300)))
    graph.add_node(Node("up", "Upsample", {"scale_factor": [1.0] * limits.MAX_LIST}))
    graph.connect(Edge(long_id, "cat", limits.MAX_PORT))
    path = tmp_path / "limits.mdproj"
    project.save(graph, path)
    same_design(project.load(path), graph)


def test_every_node_up_to_the_limit_saves_and_loads_and_one_more_is_a_sentence(tmp_path):
    graph = Graph("many")
    for i in range(limits.MAX_NODES):
        graph.add_node(Node(f"r{i}", "ReLU"))
    with pytest.raises(LimitError, match="a design holds at most 20,000 layers, and this one would have 20,001"):
        graph.add_node(Node("one-more", "ReLU"))
    path = tmp_path / "many.mdproj"
    project.save(graph, path)
    assert len(project.load(path)) == limits.MAX_NODES


# ----- one sentence at every door --------------------------------------------------------------------
def file_with(**node_fields) -> str:
    node = {"id": "c", "type": "ReLU"} | node_fields
    return json.dumps({"format": project.FORMAT, "version": 1, "name": "t", "nodes": [node], "edges": []})


@pytest.mark.parametrize("text", ["x" * (limits.MAX_TEXT + 1), "ok" + SURROGATE])
def test_a_bad_name_gets_the_same_sentence_from_the_loader_and_from_rename(text):
    sentence = limits.text_problem(text, "the name")
    with pytest.raises(ProjectError) as loaded:
        project.loads(file_with(name=text), "bad.mdproj")
    assert str(loaded.value) == f"bad.mdproj: nodes[0] (id 'c').name: {limits.text_problem(text)}"
    graph = Graph()
    graph.add_node(Node("c", "ReLU"))
    with pytest.raises(LimitError) as renamed:
        graph.rename("c", text)
    assert str(renamed.value) == sentence and renamed.value.node_id == "c" and renamed.value.param == "name"
    assert graph.node("c").name is None


def test_surrogates_are_refused_with_the_place_named():
    error = limits.text_problem("ab" + SURROGATE, "the name")
    assert error == "the name holds a broken character at position 3 (the lone surrogate \\ud800, which is not text and cannot be saved); remove it"
    with pytest.raises(ProjectError, match=r"^s.json: name: the text holds a broken character"):
        project.loads(json.dumps({"format": project.FORMAT, "version": 1, "name": SURROGATE, "nodes": []}), "s.json")
    with pytest.raises(ProjectError, match=r"^s.json: nodes\[0\].id: the text holds a broken"):
        project.loads(file_with(id="c" + SURROGATE), "s.json")
    with pytest.raises(ProjectError, match=r"^s.json: nodes\[0\] \(id 'c'\).params: the key holds a broken"):
        project.loads(file_with(params={SURROGATE: 1}), "s.json")


def test_params_are_checked_at_the_model_with_the_loaders_sentences():
    graph = Graph()
    graph.add_node(Node("c", "Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3}))
    cases = {
        10**30: "the number 100000000000…000000 (31 digits) is too large (the limit is 9,223,372,036,854,775,807)",
        10**5000: "a number with more than 4,300 digits is far too large (the limit is 9,223,372,036,854,775,807)",
    }
    for value, sentence in cases.items():
        with pytest.raises(LimitError) as info:
            graph.set_params("c", {"in_channels": 3, "out_channels": value, "kernel_size": 3})
        assert str(info.value) == sentence and info.value.param == "out_channels"
    graph.add_node(Node("d", "Dropout"))
    with pytest.raises(LimitError, match="^infinity is not a size$"):
        graph.set_params("d", {"p": float("inf")})
    with pytest.raises(LimitError, match="not a number"):
        graph.set_params("d", {"p": float("nan")})
    with pytest.raises(LimitError, match="a list of 1,001 items is longer than the limit of 1,000"):
        graph.add_node(Node("u", "Upsample", {"scale_factor": [1.0] * 1001}))


@pytest.mark.parametrize(
    ("literal", "sentence"),
    [
        ("9" * 5000, "a number with more than 4,300 digits is far too large"),
        ("1e309", "1e309 is too large for a number and reads as infinity; infinity is not a size"),
        ("-Infinity", "infinity is not a size"),
        ("NaN", "NaN (not a number) is not a size"),
        ("9" * 30, "the number " + "9" * 30 + " is too large (the limit is 9,223,372,036,854,775,807)"),
    ],
)
def test_hostile_numbers_in_a_file_name_the_node_and_parameter(literal, sentence):
    text = file_with(type="Dropout", params={"p": 0.5}).replace("0.5", literal)
    with pytest.raises(ProjectError) as info:
        project.loads(text, "n.json")
    assert str(info.value).startswith(f"n.json: nodes[0] (id 'c').params.p: {sentence}")


def test_positions_and_ports_beyond_the_limits_are_refused_by_the_model_and_the_loader():
    graph = Graph()
    graph.add_node(Node("a", "ReLU"))
    graph.add_node(Node("cat", "Concat"))
    with pytest.raises(LimitError, match="at most 1,000,000,000 from the origin"):
        graph.move("a", (2e9, 0))
    with pytest.raises(LimitError, match="from 0 to 1,023"):
        graph.connect(Edge("a", "cat", limits.MAX_PORT + 1))
    with pytest.raises(ProjectError, match=r"nodes\[0\] \(id 'c'\).position: a position is at most"):
        project.loads(file_with(position=[1e12, 0]), "p.json")


# ----- saving never writes what loading refuses ----------------------------------------------------------
def test_a_surrogate_slipped_past_the_model_fails_the_save_with_the_place_and_leaves_the_file(tmp_path):
    path = tmp_path / "keep.mdproj"
    graph = Graph("keep")
    graph.add_node(Node("c", "ReLU"))
    project.save(graph, path)
    before = path.read_bytes()
    graph.node("c").name = "bad" + SURROGATE  # past the model's door, as a bug elsewhere might
    with pytest.raises(ProjectError) as info:
        project.save(graph, path)
    assert str(info.value).startswith("keep.mdproj: nodes[0] (id 'c'): the name holds a broken character")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.mdproj"]


def test_a_design_too_big_for_a_file_is_refused_by_save_not_written(tmp_path, monkeypatch):
    graph = Graph("big")
    for i in range(30):
        graph.add_node(Node(f"r{i}", "ReLU", name="n" * 900))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 20_000)
    with pytest.raises(ProjectError, match="the design takes .* MB as a file; project files are limited to"):
        project.save(graph, tmp_path / "big.mdproj")
    assert os.listdir(tmp_path) == []


# ----- paste -----------------------------------------------------------------------------------------
def test_paste_refuses_a_surrogate_with_the_place(tmp_path):
    graph = Graph()
    with pytest.raises(ProjectError, match=r"^the clipboard: nodes\[0\] \(id 'c'\).name: the text holds a broken"):
        builders.paste_edit(graph, file_with(name="x" + SURROGATE), (0, 0))


def test_paste_beyond_the_node_limit_is_one_sentence(monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 5)
    graph = Graph()
    for i in range(4):
        graph.add_node(Node(f"r{i}", "ReLU"))
    text = json.dumps({"format": project.FORMAT, "version": 1, "name": "t", "edges": [],
                       "nodes": [{"id": f"p{i}", "type": "ReLU"} for i in range(2)]})
    with pytest.raises(ProjectError, match="2 layers cannot be added: a design holds at most 5 layers, and this one would have 6"):
        builders.paste_edit(graph, text, (0, 0))


def test_pasted_ids_stay_within_the_text_limit_and_far_copies_stay_on_the_canvas():
    graph = Graph()
    long_id = "i" * limits.MAX_TEXT
    graph.add_node(Node(long_id, "ReLU", position=(limits.MAX_COORDINATE, 0)))
    edit, new_ids = builders.paste_edit(graph, builders.copy_text(graph, [long_id]), (40, 40))
    edit.apply(graph)
    assert len(new_ids[0]) <= limits.MAX_TEXT
    assert graph.node(new_ids[0]).position == (limits.MAX_COORDINATE, 40)
    same_design(project.loads(project.dumps(graph)), graph)


def test_fresh_ids_are_linear_and_skip_taken_ones():
    fresh = ids.FreshIds(["conv1", "conv3"])
    assert [fresh("conv7") for _ in range(3)] == ["conv2", "conv4", "conv5"]
    assert fresh("123") == "node1"


def test_layers_inside_blocks_count_towards_the_limit_when_saving(tmp_path, monkeypatch):
    from tests.core.block_designs import resnet18, text

    graph = project.loads(text(resnet18()))
    inside = sum(len(block.graph) for block in graph.blocks.values())
    monkeypatch.setattr(limits, "MAX_NODES", len(graph) + inside - 1)
    with pytest.raises(ProjectError, match=r"counting the layers inside blocks"):
        project.save(graph, tmp_path / "r.mdproj")
    assert os.listdir(tmp_path) == []
    monkeypatch.setattr(limits, "MAX_NODES", len(graph) + inside)
    project.save(graph, tmp_path / "r.mdproj")
    same_design(project.load(tmp_path / "r.mdproj"), graph)


def test_a_param_nested_as_deep_as_a_file_allows_is_judged_where_the_node_sits(tmp_path):
    from tests.core.block_designs import resnet18, text

    def nested(levels: int):
        value = 1
        for _ in range(levels):
            value = [value]
        return value

    top = Graph()
    top.add_node(Node("d", "Dropout"))
    deepest = max(n for n in range(1, 20) if limits.value_problem({"p": nested(n)}, limits.PARAM_DEPTH + 1) is None)
    with pytest.raises(GraphError) as at_top:  # deep enough for a top-level node: refused for its kind only
        top.set_params("d", {"p": nested(deepest)})
    assert not isinstance(at_top.value, LimitError)
    # Inside a block the same value would sit two levels deeper in the file, past what the loader reads.
    data = resnet18()
    block_nodes = data["blocks"]["BasicBlock"]["nodes"]
    block_nodes[0]["params"] = {"p": nested(deepest)}
    with pytest.raises(ProjectError, match="nested too deeply|nested more than"):
        project.loads(json.dumps(data))
    graph = project.loads(text(resnet18()))
    inner = graph.blocks["BasicBlock"].graph
    inner.add_node(Node("drop", "Dropout"))
    with pytest.raises(LimitError, match=f"nested more than {limits.MAX_DEPTH} levels"):
        inner.set_params("drop", {"p": nested(deepest)})
    with pytest.raises(GraphError) as shallower:
        inner.set_params("drop", {"p": nested(deepest - 2)})
    assert not isinstance(shallower.value, LimitError)
