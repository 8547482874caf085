"""Chunk and Split against torch on real CPU tensors: every output port's size and how many there are
(torch.chunk may give fewer chunks than asked), valid and invalid settings, negative and missing dims,
int64 inputs, empty sizes and 0-D tensors (the last two reach an op only from upstream, so the rule runs
directly on them)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import catalog
from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Node
from designer.core.shapes import Inferred, LayerError
from designer.core.spec import RuleContext
from tests.oracle import check_agreement, single_layer, torch_outputs

SETTINGS = settings(max_examples=max(settings().max_examples, 400), deadline=None)


@st.composite
def split_case(draw, low: int = 1):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(low, 7)) for _ in range(rank))
    params: dict = {}
    if draw(st.integers(0, 4)):
        params["dim"] = draw(st.integers(-rank - 1, rank))
    axis = shape[params.get("dim", 0) % rank]
    if draw(st.booleans()):
        params["chunks"] = draw(st.one_of(st.integers(1, 8), st.integers(-2, 0)))
        return "Chunk", params, [shape]
    if draw(st.booleans()):
        params["split_size_or_sections"] = draw(st.one_of(st.integers(1, 8), st.integers(-2, 0)))
    else:
        sections = []
        left = axis
        while left > 0 and draw(st.integers(0, 4)):
            piece = draw(st.integers(0, left))
            sections.append(piece)
            left -= piece
        sections.append(left)
        if draw(st.integers(0, 4)) == 0:  # a list that does not add up, or holds a negative size
            sections[draw(st.integers(0, len(sections) - 1))] += draw(st.sampled_from([-2, -1, 1]))
        params["split_size_or_sections"] = sections
    return "Split", params, [shape]


def rule_outputs(type_name: str, params: dict, shape: tuple[int, ...], dtype: str = "float32"):
    spec = catalog.get(type_name)
    assert not spec.check_params(params), spec.check_params(params)
    ctx = RuleContext(type_name, spec.resolve(params), (shape,), f"{type_name} 'layer'", ("'x0'",), dtypes=(dtype,))
    try:
        return spec.infer(ctx)
    except LayerError as exc:
        return exc


@SETTINGS
@given(split_case(), st.sampled_from(["float32", "float32", "int64"]))
def test_chunk_and_split_agree_with_torch_on_every_output(case, dtype):
    got = check_agreement(*case, [dtype])
    if got.ok:
        assert got.dtype == dtype  # the pieces keep the element type (token ids stay int64)
        assert [d.size for d in got.inferred.dims] == list(got.shape)


@SETTINGS
@given(st.one_of(split_case(low=0), split_case().map(lambda c: (c[0], c[1], [()]))))
def test_chunk_and_split_agree_with_torch_on_empty_sizes_and_0d_tensors(case):
    type_name, params, (shape,) = case
    expected = torch_outputs(type_name, params, [shape])
    got = rule_outputs(type_name, params, shape)
    where = f"{type_name}({params}) on {shape}"
    if isinstance(expected, Exception):
        assert isinstance(got, LayerError), f"{where}: torch raised {expected}, rule gave {got.output_shapes}"
        assert got.message.startswith(f"{type_name} 'layer'"), got.message
    else:
        assert isinstance(got, Inferred), f"{where}: torch gave {expected[0]}, rule said: {got.sentence()}"
        assert got.output_shapes == expected[0], f"{where}: torch gave {expected[0]}, rule gave {got.output_shapes}"
        assert [d.size for d in got.dims] == list(got.shape), where


def test_chunk_gives_fewer_outputs_than_asked_where_torch_does():
    got = check_agreement("Chunk", {"chunks": 4, "dim": 1}, [(2, 5, 3)])
    assert got.output_shapes == ((2, 2, 3), (2, 2, 3), (2, 1, 3))
    story = " ".join(got.inferred.story)
    assert "⌈5 / 4⌉ = 2" in story and "3 pieces, not the 4 asked" in story
    assert got.inferred.dims[1].formula == "C_0 = ⌈C_in / chunks⌉" and got.inferred.dims[1].worked == "⌈5 / 4⌉ = 2"


def test_an_edge_from_a_chunk_torch_does_not_make_names_the_outputs_there_are():
    graph = single_layer("Chunk", {"chunks": 4, "dim": 1}, [(2, 5, 3)])
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge("layer", "out", 0, 3))  # a fourth chunk: torch makes only three here
    engine = ShapeEngine(graph)
    try:
        assert engine.output_ports("layer") == 4  # the dangling edge keeps its dot to be seen and removed
        error = engine.result("out").error
        assert error is not None and "output 3 of Chunk 'layer', which has only 3 outputs here" in error.message
        assert "connect one of its outputs 0..2" in error.sentence()
    finally:
        engine.close()


def test_split_messages_name_the_parameter_and_the_numbers():
    wrong = check_agreement("Split", {"split_size_or_sections": [2, 2], "dim": -1}, [(3, 5)])
    assert wrong.error.param == "split_size_or_sections"
    assert "add up to 4" in wrong.error.message and "is 5" in wrong.error.message
    zero = check_agreement("Split", {"split_size_or_sections": 0}, [(3, 5)])
    assert zero.error.param == "split_size_or_sections" and zero.error.fixes
    bad_dim = check_agreement("Chunk", {"chunks": 2, "dim": 3}, [(3, 5)])
    assert bad_dim.error.param == "dim" and "use -2..1" in bad_dim.error.message


def test_the_settings_say_how_many_outputs_only_when_they_can():
    chunk, split = catalog.get("Chunk"), catalog.get("Split")
    assert chunk.output_count(chunk.resolve({"chunks": 3})) is None  # torch may give fewer
    assert split.output_count(split.resolve({"split_size_or_sections": 2})) is None  # follows the size
    assert split.output_count(split.resolve({"split_size_or_sections": [1, 2, 3]})) == 3
    assert split.output_count(split.resolve({"split_size_or_sections": {"arg": "s"}})) is None  # a block's argument
