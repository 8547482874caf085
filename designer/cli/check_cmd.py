"""``model-designer check FILE [--json] [--device cpu|cuda]``: run the design in the installed torch and
compare every node's size and parameter count with the engine's.

Exit 0 when everything agrees, 1 when the design has errors or torch disagrees (naming each node), 2 when
the file cannot be read, 3 when torch (or CUDA for --device cuda) is missing, saying what to install.
"""

from __future__ import annotations

import json
import os
import sys

from designer.cli.common import EXIT_BAD_INPUT, EXIT_DESIGN_ERRORS, EXIT_OK, fail, load_design
from designer.core.export import ExportError
from designer.core.shapes import format_shape
from designer.core.stats import format_bytes
from designer.core.torch_check import DEVICES, CheckReport, TorchUnavailable, check

NAME = "check"
EXIT_NO_TORCH = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="run the design in your installed torch and compare every node with the designer",
        description="Build the exported module in the installed torch, run one forward and one backward pass on "
        "random inputs of the design's sizes (an open batch N runs at 2), and compare every node's output size "
        "(forward hooks) and parameter count with the designer's. Reports the torch version, the device, the "
        "measured forward and backward times and peak memory beside the training-memory estimate. Exit 0 when "
        "everything agrees, 1 when the design has errors or torch disagrees (naming each node), 2 when the file "
        "cannot be read, 3 when torch is missing (with what to install).",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"torch", "device", "agree", "batch", "nodes": [{"id", "shape", "torch_shape", '
        '"params", "torch_params", "agree", "ran"}], "forward_ms", "backward_ms", "peak_memory_bytes", '
        '"estimated_training_memory_bytes"}',
    )
    parser.add_argument("--device", choices=DEVICES, default="cpu", help="where to run it (default: cpu)")
    parser.set_defaults(run=run)


def run(args) -> int:
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    try:
        report = check(graph, args.device)
    except TorchUnavailable as exc:
        return fail(str(exc), EXIT_NO_TORCH)
    except ExportError as exc:
        print(f"model-designer: {os.path.basename(args.file)}: {exc}", file=sys.stderr)
        return EXIT_DESIGN_ERRORS
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        sys.stdout.write(text(graph.name, report))
    for node in report.disagreements:
        print(f"model-designer: {os.path.basename(args.file)}: {disagreement(node)}", file=sys.stderr)
    return EXIT_OK if report.agree else EXIT_DESIGN_ERRORS


def disagreement(node) -> str:
    if node.shape != node.torch_shape:
        return f"node '{node.id}': torch gives {_shape(node.torch_shape)}, the designer says {_shape(node.shape)}"
    return f"node '{node.id}': torch counts {node.torch_params:,} parameters, the designer {node.params:,}"


def _shape(shape) -> str:
    return "nothing" if shape is None else format_shape(tuple(shape))


def text(name: str, report: CheckReport) -> str:
    batch = f", batch N = {report.batch}" if report.batch is not None else ""
    lines = [f"{name}: torch {report.torch} on {report.device}{batch}"]
    for node in report.nodes:
        if not node.ran:
            status = "not run (reaches no output)"
        elif node.agree:
            status = "agrees"
        else:
            status = "DISAGREES: " + disagreement(node)
        lines.append(f"  {node.id}: {_shape(node.shape)}, {node.params:,} parameters: {status}")
    verdict = "torch agrees with every node" if report.agree else f"{len(report.disagreements)} node(s) disagree"
    lines += [
        verdict,
        f"Forward pass: {report.forward_ms:.2f} ms   Backward pass: {report.backward_ms:.2f} ms",
        f"Peak memory (measured): {format_bytes(report.peak_memory_bytes)}   "
        f"Estimated training memory (Adam, float32): {format_bytes(report.estimated_training_memory_bytes)}",
    ]
    return "\n".join(lines) + "\n"
