"""GUI figures for the benchmark: a 5,000-node design on the real canvas, offscreen, the cold start, and an
imported ResNet-50 (its blocks) opened in the main window.

Run by run.py in a child process (``python tests/benchmarks/gui.py``, printing JSON), so that the
resident memory it reports is the app's own and not inflated by the torch baseline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# A child process that starts the app exactly as `model-designer` does (designer.cli.main) and exits
# when the main window first paints; the probe is attached to the window the app builds.
_COLD_START = r"""
import sys
from designer import app, cli

build_window = app._window

def window_with_probe(*args, **kwargs):
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                sys.exit(0)
            return False

    window = build_window(*args, **kwargs)
    window.first_paint_probe = FirstPaint(window)
    window.installEventFilter(window.first_paint_probe)
    return window

app._window = window_with_probe
sys.exit(cli.main([]))
"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cold_start_ms(runs: int = 3) -> float:
    """Process start to first paint, measured like ``import_torch_ms``: bytecode cached, the first run untimed."""
    from tests.benchmarks.run import installed_env

    times = []
    scratch = tempfile.mkdtemp(prefix="cold-start-")  # the app's settings and recovery files go here, not home
    env = dict(installed_env(), QT_QPA_PLATFORM="offscreen", MODEL_DESIGNER_DATA_DIR=scratch, XDG_CONFIG_HOME=scratch)
    for _ in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _COLD_START], capture_output=True, text=True, env=env, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if "painted" not in done.stdout:
            raise RuntimeError(f"the app did not paint: {done.stderr.strip()[-500:]}")
        times.append(elapsed)
    times = times[1:]
    return sorted(times)[len(times) // 2]


def canvas_figures(graph, median_ms) -> dict[str, float]:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from designer.canvas.scene import GraphScene
    from designer.canvas.view import GraphView
    from designer.core import project
    from designer.core.edits import SetParams
    from designer.document.document import Document

    app = QApplication.instance() or QApplication([])
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.json")
        project.save(graph, path)
        start = time.perf_counter()
        document = Document()
        document.open(path)
        scene = GraphScene(document)
        view = GraphView(scene)
        view.resize(1280, 800)
        view.show()
        view.fit_all()
        view.viewport().repaint()
        app.processEvents()
        figures["open_5000_first_paint_ms"] = (time.perf_counter() - start) * 1000
    figures["rss_5000_mb"] = rss_mb()

    # Everything in view (Fit stops at a legible zoom on a design this big, so zoom out by hand).
    view.fitInView(scene.nodes_rect(), Qt.AspectRatioMode.KeepAspectRatio)
    app.processEvents()
    figures["fit_repaint_5000_ms"] = median_ms(lambda: view.viewport().repaint(), runs=7)

    view.zoom_reset()
    item = scene.nodes[list(scene.nodes)[len(scene.nodes) // 2]]
    view.centerOn(item)
    app.processEvents()
    grip = view.mapFromScene(item.pos() + QPointF(70, 12))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grip)
    QTest.mouseMove(view.viewport(), grip + QPointF(5, 5).toPoint())
    app.processEvents()
    offsets = iter(range(2, 100))

    def drag_step():
        QTest.mouseMove(view.viewport(), grip + QPointF(5 * next(offsets), 5).toPoint())
        app.processEvents()  # the queued repaint of what the move dirtied

    figures["drag_frame_5000_ms"] = median_ms(drag_step, runs=15)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grip)

    input_id = next(n.id for n in document.graph.nodes() if n.type_name == "Input")
    shape = list(document.graph.node(input_id).params["shape"])
    sizes = iter([shape[-2] + 2, shape[-2]] * 10)

    def edit_start():
        params = dict(document.graph.node(input_id).params)
        params["shape"] = shape[:-2] + [next(sizes), shape[-1]]
        document.apply(SetParams(input_id, params))
        app.processEvents()

    figures["edit_start_5000_ms"] = median_ms(edit_start, runs=7)
    view.close()
    return figures


def block_figures(graph, median_ms) -> dict[str, float]:
    """In a design of 5,000 instances, entering one (the inner canvas built and painted), expanding one
    in place (its inside drawn beside its card and painted), and a parameter edit made inside one, which
    every use follows (the design's engine and canvas, and the inside shown again, painted)."""
    from PySide6.QtWidgets import QApplication

    from designer.canvas.scene import GraphScene
    from designer.canvas.view import GraphView
    from designer.core.edits import SetParams
    from designer.document.document import Document
    from designer.widgets.block_navigator import BlockNavigator

    app = QApplication.instance() or QApplication([])
    document = Document(graph)
    navigator = BlockNavigator(document, GraphView(GraphScene(document)))
    navigator.resize(1280, 800)
    navigator.show()
    app.processEvents()
    middle = graph.node_ids()[len(graph) // 2]

    def enter():
        navigator.enter(middle)
        navigator.current_view().fit_all()
        navigator.current_view().viewport().repaint()

    figures = {"enter_block_ms": median_ms(enter, runs=7, setup=lambda: navigator.leave_to(0))}
    navigator.leave_to(0)
    view, peeks = navigator.main_view, navigator.main_view.editor.peeks
    view.center_on_node(middle)

    def expand():
        peeks.open(middle)
        view.viewport().repaint()

    figures["expand_block_ms"] = median_ms(expand, runs=7, setup=peeks.close_all)
    peeks.close_all()
    navigator.enter(middle)
    inside = navigator.current_view()
    settings = iter([{"kernel_size": 1, "padding": 0}, {"kernel_size": 3, "padding": 1}] * 10)

    def edit_inside():  # the same sizes, other parameter counts: every one of the 5,000 uses changes
        params = {**inside.document.graph.node("c1").params, **next(settings)}
        inside.document.apply(SetParams("c1", params))
        app.processEvents()
        inside.viewport().repaint()

    figures["edit_inside_block_ms"] = median_ms(edit_inside, runs=7)
    navigator.close()
    return figures


def paste_figures(graph) -> dict[str, float]:
    """Pasting a copied 5,000-layer design into an empty window (read off the GUI thread, added in steps
    under a progress dialog), and undoing that paste. One run each: a paste of 5,000 takes seconds."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from designer.core import project
    from designer.document.document import Document
    from designer.widgets.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Document(), persist=False)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    QGuiApplication.clipboard().setText(project.dumps(graph))
    start = time.perf_counter()
    pasted = window.view.editor.paste()
    figures = {"paste_5000_ms": (time.perf_counter() - start) * 1000}
    assert len(pasted) == len(graph), "the paste did not complete"
    start = time.perf_counter()
    window.document.undo_stack.undo()
    figures["undo_paste_5000_ms"] = (time.perf_counter() - start) * 1000
    window.document.undo_stack.setClean()
    window.close()
    return figures


def resnet50_design(folder: str) -> str:
    """ResNet-50 imported through the command line (torchvision's where it loads, else the same layout
    written in tests/core/hierarchy_models.py), saved in ``folder``; the import runs in its own process,
    so torch never loads into the one that measures the GUI."""
    from tests.core import torchvision_zoo

    source = f"{ROOT / 'tests/core/torchvision_zoo.py'}:resnet50"
    if torchvision_zoo.missing():
        source = f"{ROOT / 'tests/core/hierarchy_models.py'}:ResNet50"
    path = os.path.join(folder, "resnet50.json")
    args = [sys.executable, "-m", "designer", "import", source, "-o", path, "--input-shape", "1,3,224,224"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"importing ResNet-50 failed: {done.stderr.strip()[-800:]}")
    return path


def transformer_design(folder: str, layers: int = 24, width: int = 256, tokens: int = 128) -> str:
    """A GPT-style design of ``layers`` instances of one pre-norm decoder block (LayerNorm, self-attention,
    residual add, LayerNorm, a 4× GELU feed-forward, residual add), written to ``folder``."""
    from tests.core.block_designs import Sheet, arg, design, text

    b = Sheet()
    x = b.add("x", "Input")
    n1 = b.add("ln1", "LayerNorm", {"normalized_shape": [arg("width")]}, x)
    attn = b.add("attn", "MultiheadAttention", {"embed_dim": arg("width"), "num_heads": arg("heads"), "batch_first": True},
                 n1, n1, n1)
    y = b.add("add1", "Add", {}, x, attn)
    n2 = b.add("ln2", "LayerNorm", {"normalized_shape": [arg("width")]}, y)
    h = b.add("fc1", "Linear", {"in_features": arg("width"), "out_features": 4 * width}, n2)
    h = b.add("act", "GELU", {}, h)
    h = b.add("fc2", "Linear", {"in_features": 4 * width, "out_features": arg("width")}, h)
    y = b.add("add2", "Add", {}, y, h)
    b.add("out", "Output", {}, y)
    s = Sheet()
    y = s.add("tokens", "Input", {"shape": [1, tokens], "dtype": "int64"})
    y = s.add("embed", "Embedding", {"num_embeddings": 50_000, "embedding_dim": width}, y)
    for i in range(layers):
        y = s.add(f"h{i}", "DecoderLayer", {"width": width, "heads": 8}, y)
    y = s.add("ln_f", "LayerNorm", {"normalized_shape": [width]}, y)
    y = s.add("head", "Linear", {"in_features": width, "out_features": 50_000, "bias": False}, y)
    s.add("logits", "Output", {}, y)
    path = os.path.join(folder, "transformer24.json")
    with open(path, "w", encoding="utf-8") as file:
        data = design(f"{layers}-layer transformer", {"DecoderLayer": b.block({"width": width, "heads": 8})}, s)
        file.write(text({**data, "version": 4}))  # token ids: an Input's dtype
    return path


def import_figures(median_ms) -> dict[str, float]:
    """Opening a design in the app's main window, from the file to the canvas's first paint (load, shapes
    through every block, the window built and shown): an imported ResNet-50 (a stem, four stage blocks and
    a head) and a 24-layer transformer of decoder blocks."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from designer import app as appmod
    from designer.core import project

    application = QApplication.instance() or QApplication([])

    class FirstPaint(QObject):
        painted = False

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    windows = []

    def open_design(path: str) -> None:
        probe = FirstPaint()
        window = appmod._window(project.load(path), path, persist=False)
        window.view.viewport().installEventFilter(probe)
        window.resize(1280, 800)
        window.show()
        while not probe.painted:
            application.processEvents()
        windows.append((window, probe))

    def close_last():
        while windows:
            window, _ = windows.pop()
            window.close()
            window.deleteLater()
        application.processEvents()

    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for key, path in (("open_resnet50_import_first_paint_ms", resnet50_design(folder)),
                          ("open_transformer24_first_paint_ms", transformer_design(folder))):
            figures[key] = median_ms(lambda path=path: open_design(path), runs=5, setup=close_last)
            close_last()
    return figures


def measure_in_child() -> dict[str, float]:
    """Run ``canvas_figures`` in a fresh interpreter and return its figures."""
    done = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=900, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the GUI benchmark failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    from tests.benchmarks.run import chain_graph, instances_graph, median_ms

    figures = {**canvas_figures(chain_graph(), median_ms), **block_figures(instances_graph(), median_ms)}
    print(json.dumps({**figures, **paste_figures(chain_graph()), **import_figures(median_ms)}))
