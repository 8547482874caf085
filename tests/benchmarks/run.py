"""Benchmarks: print figures (medians of several runs), each measured in this run beside its baseline.

    python tests/benchmarks/run.py          # a readable table
    python tests/benchmarks/run.py --json   # one JSON object (milliseconds unless the key says otherwise)

Not a test: timings on a shared 2-core machine are noisy, so nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from designer.canvas.diagram import diagram_svg  # noqa: E402
from designer.core import layout, project  # noqa: E402
from designer.core.engine import ShapeEngine  # noqa: E402
from designer.core.graph import Edge, Graph, Node  # noqa: E402

NODES = 5000


def chain_graph(nodes: int = NODES, size: int = 8) -> Graph:
    """Input → (Conv2d, BatchNorm2d, ReLU) repeated: a long chain whose every shape depends on the Input."""
    graph = Graph(f"{nodes}-node chain")
    graph.add_node(Node("x", "Input", {"shape": [4, 16, size, size]}))
    prev = "x"
    for i in range(nodes - 1):
        kind = ("Conv2d", "BatchNorm2d", "ReLU")[i % 3]
        params = {
            "Conv2d": {"in_channels": 16, "out_channels": 16, "kernel_size": 3, "padding": 1},
            "BatchNorm2d": {"num_features": 16},
            "ReLU": {},
        }[kind]
        node_id = f"n{i}"
        graph.add_node(Node(node_id, kind, params, position=(i * 240, 0)))
        graph.connect(Edge(prev, node_id))
        prev = node_id
    return graph


def skip_dag(nodes: int = NODES, seed: int = 1) -> Graph:
    """A chain of Add nodes where one node in five also takes a skip from up to a dozen layers back."""
    rng = random.Random(seed)
    graph = Graph(f"{nodes}-node DAG with skips")
    for i in range(nodes):
        graph.add_node(Node(f"n{i}", "Add"))
        if i:
            graph.connect(Edge(f"n{i - 1}", f"n{i}", 0), strict=False)
        if i > 5 and rng.random() < 0.2:
            graph.connect(Edge(f"n{rng.randrange(max(0, i - 12), i - 1)}", f"n{i}", 1), strict=False)
    return graph


def instances_graph(instances: int = NODES, size: int = 8) -> Graph:
    """Input → 5,000 instances of one 10-node residual block (conv, norm, relu, conv, norm, add, relu, ...)."""
    from designer.core.blocks import BlockDef

    graph = Graph(f"{instances} block instances")
    arguments = {"channels": 16}
    block = BlockDef("Residual", arguments, Graph("Residual", graph.blocks, arguments))
    graph.blocks["Residual"] = block
    channels = {"arg": "channels"}
    conv = {"in_channels": channels, "out_channels": channels, "kernel_size": 3, "padding": 1}
    inner = [("x", "Input", {}), ("c1", "Conv2d", conv), ("n1", "BatchNorm2d", {"num_features": channels}),
             ("r1", "ReLU", {}), ("c2", "Conv2d", conv), ("n2", "BatchNorm2d", {"num_features": channels}),
             ("d", "Dropout", {}), ("add", "Add", {}), ("r2", "ReLU", {}), ("out", "Output", {})]
    for i, (node_id, kind, params) in enumerate(inner):
        block.graph.add_node(Node(node_id, kind, params))
        if i:
            block.graph.connect(Edge(inner[i - 1][0], node_id, 1 if node_id == "add" else 0))
    block.graph.connect(Edge("x", "add", 0))
    graph.add_node(Node("x", "Input", {"shape": [4, 16, size, size]}))
    prev = "x"
    for i in range(instances):
        graph.add_node(Node(f"b{i}", "Residual", {"channels": 16}, position=(i * 240, 0)))
        graph.connect(Edge(prev, f"b{i}"))
        prev = f"b{i}"
    return graph


def median_ms(action: Callable[[], object], runs: int = 5, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def torch_meta_forward_ms(graph: Graph, runs: int = 3) -> float:
    """The same chain as torch modules on the meta device (forward only, construction not timed)."""
    import torch
    from torch import nn

    layers = []
    for node in list(graph.nodes())[1:]:
        layers.append(getattr(nn, node.type_name)(**node.params))
    model = nn.Sequential(*layers).to("meta").eval()
    x = torch.empty(graph.node("x").params["shape"], device="meta")
    with torch.no_grad():
        return median_ms(lambda: model(x), runs)


def engine_figures(graph: Graph) -> dict[str, float]:
    figures = {"propagate_full_5000_ms": median_ms(lambda: ShapeEngine(graph))}
    engine = ShapeEngine(graph)
    last_conv = [n.id for n in graph.nodes() if n.type_name == "Conv2d"][-1]
    flip = {"k": 3}

    def edit_end():
        flip["k"] = 5 if flip["k"] == 3 else 3
        graph.set_params(last_conv, {"in_channels": 16, "out_channels": 16, "kernel_size": flip["k"], "padding": 1})
        engine.refresh()

    figures["edit_end_5000_ms"] = median_ms(edit_end, runs=21)
    sizes = iter([10, 8] * 20)

    def edit_start():
        graph.set_params("x", {"shape": [4, 16, next(sizes), 8]})
        engine.refresh()

    figures["edit_start_5000_engine_ms"] = median_ms(edit_start, runs=7)

    def edit_no_change(g: Graph, e: ShapeEngine):
        first_conv = next(n.id for n in g.nodes() if n.type_name == "Conv2d")
        bias = {"b": True}

        def run():
            bias["b"] = not bias["b"]
            g.set_params(first_conv, {"in_channels": 16, "out_channels": 16, "kernel_size": 3, "padding": 1, "bias": bias["b"]})
            e.refresh()

        return median_ms(run, runs=21)

    small = chain_graph(100)
    figures["edit_no_shape_change_100_ms"] = edit_no_change(small, ShapeEngine(small))
    figures["edit_no_shape_change_5000_ms"] = edit_no_change(graph, engine)
    return figures


def file_figures(graph: Graph) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.json")
        figures = {"save_5000_ms": median_ms(lambda: project.save(graph, path))}
        figures["load_5000_ms"] = median_ms(lambda: project.load(path))
    figures["layout_5000_ms"] = median_ms(lambda: layout.auto_layout(graph), runs=3)
    dag = skip_dag()
    figures["layout_5000_dag_ms"] = median_ms(lambda: layout.auto_layout(dag), runs=3)
    figures["render_svg_5000_ms"] = median_ms(lambda: diagram_svg(graph), runs=3)
    return figures


def installed_env() -> dict[str, str]:
    """The environment of an installed app: bytecode cached, as pip leaves it (some machines set
    PYTHONDONTWRITEBYTECODE, and then every start would recompile every module it imports)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def import_torch_ms(runs: int = 3) -> float:
    def once():
        subprocess.run([sys.executable, "-c", "import torch"], check=True, env=installed_env())

    once()  # writes the bytecode cache; not timed
    return median_ms(once, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-gui", action="store_true", help="only the core figures (no Qt)")
    args = parser.parse_args()
    graph = chain_graph()
    figures: dict[str, float] = {}
    figures.update(engine_figures(graph))
    figures["propagate_torch_meta_5000_ms"] = torch_meta_forward_ms(chain_graph())
    figures["torch_meta_over_engine_ratio"] = figures["propagate_torch_meta_5000_ms"] / figures["propagate_full_5000_ms"]
    instances = instances_graph()
    figures["propagate_5000_instances_ms"] = median_ms(lambda: ShapeEngine(instances).close())
    figures.update(file_figures(chain_graph()))
    figures["import_torch_ms"] = import_torch_ms()
    if not args.no_gui:
        from tests.benchmarks import gui

        figures.update(gui.measure_in_child())
        figures["cold_start_first_window_ms"] = gui.cold_start_ms()
        figures["cold_start_over_import_torch"] = figures["cold_start_first_window_ms"] / figures["import_torch_ms"]
    figures = {k: round(v, 3) for k, v in figures.items()}
    if args.json:
        print(json.dumps(figures))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value:>12,.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
