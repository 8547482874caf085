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
