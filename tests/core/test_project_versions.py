"""One fixture per file-format version, loaded forever and saved back byte for byte; and a file that
uses a feature newer than the version it declares is refused with the place and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.core import project
from designer.core.engine import ShapeEngine

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(version: int) -> str:
    return (FIXTURES / f"project_v{version}.json").read_text(encoding="utf-8")


def test_there_is_a_fixture_for_every_version_up_to_the_current_one():
    assert sorted(FIXTURES.glob("project_v*.json")) == [
        FIXTURES / f"project_v{v}.json" for v in range(1, project.FORMAT_VERSION + 1)
    ]


@pytest.mark.parametrize("version", range(1, project.FORMAT_VERSION + 1))
def test_each_fixture_declares_its_version_loads_and_round_trips(version):
    text = fixture(version)
    assert json.loads(text)["version"] == version
    graph = project.loads(text, f"project_v{version}.json")
    assert graph.name == f"Fixture v{version} — kept forever"
    assert project.dumps(graph) == text
    engine = ShapeEngine(graph)
    assert not engine.problems()


def test_the_v2_fixture_leaves_the_batch_open():
    engine = ShapeEngine(project.loads(fixture(2)))
    assert engine.result("out").display_shape == ("N", 7, 16, 16)


def test_the_v3_fixture_repeats_a_block():
    graph = project.loads(fixture(3))
    assert graph.node("stage").repeat == 2 and "Residual" in graph.blocks
    assert ShapeEngine(graph).result("y").display_shape == ("N", 8, 8, 8)


def declared(text: str, version: int) -> str:
    data = json.loads(text)
    data["version"] = version
    return json.dumps(data)


@pytest.mark.parametrize("version", [1])
def test_an_open_batch_in_a_file_that_declares_version_1_is_refused(version):
    with pytest.raises(project.ProjectError) as caught:
        project.loads(declared(fixture(2), version), "old.json")
    error = caught.value
    assert error.location == "nodes[0].params.shape[0]"
    assert "needs project format version 2" in error.message and "declares version 1" in error.message


@pytest.mark.parametrize("version", [1, 2])
def test_blocks_in_a_file_that_declares_an_older_version_are_refused(version):
    with pytest.raises(project.ProjectError) as caught:
        project.loads(declared(fixture(3), version), "old.json")
    assert caught.value.location == "blocks"
    assert f"needs project format version 3, but the file declares version {version}" in caught.value.message


def test_repeat_without_blocks_in_a_version_2_file_is_refused():
    data = json.loads(fixture(2))
    data["nodes"][1]["repeat"] = 2
    with pytest.raises(project.ProjectError) as caught:
        project.loads(json.dumps(data), "old.json")
    assert caught.value.location == "nodes[1].repeat"


def test_the_v4_fixture_reads_a_second_output_and_keeps_token_ids_int64():
    engine = ShapeEngine(project.loads(fixture(4)))
    assert engine.result("every_step").display_shape == ("N", 12, 16)
    assert engine.result("last_state").display_shape == (1, "N", 16)  # h_n: batch second even with batch_first
    assert engine.result("ids_out").dtype == "int64"
    assert engine.result("every_step").dtype == "float32"


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_edge_from_a_later_output_in_an_older_file_is_refused_with_its_place(version):
    data = json.loads(fixture(4))
    data["version"] = version
    del data["nodes"][1]["params"]["dtype"]
    data["nodes"][0]["params"]["shape"][0] = 2  # an open batch needs version 2 itself
    with pytest.raises(project.ProjectError) as caught:
        project.loads(json.dumps(data), "old.json")
    assert caught.value.location == "edges[2].source_port"
    assert f"needs project format version 4, but the file declares version {version}" in caught.value.message


def test_an_input_dtype_in_an_older_file_is_refused_with_its_place():
    with pytest.raises(project.ProjectError) as caught:
        project.loads(declared(fixture(4), 3), "old.json")
    assert caught.value.location == "nodes[1].params.dtype"


def test_a_design_without_new_features_is_still_written_at_the_oldest_version():
    graph = project.loads(fixture(4))
    graph.remove_items(["ids", "ids_out", "last_state"])
    graph.set_params("x", {"shape": [2, 12, 8]})
    assert json.loads(project.dumps(graph))["version"] == 1


@pytest.mark.parametrize(
    "edge, location, words",
    [
        ({"source": "lstm", "source_port": 3, "target": "ids_out", "target_port": 0}, "edges[3].source_port", "has 2 outputs"),
        ({"source": "lstm", "source_port": -1, "target": "ids_out"}, "edges[3]", '"source_port" must be an integer'),
        ({"source": "lstm", "source_port": True, "target": "ids_out"}, "edges[3]", '"source_port" must be an integer'),
    ],
)
def test_a_bad_source_port_is_refused_with_its_place(edge, location, words):
    data = json.loads(fixture(4))
    data["edges"][3] = edge
    data["nodes"][2]["type"] = "GRU"
    with pytest.raises(project.ProjectError) as caught:
        project.loads(json.dumps(data), "bad.json")
    assert caught.value.location == location and words in caught.value.message
