"""``python -m designer FILE --screenshot OUT.png`` end to end, in fresh interpreters without a display."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

from PySide6.QtGui import QImage

from designer.core import examples


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "designer", *args], capture_output=True, text=True, timeout=120, env=_env(**env)
    )


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        data = f.read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _mean_lightness(path) -> float:
    image = QImage(str(path))
    samples = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)]
    return sum(samples) / len(samples)


def test_screenshot_without_a_display_writes_a_1280x800_png(tmp_path):
    out = tmp_path / "unet.png"
    result = _run(str(examples.example_path("unet")), "--screenshot", str(out), MODEL_DESIGNER_SCHEME="light")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert _png_size(out) == (1280, 800)
    assert _mean_lightness(out) > 170


def test_dark_scheme_screenshot_is_dark(tmp_path):
    out = tmp_path / "dark.png"
    result = _run("--screenshot", str(out), MODEL_DESIGNER_SCHEME="dark")
    assert result.returncode == 0, result.stderr
    assert _png_size(out) == (1280, 800)
    assert _mean_lightness(out) < 90


def test_a_file_that_fails_to_open_prints_one_line_and_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "model-designer-project", "version": 1, "nodes": [{"id": 3}], "edges": []}')
    out = tmp_path / "never.png"
    result = _run(str(bad), "--screenshot", str(out))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("model-designer: bad.json") and "Traceback" not in result.stderr
    assert not out.exists()
    missing = _run(str(tmp_path / "nope.json"), "--screenshot", str(out))
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_the_app_starts_without_importing_torch_or_pyqtgraph(tmp_path):
    out = tmp_path / "start.png"
    code = (
        "import sys\n"
        "from designer.app import run_app\n"
        f"rc = run_app(None, {str(out)!r})\n"
        "heavy = [m for m in ('torch', 'pyqtgraph') if m in sys.modules]\n"
        "print(heavy)\n"
        "sys.exit(rc or bool(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]" and out.exists()


def test_without_a_display_the_app_says_so_and_exits_2_before_starting_qt():
    for extra in ({}, {"QT_QPA_PLATFORM": "xcb"}, {"QT_QPA_PLATFORM": "wayland;xcb"}):
        result = _run(**extra)
        assert result.returncode == 2, result.stderr
        sentence = result.stderr.strip()
        assert sentence.count("\n") == 0 and "display" in sentence and "--screenshot" in sentence
        assert "offscreen" in sentence and "xvfb-run" in sentence
        assert "libxcb" not in result.stderr and "Traceback" not in result.stderr


def test_the_display_check_leaves_qt_alone_and_lets_windowless_platforms_through(monkeypatch):
    from designer import app

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    assert not app._has_display()
    for platform, ok in (("offscreen", True), ("minimal", True), ("xcb", False), ("wayland", False), ("cocoa", True)):
        monkeypatch.setenv("QT_QPA_PLATFORM", platform)
        assert app._has_display() is ok, platform
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    assert app._has_display()
    monkeypatch.setattr(app.sys, "platform", "win32")
    monkeypatch.delenv("DISPLAY")
    assert app._has_display()


def test_a_screenshot_works_without_a_display_even_when_xcb_is_asked_for(tmp_path):
    out = tmp_path / "shot.png"
    result = _run(str(examples.example_path("dcgan_generator")), "--screenshot", str(out), QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stderr
    assert _png_size(out) == (1280, 800)
