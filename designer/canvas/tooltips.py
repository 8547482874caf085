"""Hover texts for nodes and edges, built from the model and the engine's results when asked.

Built lazily by the scene's help event, so thousands of items never format texts nobody reads.
"""

from __future__ import annotations

from designer.core.explain import batch_notes, checkerboard_warning
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
        lines.append(f"Output {format_shape(shape)}   ({format_named(shape)})")
    if result.params:
        lines.append(f"{format_count(result.params)} learnable parameters")
    lines.extend(f"Note: {w}" for w in result.warnings)
    uneven = checkerboard_warning(node.type_name, node.params)
    if uneven:
        lines.append(f"Note: {uneven}")
    lines.append(document.graph.spec(node.type_name).description)
    return "\n".join(lines)


def edge_tooltip(document, edge: Edge) -> str:
    graph, engine = document.graph, document.engine
    source, target = graph.node(edge.source), graph.node(edge.target)
    result = engine.result(edge.source)
    where = f"from '{source.label}' into input {edge.target_port} of '{target.label}'"
    if result.shape is None:
        return f"No size yet {where}: '{source.label}' has a problem."
    shape = result.display_shape
    lines = [f"{format_shape(shape)}   {where}", format_named(shape), ""]
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
