"""The lens toggle relabels the canvas's edges (channels last) and back, and the edge tooltip says so."""

from __future__ import annotations

import pytest

from designer.canvas.scene import GraphScene
from designer.core import examples
from designer.core.edits import SetParams
from designer.core.graph import Edge
from designer.document.document import Document
from designer.widgets.lens import lens_action


@pytest.fixture
def scene(qapp):
    return GraphScene(Document(examples.load_example("dcgan_generator")))


def test_toggle_changes_edge_labels(scene):
    action = lens_action(scene, scene)
    edge = Edge("up2", "bn2", 0)
    assert scene.edges[edge].label == "64×256×8×8"
    action.setChecked(True)
    assert scene.edges[edge].label == "64×8×8×256"
    assert scene.edges[Edge("z", "up1", 0)].label == "64×1×1×100"
    # Later edits keep the lens.
    params = dict(scene.document.graph.node("up2").params, out_channels=128)
    scene.document.apply(SetParams("up2", params))
    assert scene.edges[edge].label == "64×8×8×128"
    action.setChecked(False)
    assert scene.edges[edge].label == "64×128×8×8"


def test_tooltip_line_only_when_the_order_differs(scene):
    edge = Edge("up2", "bn2", 0)
    assert scene._lens_line(edge) == ""
    scene.set_lens("NHWC")
    line = scene._lens_line(edge)
    assert "64×8×8×256" in line and "C=256" in line


def test_unknown_lens_changes_nothing(scene):
    with pytest.raises(ValueError):
        scene.set_lens("NWHC")
    assert scene.lens == "NCHW" and scene.edges[Edge("up2", "bn2", 0)].label == "64×256×8×8"
