"""Hover texts for nodes and edges, built from the model and the engine's results when asked.

Built lazily by the scene's help event, so thousands of items never format texts nobody reads.
"""

from __future__ import annotations

from designer.core.explain import batch_notes
from designer.core.graph import Edge
from designer.core.shapes import DIM_MEANINGS, dim_names, format_count, format_named, format_shape, name_and_size


def node_tooltip(document, node_id: str) -> str:
    node = document.graph.node(node_id)
    result = document.engine.result(node_id)
    lines = [f"{node.label} — {node.type_name}"]
    if not document.graph.knows_type(node.type_name):
        return lines[0]
    message = result.message()
    if message:
        lines.append(message[0].upper() + message[1:])
    fixes = document.fixes(node_id) if result.error is not None else []
    if fixes:
        lines.append(f"One-click fix: {fixes[0].label} (click the red badge, or right-click the layer)")
    if result.shape is not None:
        shape = result.display_shape
        lines.append(f"Output {format_shape(shape)}   ({format_named(shape, result.dim_labels)})")
        spec = document.graph.spec(node.type_name)
        outputs = result.display_outputs
        if len(outputs) > 1:
            lines.extend(f"  output {p} ({spec.output_name(p)}): {format_shape(s)}" for p, s in enumerate(outputs))
    if result.param_count:
        lines.append(f"{format_count(result.param_count)} learnable parameters")
    lines.extend(f"Note: {w}" for w in result.warnings)
    lines.append(document.graph.spec(node.type_name).description)
    return "\n".join(lines)


def edge_tooltip(document, edge: Edge) -> str:
    graph, engine = document.graph, document.engine
    source, target = graph.node(edge.source), graph.node(edge.target)
    result = engine.result(edge.source)
    spec = graph.spec(source.type_name) if graph.knows_type(source.type_name) else None
    output = f" (output {edge.source_port}, {spec.output_name(edge.source_port)})" if edge.source_port and spec else ""
    into = f"{target.type_name}'s {graph.spec(target.type_name).input_name(edge.target_port)}" if graph.knows_type(
        target.type_name) and graph.spec(target.type_name).input_names else f"input {edge.target_port}"
    where = f"from '{source.label}'{output} into {into} of '{target.label}'"
    shape = engine.edge_display_shape(edge)
    if shape is None:
        return f"No size yet {where}: '{source.label}' has a problem."
    first = edge.source_port == 0
    lines = [f"{format_shape(shape)}   {where}", format_named(shape, result.dim_labels if first else None), ""]
    names = dim_names(len(shape))
    lines.extend(f"{name_and_size(n, d, ' = ')}: {DIM_MEANINGS[n]}" for n, d in zip(names, shape) if n in DIM_MEANINGS)
    inferred = result.inferred
    if inferred is not None and (inferred.dims or inferred.story):
        lines.append("")
        lines.append(f"How {source.type_name} '{source.label}' gets this size:")
        for note in batch_notes(result):
            if note.formula:
                lines.append(f"  {note.formula}")
                if note.worked:
                    lines.append(f"      = {note.worked}")
        lines.extend(f"  {line}" for line in inferred.story)
    return "\n".join(lines)
