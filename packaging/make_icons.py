"""Render the app icon (resources/icons/app.svg, the one source) into every format the platforms want.

``python packaging/make_icons.py OUT_DIR`` writes:

- ``OUT_DIR/hicolor/<N>x<N>/apps/<APP_ID>.png`` for the freedesktop sizes, plus
  ``hicolor/scalable/apps/<APP_ID>.svg`` (Linux launchers and file managers);
- ``OUT_DIR/model-designer.ico`` (Windows; PNG entries, readable since Windows Vista);
- ``OUT_DIR/model-designer.icns`` (macOS; PNG entries, readable since OS X 10.7).

Qt's QSvgRenderer draws the PNGs, so only PySide6 is needed; ICO and ICNS are plain containers of those
PNGs, written here rather than through Qt's optional image plugins.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import sys
from pathlib import Path

APP_ID = "io.github.modeldesigner.ModelDesigner"
SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.svg"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (the "@2x" types reuse the larger renders).
ICNS_TYPES = (
    (b"icp4", 16), (b"ic11", 32), (b"icp5", 32), (b"ic12", 64), (b"ic07", 128),
    (b"ic13", 256), (b"ic08", 256), (b"ic14", 512), (b"ic09", 512), (b"ic10", 1024),
)
_APP = None  # the QGuiApplication, kept alive while rendering


def render_png(svg: bytes, pixels: int) -> bytes:
    """The SVG drawn into a transparent ``pixels``-square image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    global _APP
    # QtGui wants an application object before painting; the offscreen platform needs no display.
    if QGuiApplication.instance() is None:
        _APP = QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the icon SVG cannot be read")
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG per size (a width/height byte of 0 means 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        png = pngs[size]
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: a big-endian header, then (type, length, PNG) elements."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out: Path, svg_path: Path = SVG) -> list[Path]:
    """Write every icon file under ``out``; returns the paths written."""
    svg = svg_path.read_bytes()
    sizes = set(HICOLOR_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
    pngs = {size: render_png(svg, size) for size in sorted(sizes)}
    written = []
    for size in HICOLOR_SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg_path, scalable)
    written.append(scalable)
    for name, data in (("model-designer.ico", ico({s: pngs[s] for s in ICO_SIZES})), ("model-designer.icns", icns(pngs))):
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the app icon into PNG (hicolor), ICO and ICNS files.")
    parser.add_argument("out", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--svg", type=Path, default=SVG, help=f"the source SVG (default: {SVG})")
    args = parser.parse_args(argv)
    try:
        written = make_icons(args.out, args.svg)
    except (OSError, ValueError) as exc:
        print(f"make_icons: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} icon files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
