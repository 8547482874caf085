"""The architecture and lint rules, checked by the test run itself so CI enforces them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold():
    """designer.core never imports Qt, pyqtgraph or torch; GUI layers import only downward."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = run(str(lint), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = run(sys.executable, "-m", "ruff", "check", "--no-cache", "designer", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_without_qt_or_torch():
    code = (
        "import sys, designer.core.catalog, designer.core.engine, designer.core.graph, designer.core.edits;"
        "bad = [m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
