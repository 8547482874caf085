"""Shapes through block instances: a definition's graph run with one instance's argument values and input sizes.

A copy of a block is run as an ordinary graph: the definition with its references bound to the values
and its Inputs given the caller's sizes, through a :class:`~designer.core.engine.ShapeEngine` of its own.
Runs are memoized on exactly (definition, its revision, argument values, input sizes, batch), so twelve
identical layers cost one. An error inside becomes the instance's error, naming the inner node's path
(``layer2_0/conv1``, ``stage/2/conv`` in the third repeat) and the argument involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from designer.core import blocks
from designer.core.errors import GraphError
from designer.core.graph import Graph, Node
from designer.core.shapes import DimNote, Inferred, LayerError, Shape, dim_names, format_shape
from designer.core.spec import FLOAT, short_repr

if TYPE_CHECKING:
    from designer.core.engine import NodeResult

_MEMO_LIMIT = 20_000


@dataclass(eq=False)
class CopyRun:
    """One copy of a block run: the bound graph, every inner node's result, and the outputs' sizes."""

    graph: Graph
    results: dict[str, NodeResult]
    outputs: tuple[Shape, ...] | None  # None when some output has no size
    failure: tuple[str, LayerError] | None = None  # (path inside the copy, the inner error)
    params: int = 0
    dtype: str = FLOAT  # the element type of its output (int64 token ids pass through a block as such)


@dataclass(eq=False)
class InstanceRun:
    """What an instance computed: its block's name and one run per copy (several with ``repeat``)."""

    block: str
    copies: tuple[CopyRun, ...]  # the copies that ran: up to the first that fails
    repeated: bool = False  # the instance has "repeat", so paths number its copies

    def shown_copy(self, failed: bool) -> tuple[int, CopyRun]:
        """The copy someone looking inside sees, numbered from 1: the one that failed, else the first."""
        return (len(self.copies), self.copies[-1]) if failed else (1, self.copies[0])

    def copy_prefix(self, instance_id: str, k: int) -> str:
        return f"{instance_id}{blocks.PATH_SEPARATOR}{k}" if self.repeated else instance_id


class BlockRunner:
    """Runs block copies for one engine's batch, memoized."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self._memo: dict[tuple, CopyRun] = {}

    def run(
        self, graph: Graph, node: Node, inputs: list[Shape], dtypes: list[str] | None = None
    ) -> tuple[InstanceRun, tuple[Shape, ...], LayerError | None]:
        """Run instance ``node`` of ``graph`` on ``inputs`` (of ``dtypes``, float32 when not given): (the run,
        its outputs' sizes in the order of the block's Output nodes, the instance's error)."""
        block = graph.blocks[node.type_name]
        values = block.values(node.params)
        copies = []
        shapes = list(inputs)
        types = tuple(dtypes or (FLOAT,) * len(inputs))
        for k in range(node.repeat or 1):
            copy = self._copy(block, values, tuple(shapes), types)
            copies.append(copy)
            run = InstanceRun(block.name, tuple(copies), node.repeat is not None)
            if copy.failure is not None:
                return run, (), _instance_error(block, node, run.copy_prefix(node.id, k), copy, values)
            shapes, types = list(copy.outputs), (copy.dtype,)
        return InstanceRun(block.name, tuple(copies), node.repeat is not None), tuple(shapes), None

    def forget(self) -> None:
        """Drop every memoized run (the design's set of definitions changed)."""
        self._memo.clear()

    def _copy(self, block: blocks.BlockDef, values: dict, inputs: tuple[Shape, ...], dtypes: tuple[str, ...]) -> CopyRun:
        key = (block.name, id(block), block.revision, repr(values), inputs, dtypes)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self._compute(block, values, inputs, dtypes)
        return found

    def _compute(self, block: blocks.BlockDef, values: dict, inputs: tuple[Shape, ...], dtypes: tuple[str, ...]) -> CopyRun:
        from designer.core.engine import ShapeEngine  # the engine runs blocks through this module

        bound = Graph(block.name, block.graph.blocks)
        ports = iter(zip(inputs, dtypes))
        for inner in block.graph.nodes():
            if inner.type_name == "Input":
                shape, dtype = next(ports, (None, FLOAT))
                params = {"shape": list(shape)} if shape is not None else {"shape": [1]}
                if dtype != FLOAT:  # an Input states int64; float32 is its default
                    params["dtype"] = dtype
            else:
                params = blocks.bind(inner.params, values)
            try:
                repeat = blocks.bind({"repeat": inner.repeat}, values)["repeat"]
                bound.add_node(Node(inner.id, inner.type_name, params, inner.name, inner.position, repeat))
            except GraphError as exc:
                return CopyRun(bound, {}, None, (inner.id, LayerError(exc.message, exc.param)))
        for edge in block.graph.edges():
            bound.connect(edge, strict=False)
        engine = ShapeEngine(bound, self.batch, runner=self)
        try:
            results = {n: engine.result(n) for n in bound.node_ids()}
            params = engine.total_params()
            failure = next(((n, results[n].error) for n in engine.order() if results[n].error is not None), None)
        finally:
            engine.close()
        outputs = [results[o] for o in block.outputs()]
        if failure is None and not all(r.ok for r in outputs):
            failure = (block.outputs()[0], LayerError(f"the block {block.name}'s output has no size"))
        shapes = tuple(r.shape for r in outputs) if failure is None else None
        return CopyRun(bound, results, shapes, failure, params, outputs[0].dtype or FLOAT if failure is None else FLOAT)


def looked_into(node: Node, result: NodeResult) -> tuple[str, CopyRun] | str:
    """What someone looking inside instance ``node`` (whose result is ``result``) sees: the use's title
    (``up1 (Up)``, ``stage (Residual, copy 3 of 3)``) and the copy shown, or why there is none yet
    (``has not run yet: …``)."""
    run = result.inner
    if run is None or not run.copies:
        return f"has not run yet: {result.message() or 'its inputs are not connected yet'}"
    number, copy = run.shown_copy(failed=result.error is not None)
    which = f", copy {number} of {node.repeat}" if run.repeated else ""
    return f"{node.label} ({node.type_name}{which})", copy


def run_again(graph: Graph, node: Node, before: CopyRun, batch: int) -> CopyRun:
    """One copy of instance ``node`` of ``graph`` run with its definition as it is now on the input sizes
    ``before`` had: what someone inside an instance that cannot run now (a layer before it fails) still sees."""
    block = graph.blocks[node.type_name]
    ports = [n.params for n in before.graph.nodes() if n.type_name == "Input"]
    shapes = tuple(tuple(p["shape"]) for p in ports)
    dtypes = tuple(p.get("dtype", FLOAT) for p in ports)
    return BlockRunner(batch)._compute(block, block.values(node.params), shapes, dtypes)


def _instance_error(block: blocks.BlockDef, node: Node, prefix: str, copy: CopyRun, values: dict) -> LayerError:
    inner_id, inner = copy.failure
    nested = inner.extra.get("path")
    path = f"{prefix}{blocks.PATH_SEPARATOR}{nested or inner_id}"
    argument = block.argument_of(inner_id, inner.param)
    label = f"{block.name} '{node.label}'"
    message = f"{label}: inside, {path} fails: {inner.message}"
    if argument is not None:
        message += f" ({inner.param} is the argument {argument} = {short_repr(values[argument], 30)})"
    fix = inner.fix
    if argument is not None and fix:  # the instance's argument is what to change: "set cin to 256"
        fix = re.sub(rf"\b{re.escape(inner.param)}\b", argument, fix)
    extra = {"path": path, "node": inner_id, "argument": argument, "inner": inner.sentence()}
    return LayerError(message, argument, fix, extra)


def instance_inferred(graph: Graph, node: Node, inputs: list[Shape], outputs: tuple[Shape, ...]) -> Inferred:
    """The explanation an instance shows: which block, with which values, from which sizes to which
    (one size per Output node of the block, in file order)."""
    block = graph.blocks[node.type_name]
    output = outputs[0]
    values = ", ".join(f"{k}={short_repr(v, 20)}" for k, v in block.values(node.params).items()) or "no arguments"
    times = f" {node.repeat} times in a row" if node.repeat and node.repeat > 1 else ""
    sizes = ", ".join(format_shape(s) for s in inputs) or "nothing"
    story = (
        f"Runs the block {block.name}{times} with {values}.",
        f"{sizes} → {', '.join(format_shape(s) for s in outputs)}: the sizes come from the layers inside "
        "(double-click to see them).",
    )
    notes = tuple(DimNote(n, d, f"{n} = {n} of the block's output", str(d)) for n, d in zip(dim_names(len(output)), output))
    return Inferred(output, notes, story, outputs=outputs if len(outputs) > 1 else ())


class InnerNode(NamedTuple):
    """One node inside an instance: its ``path``, the bound node, its result, and the copy it belongs to."""

    path: str
    node: Node
    result: NodeResult
    copy: CopyRun


def expand(results: dict[str, NodeResult]) -> Iterator[InnerNode]:
    """Every inner node of every instance among ``results`` (node id → result), depth first."""
    for node_id, result in results.items():
        yield from _expand_instance(node_id, result)


def _expand_instance(path: str, result: NodeResult) -> Iterator[InnerNode]:
    run = result.inner
    if run is None:
        return
    for k, copy in enumerate(run.copies):
        prefix = run.copy_prefix(path, k)
        for inner in copy.graph.nodes():
            inner_result = copy.results.get(inner.id)
            if inner_result is not None:
                inner_path = f"{prefix}{blocks.PATH_SEPARATOR}{inner.id}"
                yield InnerNode(inner_path, inner, inner_result, copy)
                yield from _expand_instance(inner_path, inner_result)


def find_path(results: dict[str, NodeResult], path: str) -> InnerNode | None:
    """The inner node at ``path`` (``layer2_0/conv1``, ``stage/2/conv``), or None."""
    head = path.split(blocks.PATH_SEPARATOR, 1)[0]
    if head not in results:
        return None
    return next((inner for inner in _expand_instance(head, results[head]) if inner.path == path), None)
