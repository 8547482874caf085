"""A transposed conv with uneven overlap wears the warning badge and says why in its tooltip."""

from __future__ import annotations

from designer.canvas import tooltips
from designer.canvas.scene import GraphScene
from designer.core import examples
from designer.core.edits import SetParams
from designer.document.document import Document


def test_badge_follows_kernel_and_stride(qapp):
    document = Document(examples.load_example("dcgan_generator"))
    scene = GraphScene(document)
    item = scene.nodes["up3"]
    assert not item.has_warnings  # kernel 4, stride 2: even
    assert "Uneven overlap" not in tooltips.node_tooltip(document, "up3")
    params = dict(document.graph.node("up3").params, kernel_size=3, padding=1, output_padding=1)
    document.apply(SetParams("up3", params))  # the same 16×16 output, now uneven
    assert document.engine.result("up3").shape[2:] == (16, 16)
    assert item.has_warnings
    assert "Uneven overlap: kernel_size 3 is not divisible by stride 2" in tooltips.node_tooltip(document, "up3")
    document.undo_stack.undo()
    assert not item.has_warnings
