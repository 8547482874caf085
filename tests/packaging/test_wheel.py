"""The sdist and wheel carry everything the app needs, and an installed wheel runs outside the checkout.

The checkout is copied (without caches and build outputs) to a temporary folder; ``python -m build``
makes the sdist and then the wheel from that sdist, so a file missing from either shows up here. The
wheel goes into a fresh virtual environment with ``--no-deps``; a ``.pth`` file makes the heavy
dependencies (PySide6, networkx, torch) of the running environment importable there, but never the
checkout: ``designer`` and its resources must come from the wheel, and every command runs from a
folder outside the checkout.
"""

from __future__ import annotations

import ast
import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import designer

ROOT = Path(__file__).resolve().parents[2]
# Top-level entries of a checkout that never belong in a release: version control, environments, outputs.
_NOT_SOURCE = {"build", "dist", "venv", "shots"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    skipped = {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith((".egg-info", ".pyc"))}
    if Path(folder) == ROOT:
        skipped |= _NOT_SOURCE & set(names)
    return skipped


def _run(args: list, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> SimpleNamespace:
    """The sdist and wheel built from a copy of the checkout, and a fresh venv holding the wheel."""
    base = tmp_path_factory.mktemp("packaging")
    source, out, venv = base / "source", base / "dist", base / "venv"
    shutil.copytree(ROOT, source, ignore=_ignore)
    # --no-isolation: build with this environment's setuptools (the test extra), so no download is needed.
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], cwd=base)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")

    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel], cwd=base)
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base).stdout.strip()
    host = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # Lines of a .pth file are appended to sys.path after the venv's own site-packages, and .pth files
    # inside them are not run, so the host's editable install of the checkout stays invisible.
    Path(site, "_host_dependencies.pth").write_text("\n".join(sorted(host)) + "\n", encoding="utf-8")

    work = base / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(base / "config"), PYTHONDONTWRITEBYTECODE="1")
    return SimpleNamespace(
        sdist=sdist, wheel=wheel, venv=venv, python=python, site=Path(site), work=work, env=env,
        program=python.parent / ("model-designer.exe" if os.name == "nt" else "model-designer"),
    )


def _source_packages() -> set[str]:
    """Every package of the checkout as the wheel names it (``resources`` installs as ``designer.resources``)."""
    packages = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "designer").rglob("__init__.py") if "__pycache__" not in p.parts
    }
    return packages | {"designer.resources"}


def _source_resources() -> set[str]:
    files = (p for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {"designer/resources/" + p.relative_to(ROOT / "resources").as_posix() for p in files}


def test_the_wheel_holds_every_package_and_every_resource(dist):
    names = set(zipfile.ZipFile(dist.wheel).namelist())
    missing_packages = {p for p in _source_packages() if p.replace(".", "/") + "/__init__.py" not in names}
    assert not missing_packages, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing_packages)}"
    missing_files = _source_resources() - names
    assert not missing_files, f"add patterns for these to [tool.setuptools.package-data]: {sorted(missing_files)}"
    assert not [n for n in names if n.startswith(("tests/", "packaging/")) or "__pycache__" in n]


def test_the_wheel_declares_the_version_and_the_command(dist):
    with zipfile.ZipFile(dist.wheel) as wheel:
        info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(info).decode()
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert f"\nVersion: {designer.__version__}\n" in metadata
    assert "model-designer = designer.cli:main" in entry_points


def test_the_sdist_holds_the_changelog_recipes_and_tests(dist):
    with tarfile.open(dist.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    expected = {
        "pyproject.toml", "README.md", "CHANGELOG.md", "MANIFEST.in",
        "packaging/make_icons.py", "packaging/build_bundle.sh", "packaging/pyinstaller/model-designer.spec",
        "tests/packaging/test_wheel.py",
    }
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "packaging" / "linux").iterdir()}
    expected |= {"resources/" + n[len("designer/resources/"):] for n in _source_resources()}
    assert not expected - names, f"missing from the sdist: {sorted(expected - names)}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_installed_package_and_its_resources_come_from_the_wheel(dist):
    script = (
        "import designer, importlib.resources as r; from designer.core import examples;"
        "print(designer.__file__); print(r.files('designer.resources') / 'icons' / 'app.svg');"
        "print(examples.example_path(examples.DEFAULT_EXAMPLE))"
    )
    paths = _run([dist.python, "-c", script], cwd=dist.work, env=dist.env).stdout.split("\n")[:3]
    for path in paths:
        assert Path(path).is_relative_to(dist.site), f"{path} is not inside the fresh venv {dist.site}"
        assert Path(path).is_file()
    version = _run([dist.program, "--version"], cwd=dist.work, env=dist.env).stdout
    assert version.strip() == f"model-designer {designer.__version__}"


def _example_paths(dist) -> dict[str, Path]:
    script = "from designer.core import examples\nfor n in examples.example_names(): print(n, examples.example_path(n))"
    lines = _run([dist.python, "-c", script], cwd=dist.work, env=dist.env).stdout.splitlines()
    return {name: Path(path) for name, path in (line.split(" ", 1) for line in lines)}


def test_shapes_runs_on_every_bundled_example(dist):
    found = _example_paths(dist)
    assert set(found) == {p.stem for p in (ROOT / "resources" / "examples").glob("*.json")}
    for name, path in found.items():
        assert path.is_relative_to(dist.site)
        table = _run([dist.program, "shapes", path], cwd=dist.work, env=dist.env).stdout
        assert table.strip(), f"shapes printed nothing for {name}"
        as_json = _run([dist.program, "shapes", path, "--json"], cwd=dist.work, env=dist.env).stdout
        assert as_json.lstrip().startswith(("{", "["))


def test_export_writes_a_module_stamped_with_the_version(dist):
    path = _example_paths(dist)["unet"]
    out = dist.work / "unet_model.py"
    _run([dist.program, "export", path, "-o", out], cwd=dist.work, env=dist.env)
    module = ast.parse(out.read_text(encoding="utf-8"), str(out))
    assert f"Model Designer {designer.__version__}" in (ast.get_docstring(module) or "")
    classes = [node for node in module.body if isinstance(node, ast.ClassDef)]
    assert [f.name for f in classes[0].body if isinstance(f, ast.FunctionDef)] == ["__init__", "forward"]


def test_screenshot_of_the_default_example_from_the_installed_wheel(dist):
    out = dist.work / "window.png"
    _run([dist.program, "--screenshot", out], cwd=dist.work, env=dist.env)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 800)
