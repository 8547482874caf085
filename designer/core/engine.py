"""The shape engine: every node's output shape or error, kept up to date incrementally.

Results are derived data in a side table keyed by node id; nothing here is stored in the graph,
in undo history or in files. The engine listens to the graph's events, marks what an edit touches,
and ``refresh()`` recomputes only those nodes and the nodes downstream whose inputs actually changed,
in the one execution order (``order.execution_order``), stopping early where a result comes out the
same. It reports which nodes and edges changed so a view repaints only those. Only the engine's owner
(the document, or a command that made it) calls ``refresh()``; queries only read.

A node's result is the one home of its problems: its own error and its warnings (the shape rule's notes
and its spec's advice about the settings), listed by ``NodeResult.problems`` for every view.
"""

from __future__ import annotations

import gc
import heapq
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from designer.core.block_runs import BlockRunner, InnerNode, InstanceRun, expand, instance_inferred
from designer.core.graph import (
    BlockDefined,
    BlockRemoved,
    Edge,
    EdgeAdded,
    EdgeRemoved,
    Graph,
    GraphEvent,
    NodeAdded,
    NodeRemoved,
    NodeRenamed,
    ParamsChanged,
)
from designer.core.order import execution_order
from designer.core.shapes import (
    BATCH_SYMBOL,
    Inferred,
    LayerError,
    Shape,
    SymbolicShape,
    counted,
    dim_names,
    format_shape,
)
from designer.core.spec import FLOAT, INT, RuleContext

PRIMARY_BATCH = 1  # an open batch N is computed at N=1 (so costs read per sample) ...
SHADOW_BATCH = 3  # ... and at N=3: what differs follows N; the design must work for both (3, not 2, so a
#                  tensor of batch 2 added to an open batch is caught rather than passing by chance)


class Problem(NamedTuple):
    """One entry of a node's problems: what the badge, the Problems panel, ``shapes --json`` and the
    inspector all show. ``severity`` is ``"error"`` (the node has no size) or ``"warning"`` (it has one,
    but something deserves a look); ``param`` is the parameter to change and ``fix`` how, when known."""

    severity: str
    sentence: str
    param: str | None = None
    fix: str | None = None


class NodeResult(NamedTuple):
    """One node's derived facts. Exactly one of: ``shape`` set, ``error`` set, ``blocked_by`` set.

    A NamedTuple rather than a dataclass: thousands are built and compared on every big pass.
    """

    shape: Shape | None = None
    inferred: Inferred | None = None
    error: LayerError | None = None
    blocked_by: str | None = None
    param_count: int | None = None  # learnable parameters (``Node.params`` are the arguments)
    display: SymbolicShape | None = None  # the shape with the open batch written as N (symbolic designs only)
    inner: InstanceRun | None = None  # a block instance: the run of its copies (inner nodes' results)
    advice: tuple[str, ...] = ()  # warnings about the settings themselves (``LayerSpec.advise``), shape or not
    displays: tuple[SymbolicShape, ...] | None = None  # every output's display shape (several outputs, open batch)
    # The first output's dims by name when they are not the conventional ones of its rank: a sequence's
    # N, L, E, named by the layer that made it and kept by the layers that pass it on (``named_dims``).
    labels: tuple[str, ...] | None = None

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """One shape per output port; ``shape`` is the first. Empty without a shape."""
        if self.shape is None:
            return ()
        return self.inferred.output_shapes if self.inferred is not None else (self.shape,)

    @property
    def display_outputs(self) -> tuple[SymbolicShape, ...]:
        """``output_shapes`` as people read them (N where a size follows an open batch)."""
        if self.displays is not None:
            return self.displays
        shapes = self.output_shapes
        return (self.display_shape, *shapes[1:]) if shapes else ()

    @property
    def dim_labels(self) -> tuple[str, ...] | None:
        """The first output's dims by name (``N, L, E`` for a sequence); None: the conventional names by rank."""
        return self.labels if self.shape is not None else None

    @property
    def dtype(self) -> str | None:
        """The element type of the outputs ("float32" or "int64"); None without a shape."""
        if self.shape is None:
            return None
        return (self.inferred.dtype if self.inferred is not None else None) or FLOAT

    @property
    def display_shape(self) -> SymbolicShape | None:
        """What to show people: sizes that follow an open batch read ``N`` (or ``8192·N``), the rest numbers."""
        return self.display if self.display is not None else self.shape

    @property
    def ok(self) -> bool:
        return self.shape is not None

    @property
    def warnings(self) -> tuple[str, ...]:
        """The shape rule's notes (when there is a shape) and the advice about the settings."""
        return (self.inferred.warnings if self.inferred else ()) + self.advice

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The node's own error (not a wait for an upstream one), then its warnings: the one list every view shows."""
        own = (Problem("error", self.error.sentence(), self.error.param, self.error.fix),) if self.error else ()
        return own + tuple(Problem("warning", w) for w in self.warnings)

    def status(self) -> str:
        return "ok" if self.ok else ("error" if self.error else "blocked")

    def message(self) -> str | None:
        if self.error is not None:
            return self.error.sentence()
        if self.blocked_by is not None:
            return f"waits for '{self.blocked_by}', which has a problem"
        return None


@dataclass
class Changes:
    """What one ``refresh()`` changed: nodes whose result differs, and edges whose shape may differ."""

    nodes: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges)


class ShapeEngine:
    """Keeps a :class:`NodeResult` for every node of ``graph``.

    An Input may leave its batch open (``"N"`` as the first entry of its shape). Then the engine runs
    a second, shadow pass with another batch size beside its own: a size that differs between the two
    follows N and is shown as such, and a design must work for both to count as working.
    """

    def __init__(self, graph: Graph, batch: int = PRIMARY_BATCH, runner: BlockRunner | None = None) -> None:
        self.graph = graph
        self.batch = batch
        self._runner = runner or BlockRunner(batch)  # block instances' runs, memoized (shared with inner engines)
        self._results: dict[str, NodeResult] = {}
        self._open_inputs: set[str] = {n.id for n in graph.nodes() if n.leaves_batch_open}
        self._shadow: ShapeEngine | None = None
        self._merged: dict[str, NodeResult] = {}
        self._dirty: set[str] = set(graph.node_ids())
        self._new_edges: set[Edge] = set(graph.edges())
        self._order: dict[str, int] | None = None
        self._cyclic: frozenset[str] = frozenset()
        # Successful inferences depend only on (type, params, input shapes), never on names, so
        # repeated blocks (ResNet stages, long chains) cost a dictionary lookup.
        self._memo: dict[tuple, Inferred] = {}
        self._keys: dict[str, tuple] = {}  # node id → (type, frozen params), dropped when params change
        self._counts: dict[tuple, tuple[int | None, tuple[str, ...]]] = {}  # → (parameter count, advice)
        graph.subscribe(self._on_event)
        # An edit inside a definition changes its instances. Engines the runner makes for one copy of a
        # block (given a runner) live for one run and need not watch.
        self._watches = runner is None
        self._watched = list(graph.blocks.values()) if runner is None else []
        for block in self._watched:
            block.graph.subscribe(self._on_definition_event)
        self.refresh()

    def close(self) -> None:
        self.graph.unsubscribe(self._on_event)
        for block in self._watched:
            block.graph.unsubscribe(self._on_definition_event)
        if self._shadow is not None:
            self._shadow.close()

    # ----- queries -----------------------------------------------------------------------------
    @property
    def _public(self) -> dict[str, NodeResult]:
        return self._merged if self._shadow is not None else self._results

    @property
    def symbolic(self) -> bool:
        """Whether some Input leaves its batch open (sizes may read N)."""
        return bool(self._open_inputs)

    def result(self, node_id: str) -> NodeResult:
        return self._public[node_id]

    def shape(self, node_id: str) -> Shape | None:
        return self._public[node_id].shape

    def edge_shape(self, edge: Edge) -> Shape | None:
        """The tensor an edge carries: its source's output at its port (with an open batch, at PRIMARY_BATCH)."""
        shapes = self._public[edge.source].output_shapes
        return shapes[edge.source_port] if edge.source_port < len(shapes) else None

    def edge_display_shape(self, edge: Edge) -> SymbolicShape | None:
        """The edge's size as people read it: N where it follows an open batch."""
        shapes = self._public[edge.source].display_outputs
        return shapes[edge.source_port] if edge.source_port < len(shapes) else None

    def output_ports(self, node_id: str) -> int:
        """How many output ports a view shows for the node: its outputs (Chunk's count follows the size),
        else as many as its settings give, and never fewer than the edges leaving it need."""
        graph = self.graph
        shapes = self._public[node_id].output_shapes if node_id in self._public else ()
        known = graph.knows_type(graph.node(node_id).type_name)
        count = len(shapes) if shapes else (graph.output_count(node_id) if known else 1)
        return max(count or 1, max((e.source_port for e in graph.out_edges(node_id)), default=0) + 1)

    def order(self) -> list[str]:
        """Node ids in execution order (``order.execution_order``: the one order everything follows)."""
        index = self._ensure_order()
        return sorted(index, key=index.__getitem__)

    def problems(self) -> list[tuple[str, str]]:
        """(node id, sentence) for every node with its own error, in execution order."""
        public = self._public
        return [(n, public[n].error.sentence()) for n in self.order() if public[n].error is not None]

    def problem_list(self) -> list[tuple[str, Problem]]:
        """Every node's ``problems``: the errors in execution order, then the warnings in execution order."""
        public, order = self._public, self.order()
        listed = [(n, p) for n in order for p in public[n].problems]
        return [item for item in listed if item[1].severity == "error"] + [
            item for item in listed if item[1].severity != "error"
        ]

    def total_params(self) -> int:
        return sum(r.param_count or 0 for r in self._public.values())

    def inner_nodes(self) -> list[InnerNode]:
        """Every node inside every block instance, depth first, with ids as paths (``layer2_0/conv1``).

        With an open batch, an inner size that follows N reads N as everywhere else.
        """
        public = self._public
        inner = list(expand({n: public[n] for n in self.order() if public[n].inner is not None}))
        if self._shadow is None:
            return inner
        shadow = {i.path: i.result for i in expand(self._shadow._results)}
        return [i._replace(result=_merge(i.result, shadow[i.path])) if i.path in shadow else i for i in inner]

    # ----- change tracking ---------------------------------------------------------------------
    def _on_event(self, event: GraphEvent) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _node_added(self, event: NodeAdded) -> None:
        self._order = None
        self._dirty.add(event.node_id)
        self._params_changed(event)

    def _params_changed(self, event: NodeAdded | ParamsChanged) -> None:
        self._dirty.add(event.node_id)
        self._keys.pop(event.node_id, None)
        if self.graph.node(event.node_id).leaves_batch_open:
            self._open_inputs.add(event.node_id)
        else:
            self._open_inputs.discard(event.node_id)

    def _node_removed(self, event: NodeRemoved) -> None:
        self._order = None
        node_id = event.node_id
        self._dirty.discard(node_id)
        self._results.pop(node_id, None)
        self._merged.pop(node_id, None)
        self._keys.pop(node_id, None)
        self._open_inputs.discard(node_id)

    def _edge_added(self, event: EdgeAdded) -> None:
        self._order = None
        self._dirty.add(event.edge.target)
        self._new_edges.add(event.edge)

    def _edge_removed(self, event: EdgeRemoved) -> None:
        self._order = None
        self._dirty.add(event.edge.target)
        self._new_edges.discard(event.edge)

    def _node_renamed(self, event: NodeRenamed) -> None:
        # Messages name the node and its sources, so the node and its readers may read differently.
        self._dirty.add(event.node_id)
        self._dirty.update(self.graph.successors(event.node_id))

    def _library_changed(self, event: BlockDefined | BlockRemoved) -> None:
        """A definition joined or left: watch what exists now, and forget every memo, since a new block
        may reuse a gone one's name (and revision numbers)."""
        if self._watches:
            for block in self._watched:
                block.graph.unsubscribe(self._on_definition_event)
            self._watched = list(self.graph.blocks.values())
            for block in self._watched:
                block.graph.subscribe(self._on_definition_event)
        self._memo.clear()
        self._counts.clear()
        self._runner.forget()
        self._on_definition_event(event)

    def _on_definition_event(self, _event: GraphEvent) -> None:
        """Some definition changed: its instances (their revisions moved, so nothing stale is reused) rerun."""
        self._dirty.update(n.id for n in self.graph.nodes() if n.type_name in self.graph.blocks)

    def _ensure_order(self) -> dict[str, int]:
        if self._order is None:
            ordered, self._cyclic = execution_order(self.graph)
            self._order = {n: i for i, n in enumerate(ordered)}
        return self._order

    def refresh(self) -> Changes:
        """Recompute what the edits since the last call touched; returns what changed."""
        changes = self._refresh_lane()
        if self.batch != PRIMARY_BATCH:
            return changes
        if not self._open_inputs:
            if self._shadow is not None:  # the batch was closed again: shapes read as plain numbers
                changes.nodes.update(n for n, r in self._merged.items() if r != self._results.get(n))
                self._shadow.close()
                self._shadow, self._merged = None, {}
                self._add_out_edges(changes)
            return changes
        if self._shadow is None:
            self._shadow = ShapeEngine(self.graph, SHADOW_BATCH)
            touched = set(self._results)
        else:
            touched = changes.nodes | self._shadow.refresh().nodes
        for node_id in touched:
            primary = self._results[node_id]
            merged = _merge(primary, self._shadow._results[node_id])
            if primary.error is not None:
                merged = self._in_symbols(node_id, merged)
            if self._merged.get(node_id) != merged:
                self._merged[node_id] = merged
                changes.nodes.add(node_id)
        self._add_out_edges(changes)
        return changes

    def _in_symbols(self, node_id: str, result: NodeResult) -> NodeResult:
        """An error found at batch 1 quotes its inputs' sizes as people see them (``N×512×4×4``)."""
        message = result.error.message
        for source in set(self.graph.inputs(node_id).values()):
            at_primary, at_shadow = self._results[source], self._shadow._results[source]
            if at_primary.ok and at_shadow.ok and at_primary.shape != at_shadow.shape:
                shown = symbolize(at_primary.shape, at_shadow.shape)
                message = message.replace(format_shape(at_primary.shape), format_shape(shown))
        if message == result.error.message:
            return result
        error = result.error
        return result._replace(error=replace(error, message=message))

    def _add_out_edges(self, changes: Changes) -> None:
        for node_id in changes.nodes:
            if node_id in self.graph:
                changes.edges.update(self.graph.out_edges(node_id))

    def _refresh_lane(self) -> Changes:
        changes = Changes(edges=set(self._new_edges))
        self._new_edges.clear()
        if not self._dirty:
            return changes
        order = self._ensure_order()
        pending = {n for n in self._dirty if n in order}
        self._dirty.clear()
        if len(pending) * 8 > len(order):
            # A big pass (opening a file, editing near the start) allocates many small acyclic objects;
            # the cyclic GC would otherwise rescan the whole graph again and again meanwhile.
            with _gc_paused():
                for node_id in order:  # in execution order: the index was built in that order
                    if node_id in pending:
                        self._update(node_id, pending, changes, None)
            return changes
        heap = [(order[n], n) for n in pending]
        heapq.heapify(heap)
        while heap:
            _, node_id = heapq.heappop(heap)
            self._update(node_id, pending, changes, heap)
        return changes

    def _update(self, node_id: str, pending: set[str], changes: Changes, heap: list | None) -> None:
        """Recompute one node; when its result changed, queue the nodes it feeds."""
        pending.discard(node_id)
        new = self._compute(node_id)
        if self._results.get(node_id) == new:
            return
        self._results[node_id] = new
        changes.nodes.add(node_id)
        for edge in self.graph.out_edges(node_id):
            changes.edges.add(edge)
            if edge.target not in pending:
                pending.add(edge.target)
                if heap is not None:
                    heapq.heappush(heap, (self._order[edge.target], edge.target))

    # ----- one node ----------------------------------------------------------------------------
    def _compute(self, node_id: str) -> NodeResult:
        node = self.graph.node(node_id)
        spec = self.graph.spec(node.type_name)
        key = self._keys.get(node_id)
        if key is None:
            # repr of JSON-like params is exact and type-aware (1, 1.0 and True differ) and fast.
            key = self._keys[node_id] = (node.type_name, repr(node.params), node.repeat)
        revision = self.graph.blocks[node.type_name].revision if spec.kind == "block" else None
        count_key = key if revision is None else (*key, revision)
        if count_key not in self._counts:
            count = _count_params(spec, spec.resolve(node.params))
            count = count * (node.repeat or 1) if count is not None else None
            self._counts[count_key] = (count, _advice(spec, node.params))
        params, advice = self._counts[count_key]
        result = self._compute_result(node, spec, key, params, revision)
        return result._replace(advice=advice) if advice else result

    def _compute_result(self, node, spec, key: tuple, params: int | None, revision: int | None) -> NodeResult:
        node_id = node.id
        if node_id in self._cyclic:
            label = f"{node.type_name} '{node.label}'"
            return NodeResult(
                error=LayerError(f"{label} is part of a cycle; data must flow one way", fix="remove one edge of the loop"),
                param_count=params,
            )
        inputs = self.graph.inputs(node_id)
        fewest, most = spec.input_range(node.params)
        if _arity_suspect(fewest, most, inputs):
            arity_error = _arity_problem(fewest, most, f"{node.type_name} '{node.label}'", inputs)
            if arity_error is not None:
                return NodeResult(error=arity_error, param_count=params)
        edges = self.graph.input_edges(node_id)
        sources = [edges[port].source for port in sorted(edges)]
        shapes, dtypes, upstream_labels = [], [], None
        for port in sorted(edges):
            edge = edges[port]
            upstream = self._results.get(edge.source)
            if upstream is None or not upstream.ok:
                root = upstream.blocked_by if upstream is not None and upstream.blocked_by else edge.source
                return NodeResult(blocked_by=root, param_count=params)
            outputs = upstream.output_shapes
            if edge.source_port >= len(outputs):
                return NodeResult(error=self._missing_output(node, edge, len(outputs)), param_count=params)
            shapes.append(outputs[edge.source_port])
            dtypes.append(upstream.dtype)
            if port == 0 and edge.source_port == 0:
                upstream_labels = upstream.labels
        memo_key = (key, tuple(shapes), tuple(dtypes))
        if revision is not None:
            return self._compute_instance(node, (*memo_key, revision), shapes, params, dtypes)
        inferred = self._memo.get(memo_key)
        if inferred is not None:
            return NodeResult(shape=inferred.shape, inferred=inferred, param_count=params,
                              labels=named_dims(inferred, upstream_labels))
        label = f"{node.type_name} '{node.label}'"
        names = tuple(f"'{self.graph.node(source_id).label}'" for source_id in sources)
        ctx = RuleContext(node.type_name, spec.resolve(node.params), tuple(shapes), label, names, self.batch, tuple(dtypes))
        try:
            dtype_problem(spec, ctx)
            inferred = spec.infer(ctx)
            if inferred.dtype is None:
                inferred = replace(inferred, dtype=output_dtype(spec, ctx))
        except LayerError as exc:
            return NodeResult(error=exc, param_count=params)
        except Exception as exc:  # a rule bug must never take the app down; show it on the node
            return NodeResult(
                error=LayerError(f"{label}: the size could not be worked out ({type(exc).__name__}: {exc})"),
                param_count=params,
            )
        if not isinstance(inferred.shape, tuple):
            inferred = replace(inferred, shape=tuple(inferred.shape))
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
            self._counts.clear()
        self._memo[memo_key] = inferred
        return NodeResult(shape=inferred.shape, inferred=inferred, param_count=params, labels=named_dims(inferred, upstream_labels))


    def _missing_output(self, node, edge: Edge, count: int) -> LayerError:
        source = self.graph.node(edge.source)
        spec = self.graph.spec(source.type_name)
        return LayerError(
            f"{node.type_name} '{node.label}': input {edge.target_port} comes from output {edge.source_port} of "
            f"{source.type_name} '{source.label}', which has only {counted(count, 'output')} here",
            fix=f"connect one of its outputs 0..{count - 1} ({', '.join(spec.output_name(p) for p in range(count))})",
        )

    def _compute_instance(self, node, memo_key: tuple, shapes: list[Shape], params: int | None, dtypes: list[str]) -> NodeResult:
        """A block instance: its definition run on these sizes, memoized like a layer's inference (the key
        holds the params and the definition's revision, so the parameter count is shared too)."""
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        run, outputs, error = self._runner.run(self.graph, node, shapes, dtypes)
        if error is not None:  # an error names the instance, so only successes are shared
            return NodeResult(error=error, param_count=params, inner=run)
        inferred = replace(instance_inferred(self.graph, node, shapes, outputs), dtype=run.copies[-1].dtype)
        found = self._memo[memo_key] = NodeResult(shape=outputs[0], inferred=inferred, param_count=params, inner=run)
        return found


_MEMO_LIMIT = 100_000
_HANDLERS = {
    NodeAdded: ShapeEngine._node_added,
    NodeRemoved: ShapeEngine._node_removed,
    EdgeAdded: ShapeEngine._edge_added,
    EdgeRemoved: ShapeEngine._edge_removed,
    ParamsChanged: ShapeEngine._params_changed,
    NodeRenamed: ShapeEngine._node_renamed,
    BlockDefined: ShapeEngine._library_changed,
    BlockRemoved: ShapeEngine._library_changed,
}


def _merge(primary: NodeResult, shadow: NodeResult) -> NodeResult:
    """One node's result for an open batch, from its results at PRIMARY_BATCH (1) and SHADOW_BATCH (3)."""
    if not primary.ok:
        return primary
    if shadow.error is not None:
        error = shadow.error
        return NodeResult(
            error=replace(error, message=f"{error.message} (with a batch of {SHADOW_BATCH}: N is open, so every batch must work)"),
            param_count=primary.param_count,
            advice=primary.advice,
        )
    if shadow.blocked_by is not None:
        return NodeResult(blocked_by=shadow.blocked_by, param_count=primary.param_count, advice=primary.advice)
    ours, theirs = primary.output_shapes, shadow.output_shapes
    if len(ours) != len(theirs):
        return NodeResult(
            error=LayerError(
                f"the number of outputs follows the batch N ({len(ours)} with a batch of {PRIMARY_BATCH}, "
                f"{len(theirs)} with a batch of {SHADOW_BATCH}), so the design cannot work for every batch",
                fix="split along another dim, or give the Input a fixed batch",
            ),
            param_count=primary.param_count,
            advice=primary.advice,
        )
    displays = tuple(symbolize(a, b) for a, b in zip(ours, theirs))
    return primary._replace(display=displays[0], displays=displays if len(displays) > 1 else None)


def symbolize(at_primary: Shape, at_shadow: Shape) -> SymbolicShape:
    """Sizes that change with the batch, written in N: ``(1, 512, 4, 4)`` and ``(3, 512, 4, 4)`` give ``N×512×4×4``."""
    out: list[int | str] = []
    for a, b in zip(at_primary, at_shadow):
        if a == b:
            out.append(a)
            continue
        slope = (b - a) // (SHADOW_BATCH - PRIMARY_BATCH)
        offset = a - slope * PRIMARY_BATCH
        term = BATCH_SYMBOL if slope == 1 else f"{slope}·{BATCH_SYMBOL}"
        out.append(term if offset == 0 else f"{term}{'+' if offset > 0 else '−'}{abs(offset)}")
    return tuple(out)


@contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _arity_suspect(fewest: int, most: int | None, inputs: dict[int, str]) -> bool:
    """Cheap pre-check: only nodes whose port count looks off get the full arity diagnosis."""
    count = len(inputs)
    if count < fewest or (most is not None and count > most):
        return True
    return count > 0 and max(inputs) != count - 1


def _count_params(spec, resolved) -> int | None:
    try:
        return spec.count_params(resolved)
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return None


def _advice(spec, given) -> tuple[str, ...]:
    try:
        return tuple(spec.advise(spec.resolve(given)))
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return ()


def _arity_problem(fewest: int, most: int | None, label: str, inputs: dict[int, str]) -> LayerError | None:
    count = len(inputs)
    if most is not None and count and max(inputs) >= most:
        if most == 0:
            return LayerError(f"{label} takes no inputs, but {count} edge(s) lead into it", fix="remove those edges")
        return LayerError(
            f"{label} takes {most} input(s), but an edge arrives at input {max(inputs)}",
            fix="remove the extra edge",
        )
    missing = [p for p in range(max(inputs, default=-1) + 1) if p not in inputs]
    if count < fewest or missing:
        if fewest == 1 and count == 0:
            return LayerError(f"{label} has no input connected", fix="drag an edge from another layer's output into it")
        if missing:
            return LayerError(f"{label}: input {missing[0]} is not connected", fix="connect it or remove the later inputs")
        return LayerError(
            f"{label} needs at least {fewest} inputs but has {count}", fix="connect another tensor to it"
        )
    return None


def named_dims(inferred: Inferred, upstream: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A node's dim names: its rule's own when they differ from the conventional ones of the rank (an
    Embedding's N, L, E), else those of its first input when the rank is the same (a LayerNorm or Linear
    on a sequence keeps N, L, E), else None (the conventional N, C, H, W)."""
    rank = len(inferred.shape)
    own = tuple(note.label for note in inferred.dims)
    if len(own) == rank and len(set(own)) == rank and own != dim_names(rank):
        return own
    return upstream if upstream is not None and len(upstream) == rank else None


def dtype_problem(spec, ctx: RuleContext) -> None:
    """Refuse an input of an element type the layer cannot take, where torch refuses it."""
    rule = spec.int64_input
    if rule == "index":
        for port, dtype in enumerate(ctx.dtypes):
            if dtype != INT:
                raise LayerError(
                    f"{ctx.label} looks up rows by index, so it needs int64 token ids, but {ctx.source(port)} gives "
                    f"{dtype} values (torch raises: Expected tensor for argument #1 'indices' to have one of the "
                    "following scalar types: Long, Int)",
                    fix="set dtype int64 on the Input that holds the ids, and feed it straight into the Embedding",
                )
    elif rule == "refuse" and spec.kind == "module":
        for port, dtype in enumerate(ctx.dtypes):
            if dtype == INT:
                raise LayerError(
                    f"{ctx.label} computes with floating-point numbers, but {ctx.source(port)} gives int64 values "
                    "(token ids or counts); torch refuses them",
                    fix="turn the ids into vectors first (an Embedding), or give the Input dtype float32",
                )


def output_dtype(spec, ctx: RuleContext) -> str:
    """The element type of a node's outputs: an Input's ``dtype``; int64 through layers that keep it
    (and a sum or concatenation of int64 tensors only); float32 otherwise."""
    if spec.kind == "input":
        return ctx.params.get("dtype", FLOAT)
    if spec.kind in ("concat", "output") or spec.int64_input == "keep":
        return INT if ctx.dtypes and all(d == INT for d in ctx.dtypes) else FLOAT
    return FLOAT
