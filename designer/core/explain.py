"""Explanations of a node's sizes: named dims, formulas worked step by step, filters, weights and advice.

``explain`` gathers, as plain data, what the explain panel and ``model-designer explain`` show for one
node: its input and output tensors with every dim named and described, each output dim's formula with
the user's numbers reduced one bracket at a time, the filter story, the weights in torch's layout,
the costs, the warnings (among them the checkerboard warning for transposed convolutions with uneven
overlap, with alternatives that can be applied), and the problem when the node has one.
``explain_text`` renders that as text; ``edge_tooltip`` says in one line what an edge carries.
All of them read the engine's current results and never refresh it (its owner does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from designer.core import arith, catalog
from designer.core.engine import PRIMARY_BATCH, NodeResult, ShapeEngine
from designer.core.graph import Edge, Graph
from designer.core.layers.common import expand, show
from designer.core.shapes import (
    DIM_MEANINGS,
    DimNote,
    Shape,
    SymbolicShape,
    dim_names,
    format_count,
    format_shape,
    name_and_size,
)
from designer.core.solver import SolverError, solve
from designer.core.stats import BYTES_PER_ELEMENT, NodeStats, format_bytes, node_stats


@dataclass(frozen=True)
class Dim:
    """One named dimension of a tensor; ``size`` reads ``N`` (or ``8192·N``) where it follows an open batch."""

    name: str
    size: int | str
    meaning: str


@dataclass(frozen=True)
class Tensor:
    """A tensor entering or leaving the node; ``origin`` names where it comes from.

    ``shape`` is the concrete size (with an open batch, at N = 1), ``display`` the size as people read it.
    """

    origin: str
    shape: Shape | None
    dims: tuple[Dim, ...] = ()
    display: SymbolicShape | None = None

    def text(self) -> str:
        return format_shape(self.display) if self.display is not None else "unknown"


@dataclass(frozen=True)
class Derivation:
    """How one output dim got its size: the formula, the same with the user's numbers, and the steps."""

    label: str
    size: int | str
    formula: str
    worked: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """A replacement for a node: ``layers`` (type name, params) put in its place, in order.

    One layer of the node's own type means: set these params on the node.
    """

    title: str
    layers: tuple[tuple[str, dict[str, Any]], ...]


@dataclass(frozen=True)
class Advice:
    """A warning with the fixes that can be applied in one click."""

    message: str
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Explanation:
    node_id: str
    label: str
    type_name: str
    description: str
    status: str
    inputs: tuple[Tensor, ...]
    output: Tensor | None
    derivations: tuple[Derivation, ...]
    story: tuple[str, ...]
    weights: tuple[tuple[str, Shape], ...]
    params: int
    costs: NodeStats
    warnings: tuple[str, ...]
    advice: tuple[Advice, ...] = ()
    problem: str | None = None
    problem_param: str | None = None
    waits_for: str | None = None


# ----- naming dims ------------------------------------------------------------------------------
def _names(shape: Shape, notes: tuple[DimNote, ...]) -> tuple[str, ...]:
    """The rule's own dim labels when they cover the tensor (unbatched tensors lack N), else the usual ones."""
    labels = tuple(n.label for n in notes)
    if len(labels) == len(shape) and len(set(labels)) == len(labels):
        return labels
    return dim_names(len(shape))


def _tensor(origin: str, result: NodeResult, names: tuple[str, ...]) -> Tensor:
    if not result.ok:
        return Tensor(origin, None)
    display = result.display_shape
    dims = tuple(Dim(n, s, DIM_MEANINGS.get(n, "")) for n, s in zip(names, display))
    return Tensor(origin, result.shape, dims, display)


def _derivation(note: DimNote, size: int | str) -> Derivation:
    steps: tuple[str, ...] = ()
    split = arith.split_worked(note.worked) if note.worked else None
    if split is not None:
        expression, _ = split
        steps = tuple(arith.steps(expression))
    return Derivation(note.label, size, note.formula, note.worked, steps)


# ----- an open batch ------------------------------------------------------------------------------
def batch_notes(result: NodeResult) -> tuple[DimNote, ...]:
    """The rule's notes on each output dim, as people read them when the batch is open.

    The rules work with numbers (the engine runs them at N = 1), so a dim that follows N would read
    ``1 (unchanged)``. Its worked value reads N instead, and where the numbers were an arithmetic
    (a Flatten over the batch), they stay, said to be at N = 1.
    """
    notes = result.inferred.dims if result.inferred else ()
    display = result.display_shape
    if result.display is None or len(notes) != len(display):
        return notes
    return tuple(_follows_batch(n, d) if isinstance(d, str) else n for n, d in zip(notes, display))


def _follows_batch(note: DimNote, shown: str) -> DimNote:
    if note.formula.endswith(f"= {shown}"):  # an Input's own "N = N" says it already
        return note
    head, space, rest = note.worked.partition(" ")
    if head == str(note.size) and (not space or rest.startswith("(")):
        return replace(note, worked=f"{shown}{space}{rest}")
    if not note.worked:
        return replace(note, worked=shown)
    return replace(note, worked=f"{shown}, since at N = {PRIMARY_BATCH}: {note.worked}")


# ----- the checkerboard warning -----------------------------------------------------------------
def checkerboard_warning(type_name: str, params: dict[str, Any]) -> str | None:
    """The warning for a transposed conv whose kernel taps overlap unevenly, else None.

    ``params`` are the node's given params; torch's defaults fill the rest. The engine carries the same
    sentence among the node's warnings (``LayerSpec.advise``); this asks for it without a result.
    """
    if not catalog.exists(type_name):
        return None
    spec = catalog.get(type_name)
    return next(iter(spec.advise(spec.resolve(params))), None)


def checkerboard_advice(graph: Graph, engine: ShapeEngine, node_id: str) -> Advice | None:
    """The checkerboard warning with alternatives of even overlap that keep the output size."""
    node = graph.node(node_id)
    message = checkerboard_warning(node.type_name, node.params)
    if message is None:
        return None
    params = catalog.get(node.type_name).resolve(node.params)
    return Advice(message, _alternatives(graph, engine, node_id, params, catalog.get(node.type_name).rank))


def _alternatives(graph: Graph, engine: ShapeEngine, node_id: str, params, n: int) -> tuple[Alternative, ...]:
    node = graph.node(node_id)
    result = engine.result(node_id)
    sources = graph.inputs(node_id)
    if not result.ok or 0 not in sources:
        return ()
    shape_in = engine.shape(sources[0])
    spatial_in, spatial_out = shape_in[-n:], result.shape[-n:]
    stride = expand(params["stride"], n)
    out = []
    same = _even_same_size(node.type_name, spatial_in, spatial_out, stride)
    if same is not None:
        kept = {k: v for k, v in node.params.items() if k not in ("kernel_size", "stride", "padding", "output_padding", "dilation")}
        title = "kernel {kernel_size}, stride {stride}, padding {padding}".format(**{k: show(v) for k, v in same.items()})
        if any(v != 0 for v in same["output_padding"]):
            title += f", output_padding {show(same['output_padding'])}"
        defaults = {"output_padding": 0, "dilation": 1}
        changed = {
            k: (v[0] if len(set(v)) == 1 else list(v)) for k, v in same.items() if set(v) != {defaults.get(k)}
        }
        out.append(Alternative(f"{node.type_name} with {title}: even overlap, same output size", ((node.type_name, {**kept, **changed}),)))
    out.append(_upsample_then_conv(params, n, spatial_in, spatial_out))
    return tuple(out)


def _even_same_size(type_name: str, spatial_in: Shape, spatial_out: Shape, stride) -> dict[str, tuple] | None:
    """Per dim, the best even-overlap parameters taking that dim from its input size to its output size."""
    chosen = []
    for size_in, size_out, s in zip(spatial_in, spatial_out, stride):
        try:
            answers = [a for a in solve(type_name, size_in, size_out) if a.even and a.dilation == 1]
        except SolverError:
            return None
        if not answers:
            return None
        # Keep the user's stride when an even answer has it, so the layer's role stays the same, and
        # prefer kernel = 2·stride, where every output position gets exactly two taps (DCGAN's 4/2).
        same_stride = [a for a in answers if a.stride == s]
        best = next((a for a in same_stride if a.kernel_size == 2 * s), (same_stride or answers)[0])
        chosen.append(best)
    return {
        "kernel_size": tuple(a.kernel_size for a in chosen),
        "stride": tuple(a.stride for a in chosen),
        "padding": tuple(a.padding for a in chosen),
        "output_padding": tuple(a.output_padding or 0 for a in chosen),
        "dilation": tuple(1 for _ in chosen),
    }


def _upsample_then_conv(params, n: int, spatial_in: Shape, spatial_out: Shape) -> Alternative:
    factors = [o // i if o % i == 0 else None for i, o in zip(spatial_in, spatial_out)]
    if all(f is not None for f in factors) and len(set(factors)) == 1:
        upsample = {"scale_factor": factors[0], "mode": "nearest"}
        how = f"×{factors[0]}"
    else:
        upsample = {"size": spatial_out[0] if len(set(spatial_out)) == 1 else list(spatial_out), "mode": "nearest"}
        how = f"to {'×'.join(str(s) for s in spatial_out)}"
    conv = {
        "in_channels": params["in_channels"],
        "out_channels": params["out_channels"],
        "kernel_size": 3,
        "padding": 1,
    }
    if params["groups"] != 1:
        conv["groups"] = params["groups"]
    if not params["bias"]:
        conv["bias"] = False
    title = f"Upsample {how} (nearest) then Conv{n}d kernel 3, padding 1: no overlap pattern at all"
    return Alternative(title, (("Upsample", upsample), (f"Conv{n}d", conv)))


# ----- the explanation --------------------------------------------------------------------------
def explain(graph: Graph, engine: ShapeEngine, node_id: str, shown_id: str | None = None) -> Explanation:
    """Everything the explain panel shows for ``node_id``, as plain data (``shown_id``: the id to show,
    such as the path ``layer2_0/conv1`` of a node inside a block instance)."""
    node = graph.node(node_id)
    spec = graph.spec(node.type_name)
    result = engine.result(node_id)
    notes = batch_notes(result)
    out_names = _names(result.shape, notes) if result.ok else ()
    inputs = []
    for port, source in sorted(graph.inputs(node_id).items()):
        shape = engine.shape(source)
        names = out_names if shape is not None and len(shape) == len(out_names) else dim_names(len(shape or ()))
        origin = f"'{graph.node(source).label}'" + (f" (input {port})" if spec.input_range(node.params)[1] != 1 else "")
        inputs.append(_tensor(origin, engine.result(source), names))
    output = _tensor("output", result, out_names) if result.ok else None
    sizes = result.display_shape if result.ok and len(notes) == len(result.shape) else tuple(n.size for n in notes)
    costs = node_stats(graph, engine, node_id)
    advice = checkerboard_advice(graph, engine, node_id)
    warnings = result.warnings
    return Explanation(
        node_id=shown_id or node_id,
        label=node.label,
        type_name=node.type_name,
        description=spec.description,
        status=result.status(),
        inputs=tuple(inputs),
        output=output,
        derivations=tuple(_derivation(n, size) for n, size in zip(notes, sizes)),
        story=result.inferred.story if result.inferred else (),
        weights=costs.weights,
        params=costs.params,
        costs=costs,
        warnings=warnings,
        advice=(advice,) if advice else (),
        problem=result.message(),
        problem_param=result.error.param if result.error else None,
        waits_for=result.blocked_by,
    )


def _dims_lines(tensor: Tensor, indent: str) -> list[str]:
    width = max((len(str(d.size)) for d in tensor.dims), default=1)
    return [f"{indent}{_name_and_size(d, width)}  {d.meaning}".rstrip() for d in tensor.dims]


def _name_and_size(dim: Dim, width: int) -> str:
    """``C = 512  ``, padded so the meanings line up; an open batch is just ``N``."""
    return f"{name_and_size(dim.name, dim.size, ' = '):<{len(dim.name) + 3 + width}}"


def explain_text(graph: Graph, engine: ShapeEngine, node_id: str, shown_id: str | None = None) -> str:
    """The explanation as plain text (``model-designer explain``)."""
    ex = explain(graph, engine, node_id, shown_id)
    lines = [f"{ex.type_name} '{ex.label}' (id {ex.node_id})", f"  {ex.description}", ""]
    for tensor in ex.inputs:
        lines.append(f"Input from {tensor.origin}: {tensor.text()}")
        lines += _dims_lines(tensor, "  ")
    if ex.output is not None:
        lines.append(f"Output: {ex.output.text()}")
        lines += _dims_lines(ex.output, "  ")
    if ex.derivations and graph.spec(ex.type_name).kind != "input":  # an Input's sizes are given, not derived
        lines += ["", "How each size comes about:"]
        for der in ex.derivations:
            if der.steps:
                lines.append(f"  {der.formula}")
                lines += [f"      = {step}" for step in der.steps]
            else:
                lines.append(f"  {DimNote(der.label, der.size, der.formula, der.worked).text()}")
    if ex.story:
        lines += ["", *ex.story]
    lines += ["", "Costs:"]
    for key, title in (("params", "parameters"), ("macs", "multiply-adds"), ("activation", "output")):
        if key in ex.costs.formulas:
            lines.append(f"  {title}: {ex.costs.formulas[key]}")
    if ex.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in ex.warnings]
    for advice in ex.advice:
        if advice.alternatives:
            lines += ["", "Alternatives:"] + [f"  - {a.title}" for a in advice.alternatives]
    if ex.problem:
        lines += ["", f"Problem: {ex.problem}"]
    return "\n".join(lines)


def edge_tooltip(graph: Graph, engine: ShapeEngine, edge: Edge) -> str:
    """One line for an edge: what flows, every dim named, and how much memory it takes."""
    source, target = graph.node(edge.source), graph.node(edge.target)
    route = f"'{source.label}' → '{target.label}'"
    result = engine.result(edge.source)
    if not result.ok:
        return f"{route}: size unknown ({result.message()})"
    shape, display = result.shape, result.display_shape
    names = _names(shape, result.inferred.dims if result.inferred else ())
    named = " · ".join(
        f"{name_and_size(n, s)} {DIM_MEANINGS[n].split(':')[0]}" if n in DIM_MEANINGS else name_and_size(n, s)
        for n, s in zip(names, display)
    )
    elements = 1
    for d in shape:
        elements *= d
    at = f" at N = {PRIMARY_BATCH}" if display != shape else ""
    return (
        f"{route}: {format_shape(display)} ({named}); {format_count(elements)} values{at}, "
        f"{format_bytes(elements * BYTES_PER_ELEMENT)} as float32"
    )
