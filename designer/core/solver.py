"""The parameter solver: which kernel, stride, padding (output_padding, dilation) give the size you want.

``solve`` enumerates every combination within :class:`Bounds` and keeps those for which the layer's
own shape rule from the catalog gives exactly the wanted size, so the arithmetic has one owner and
every answer is one torch accepts. ``required_input_sizes`` answers the reverse question for a whole
design: which input sizes make it end at a given size (by running the shape engine over a range).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from designer.core import catalog
from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from designer.core.overlap import is_even
from designer.core.shapes import LayerError
from designer.core.spec import SPREADS, RuleContext

SOLVABLE = tuple(spec.type_name for spec in catalog.all_specs() if spec.window)  # convs and window pools


class SolverError(ValueError):
    """A question the solver cannot answer, in a sentence."""


@dataclass(frozen=True)
class Bounds:
    """The search space: kernel_size 1..max_kernel, stride 1..max_stride, dilation 1..max_dilation
    (1 only for AvgPool, which has none, and for kernel_size 1, where it changes nothing). Padding of a conv or pool runs from 0 to half its window,
    ⌊(dilation·(kernel_size − 1) + 1) / 2⌋ (torch's own limit for pools; more pads an edge window
    with mostly zeros). Padding of a transposed conv runs from 0 to dilation·(kernel_size − 1): beyond
    that it trims away more than its kernel adds. output_padding runs from 0 to max(stride, dilation)
    − 1, torch's own limit. ceil_mode stays False and padding is never 'same' or 'valid' (numbers
    cover both)."""

    max_kernel: int = 7
    max_stride: int = 4
    max_dilation: int = 2

    def check(self) -> None:
        for name in ("max_kernel", "max_stride", "max_dilation"):
            value = getattr(self, name)
            if not 1 <= value <= 64:
                raise SolverError(f"{name} must be between 1 and 64, got {value}")


@dataclass(frozen=True)
class Solution:
    """One answer. ``output_padding`` is None for layers that do not take it."""

    kernel_size: int
    stride: int
    padding: int
    dilation: int
    output_padding: int | None
    even: bool

    def params(self) -> dict[str, int]:
        """The layer parameters to set (only those the layer takes, dilation only where it can)."""
        out = {"kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding}
        if self.output_padding is not None:
            out["output_padding"] = self.output_padding
        if self.dilation != 1:
            out["dilation"] = self.dilation
        return out

    def to_dict(self) -> dict[str, Any]:
        out = {"kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding}
        if self.output_padding is not None:
            out["output_padding"] = self.output_padding
        out["dilation"] = self.dilation
        out["even_overlap"] = self.even
        return out

    @property
    def span(self) -> int:
        """How many input positions one window covers: dilation·(kernel_size − 1) + 1."""
        return self.dilation * (self.kernel_size - 1) + 1

    def rank(self) -> tuple:
        """Even overlap first, then small kernels (by span, so a dilated kernel counts as wide as it
        reaches), then no output_padding, dilation 1, and the smaller numbers."""
        op = self.output_padding or 0
        return (not self.even, self.span, op != 0, self.dilation != 1, self.kernel_size, self.stride, self.padding, op)


def spatial_rank(type_name: str) -> int:
    return catalog.get(type_name).rank


def _check_type(type_name: str) -> None:
    if type_name not in SOLVABLE:
        raise SolverError(f"the solver knows {', '.join(SOLVABLE)}; {type_name!r} is not one of them")


def output_size(type_name: str, size_in: int, params: dict[str, Any]) -> int | None:
    """The catalog rule's output size for a square input of ``size_in`` per dim, or None if it refuses."""
    spec = catalog.get(type_name)
    n = spatial_rank(type_name)
    given = dict(params)
    if "in_channels" in spec.param_names:
        given.update(in_channels=1, out_channels=1)
    ctx = RuleContext(type_name, spec.resolve(given), ((1, 1) + (size_in,) * n,), f"{type_name} (solver)", ("input",))
    try:
        shape = spec.infer(ctx).shape
    except LayerError:
        return None
    sizes = set(shape[2:])
    return sizes.pop() if len(sizes) == 1 else None


def candidates(type_name: str, bounds: Bounds) -> Iterable[Solution]:
    """Every combination in the search space (valid or not)."""
    spec = catalog.get(type_name)
    transposed = spec.window == SPREADS
    dilations = range(1, bounds.max_dilation + 1) if "dilation" in spec.param_names else (1,)
    for k in range(1, bounds.max_kernel + 1):
        for s in range(1, bounds.max_stride + 1):
            for d in dilations if k > 1 else (1,):  # a single tap has no spacing to dilate
                max_padding = d * (k - 1) if transposed else (d * (k - 1) + 1) // 2
                for p in range(max_padding + 1):
                    ops = range(max(s, d)) if transposed else (None,)
                    for op in ops:
                        yield Solution(k, s, p, d, op, is_even(k, s, d))


def solve(type_name: str, size_in: int, size_out: int, bounds: Bounds | None = None) -> list[Solution]:
    """Every combination within ``bounds`` that takes ``size_in`` to exactly ``size_out``, best first."""
    bounds = bounds or Bounds()
    bounds.check()
    _check_type(type_name)
    for name, value in (("input size", size_in), ("output size", size_out)):
        if value < 1:
            raise SolverError(f"the {name} must be at least 1, got {value}")
    return list(_solve(type_name, size_in, size_out, bounds))


@functools.lru_cache(maxsize=256)
def _solve(type_name: str, size_in: int, size_out: int, bounds: Bounds) -> tuple[Solution, ...]:
    """Cached: the catalog's rules are fixed for the life of the process, and views ask again on every edit."""
    found = [c for c in candidates(type_name, bounds) if output_size(type_name, size_in, c.params()) == size_out]
    return tuple(sorted(found, key=Solution.rank))


# ----- the reverse question for a whole design --------------------------------------------------
def _copy(graph: Graph) -> Graph:
    twin = Graph(graph.name, graph.blocks)  # instances keep their blocks
    for node in graph.nodes():
        twin.add_node(node.copy())
    for edge in graph.edges():
        twin.connect(edge, strict=False)
    return twin


def _pick(graph: Graph, given: str | None, found: list[str], what: str) -> str:
    if given is not None:
        if given not in graph:
            raise SolverError(f"there is no node {given!r}")
        return given
    if len(found) != 1:
        listing = ", ".join(found) if found else "none"
        raise SolverError(f"the design has {len(found)} {what} ({listing}); say which one to use")
    return found[0]


def _ends(graph: Graph, engine: ShapeEngine) -> list[str]:
    """The Output markers, else the nodes nothing reads from, in execution order."""
    order = engine.order()
    outputs = [n for n in order if graph.spec(graph.node(n).type_name).kind == "output"]
    return outputs or [n for n in order if not graph.out_edges(n)]


def required_input_sizes(
    graph: Graph,
    engine: ShapeEngine,
    target: int,
    input_id: str | None = None,
    output_id: str | None = None,
    sizes: Iterable[int] = range(1, 257),
    axis: int | None = None,
) -> list[int]:
    """Input spatial sizes (within ``sizes``) for which the design's end has spatial size ``target``.

    With ``axis`` None every spatial dim of the input takes the size and every spatial dim of the end
    must equal ``target``; with ``axis`` (0 for the first spatial dim) only that dim varies and is
    compared, the others keep the Input's sizes. The end is ``output_id``, else the only Output node,
    else the only node nothing reads from. ``graph`` is left untouched: the sizes are tried on a copy.
    """
    inputs = [n.id for n in graph.nodes() if graph.spec(n.type_name).kind == "input"]
    input_id = _pick(graph, input_id, inputs, "Input nodes")
    output_id = _pick(graph, output_id, _ends(graph, engine), "ends (Output nodes or last layers)")
    shape = list(graph.node(input_id).params["shape"])
    spatial = len(shape) - 2
    if spatial < 1:
        raise SolverError(f"the Input '{graph.node(input_id).label}' has no spatial dims (shape {shape})")
    if axis is not None and not 0 <= axis < spatial:
        raise SolverError(f"axis must be between 0 and {spatial - 1} for this Input, got {axis}")
    twin = _copy(graph)
    twin_engine = ShapeEngine(twin)
    found = []
    for size in sizes:
        trial = list(shape)
        if axis is None:
            trial[2:] = [size] * spatial
        else:
            trial[2 + axis] = size
        twin.set_params(input_id, {**twin.node(input_id).params, "shape": trial})
        twin_engine.refresh()
        end = twin_engine.shape(output_id)
        if end is None or len(end) < 3:
            continue
        ends = end[2:] if axis is None else end[2 + axis : 3 + axis]
        if ends and all(e == target for e in ends):
            found.append(size)
    twin_engine.close()
    return found
