"""Words: a design is called after its file until someone names it; counts agree with their nouns."""

from __future__ import annotations

import subprocess
import sys

from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from designer.core.shapes import counted
from tests.torch_graph import chain


def test_counts_agree_with_their_nouns() -> None:
    assert counted(1, "layer") == "1 layer"
    assert counted(0, "layer") == "0 layers"
    assert counted(12_000, "sample") == "12,000 samples"
    assert counted(2, "copy", "copies") == "2 copies"
    assert counted("N", "sample") == "N samples"  # an open batch


def test_an_input_of_one_sample_reads_in_the_singular() -> None:
    graph = chain((1, 1, 28, 28), [("ReLU", {})])
    story = " ".join(ShapeEngine(graph).result("x").inferred.story)
    assert "1 sample, each with 1 channel of 28×28 values" in story
    assert "1 samples" not in story and "1 channels" not in story


def test_the_name_follows_the_file_until_it_is_given_one() -> None:
    assert project.name_following_file("Untitled", "/tmp/my_gan.json") == "my_gan"
    assert project.name_following_file("", "/tmp/my_gan.json") == "my_gan"
    assert project.name_following_file("my_gan", "/tmp/gan_v2.json", "/tmp/my_gan.json") == "gan_v2"
    assert project.name_following_file("DCGAN generator", "/tmp/my_gan.json") == "DCGAN generator"
    assert project.name_following_file("Mine", "/tmp/b.json", "/tmp/a.json") == "Mine"


def _untitled_design(tmp_path):
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [1, 4]}))
    graph.add_node(Node("fc", "Linear", {"in_features": 4, "out_features": 1}))
    graph.add_node(Node("out", "Output"))
    graph.connect(Edge("x", "fc"))
    graph.connect(Edge("fc", "out"))
    path = tmp_path / "tiny_classifier.json"
    project.save(graph, path)
    assert '"name": "Untitled"' in path.read_text()
    return path


def test_the_cli_calls_an_unnamed_design_after_its_file(tmp_path) -> None:
    path = _untitled_design(tmp_path)
    run = [sys.executable, "-m", "designer"]
    code = subprocess.run([*run, "export", str(path)], capture_output=True, text=True, check=True).stdout
    assert "class TinyClassifier(" in code and '"""tiny_classifier: built with Model Designer.' in code
    assert "Untitled" not in code
    table = subprocess.run([*run, "shapes", str(path)], capture_output=True, text=True).stdout
    assert table.startswith("tiny_classifier: 3 nodes, 5 parameters")
    out = tmp_path / "m.py"
    said = subprocess.run([*run, "export", str(path), "-o", str(out)], capture_output=True, text=True).stdout
    assert "class TinyClassifier, 1 layer" in said and "1 layers" not in said
