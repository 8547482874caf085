"""``model-designer explain FILE NODE [--json]``: where one node's sizes come from, step by step."""

from __future__ import annotations

import dataclasses
import json

from designer.cli.common import EXIT_BAD_INPUT, fail, load_design
from designer.core.engine import ShapeEngine
from designer.core.explain import explain, explain_text
from designer.core.graph import Graph

NAME = "explain"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="explain one node's input and output sizes",
        description="Explain one node: its input and output tensors with every dim named, each size's formula "
        "worked out with your numbers, its filters and weights, its costs and warnings. Exit 0 when the node "
        "has a size, 1 when it has a problem (or waits for one upstream), 2 when the file cannot be read or "
        "there is no such node.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument("node", help="the node's id (or its display name)")
    parser.add_argument("--json", action="store_true", help="print the explanation as one JSON object")
    parser.set_defaults(run=run)


def find_node(graph: Graph, wanted: str) -> str | None:
    """The id of the node with id ``wanted``, else of the only node displayed under that name."""
    if wanted in graph:
        return wanted
    named = [n.id for n in graph.nodes() if n.name == wanted]
    return named[0] if len(named) == 1 else None


def run(args) -> int:
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    node_id = find_node(graph, args.node)
    if node_id is None:
        ids = ", ".join(graph.node_ids()) or "none"
        return fail(f"there is no node {args.node!r} in {args.file}; its node ids are: {ids}")
    engine = ShapeEngine(graph)
    if args.json:
        data = dataclasses.asdict(explain(graph, engine, node_id))
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(explain_text(graph, engine, node_id))
    ok = engine.result(node_id).ok
    engine.close()
    return 0 if ok else 1
