"""``model-designer render``: every distinct edge size as real text in the SVG, PNG at print resolution, PDF."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET

import pytest

from designer.canvas.diagram import diagram_svg
from designer.core import examples
from designer.core.engine import ShapeEngine
from designer.core.layout_lens import CHANNELS_FIRST, format_for_display
from tests.core.test_cli_project import cli

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


def distinct_sizes(graph) -> set[str]:
    engine = ShapeEngine(graph)
    try:
        shapes = {engine.edge_display_shape(e) for e in graph.edges()}
        return {format_for_display(s, CHANNELS_FIRST) for s in shapes if s is not None}
    finally:
        engine.close()


@pytest.mark.parametrize("name", examples.example_names())
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_distinct_edge_size_is_text_in_the_svg(name, theme):
    graph = examples.load_example(name)
    texts = svg_texts(diagram_svg(graph, theme))
    sizes = distinct_sizes(graph)
    assert sizes and sizes <= set(texts)
    for node in graph.nodes():
        assert any(node.label[:8] in t for t in texts)  # the cards are named


def test_a_design_without_positions_is_laid_out_and_its_last_layer_shows_its_size():
    graph = examples.load_example("espcn")
    for node_id in graph.node_ids():
        graph.move(node_id, None)
    graph.disconnect(next(e for e in graph.edges() if e.target == "high_res"))
    texts = svg_texts(diagram_svg(graph))
    assert "1×1×192×192" in texts  # the pixel shuffle feeds nothing now: its size is on its card's output


def test_render_cli_writes_svg_png_and_pdf(tmp_path):
    design = examples.example_path("dcgan_generator")
    svg, png, pdf = tmp_path / "d.svg", tmp_path / "d.png", tmp_path / "d.pdf"
    assert cli("render", str(design), "-o", str(svg)).returncode == 0
    assert distinct_sizes(examples.load_example("dcgan_generator")) <= set(svg_texts(svg.read_text(encoding="utf-8")))
    assert cli("render", str(design), "-o", str(png), "--theme", "dark").returncode == 0
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width = struct.unpack(">I", header[16:20])[0]
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert width >= float(root.get("width")) * 3  # print resolution: 300 dpi for a 96 dpi drawing
    assert cli("render", str(design), "-o", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_render_cli_refuses_clearly(tmp_path):
    run = cli("render", str(examples.example_path("espcn")), "-o", str(tmp_path / "d.gif"))
    assert run.returncode == 2 and ".svg, .png or .pdf" in run.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "nope"}), encoding="utf-8")
    run = cli("render", str(bad), "-o", str(tmp_path / "d.svg"))
    assert run.returncode == 2 and "bad.json" in run.stderr
    run = cli("render", str(examples.example_path("espcn")), "-o", str(tmp_path / "missing" / "d.svg"))
    assert run.returncode == 2 and "cannot write" in run.stderr


def test_an_output_no_edge_takes_has_its_size_in_the_svg_once():
    from designer.core.graph import Edge, Graph, Node

    graph = Graph("lstm")
    graph.add_node(Node("x", "Input", {"shape": [16, 40, 96]}))
    graph.add_node(Node("lstm", "LSTM", {"input_size": 96, "hidden_size": 128, "num_layers": 2, "batch_first": True}))
    graph.add_node(Node("last", "Select", {"dim": 0, "index": -1}))
    graph.connect(Edge("x", "lstm", 0))
    graph.connect(Edge("lstm", "last", 0, 1))  # h_n goes on; the sequence and c_n feed nothing
    texts = svg_texts(diagram_svg(graph))
    assert texts.count("16×40×128") == 1  # the sequence, on its port
    assert texts.count("2×16×128") == 1  # h_n on its edge; c_n (the same size) not again
    assert "16×128" in texts  # the last layer's own output
