"""Without torch (the default standalone bundle) the app still designs, explains, solves and exports.

Each command runs in a child process where ``import torch`` fails exactly as it does when torch is not
installed; a command that needed torch without saying so would end in exit code 3 (internal error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "espcn.json"

_RUN_WITHOUT_TORCH = """
import json, sys
sys.modules["torch"] = None  # every "import torch..." now raises ImportError, as on a machine without it
from designer.cli import main
codes = [main(args) for args in json.loads(sys.argv[1])]
print("EXIT CODES", json.dumps(codes))
"""


def test_commands_and_the_window_work_without_torch(tmp_path):
    commands = [
        ["shapes", str(EXAMPLE)],
        ["explain", str(EXAMPLE), "conv1"],
        ["stats", str(EXAMPLE)],
        ["solve", "Conv2d", "--in", "64", "--out", "32"],
        ["export", str(EXAMPLE), "-o", str(tmp_path / "espcn.py")],
        [str(EXAMPLE), "--screenshot", str(tmp_path / "window.png")],
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = subprocess.run(
        [sys.executable, "-c", _RUN_WITHOUT_TORCH, json.dumps(commands)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    codes = json.loads(result.stdout.rsplit("EXIT CODES", 1)[1])
    assert codes == [0] * len(commands), (codes, result.stderr)
    assert "import torch" in (tmp_path / "espcn.py").read_text(encoding="utf-8")
    assert (tmp_path / "window.png").stat().st_size > 10_000
