"""``model-designer shapes`` and ``export`` through a real subprocess: exit codes, output, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "project_v1.json"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert "Traceback" not in run.stderr + run.stdout
    return run


def broken_fixture(tmp_path: Path) -> Path:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["nodes"][4]["params"]["in_channels"] = 5
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_shapes_table_for_a_valid_design():
    run = cli("shapes", str(FIXTURE))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Fixture v1 — kept forever: 7 nodes, 540 parameters, every node has a shape"
    assert lines[1].split() == ["id", "type", "output", "shape", "parameters", "problem"]
    assert lines[3].split() == ["down", "Conv2d", "2×8×8×8", "(N=2", "·", "C=8", "·", "H=8", "·", "W=8)", "216"]


def test_shapes_json_for_a_design_with_an_error(tmp_path):
    run = cli("shapes", str(broken_fixture(tmp_path)), "--json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert [n["id"] for n in data["nodes"]] == ["x", "down", "side", "sum", "up", "join", "out"]
    assert nodes["sum"]["shape"] == [2, 8, 8, 8] and nodes["sum"]["named"] == "N=2 · C=8 · H=8 · W=8"
    assert nodes["sum"]["error"] is None and nodes["sum"]["blocked_by"] is None
    assert nodes["up"]["shape"] is None and "expects 5 input channels but receives 8" in nodes["up"]["error"]
    assert nodes["join"]["blocked_by"] == "up" and "waits for 'up'" in nodes["join"]["error"]
    assert nodes["down"]["params"] == 216 and nodes["down"]["arguments"]["kernel_size"] == [3, 3]
    assert nodes["down"]["warnings"] == []
    assert data["ok"] is False


def test_shapes_table_says_what_blocked_nodes_wait_for(tmp_path):
    run = cli("shapes", str(broken_fixture(tmp_path)))
    assert run.returncode == 1
    join = next(line for line in run.stdout.splitlines() if line.startswith("join"))
    assert join.endswith("waits for 'up'")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe garbage", "not UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"format": "model-designer-project", "version": 99, "nodes": []}', "version 99"),
        (b'{"format": "model-designer-project", "version": 1, "nodes": [{"id": "a", "type": "Nope"}]}', "nodes[0] (id 'a')"),
    ],
)
def test_malformed_files_exit_2_with_one_line(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    for command in (["shapes", str(path)], ["shapes", str(path), "--json"], ["export", str(path), "-o", str(tmp_path / "o.py")]):
        run = cli(*command)
        assert run.returncode == 2
        assert run.stdout == ""
        assert len(run.stderr.strip().splitlines()) == 1
        assert run.stderr.startswith("model-designer: bad.json: ") and words in run.stderr
    assert not (tmp_path / "o.py").exists()


def test_missing_file_exits_2(tmp_path):
    run = cli("shapes", str(tmp_path / "nope.json"))
    assert run.returncode == 2
    assert run.stderr == "model-designer: nope.json: cannot read the file: no such file or directory\n"


def test_export_writes_runnable_code(tmp_path):
    out = tmp_path / "model.py"
    run = cli("export", str(FIXTURE), "-o", str(out), "--class-name", "Net")
    assert run.returncode == 0, run.stderr
    assert "class Net(nn.Module):" in out.read_text(encoding="utf-8")
    ran = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, timeout=120)
    assert ran.stdout == "out (2, 7, 16, 16)\n"


def test_export_refuses_a_design_with_errors_and_writes_nothing(tmp_path):
    out = tmp_path / "model.py"
    run = cli("export", str(broken_fixture(tmp_path)), "-o", str(out))
    assert run.returncode == 1
    assert "cannot export: 1 node with errors: 'up'" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_export_refuses_a_bad_class_name(tmp_path):
    run = cli("export", str(FIXTURE), "-o", str(tmp_path / "m.py"), "--class-name", "not valid")
    assert run.returncode == 2
    assert "--class-name 'not valid' cannot name the class" in run.stderr


def test_export_to_stdout_and_version():
    run = cli("export", str(FIXTURE))
    assert run.returncode == 0 and run.stdout.startswith('"""Fixture v1')
    import designer

    assert cli("--version").stdout.strip() == f"model-designer {designer.__version__}"
    assert "shapes" in cli("--help").stdout and "--json" in cli("shapes", "--help").stdout
