"""The engine follows the installed torch: its version read without importing torch, and each behaviour that
changed between releases encoded in the layer rule with the release it changed in.

The oracle suites check the rules against whichever torch runs them (.ci/run runs them on 2.13 and the
newest); the table here pins each changed behaviour on both sides of its release, whatever is installed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from designer.core import torch_version
from designer.core.layers.norm import GROUP_NORM_NEEDS_VALUES
from designer.core.layers.padding import REPLICATION_NEEDS_EVERY_SIZE
from tests.core.rules import check_rule_agreement, rule_run
from tests.oracle import engine_run

# (type, params, input shape, the release that started refusing it, what the refusal says)
CHANGES = [
    ("ReplicationPad2d", {"padding": [0, 0, 0, -1]}, (1, 1, 1, 1), REPLICATION_NEEDS_EVERY_SIZE, "H would be 0"),
    ("ReplicationPad2d", {"padding": [0, 0, -1, -1]}, (1, 2, 2), REPLICATION_NEEDS_EVERY_SIZE, "H would be 0"),
    ("ReplicationPad3d", {"padding": [0, 0, 0, 0, 0, -1]}, (1, 1, 1, 2, 2), REPLICATION_NEEDS_EVERY_SIZE, "D would be 0"),
    ("GroupNorm", {"num_groups": 1, "num_channels": 2}, (2, 2, 0), GROUP_NORM_NEEDS_VALUES, "spatial size (0) is 0"),
    ("GroupNorm", {"num_groups": 2, "num_channels": 2}, (1, 2, 3, 0), GROUP_NORM_NEEDS_VALUES, "spatial size (3×0) is 0"),
    (
        "GroupNorm",
        {"num_groups": 1, "num_channels": 0, "affine": False},
        (2, 0, 3),
        GROUP_NORM_NEEDS_VALUES,
        "its C is 0",
    ),
]


@pytest.mark.parametrize(("text", "version"), [
    ("2.13.0+cpu", (2, 13, 0)), ("2.14.1+cu130", (2, 14, 1)), ("2.15.0.dev20270101", (2, 15, 0)), ("3.0", (3, 0, 0)),
    ("unknown", None),
])
def test_versions_are_read_as_torch_writes_them(text, version):
    assert torch_version.parse(text) == version


def test_the_installed_version_is_read_without_importing_torch():
    code = (
        "import sys, importlib.metadata\n"
        "from designer.core import torch_version\n"
        "print(torch_version.installed_text() == importlib.metadata.version('torch'), 'torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]


def test_without_torch_the_rules_follow_the_newest_known(monkeypatch):
    monkeypatch.setattr(torch_version, "installed_text", lambda: None)
    assert torch_version.followed() == torch_version.NEWEST_KNOWN
    assert torch_version.describe() == "torch 2.14.1 (not installed: the newest behaviour known)"
    monkeypatch.setattr(torch_version, "installed_text", lambda: "2.13.0+cpu")
    assert torch_version.followed() == (2, 13, 0) and not torch_version.at_least(REPLICATION_NEEDS_EVERY_SIZE)
    assert torch_version.describe() == "torch 2.13.0+cpu (installed)"


def test_the_declared_range_is_the_one_in_pyproject():
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    oldest = ".".join(str(v) for v in torch_version.OLDEST_SUPPORTED[:2])
    assert f'"torch>={oldest}"' in pyproject


@pytest.mark.parametrize(("type_name", "params", "shape", "since", "said"), CHANGES)
def test_each_changed_behaviour_follows_its_release(type_name, params, shape, since, said):
    before = (since[0], since[1] - 1, 0)
    with torch_version.following(before):
        old = rule_run(type_name, params, shape)
    with torch_version.following(since):
        new = rule_run(type_name, params, shape)
    assert 0 in old.shape, old  # the older torch returns the empty tensor
    assert any(f"{torch_version.show(since)} and later refuse" in w for w in old.warnings), old.warnings
    assert said in new.message and f"{torch_version.show(since)} and later" in new.message, new.message


@pytest.mark.parametrize(("type_name", "params", "shape", "since", "said"), CHANGES)
def test_each_changed_behaviour_agrees_with_the_installed_torch(type_name, params, shape, since, said):
    got = check_rule_agreement(type_name, params, shape)
    assert hasattr(got, "message") == torch_version.at_least(since)


def test_an_explanation_names_the_torch_it_follows():
    with torch_version.following((2, 13, 0)):
        got = engine_run("ReplicationPad2d", {"padding": [0, 0, 0, -1]}, [(1, 1, 1, 3)])
    assert got.ok and got.shape == (1, 1, 0, 3)
    assert "torch 2.14 and later refuse this empty output (the rules follow torch 2.13 (chosen))." in got.warnings
