"""The inspector's explanation of one node as rich text: what comes in, what goes out and why.

Everything shown comes from the shape engine's result and the statistics module: each input with its
named dims, the output with every dim's meaning and formula worked with the user's numbers, the filter
story, the weight shapes and parameter count, warnings, and the error sentence when there is one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from designer.core import catalog, stats
from designer.core.engine import NodeResult, ShapeEngine
from designer.core.graph import Graph
from designer.core.shapes import DIM_MEANINGS, Shape, dim_names, format_count, format_shape


@dataclass(frozen=True)
class Colors:
    """The few colours the text needs, as CSS names (from the current scheme)."""

    text: str
    dim: str
    error: str
    warning: str
    code_bg: str


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _named(shape: Shape, colors: Colors) -> str:
    names = dim_names(len(shape))
    cells = " · ".join(f"<span style='color:{colors.dim}'>{n}=</span>{d}" for n, d in zip(names, shape))
    return cells or "a scalar"


def _section(title: str) -> str:
    return f"<p style='margin-top:10px; margin-bottom:2px'><b>{_esc(title)}</b></p>"


def explanation_html(graph: Graph, engine: ShapeEngine, node_id: str, colors: Colors) -> str:
    """The explanation of ``node_id`` as HTML for a QLabel."""
    node = graph.node(node_id)
    spec = catalog.get(node.type_name)
    result: NodeResult = engine.result(node_id)
    parts: list[str] = []
    if result.error is not None:
        parts.append(
            f"<p style='color:{colors.error}'><b>Problem:</b> {_esc(result.error.sentence())}</p>"
        )
    elif result.blocked_by is not None:
        blocker = graph.node(result.blocked_by).label if result.blocked_by in graph else result.blocked_by
        parts.append(
            f"<p style='color:{colors.dim}'>No size yet: this layer waits for '{_esc(blocker)}', which has a "
            f"problem. Fix that one first.</p>"
        )
    parts += _inputs(graph, engine, node_id, colors)
    if result.ok:
        parts += _output(result, colors)
    for warning in result.warnings:
        parts.append(f"<p style='color:{colors.warning}'>⚠ {_esc(warning)}</p>")
    if result.inferred is not None and result.inferred.story:
        parts.append(_section("How it works"))
        parts += [f"<p style='margin-top:2px'>{_esc(line)}</p>" for line in result.inferred.story]
    parts += _cost(graph, engine, node_id, spec.kind, colors)
    return "".join(parts)


def _inputs(graph: Graph, engine: ShapeEngine, node_id: str, colors: Colors) -> list[str]:
    inputs = graph.inputs(node_id)
    if not inputs:
        return []
    rows = []
    for port in sorted(inputs):
        source = inputs[port]
        shape = engine.result(source).shape
        where = f"from '{_esc(graph.node(source).label)}'"
        port_name = f"input {port}" if len(inputs) > 1 else "in"
        if shape is None:
            rows.append(f"<p style='margin-top:2px'>{port_name} {where}: <i>unknown</i></p>")
        else:
            rows.append(
                f"<p style='margin-top:2px'>{port_name} {where}: <b>{format_shape(shape)}</b><br>"
                f"&nbsp;&nbsp;{_named(shape, colors)}</p>"
            )
    return [_section("Input" if len(inputs) == 1 else "Inputs"), *rows]


def _output(result: NodeResult, colors: Colors) -> list[str]:
    shape = result.shape
    out = [_section(f"Output  {format_shape(shape)}")]
    notes = result.inferred.dims if result.inferred is not None else ()
    names = dim_names(len(shape))
    for i, size in enumerate(shape):
        note = notes[i] if i < len(notes) else None
        label = note.label if note is not None else (names[i] if i < len(names) else f"dim {i}")
        meaning = DIM_MEANINGS.get(label, "").split(":")[0]
        head = f"<b>{_esc(label)} = {size}</b>" + (f" <span style='color:{colors.dim}'>{_esc(meaning)}</span>" if meaning else "")
        body = ""
        if note is not None and note.formula:
            body = f"<br><span style='color:{colors.dim}'>{_esc(note.formula)}</span>"
            if note.worked:
                body += f"<br>= {_esc(note.worked)}"
        out.append(f"<p style='margin-top:4px; margin-left:6px'>{head}{body}</p>")
    return out


def _cost(graph: Graph, engine: ShapeEngine, node_id: str, kind: str, colors: Colors) -> list[str]:
    if kind in ("input", "output"):
        return []
    facts = stats.node_stats(graph, engine, node_id)
    lines = [_section("Parameters  " + format_count(facts.params))]
    for name, shape in facts.weights:
        lines.append(f"<p style='margin-top:2px; margin-left:6px'>{_esc(name)} {list(shape)}</p>")
    formula = facts.formulas.get("params")
    if formula and facts.weights:
        lines.append(f"<p style='margin-top:2px; margin-left:6px; color:{colors.dim}'>{_esc(formula)}</p>")
    if facts.macs:
        lines.append(f"<p style='margin-top:4px'>{format_count(facts.macs)} multiply-adds per forward pass</p>")
    return lines


def design_summary_html(graph: Graph, engine: ShapeEngine, colors: Colors) -> str:
    """What the inspector shows with nothing selected: the design's inputs, outputs and costs."""
    if not len(graph):
        return (
            "<p><b>An empty design.</b></p><p>Drag a layer from the Layers panel onto the canvas, or click the "
            "canvas and press Tab to search for one. Start with an <b>Input</b>: it says what size of tensor "
            "goes into the model.</p>"
        )
    facts = stats.compute_stats(graph, engine)
    total = facts.total
    parts = [f"<p style='font-size:large'><b>{_esc(graph.name)}</b></p>"]
    ends = [(n, "Input") for n in graph.node_ids() if catalog.get(graph.node(n).type_name).kind == "input"]
    outputs = [n for n in graph.node_ids() if catalog.get(graph.node(n).type_name).kind == "output"]
    ends += [(n, "Output") for n in outputs or [n for n in graph.node_ids() if not graph.out_edges(n)]]
    for node_id, role in ends[:12]:
        shape = engine.result(node_id).shape
        size = f"<b>{format_shape(shape)}</b><br>&nbsp;&nbsp;{_named(shape, colors)}" if shape else "<i>no size yet</i>"
        parts.append(f"<p style='margin-top:4px'>{role} '{_esc(graph.node(node_id).label)}': {size}</p>")
    parts.append(_section(f"{total.layers} layers · {format_count(total.params)} parameters"))
    if total.macs:
        parts.append(f"<p style='margin-top:2px'>{stats.format_big(total.macs)} multiply-adds per forward pass</p>")
    parts.append(
        f"<p style='margin-top:2px'>≈ {stats.format_bytes(total.training_memory_bytes)} to train with Adam "
        f"<span style='color:{colors.dim}'>(an estimate: weights, gradients, optimizer state, activations)</span></p>"
    )
    if total.errors:
        parts.append(
            f"<p style='color:{colors.error}'>{total.errors} layer{'s have' if total.errors > 1 else ' has'} a problem: "
            f"see the Problems panel.</p>"
        )
    parts.append(
        f"<p style='margin-top:12px; color:{colors.dim}'>Select a layer to edit its parameters and see how its output "
        f"size comes about.</p>"
    )
    return "".join(parts)
