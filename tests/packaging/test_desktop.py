"""Desktop integration: the Linux files validate, agree with each other and with the code, install and
uninstall cleanly, and the icons come out in every size and container format the platforms want.

The validators ``desktop-file-validate`` (desktop-file-utils) and ``appstreamcli`` (appstream) are optional
system packages: a test that needs one skips, saying what to install, when it is absent, unless
MODEL_DESIGNER_REQUIRE_SYSTEM_TOOLS=1 (set by .ci/run, which installs both) makes it a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import designer
from designer.core import project

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
APP_ID = "io.github.modeldesigner.ModelDesigner"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME = LINUX / f"{APP_ID}.xml"
MIME_TYPE = "application/x-model-designer+json"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


REQUIRE_TOOLS = os.environ.get("MODEL_DESIGNER_REQUIRE_SYSTEM_TOOLS") == "1"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed: apt-get install {package} (optional; .ci/run installs it)"
        if REQUIRE_TOOLS:
            pytest.fail(f"{reason}; MODEL_DESIGNER_REQUIRE_SYSTEM_TOOLS=1 requires it")
        pytest.skip(reason)
    return path


def _desktop_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_desktop_file_is_valid_without_hints():
    result = subprocess.run([_tool("desktop-file-validate", "desktop-file-utils"), DESKTOP], capture_output=True, text=True)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_metainfo_is_valid():
    result = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", METAINFO], capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"^[EW]: ", output, re.MULTILINE), output


def test_launcher_metainfo_mime_type_and_icons_name_the_same_things():
    entry = _desktop_entry(DESKTOP)
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"].split(";")[:-1] == [MIME_TYPE]
    assert entry["Exec"].split()[0] == "model-designer" and entry["Exec"].endswith("%f")

    meta = ET.parse(METAINFO).getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == DESKTOP.name
    assert meta.findtext("provides/mediatype") == MIME_TYPE
    assert meta.findtext("provides/binary") == "model-designer"
    assert [c.text for c in meta.iter("category")] == entry["Categories"].split(";")[:-1]

    mime = ET.parse(MIME).getroot().find(f"{MIME_NS}mime-type")
    assert mime.get("type") == MIME_TYPE
    assert mime.find(f"{MIME_NS}icon").get("name") == APP_ID
    assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    # The magic must be the text project.dumps writes, or saved projects would go unrecognised.
    first_lines = project.dumps(project.loads((ROOT / "resources/examples/espcn.json").read_text(), "espcn.json"))[:256]
    magic = [m.get("value") for m in mime.iter(f"{MIME_NS}match")]
    assert any(value in first_lines for value in magic), (magic, first_lines)
    assert all(project.FORMAT in value for value in magic)

    spec = (PACKAGING / "pyinstaller" / "model-designer.spec").read_text(encoding="utf-8")
    assert f'APP_ID = "{APP_ID}"' in spec and f'"{MIME_TYPE}"' in spec
    assert f'APP_ID = "{APP_ID}"' in (PACKAGING / "make_icons.py").read_text(encoding="utf-8")


def test_one_version_everywhere():
    meta = ET.parse(METAINFO).getroot()
    newest = meta.find("releases/release")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    top = re.search(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert top, "CHANGELOG.md needs a '## [VERSION] - YYYY-MM-DD' heading"
    assert designer.__version__ == top["version"] == newest.get("version")
    assert newest.get("date") == top["date"]
    version = subprocess.run(
        [sys.executable, "-m", "designer", "--version"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert version.stdout.strip() == f"model-designer {designer.__version__}"


@pytest.fixture(scope="module")
def icons(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("icons")
    subprocess.run([sys.executable, PACKAGING / "make_icons.py", out], check=True, capture_output=True)
    return out


def test_icons_in_every_hicolor_size(icons):
    for size in HICOLOR_SIZES:
        assert _png_size((icons / f"hicolor/{size}x{size}/apps/{APP_ID}.png").read_bytes()) == (size, size)
    scalable = icons / f"hicolor/scalable/apps/{APP_ID}.svg"
    assert scalable.read_bytes() == (ROOT / "resources/icons/app.svg").read_bytes()


def test_windows_icon_holds_a_png_per_size(icons):
    data = (icons / "model-designer.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        png = data[offset: offset + length]
        assert _png_size(png) == (width or 256, height or 256)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_macos_icon_holds_pngs_up_to_1024(icons):
    data = (icons / "model-designer.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    found, at = {}, 8
    while at < len(data):
        kind, length = data[at: at + 4], struct.unpack(">I", data[at + 4: at + 8])[0]
        found[kind] = _png_size(data[at + 8: at + length])[0]
        at += length
    assert at == len(data)
    assert found == {b"icp4": 16, b"ic11": 32, b"icp5": 32, b"ic12": 64, b"ic07": 128,
                     b"ic13": 256, b"ic08": 256, b"ic14": 512, b"ic09": 512, b"ic10": 1024}


def _install(datadir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHON=sys.executable, XDG_DATA_HOME=str(datadir))
    result = subprocess.run(
        ["bash", LINUX / "install.sh", "--datadir", datadir, *args], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    return result


def test_install_script_installs_everything_and_uninstalls_it(tmp_path):
    datadir, program = tmp_path / "share", "/opt/Model Designer/model-designer"
    _install(datadir, "--exec", program)
    installed = datadir / "applications" / DESKTOP.name
    entry = _desktop_entry(installed)
    assert entry["Exec"] == f'"{program}" %f' and entry["TryExec"] == program
    assert (datadir / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    assert (datadir / "mime/packages" / MIME.name).read_bytes() == MIME.read_bytes()
    for size in HICOLOR_SIZES:
        assert _png_size((datadir / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png").read_bytes()) == (size, size)

    _install(datadir, "--uninstall")
    left = [p for p in datadir.rglob(f"{APP_ID}*")]
    assert not left, left


def test_the_installed_launcher_is_valid(tmp_path):
    validator = _tool("desktop-file-validate", "desktop-file-utils")
    datadir = tmp_path / "share"
    _install(datadir, "--exec", "/opt/Model Designer/model-designer")
    check = subprocess.run([validator, datadir / "applications" / DESKTOP.name], capture_output=True, text=True)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout


def test_install_script_refuses_a_relative_program(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(
        ["bash", LINUX / "install.sh", "--datadir", tmp_path, "--exec", "bin/model-designer"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 2 and "absolute path" in result.stderr
    assert not any(tmp_path.iterdir())


_DETECT = """
import sys
from PySide6.QtCore import QMimeDatabase
db = QMimeDatabase()
for path in sys.argv[1:]:
    print(db.mimeTypeForFile(path).name())
"""


def test_project_files_are_recognised_by_extension_and_by_content(tmp_path):
    """Qt reads the same freedesktop MIME database a file manager uses; only our package is added."""
    datadir = tmp_path / "share"
    _install(datadir, "--exec", "/usr/bin/model-designer")
    example = (ROOT / "resources/examples/espcn.json").read_text(encoding="utf-8")
    (tmp_path / "design.mdproj").write_text(example, encoding="utf-8")
    (tmp_path / "no_extension").write_text(example, encoding="utf-8")
    compact = example.replace('"format": ', '"format":')
    (tmp_path / "compact_no_extension").write_text(compact, encoding="utf-8")
    (tmp_path / "other_no_extension").write_text('{"format": "something else", "nodes": []}\n', encoding="utf-8")
    files = ["design.mdproj", "no_extension", "compact_no_extension", "other_no_extension"]
    env = dict(os.environ, XDG_DATA_HOME=str(datadir), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", _DETECT, *files], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    detected = result.stdout.split()
    assert detected[:3] == [MIME_TYPE] * 3
    assert detected[3] != MIME_TYPE
