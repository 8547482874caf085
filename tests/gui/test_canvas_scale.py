"""Scale smoke test: a 5,000-node design on the canvas. Prints the figures; asserts only correctness."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core.edits import SetParams
from designer.core.graph import Edge, Graph, Node
from designer.document.document import Document

NODES = 5000
COLUMNS = 50


def big_chain(count: int = NODES) -> Graph:
    """Input, then alternating Conv2d 8→8 and ReLU, snaking over rows of ``COLUMNS`` nodes."""
    g = Graph("big")
    g.add_node(Node("n0", "Input", {"shape": [1, 8, 16, 16]}, position=(0, 0)))
    for i in range(1, count):
        pos = ((i % COLUMNS) * 240, (i // COLUMNS) * 140)
        if i % 2:
            node = Node(f"n{i}", "Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, position=pos)
        else:
            node = Node(f"n{i}", "ReLU", {}, position=pos)
        g.add_node(node)
        g.connect(Edge(f"n{i - 1}", f"n{i}", 0))
    return g


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def test_five_thousand_nodes(qtbot):
    graph = big_chain()
    t = time.perf_counter()
    document = Document(graph)
    engine_ms = _ms(t)
    t = time.perf_counter()
    scene = GraphScene(document)
    build_ms = _ms(t)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    assert len(scene.nodes) == NODES and len(scene.edges) == NODES - 1

    view.fit_all()
    t = time.perf_counter()
    view.viewport().grab()
    fit_first_ms = _ms(t)
    t = time.perf_counter()
    view.viewport().grab()
    fit_ms = _ms(t)

    view.zoom_reset()
    view.centerOn(scene.nodes["n2500"])
    t = time.perf_counter()
    view.viewport().grab()
    detail_ms = _ms(t)

    # One drag step of a node at 100%, including the repaint of what changed.
    item = scene.nodes["n2500"]
    start = view.mapFromScene(item.pos() + QPointF(70, 50))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), start + QPointF(10, 10).toPoint())
    steps = []
    for i in range(2, 12):
        t = time.perf_counter()
        QTest.mouseMove(view.viewport(), start + QPointF(10 * i, 10).toPoint())
        view.viewport().grab()
        steps.append(_ms(t))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPointF(110, 10).toPoint())
    assert document.undo_stack.count() == 1 and document.graph.node("n2500").position != (item.x() - 110, item.y())

    # A parameter edit at the start: every downstream edge is relabelled.
    t = time.perf_counter()
    document.apply(SetParams("n0", {"shape": [2, 8, 16, 16]}))
    edit_start_ms = _ms(t)
    assert scene.edges[Edge("n4998", "n4999", 0)].label == "2×8×16×16"

    print(
        f"\n5,000 nodes: engine {engine_ms:.0f} ms, scene build {build_ms:.0f} ms, "
        f"fit repaint {fit_first_ms:.1f} ms first / {fit_ms:.1f} ms next, 100% repaint {detail_ms:.1f} ms, "
        f"drag step {sorted(steps)[len(steps) // 2]:.2f} ms (median), edit at start + relabel {edit_start_ms:.0f} ms"
    )
