"""One list of a node's problems and warnings: the canvas badge, the Problems panel, ``shapes --json``
and the inspector's explanation all show the engine's ``NodeResult.problems``, the checkerboard
warning included."""

from __future__ import annotations

import json

from designer.canvas.scene import GraphScene
from designer.cli import main as cli_main
from designer.core import examples, project
from designer.core.edits import SetParams
from designer.core.explain import explain
from designer.document.document import Document
from designer.widgets.problems import ProblemsList


def troubled_document() -> Document:
    """The DCGAN generator with an uneven transposed conv (a warning) and a wrong in_channels (an error)."""
    document = Document(examples.load_example("dcgan_generator"))
    graph = document.graph
    document.apply(SetParams("up3", dict(graph.node("up3").params, kernel_size=3, padding=1, output_padding=1)))
    document.apply(SetParams("up2", dict(graph.node("up2").params, in_channels=7)))
    return document


def test_badge_problems_panel_inspector_and_shapes_json_agree(qapp, tmp_path, capsys):
    document = troubled_document()
    scene = GraphScene(document)
    panel = ProblemsList(document)
    rows = panel.rows()
    assert any(kind == "error" for node_id, kind, _ in rows if node_id == "up2")
    assert any(kind == "warning" and "Uneven overlap" in s for node_id, kind, s in rows if node_id == "up3")
    path = tmp_path / "troubled.json"
    project.save(document.graph, str(path))
    assert cli_main(["shapes", str(path), "--json"]) in (0, 1)
    listed = {n["id"]: n for n in json.loads(capsys.readouterr().out)["nodes"]}
    for node_id, item in scene.nodes.items():
        result = document.engine.result(node_id)
        in_panel = [(kind, sentence) for n, kind, sentence in rows if n == node_id]
        assert in_panel == [(p.severity, p.sentence) for p in result.problems]
        assert item.has_warnings == any(kind == "warning" for kind, _ in in_panel), node_id
        assert (item.status == "error") == any(kind == "error" for kind, _ in in_panel), node_id
        assert [(p["severity"], p["sentence"]) for p in listed[node_id]["problems"]] == in_panel
        assert list(explain(document.graph, document.engine, node_id).warnings) == [
            s for kind, s in in_panel if kind == "warning"
        ]


def test_a_fixed_warning_leaves_badge_and_panel_together(qapp):
    document = troubled_document()
    scene = GraphScene(document)
    panel = ProblemsList(document)
    document.undo_stack.undo()
    document.undo_stack.undo()  # kernel 4 again: even overlap
    assert not scene.nodes["up3"].has_warnings
    assert not [r for r in panel.rows() if r[0] == "up3"]
