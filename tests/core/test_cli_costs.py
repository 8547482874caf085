"""``model-designer stats``, ``explain`` and ``solve`` run as a user runs them: in a subprocess."""

import json
import subprocess
import sys

import pytest

from designer.core import project
from designer.core.engine import ShapeEngine
from tests.torch_graph import chain, run_graph, torch_size

UP = {"in_channels": 64, "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}
LAYERS = [
    ("ConvTranspose2d", {"in_channels": 100, "out_channels": 64, "kernel_size": 4, "bias": False}),
    ("ConvTranspose2d", UP),
]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "designer", *map(str, args)], capture_output=True, text=True, timeout=120)


@pytest.fixture
def design(tmp_path):
    path = tmp_path / "gen.json"
    project.save(chain((8, 100, 1, 1), LAYERS), path)
    return path


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.json"
    project.save(chain((8, 99, 1, 1), LAYERS), path)
    return path


def assert_one_clean_line(result):
    assert result.returncode == 2
    assert result.stderr.startswith("model-designer: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_stats_json_matches_torch(design):
    result = cli("stats", design, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    graph = project.load(design)
    expected = run_graph(graph, ShapeEngine(graph))
    for node in data["nodes"]:
        torch_node = expected[node["id"]]
        assert node["params"] == torch_node.params
        assert 2 * node["macs"] == torch_node.flops
        assert node["shape"] == list(torch_node.shape)
    assert data["total"]["params"] == sum(t.params for t in expected.values())
    assert 2 * data["total"]["macs"] == sum(t.flops for t in expected.values())


def test_stats_table_and_exit_codes(design, broken, tmp_path):
    result = cli("stats", design)
    assert result.returncode == 0
    for expected in ("ConvTranspose2d", "8×64×4×4", "819,200", "Estimated training memory"):
        assert expected in result.stdout
    result = cli("stats", broken)
    assert result.returncode == 1 and "Errors: 1" in result.stdout
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert_one_clean_line(cli("stats", garbage))


def test_explain_prints_the_steps(design, broken):
    result = cli("explain", design, "l2")
    assert result.returncode == 0, result.stderr
    assert "      = 6 − 2 + 2 + 1 + 1" in result.stdout and "checkerboard" in result.stdout
    data = json.loads(cli("explain", design, "l2", "--json").stdout)
    assert data["output"]["shape"] == [8, 3, 8, 8]
    assert cli("explain", broken, "l1").returncode == 1
    assert_one_clean_line(cli("explain", design, "nowhere"))


def test_solve_json_answers_work_in_torch():
    result = cli("solve", "ConvTranspose2d", "--in", 4, "--out", 8, "--json")
    assert result.returncode == 0
    answers = json.loads(result.stdout)
    assert answers and {"kernel_size", "stride", "padding", "output_padding", "dilation"} <= set(answers[0])
    for answer in answers:
        params = {k: answer[k] for k in ("kernel_size", "stride", "padding", "output_padding", "dilation")}
        assert torch_size("ConvTranspose2d", 4, params) == 8
    pools = json.loads(cli("solve", "MaxPool2d", "--in", 9, "--out", 4, "--json").stdout)
    assert pools and all("output_padding" not in a for a in pools)


def test_solve_table_reverse_question_and_refusals(design):
    table = cli("solve", "Conv2d", "--in", 64, "--out", 32)
    assert table.returncode == 0 and table.stdout.splitlines()[1].split() == [
        "kernel_size", "stride", "padding", "dilation", "overlap"
    ]
    reverse = cli("solve", design, "--out", 8, "--json")
    assert json.loads(reverse.stdout)["input_sizes"] == [1]
    assert_one_clean_line(cli("solve", "Linear", "--in", 4, "--out", 8))
    assert_one_clean_line(cli("solve", "Conv2d", "--out", 8))
    assert_one_clean_line(cli("solve", "Conv2d", "--in", 0, "--out", 8))
