"""Legibility as a reader finds it: how many distinct edge sizes OCR reads from ``--screenshot``.

    python tests/benchmarks/ocr_labels.py              # a table, one row per design
    python tests/benchmarks/ocr_labels.py --json       # the same figures as one JSON object
    python tests/benchmarks/ocr_labels.py --keep DIR   # also keep the screenshots (DIR/<design>.png)

For every example and a few other ordinary designs (ResNet-18 and a U-Net made of blocks, an LSTM
classifier, a flat 40-layer U-Net, a 60-layer MLP, a DCGAN generator with a mistake), it runs
``model-designer FILE --screenshot OUT.png`` (1280×800), upscales the picture 3× as a reader leaning
in would, runs tesseract on it and counts the distinct sizes (``shapes --json``, written as the canvas
writes them: ``64×512×4×4``) found in the text. × may come back as x, X or *, and spaces inside a size
are ignored; a size must stand on its own (``4×4`` is not found inside ``64×4×4``).

Not a test (tesseract is a system tool, and its reading is a measurement); the target is 90 % per design.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from designer.core.shapes import format_shape  # noqa: E402
from tests.core import block_designs  # noqa: E402

UPSCALE = 3
TARGET = 0.9


# ----- designs ---------------------------------------------------------------------------------------


def _project(name: str, nodes: list[tuple], edges: list[tuple]) -> dict:
    """A version-4 project from (id, type, params) nodes and (source, target, port[, source_port]) edges."""
    return {
        "format": "model-designer-project",
        "version": 4,
        "name": name,
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [
            {"source": e[0], "target": e[1], "target_port": e[2], **({"source_port": e[3]} if len(e) > 3 else {})}
            for e in edges
        ],
    }


def lstm_classifier() -> dict:
    """Token ids → Embedding → LSTM → the last layer's h_n → Linear: a sentence classifier."""
    nodes = [
        ("tokens", "Input", {"shape": [16, 40], "dtype": "int64"}),
        ("embed", "Embedding", {"num_embeddings": 5000, "embedding_dim": 96}),
        ("lstm", "LSTM", {"input_size": 96, "hidden_size": 128, "num_layers": 2, "batch_first": True}),
        ("last", "Select", {"dim": 0, "index": -1}),
        ("drop", "Dropout", {"p": 0.3}),
        ("fc", "Linear", {"in_features": 128, "out_features": 5}),
        ("logits", "Output", {}),
    ]
    edges = [("tokens", "embed", 0), ("embed", "lstm", 0), ("lstm", "last", 0, 1), ("last", "drop", 0),
             ("drop", "fc", 0), ("fc", "logits", 0)]
    return _project("LSTM classifier", nodes, edges)


def flat_unet(size: int = 96, base: int = 16) -> dict:
    """The classic U-Net written out layer by layer (4 levels, about 40 layers), without positions."""
    nodes: list[tuple] = [("image", "Input", {"shape": [1, 3, size, size]})]
    edges: list[tuple] = []

    def add(node_id, type_name, params, *sources):
        nodes.append((node_id, type_name, params))
        edges.extend((s, node_id, port) for port, s in enumerate(sources))
        return node_id

    def double(prefix, source, cin, cout):
        y = add(f"{prefix}_conv1", "Conv2d", {"in_channels": cin, "out_channels": cout, "kernel_size": 3, "padding": 1}, source)
        y = add(f"{prefix}_relu1", "ReLU", {}, y)
        y = add(f"{prefix}_conv2", "Conv2d", {"in_channels": cout, "out_channels": cout, "kernel_size": 3, "padding": 1}, y)
        return add(f"{prefix}_relu2", "ReLU", {}, y)

    skips = []
    y, cin = "image", 3
    for level in range(3):
        cout = base * 2**level
        y = double(f"enc{level + 1}", y, cin, cout)
        skips.append((y, cout))
        y = add(f"pool{level + 1}", "MaxPool2d", {"kernel_size": 2}, y)
        cin = cout
    y = double("bottom", y, cin, cin * 2)
    cin *= 2
    for level in reversed(range(3)):
        skip, cout = skips[level]
        y = add(f"up{level + 1}", "ConvTranspose2d", {"in_channels": cin, "out_channels": cout, "kernel_size": 2, "stride": 2}, y)
        y = add(f"cat{level + 1}", "Concat", {"dim": 1}, skip, y)
        y = double(f"dec{level + 1}", y, 2 * cout, cout)
        cin = cout
    y = add("head", "Conv2d", {"in_channels": cin, "out_channels": 2, "kernel_size": 1}, y)
    add("mask", "Output", {}, y)
    return _project("U-Net (flat)", nodes, edges)


def deep_mlp(layers: int = 60) -> dict:
    """A 60-layer MLP whose widths change every few layers, so its sizes are many and distinct."""
    nodes: list[tuple] = [("x", "Input", {"shape": [32, 784]})]
    edges: list[tuple] = []
    width, previous = 784, "x"
    for i in range(1, layers):
        if i % 3 == 1:
            new = 1000 - 15 * i
            nodes.append((f"fc{i}", "Linear", {"in_features": width, "out_features": new}))
            width = new
        else:
            nodes.append((f"act{i}", "ReLU" if i % 3 == 2 else "BatchNorm1d", {} if i % 3 == 2 else {"num_features": width}))
        node_id = nodes[-1][0]
        edges.append((previous, node_id, 0))
        previous = node_id
    return _project("60-layer MLP", nodes, edges)


def broken_dcgan() -> dict:
    data = json.loads((ROOT / "resources" / "examples" / "dcgan_generator.json").read_text())
    for node in data["nodes"]:
        node.pop("position", None)
        if node["id"] == "up3":
            node["params"]["in_channels"] = 128
    data["name"] = "DCGAN generator (broken)"
    return data


def designs() -> dict[str, dict]:
    found = {p.stem: json.loads(p.read_text()) for p in sorted((ROOT / "resources" / "examples").glob("*.json"))}
    found["resnet18_blocks"] = block_designs.resnet18()
    found["unet_blocks"] = block_designs.unet()
    found["lstm_classifier"] = lstm_classifier()
    found["unet_flat"] = flat_unet()
    found["mlp_60"] = deep_mlp()
    found["dcgan_broken"] = broken_dcgan()
    return found


# ----- measuring -------------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def edge_sizes(path: Path) -> set[str]:
    """Distinct sizes the canvas shows: every node's output (each used output of a layer with several)."""
    report = json.loads(cli("shapes", str(path), "--json").stdout)
    data = json.loads(path.read_text())
    used_ports = {}
    for edge in data["edges"]:
        used_ports.setdefault(edge["source"], set()).add(edge.get("source_port", 0))
    sizes = set()
    for node in report["nodes"]:
        if node["shape"] is None:
            continue
        sizes.add(format_shape(tuple(node["shape"])))
        for port in used_ports.get(node["id"], ()):
            if node.get("output_shapes"):
                sizes.add(format_shape(tuple(node["output_shapes"][port])))
    return sizes


def _normal(text: str) -> str:
    return re.sub(r"\s*[×xX*]\s*", "×", text)


def read_sizes(png: Path) -> str:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    big = image.scaled(image.width() * UPSCALE, image.height() * UPSCALE, Qt.AspectRatioMode.IgnoreAspectRatio,
                       Qt.TransformationMode.SmoothTransformation)
    upscaled = png.with_name(png.stem + "_3x.png")
    big.save(str(upscaled))
    out = subprocess.run(["tesseract", str(upscaled), "-"], capture_output=True, text=True)
    upscaled.unlink()
    return _normal(out.stdout)


def found(size: str, text: str) -> bool:
    return re.search(r"(?<![0-9×])" + re.escape(_normal(size)) + r"(?![0-9×])", text) is not None


def measure(name: str, data: dict, folder: Path) -> dict:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data))
    png = folder / f"{name}.png"
    shot = cli(str(path), "--screenshot", str(png))
    if shot.returncode != 0:
        return {"design": name, "error": shot.stderr.strip()[-300:]}
    sizes = edge_sizes(path)
    text = read_sizes(png)
    missed = sorted(s for s in sizes if not found(s, text))
    return {"design": name, "sizes": len(sizes), "read": len(sizes) - len(missed), "missed": missed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="keep the screenshots and designs in DIR")
    parser.add_argument("--only", help="comma-separated design names")
    args = parser.parse_args()
    chosen = designs()
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k in args.only.split(",")}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(args.keep or temp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [measure(name, data, folder) for name, data in chosen.items()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    total = read = 0
    for row in rows:
        if "error" in row:
            print(f"{row['design']:22} screenshot failed: {row['error']}")
            continue
        total, read = total + row["sizes"], read + row["read"]
        share = row["read"] / row["sizes"] if row["sizes"] else 1.0
        flag = "" if share >= TARGET else "  < 90 %"
        print(f"{row['design']:22} {row['read']:3}/{row['sizes']:<3} {share:6.0%}{flag}  missed: {', '.join(row['missed'][:6])}")
    print(f"{'all':22} {read:3}/{total:<3} {read / max(total, 1):6.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
