"""``model-designer shapes FILE [--json]``: every node's output shape, parameter count and problem."""

from __future__ import annotations

import json
import sys

from designer.cli.common import EXIT_BAD_INPUT, load_design
from designer.core.block_runs import InnerNode
from designer.core.blocks import PATH_SEPARATOR
from designer.core.engine import NodeResult, ShapeEngine
from designer.core.graph import Graph
from designer.core.repairs import apply_params, offered_fixes
from designer.core.shapes import BATCH_SYMBOL, Fix, counted, format_count, format_named, format_shape

NAME = "shapes"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="print every node's output shape",
        description="Print every node's output shape (dims named N, C, H, W, ...), parameter count and problem. "
        "Exit 0 when every node has a shape, 1 when some node has an error, 2 when the file cannot be read.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object instead of a table. When an Input leaves its batch open (shape ["N", ...]), '
        '"batch" is "N" and each node\'s "shape" reads N where its size follows the batch (["N", 512, 4, 4], '
        '["8192·N"], ["N+4", 3]), while "shape_at_batch_1" gives the numbers the engine worked with (N = 1). '
        'A layer with several outputs (LSTM, Chunk, MultiheadAttention) also lists "output_shapes", one per output '
        'port ("shape" is the first); "dtype" is the element type of the outputs ("float32", or "int64" for token ids). '
        'A node in error lists "fixes", recommended first, each {"label", "node", "params", "set"}: setting "params" '
        '(the node\'s arguments after the fix; "set" is only what changes) on "node" clears the error, checked '
        "on the whole design",
    )
    parser.add_argument(
        "--expand",
        action="store_true",
        help="also list the nodes inside every block instance, right after it, with paths as ids "
        '("layer2_0/conv1"; "stage/2/conv" in the third copy of a repeated block)',
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    engine = ShapeEngine(graph)
    results = {node_id: engine.result(node_id) for node_id in graph.node_ids()}
    inner = _inner_by_instance(engine) if args.expand else {}
    total = engine.total_params()
    open_batch = engine.symbolic
    fixes = offered_fixes(graph, engine) if args.json else {}
    engine.close()
    if args.json:
        print(json.dumps(_as_json(graph, results, total, open_batch, inner, fixes), indent=2, ensure_ascii=False))
    else:
        _print_table(graph, results, total, open_batch, inner)
    return 0 if all(r.ok for r in results.values()) else 1


def _inner_by_instance(engine: ShapeEngine) -> dict[str, list[InnerNode]]:
    grouped: dict[str, list[InnerNode]] = {}
    for inner in engine.inner_nodes():
        grouped.setdefault(inner.path.split(PATH_SEPARATOR, 1)[0], []).append(inner)
    return grouped


def _rows(graph: Graph, results: dict[str, NodeResult], inner: dict[str, list[InnerNode]]):
    """(id or path, node, result, the path prefix its blocked_by ids are relative to) in listing order."""
    for node in graph.nodes():
        yield node.id, node, results[node.id], ""
        for found in inner.get(node.id, ()):
            yield found.path, found.node, found.result, found.path.rsplit(PATH_SEPARATOR, 1)[0] + PATH_SEPARATOR


def _as_json(
    graph: Graph,
    results: dict[str, NodeResult],
    total: int,
    open_batch: bool,
    inner: dict[str, list[InnerNode]],
    fixes: dict[str, list[Fix]],
) -> dict:
    nodes = []
    for node_id, node, result, prefix in _rows(graph, results, inner):
        entry = {
            "id": node_id,
            "type": node.type_name,
            "name": node.name,
            "shape": list(result.display_shape) if result.ok else None,
        }
        if open_batch:
            entry["shape_at_batch_1"] = list(result.shape) if result.ok else None
        if len(result.output_shapes) > 1:
            entry["output_shapes"] = [list(s) for s in result.display_outputs]
            if open_batch:
                entry["output_shapes_at_batch_1"] = [list(s) for s in result.output_shapes]
        entry["dtype"] = result.dtype
        entry.update(
            {
                "named": format_named(result.display_shape, result.dim_labels) if result.ok else None,
                "error": result.message(),
                "blocked_by": prefix + result.blocked_by if result.blocked_by else None,
                "warnings": list(result.warnings),
                "problems": [p._asdict() for p in result.problems],
                "fixes": [_fix_json(graph, fix) for fix in fixes.get(node_id, [])] if not prefix else [],
                "params": result.param_count,
                "arguments": node.params,
            }
        )
        if node.repeat is not None:
            entry["repeat"] = node.repeat
        if result.error is not None and "path" in result.error.extra:
            entry["error_at"] = prefix + result.error.extra["path"]
            entry["error_argument"] = result.error.extra["argument"]
        nodes.append(entry)
    batch = {"batch": BATCH_SYMBOL} if open_batch else {}
    return {"name": graph.name, **batch, "ok": all(r.ok for r in results.values()), "total_params": total, "nodes": nodes}


def _fix_json(graph: Graph, fix: Fix) -> dict:
    """``params`` is the node's whole argument set after the fix (so it can replace or update the file's);
    ``set`` is only what the fix changes."""
    return {"label": fix.label, "node": fix.node, "params": apply_params(graph.node(fix.node).params, fix), "set": fix.params}


def _print_table(
    graph: Graph, results: dict[str, NodeResult], total: int, open_batch: bool, inner: dict[str, list[InnerNode]]
) -> None:
    header = ("id", "type", "output shape", "parameters", "problem")
    rows = []
    for node_id, node, result, prefix in _rows(graph, results, inner):
        shown = result.display_shape
        shape = f"{format_shape(shown)}  ({format_named(shown, result.dim_labels)})" if result.ok else "—"
        count = format_count(result.param_count) if result.param_count is not None else "?"
        problem = result.message() or "; ".join(result.warnings)
        if result.blocked_by is not None:
            waited = graph.node(result.blocked_by).label if not prefix else prefix + result.blocked_by
            problem = f"waits for '{waited}'"
        rows.append((node_id, node.type_name, shape, count, problem))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    bad = sum(1 for r in results.values() if not r.ok)
    status = "every node has a shape" if not bad else f"{bad} node{'s' if bad != 1 else ''} without a shape"
    out = sys.stdout
    batch = "; the batch N is open (any batch size works)" if open_batch else ""
    out.write(f"{graph.name}: {counted(len(graph), 'node')}, {counted(total, 'parameter')}, {status}{batch}\n")
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]), row[3].rjust(widths[3])]
        out.write(("  ".join(cells) + ("  " + row[4] if row[4] else "")).rstrip() + "\n")
