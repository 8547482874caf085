"""An open batch in what the core tells people: explanations, statistics and the command line read N,
costs say they are per sample, and their numbers are those of a batch of 1."""

from __future__ import annotations

import json

import pytest

from designer.cli import main
from designer.core import examples, project
from designer.core.engine import ShapeEngine
from designer.core.explain import edge_tooltip as short_edge_text
from designer.core.explain import explain, explain_text
from designer.core.graph import Edge, Graph, Node
from designer.core.stats import compute_stats
from tests.core.batch import batch_plus_four, open_batch, with_batch


@pytest.fixture
def dcgan() -> Graph:
    return open_batch(examples.load_example("dcgan_generator"))


@pytest.fixture
def dcgan_file(dcgan, tmp_path) -> str:
    path = tmp_path / "dcgan_open.json"
    project.save(dcgan, path)
    return str(path)


# ----- explanations -----------------------------------------------------------------------------
def test_explanation_names_n_and_works_the_batch_as_n(dcgan):
    ex = explain(dcgan, ShapeEngine(dcgan), "up2")
    assert ex.inputs[0].text() == "N×512×4×4" and ex.output.text() == "N×256×8×8"
    assert [(d.name, d.size) for d in ex.output.dims] == [("N", "N"), ("C", 256), ("H", 8), ("W", 8)]
    batch = ex.derivations[0]
    assert (batch.label, batch.size, batch.formula, batch.worked) == ("N", "N", "N_out = N_in", "N (the batch passes through)")
    assert ex.derivations[2].size == 8 and ex.derivations[2].steps[-1] == "8"
    text = explain_text(dcgan, ShapeEngine(dcgan), "up2")
    assert "N_out = N_in = N (the batch passes through)" in text
    assert "1 (the batch passes through)" not in text
    assert "multiply-adds: N·C_in·H_in·W_in·(C_out/groups)·kH·kW = 1·512·4·4" in text and "at N = 1, per sample" in text


def test_a_size_made_from_the_batch_keeps_its_numbers_and_says_at_which_n():
    g = Graph()
    g.add_node(Node("x", "Input", {"shape": ["N", 512, 4, 4]}))
    g.add_node(Node("flat", "Flatten", {"start_dim": 0}))
    g.connect(Edge("x", "flat"))
    ex = explain(g, ShapeEngine(g), "flat")
    (only,) = ex.derivations
    assert only.size == "8192·N"
    assert only.worked == "8192·N, since at N = 1: 1·512·4·4 = 8192"
    assert only.steps == ()


def test_the_short_edge_text_reads_n_and_counts_values_at_n_1(dcgan):
    text = short_edge_text(dcgan, ShapeEngine(dcgan), Edge("up1", "bn1", 0))
    assert text.startswith("'up1' → 'bn1': N×512×4×4 (N batch · C=512 channels")
    assert "8,192 values at N = 1" in text


def test_a_closed_batch_reads_as_before():
    graph = examples.load_example("dcgan_generator")
    ex = explain(graph, ShapeEngine(graph), "up2")
    assert ex.output.text() == "64×256×8×8" and ex.derivations[0].worked == "64 (the batch passes through)"
    assert "at N = 1" not in explain_text(graph, ShapeEngine(graph), "up2")


# ----- statistics -------------------------------------------------------------------------------
def test_stats_are_those_of_a_batch_of_one_and_say_per_sample(dcgan):
    stats = compute_stats(dcgan, ShapeEngine(dcgan))
    one = compute_stats(with_batch(dcgan, 1), ShapeEngine(with_batch(dcgan, 1)))
    assert stats.per_sample and not one.per_sample
    assert stats.total.macs == one.total.macs and stats.total.activation_elements == one.total.activation_elements
    assert stats.nodes["up2"].display_shape == ("N", 256, 8, 8) and stats.nodes["up2"].shape == (1, 256, 8, 8)
    assert stats.nodes["up2"].formulas["macs"].endswith("; at N = 1, per sample")
    assert "per sample" not in stats.nodes["up2"].formulas["params"]
    assert "per sample" in stats.total.formulas["macs"]
    data = stats.to_dict()
    assert (data["batch"], data["per_sample"]) == ("N", True)
    up2 = next(n for n in data["nodes"] if n["id"] == "up2")
    assert up2["shape"] == ["N", 256, 8, 8] and up2["shape_at_batch_1"] == [1, 256, 8, 8]


def test_stats_json_on_the_command_line(dcgan_file, capsys):
    assert main(["stats", dcgan_file, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["batch"] == "N" and data["per_sample"] is True
    assert data["nodes"][0]["shape"] == ["N", 100, 1, 1]
    assert main(["stats", dcgan_file]) == 0
    table = capsys.readouterr().out
    assert "the batch N is open: costs at N = 1, per sample" in table.splitlines()[0]
    assert "up2    ConvTranspose2d  N×256×8×8" in table
    assert "Multiply-adds (MACs): 104,628,224 per sample" in table


def test_closed_batch_stats_json_has_no_batch_key():
    graph = examples.load_example("dcgan_generator")
    data = compute_stats(graph, ShapeEngine(graph)).to_dict()
    assert data["per_sample"] is False and "batch" not in data
    assert "shape_at_batch_1" not in data["nodes"][0] and data["nodes"][0]["shape"] == [64, 100, 1, 1]


# ----- model-designer shapes --------------------------------------------------------------------
def test_shapes_table_and_json_read_n(dcgan_file, capsys):
    assert main(["shapes", dcgan_file]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].endswith("; the batch N is open (any batch size works)")
    assert "relu1  ReLU             N×512×4×4  (N · C=512 · H=4 · W=4)" in table
    assert main(["shapes", dcgan_file, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["batch"] == "N"
    relu1 = next(n for n in data["nodes"] if n["id"] == "relu1")
    assert relu1["shape"] == ["N", 512, 4, 4] and relu1["shape_at_batch_1"] == [1, 512, 4, 4]
    assert relu1["named"] == "N · C=512 · H=4 · W=4"


def test_shapes_json_of_sizes_made_from_the_batch(tmp_path, capsys):
    g = batch_plus_four("made from N")
    project.save(g, tmp_path / "g.json")
    assert main(["shapes", str(tmp_path / "g.json"), "--json"]) == 0
    nodes = {n["id"]: n for n in json.loads(capsys.readouterr().out)["nodes"]}
    assert nodes["y"]["shape"] == [4, 3] and nodes["y"]["shape_at_batch_1"] == [4, 3]
    assert nodes["cat"]["shape"] == ["N+4", 3] and nodes["cat"]["shape_at_batch_1"] == [5, 3]
    assert nodes["flat"]["shape"] == ["3·N+12"] and nodes["flat"]["shape_at_batch_1"] == [15]


def test_closed_batch_shapes_json_keeps_its_keys(tmp_path, capsys):
    project.save(examples.load_example("dcgan_generator"), tmp_path / "g.json")
    assert main(["shapes", str(tmp_path / "g.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "batch" not in data and "shape_at_batch_1" not in data["nodes"][0]
    assert data["nodes"][0]["shape"] == [64, 100, 1, 1]
