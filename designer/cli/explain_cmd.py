"""``model-designer explain FILE NODE [--json]``: where one node's sizes come from, step by step."""

from __future__ import annotations

import dataclasses
import json

from designer.cli.common import EXIT_BAD_INPUT, fail, load_design
from designer.core.blocks import PATH_SEPARATOR
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
    parser.add_argument(
        "node", help="the node's id (or its display name); inside a block instance, its path (layer2_0/conv1, stage/2/conv)"
    )
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
    engine = ShapeEngine(graph)
    shown = None
    if node_id is None and PATH_SEPARATOR in args.node:
        inner = next((i for i in engine.inner_nodes() if i.path == args.node), None)
        if inner is not None:  # explained within the copy it belongs to, with that copy's sizes
            engine.close()
            graph, node_id, shown = inner.copy.graph, inner.node.id, inner.path
            engine = ShapeEngine(graph)
    if node_id is None:
        engine.close()
        ids = ", ".join(graph.node_ids()) or "none"
        return fail(f"there is no node {args.node!r} in {args.file}; its node ids are: {ids}")
    if args.json:
        data = dataclasses.asdict(explain(graph, engine, node_id, shown))
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(explain_text(graph, engine, node_id, shown))
    ok = engine.result(node_id).ok
    engine.close()
    return 0 if ok else 1
