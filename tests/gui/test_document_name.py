"""The design's name in the window follows its file until renamed; the export dialog's class uses it."""

from __future__ import annotations

from designer.core.graph import Graph, Node
from designer.document.document import Document


def test_saving_an_untitled_design_names_it_after_the_file(qtbot, tmp_path):
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [1, 4]}))
    document = Document(graph)
    assert document.graph.name == "Untitled"
    document.save(str(tmp_path / "first_try.json"))
    assert document.graph.name == "first_try" and not document.modified
    document.save(str(tmp_path / "second_try.json"))
    assert document.graph.name == "second_try"
    document.graph.set_name("My Generator")
    document.save(str(tmp_path / "third.json"))
    assert document.graph.name == "My Generator"


def test_opening_an_untitled_file_names_the_design_after_it_without_an_edit(qtbot, tmp_path):
    path = tmp_path / "night_shift.json"
    path.write_text(
        '{"format": "model-designer-project", "version": 1, "name": "Untitled", '
        '"nodes": [{"id": "x", "type": "Input", "params": {"shape": [1, 4]}}], "edges": []}'
    )
    document = Document()
    document.open(str(path))
    assert document.graph.name == "night_shift"
    assert not document.modified and document.undo_stack.count() == 0
