"""Shared helpers for the canvas tests: small graphs built in code and a shown view on a document."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF

from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core.graph import Edge, Graph, Node
from designer.document.document import Document


def conv(node_id: str, cin: int, cout: int, position, **extra) -> Node:
    params = {"in_channels": cin, "out_channels": cout, "kernel_size": 3, "padding": 1, **extra}
    return Node(node_id, "Conv2d", params, position=position)


def chain_graph() -> Graph:
    """x (1×3×32×32) → c1 (3→8) → c2 (8→16, stride 2) → out, on one row."""
    g = Graph("chain")
    g.add_node(Node("x", "Input", {"shape": [1, 3, 32, 32]}, position=(0, 0)))
    g.add_node(conv("c1", 3, 8, (240, 0)))
    g.add_node(conv("c2", 8, 16, (480, 0), stride=2))
    g.add_node(Node("out", "Output", {}, position=(720, 0)))
    for a, b in (("x", "c1"), ("c1", "c2"), ("c2", "out")):
        g.connect(Edge(a, b, 0))
    return g


def make_view(qtbot, graph: Graph) -> GraphView:
    document = Document(graph)
    view = GraphView(GraphScene(document))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    with qtbot.waitActive(view):  # shortcuts work only in the active window
        view.show()
        view.activateWindow()
    view.zoom_reset()
    view.centerOn(QPointF(400, 30))
    return view


def view_point(view: GraphView, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)
