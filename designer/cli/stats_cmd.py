"""``model-designer stats FILE [--json]``: what a design costs, per layer and in total (like torchinfo)."""

from __future__ import annotations

import json
import sys

from designer.cli.common import EXIT_BAD_INPUT, load_design
from designer.core.engine import ShapeEngine
from designer.core.shapes import format_count, format_shape
from designer.core.stats import PER_SAMPLE, ModelStats, compute_stats, format_big, format_bytes

NAME = "stats"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="print parameters, multiply-adds and memory per layer and in total",
        description="Print every node's output shape, parameters, multiply-accumulates (MACs, half the FLOPs "
        "torch's FlopCounterMode counts) and output size, then the totals and a training-memory estimate "
        "(float32, Adam). Exit 0 when every node has a shape, 1 when some node has an error, 2 when the file "
        "cannot be read.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"per_sample": ..., "nodes": [...], "total": {...}}. When an Input leaves its '
        'batch open (shape ["N", ...]), "batch" is "N", "per_sample" is true (every cost is worked out at N = 1), '
        'each node\'s "shape" reads N where it follows the batch (["N", 512, 4, 4], ["8192·N"]) and '
        '"shape_at_batch_1" gives the numbers',
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    engine = ShapeEngine(graph)
    stats = compute_stats(graph, engine)
    engine.close()
    if args.json:
        print(json.dumps({"name": graph.name, **stats.to_dict()}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(table(graph.name, stats))
    return 0 if stats.total.complete else 1


def table(name: str, stats: ModelStats) -> str:
    header = ("id", "type", "output shape", "params", "MACs", "output")
    rows = []
    for s in stats.nodes.values():
        shape = format_shape(s.display_shape) if s.display_shape is not None else ("error" if s.status == "error" else "waits")
        rows.append(
            (s.node_id, s.type_name, shape, format_count(s.params), format_count(s.macs), format_bytes(s.activation_bytes))
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    lines = [name + (f"  (the batch N is open: costs {PER_SAMPLE})" if stats.per_sample else ""), rule]
    for i, row in enumerate([header, *rows]):
        left = [row[j].ljust(widths[j]) for j in range(3)]
        right = [row[j].rjust(widths[j]) for j in range(3, len(row))]
        lines.append("  ".join(left + right).rstrip())
        if i == 0:
            lines.append(rule)
    t = stats.total
    each = " per sample" if stats.per_sample else ""
    lines += [
        rule,
        f"Layers: {t.layers}" + (f"   Errors: {t.errors}" if t.errors else ""),
        f"Parameters: {format_count(t.params)} (all trainable)" + (f", plus {format_count(t.buffers)} buffer values" if t.buffers else ""),
        f"Multiply-adds (MACs): {format_count(t.macs)}{each} ({format_big(t.macs)}; FLOPs = 2 × MACs)",
        f"Input size: {format_bytes(t.input_bytes)}{each}",
        f"Layer outputs (forward): {format_bytes(t.activation_bytes)}{each}",
        f"Parameters size: {format_bytes(t.param_bytes)}",
        f"Estimated training memory (Adam, float32): {format_bytes(t.training_memory_bytes)}"
        + (" with a batch of 1" if stats.per_sample else ""),
        rule,
    ]
    if not t.complete:
        lines.append("Some nodes have no size, so their costs are missing from the totals.")
    return "\n".join(lines) + "\n"
