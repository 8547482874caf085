"""One-click repairs: the fixes offered for a node in error, each tried on a copy of the whole design.

A shape rule attaches the repairs it knows for certain to its ``LayerError`` (``set in_channels to`` what
arrives). This module adds what a search finds: a size that does not work out gets the nearest value of
each window parameter (padding, kernel_size, stride, dilation, output_padding) that makes it work, and a
channel or feature count that does not match may instead be met by the layer that produces it.

Every candidate is applied to a private copy of the design and offered only when the node's error is gone,
no node that had a shape lost it, and no other candidate leaves fewer nodes without a shape (a fix that only
moves the problem downstream is not offered beside one that solves it). The rule's own suggestion comes
first, then this node's parameters, then the producing layer's; a fix whose result warns (an empty output)
after one that does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from designer.core.shapes import Fix, LayerError

WINDOW_PARAMS = ("padding", "kernel_size", "stride", "dilation", "output_padding")
RECEIVED_WIDTH_PARAMS = ("in_channels", "in_features", "num_features", "num_channels")  # what a layer expects
PRODUCED_WIDTH_PARAMS = ("out_channels", "out_features")  # what a layer makes
_SEARCH_REACH = 64  # integer values tried on each side of the current one (at least; further for large values)
_UPSTREAM_HOPS = 6  # single-input layers without a width of their own walked through to find the producer


def offered_fixes(graph: Graph, engine: ShapeEngine, node_ids: Iterable[str] | None = None) -> dict[str, list[Fix]]:
    """The verified fixes for each node in error among ``node_ids`` (default: all), recommended first.

    Every fix names its node. A node without an error, or without a repair that works, maps to ``[]``.
    """
    wanted = list(engine.order() if node_ids is None else node_ids)
    errors = {n: engine.result(n).error for n in wanted if n in graph and engine.result(n).error is not None}
    out: dict[str, list[Fix]] = {n: [] for n in wanted}
    if not errors:
        return out
    with _Trial(graph) as trial:
        for node_id, error in errors.items():
            out[node_id] = trial.verified(node_id, _candidates(graph, node_id, error))
    return out


def fixes_for(graph: Graph, engine: ShapeEngine, node_id: str) -> list[Fix]:
    """The verified fixes for one node, recommended first (``[]`` when it has no error)."""
    return offered_fixes(graph, engine, [node_id])[node_id]


def apply_params(current: dict[str, Any], fix: Fix) -> dict[str, Any]:
    """The node's params after ``fix``: what it sets replaces, the rest stays (what a file or an edit stores)."""
    return {**current, **fix.params}


# ----- candidates ------------------------------------------------------------------------------
def _candidates(graph: Graph, node_id: str, error: LayerError) -> list[list[Fix]]:
    """Groups of candidate fixes in order of preference; from each group the first few that work are kept."""
    node = graph.node(node_id)
    spec = graph.spec(node.type_name)
    groups: list[list[Fix]] = [[fix.for_node(node_id) for fix in error.fixes]]
    searched = []
    if error.param in WINDOW_PARAMS:  # sizes: the nearest value that works may not be the one the rule names
        searched += [error.param] + [p for p in WINDOW_PARAMS if p in spec.param_names and p != error.param]
    elif error.param in spec.param_names and not any(error.param in fix.params for fix in error.fixes):
        searched.append(error.param)
    resolved = spec.resolve(node.params)
    for param in searched:
        groups.append([Fix.setting(param, value, node_id) for value in _nearby_integers(resolved.get(param))])
    if error.param in RECEIVED_WIDTH_PARAMS and error.param in resolved:
        producer = _producer(graph, node_id)
        if producer is not None:
            source_id, width_param = producer
            whose = f"'{graph.node(source_id).label}'"
            groups.append([Fix.setting(width_param, resolved[error.param], source_id, whose)])
    return groups


def _nearby_integers(value: Any) -> list[int]:
    """Scalar integers nearest to ``value`` (an int or a list of ints), closest first, never the value itself."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        centre, same = value, {value}
    elif isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        centre, same = round(sum(value) / len(value)), set()
    else:
        return []
    out = [centre] if not same else []
    for step in range(1, max(_SEARCH_REACH, 2 * abs(centre)) + 1):
        out += [centre - step, centre + step]
    return [v for v in out if v not in same]


def _producer(graph: Graph, node_id: str) -> tuple[str, str] | None:
    """The nearest layer upstream (through single-input layers) that sets a channel or feature count."""
    current = node_id
    for _ in range(_UPSTREAM_HOPS):
        inputs = graph.inputs(current)
        if len(inputs) != 1:
            return None
        current = next(iter(inputs.values()))
        names = graph.spec(graph.node(current).type_name).param_names
        for param in PRODUCED_WIDTH_PARAMS:
            if param in names:
                return current, param
    return None


# ----- trying them -----------------------------------------------------------------------------
_MAX_TRIES = 1000  # candidates tried per node at most, so a big broken design still answers quickly
_KEEP_PER_GROUP = 64  # working values tried per searched parameter until one leaves the whole design working


class _Trial:
    """A private copy of the design and its engine, on which candidate fixes are applied and taken back."""

    def __init__(self, graph: Graph) -> None:
        self.graph = Graph(graph.name, graph.blocks, graph.arguments)
        for node in graph.nodes():
            self.graph.add_node(node.copy())
        for edge in graph.edges():
            self.graph.connect(edge, strict=False)
        self.engine = ShapeEngine(self.graph)
        self.failing = {n for n in self.graph.node_ids() if not self.engine.result(n).ok}

    def __enter__(self) -> _Trial:
        return self

    def __exit__(self, *exc) -> None:
        self.engine.close()

    def verified(self, node_id: str, groups: list[list[Fix]]) -> list[Fix]:
        scored: list[tuple[tuple[int, int], int, Fix]] = []
        seen: set[tuple[str, str]] = set()
        tries = 0
        for rank, group in enumerate(groups):
            kept = 0
            for fix in group:
                tries += 1
                if tries > _MAX_TRIES and rank:
                    break
                key = (fix.node, repr(sorted(fix.params.items())))
                if key in seen:
                    continue
                seen.add(key)
                left = self._problems_after(node_id, fix)
                if left is None:
                    continue
                scored.append((left, rank, fix))
                kept += 1
                if kept >= _KEEP_PER_GROUP or left == (0, 0):
                    break
        scored.sort(key=lambda item: (item[0], item[1]))
        fewest = scored[0][0][0] if scored else 0
        best: dict[tuple, Fix] = {}
        for (left, _), rank, fix in scored:  # a searched parameter offers one value: its best-scoring one
            if left > fewest:  # it only moves the problem downstream, while another fix solves it
                continue
            key = (rank, fix.node, *sorted(fix.params)) if rank else (rank, fix.label)
            best.setdefault(key, fix)
        return list(best.values())

    def _problems_after(self, node_id: str, fix: Fix) -> tuple[int, int] | None:
        """How many nodes lack a shape once ``fix`` is applied, and how many warnings the node then has (an
        empty output is allowed but useless); None when the fix does not clear the error or breaks a node
        that worked."""
        target = self.graph.node(fix.node)
        before = target.params
        try:
            self.graph.set_params(fix.node, apply_params(before, fix))
        except Exception:  # the value is not even a valid argument (kind check): not a fix
            return None
        try:
            changes = self.engine.refresh()
            if not self.engine.result(node_id).ok:
                return None
            failing = set(self.failing)
            for changed in changes.nodes:
                if self.engine.result(changed).ok:
                    failing.discard(changed)
                elif changed not in self.failing:
                    return None
                else:
                    failing.add(changed)
            return len(failing), len(self.engine.result(node_id).warnings)
        finally:
            self.graph.set_params(fix.node, before)
            self.engine.refresh()
