"""The inspector's explanation of one node as rich text: what comes in, what goes out and why.

The facts come from ``designer.core.explain``: each input with its named dims, the output with every
dim's meaning, each size's formula reduced step by step with the user's numbers, the filter story, the
weights and costs, warnings with one-click alternatives, and the problem sentence when there is one.
With nothing selected, a summary of the whole design. Also the edit that applies an alternative.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from designer.core import stats
from designer.core.engine import ShapeEngine
from designer.core.explain import Alternative, Derivation, Tensor, explain
from designer.core.graph import Graph
from designer.core.shapes import SymbolicShape, counted, dim_names, format_count, format_shape, name_and_size
from designer.core.stats import NodeStats


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


def _named(shape: SymbolicShape, colors: Colors, names: tuple[str, ...] | None = None) -> str:
    """``N=64 · C=512 ...`` with the names dimmed; an open batch is just ``N``, as everywhere else. ``names``
    are the tensor's own (``N, L, E`` for a sequence), else the conventional ones by rank."""
    names = names if names is not None and len(names) == len(shape) else dim_names(len(shape))
    cells = " · ".join(
        n if name_and_size(n, d) == n else f"<span style='color:{colors.dim}'>{n}=</span>{d}" for n, d in zip(names, shape)
    )
    return cells or "a scalar"


def _section(title: str) -> str:
    return f"<p style='margin-top:10px; margin-bottom:2px'><b>{_esc(title)}</b></p>"


def explanation_html(graph: Graph, engine: ShapeEngine, node_id: str, colors: Colors) -> str:
    """The explanation of ``node_id`` as HTML for a QLabel; alternatives link as ``alternative:<i>``."""
    ex = explain(graph, engine, node_id)
    kind = graph.spec(ex.type_name).kind
    parts: list[str] = []
    if ex.problem and ex.waits_for is None:
        parts.append(f"<p style='color:{colors.error}'><b>Problem:</b> {_esc(ex.problem)}</p>")
    elif ex.waits_for is not None:
        blocker = graph.node(ex.waits_for).label if ex.waits_for in graph else ex.waits_for
        parts.append(
            f"<p style='color:{colors.dim}'>No size yet: this layer waits for '{_esc(blocker)}', which has a "
            f"problem. Fix that one first.</p>"
        )
    if ex.inputs:
        parts.append(_section("Input" if len(ex.inputs) == 1 else "Inputs"))
        for tensor in ex.inputs:
            parts.append(f"<p style='margin-top:2px'>from {_esc(tensor.origin)}: {_tensor_html(tensor, colors)}</p>")
    if ex.output is not None:
        parts.append(_section(f"Output  {ex.output.text()}"))
        parts.append(f"<p style='margin-top:2px'>{_dims_html(ex.output, colors)}</p>")
        if kind != "input" and ex.derivations:
            parts.append(_section("How each size comes about"))
            parts += [_derivation_html(d, colors) for d in ex.derivations]
    for warning in ex.warnings:
        parts.append(f"<p style='color:{colors.warning}'>⚠ {_esc(warning)}</p>")
    index = 0
    for advice in ex.advice:
        for alternative in advice.alternatives:
            parts.append(
                f"<p style='margin-top:2px; margin-left:12px'>• {_esc(alternative.title)} "
                f"<a href='alternative:{index}'>Apply</a></p>"
            )
            index += 1
    if ex.story:
        parts.append(_section("How it works"))
        parts += [f"<p style='margin-top:2px'>{_esc(line)}</p>" for line in ex.story]
    if kind not in ("input", "output"):
        parts += _costs_html(ex.costs, colors)
    return "".join(parts)


def alternatives(graph: Graph, engine: ShapeEngine, node_id: str) -> list[Alternative]:
    """The applicable alternatives in the order ``explanation_html`` numbers its links."""
    return [alt for advice in explain(graph, engine, node_id).advice for alt in advice.alternatives]




def _dims_html(tensor: Tensor, colors: Colors) -> str:
    rows = []
    for dim in tensor.dims:
        meaning = dim.meaning.split(":")[0]
        rows.append(
            f"&nbsp;&nbsp;<b>{_esc(dim.name)} = {dim.size}</b>"
            + (f" <span style='color:{colors.dim}'>{_esc(meaning)}</span>" if meaning else "")
        )
    return "<br>".join(rows)


def _tensor_html(tensor: Tensor, colors: Colors) -> str:
    if tensor.shape is None:
        return "<i>no size yet</i>"
    return f"<b>{tensor.text()}</b><br>&nbsp;&nbsp;{_named(tensor.display, colors, tuple(d.name for d in tensor.dims))}"


def _derivation_html(derivation: Derivation, colors: Colors) -> str:
    lines = [f"<span style='color:{colors.dim}'>{_esc(derivation.formula)}</span>"] if derivation.formula else []
    if derivation.steps:
        lines += [f"&nbsp;&nbsp;= {_esc(step)}" for step in derivation.steps]
    elif derivation.worked:
        lines.append(f"&nbsp;&nbsp;= {_esc(derivation.worked)}")
    if not lines:
        lines = [f"{_esc(derivation.label)} = {derivation.size}"]
    return f"<p style='margin-top:4px; margin-left:6px'>{'<br>'.join(lines)}</p>"


def _costs_html(costs: NodeStats, colors: Colors) -> list[str]:
    lines = [_section(f"Parameters  {format_count(costs.params)}")]
    details = []
    formula = costs.formulas.get("params")
    if formula and costs.weights:
        details.append(f"<span style='color:{colors.dim}'>{_esc(formula)}</span>")
    if costs.macs:
        each = "per sample (at N = 1)" if costs.follows_batch else "per forward pass"
        details.append(f"{stats.format_big(costs.macs)} multiply-adds {each}")
    activation = costs.formulas.get("activation")
    if activation:
        details.append(f"<span style='color:{colors.dim}'>output {_esc(activation)}</span>")
    if details:
        lines.append(f"<p style='margin-top:2px; margin-left:6px'>{'<br>'.join(details)}</p>")
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
    ends = [(n, "Input") for n in graph.node_ids() if graph.spec(graph.node(n).type_name).kind == "input"]
    outputs = [n for n in graph.node_ids() if graph.spec(graph.node(n).type_name).kind == "output"]
    ends += [(n, "Output") for n in outputs or [n for n in graph.node_ids() if not graph.out_edges(n)]]
    for node_id, role in ends[:12]:
        result = engine.result(node_id)
        shape = result.display_shape
        named = _named(shape, colors, result.dim_labels) if shape else ""
        size = f"<b>{format_shape(shape)}</b><br>&nbsp;&nbsp;{named}" if shape else "<i>no size yet</i>"
        parts.append(f"<p style='margin-top:4px'>{role} '{_esc(graph.node(node_id).label)}': {size}</p>")
    parts.append(_section(f"{counted(total.layers, 'layer')} · {counted(total.params, 'parameter')}"))
    each = "per sample" if facts.per_sample else "per forward pass"
    if total.macs:
        parts.append(f"<p style='margin-top:2px'>{stats.format_big(total.macs)} multiply-adds {each}</p>")
    batch = " at a batch of 1" if facts.per_sample else ""
    parts.append(
        f"<p style='margin-top:2px'>≈ {stats.format_bytes(total.training_memory_bytes)} to train with Adam{batch} "
        f"<span style='color:{colors.dim}'>(an estimate: weights, gradients, optimizer state, activations)</span></p>"
    )
    if facts.per_sample:
        parts.append(
            f"<p style='margin-top:2px; color:{colors.dim}'>The batch N is left open, so the design works for any "
            f"batch size; costs are worked out for one sample (N = 1).</p>"
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
