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


def test_a_long_design_renders_in_snaking_bands_its_sizes_clear_of_the_cards():
    from designer.core.graph import Edge, Graph, Node

    graph = Graph("chain")
    graph.add_node(Node("x", "Input", {"shape": [1, 8, 32, 32]}))
    for i in range(1, 40):
        graph.add_node(Node(f"r{i}", "ReLU"))
        graph.connect(Edge("x" if i == 1 else f"r{i - 1}", f"r{i}", 0))
    root = ET.fromstring(diagram_svg(graph))
    cards = [g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.get("class") == "layer"]
    pills = [g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.get("class") == "size"]
    box = lambda r: tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))  # noqa: E731

    def overlap(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    assert len(cards) == 40 and len(pills) == 40  # 39 edges and the last layer's own size
    columns = {box(c)[0] for c in cards}
    assert len(columns) > 2  # cut into bands
    for pill in map(box, pills):
        assert not any(overlap(pill, box(c)) for c in cards)
    # In a band running back, ports are turned round: the output dot on the card's top edge.
    first_up = sorted(columns)[1]
    up_cards = [g for g in root.iter(f"{SVG}g") if g.get("class") == "layer" and float(g.find(f"{SVG}rect").get("x")) == first_up]
    for g in up_cards:
        top = float(g.find(f"{SVG}rect").get("y"))
        dots = [float(c.get("cy")) for c in g.iter(f"{SVG}circle")]
        assert top in [round(d, 1) for d in dots]


def test_a_design_without_positions_renders_each_card_at_its_size():
    from designer.core.graph import Edge, Graph, Node

    graph = Graph("lstm")
    graph.add_node(Node("x", "Input", {"shape": [16, 40, 96]}))
    graph.add_node(Node("lstm", "LSTM", {"input_size": 96, "hidden_size": 128, "batch_first": True}))
    graph.connect(Edge("x", "lstm", 0))
    previous = "lstm"
    for i in range(8):
        graph.add_node(Node(f"r{i}", "ReLU"))
        graph.connect(Edge(previous, f"r{i}", 0, 0))
        previous = f"r{i}"
    root = ET.fromstring(diagram_svg(graph))
    cards = [tuple(float(g.find(f"{SVG}rect").get(k)) for k in ("x", "y", "width", "height"))
             for g in root.iter(f"{SVG}g") if g.get("class") == "layer"]
    assert max(c[2] for c in cards) > 140  # the LSTM's three outputs make its card wider
    for i, a in enumerate(cards):
        for b in cards[i + 1 :]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
