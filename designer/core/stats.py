"""What a design costs: parameters, multiply-accumulates, activation memory and a training-memory estimate.

Everything is derived from the graph and the shape engine's results (no torch), per node and in total,
each number with its formula written out with the user's numbers. What a layer holds and computes is
declared on its ``LayerSpec`` in its family module (``weights``, ``buffers``, ``macs``, ``other_ops``);
this module only reads the engine (it never refreshes it), adds up and explains.

What is counted, and why:

* ``params``: learnable parameters, ``sum(p.numel() for p in module.parameters())`` (all trainable in
  a freshly built model). ``buffers``: state that is saved but not trained (BatchNorm's running mean
  and variance and its batch counter).
* ``macs``: multiply-accumulates of the weights in one forward pass, exactly half the FLOPs that
  ``torch.utils.flop_counter.FlopCounterMode`` counts, so biases are left out as it leaves them out.
  Convolution: one MAC per output position, per filter tap, per input channel of the group:
  ``N·C_out·prod(out)·(C_in/groups)·prod(kernel)``. A transposed convolution scatters every *input*
  position through the kernel, so it is ``N·C_in·prod(in)·(C_out/groups)·prod(kernel)`` (counting per
  output position here is the classic mistake of older counters). Linear: ``rows·in·out``.
  Pools, norms, activations, resampling and element-wise layers multiply no weights: 0 MACs.
* ``other_ops``: the rest of the arithmetic, roughly: a pool does one compare or add per window tap
  (``N·C·prod(out)·prod(kernel)``; adaptive pools: the exact sum of their window sizes); activations,
  norms, dropout and resampling one operation per output value; Add one per value per extra input;
  a bias one per output value; reshapes, padding, concatenation and the graph's Input/Output none.
* ``activation_elements``: the values in the node's output tensor (batch included), stored as float32
  (4 bytes each). The total sums the layers only: the model's input is reported apart, and an Output
  marker passes on the tensor it receives, which is already counted.
* training memory: float32 weights, gradients and Adam's two moment estimates (4 copies of every
  parameter, 16 bytes each), plus every tensor kept for the backward pass, estimated as the model's
  input plus every layer's output. Real use differs (in-place ops and views save memory, the
  framework adds workspace), so it is an estimate, labelled as one.
* an open batch (an Input's shape starting with "N"): the engine's sizes are those at N = 1, so every
  cost that grows with the batch is per sample; the report says so (``per_sample``), and each formula
  of a node whose size follows N says it is worked at N = 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from designer.core.engine import PRIMARY_BATCH, ShapeEngine
from designer.core.graph import Graph
from designer.core.layers.common import dot, product
from designer.core.shapes import BATCH_SYMBOL, Shape, SymbolicShape, format_count
from designer.core.spec import moves_values_only

BYTES_PER_ELEMENT = 4  # float32
TRAINING_COPIES = 4  # weights, gradients, Adam's exp_avg and exp_avg_sq
PER_SAMPLE = f"at N = {PRIMARY_BATCH}, per sample"


@dataclass(frozen=True)
class NodeStats:
    """One node's costs; ``formulas`` maps a field name to its formula with the node's numbers."""

    node_id: str
    type_name: str
    label: str
    status: str
    shape: Shape | None
    params: int
    buffers: int
    macs: int
    other_ops: int
    activation_elements: int
    weights: tuple[tuple[str, Shape], ...] = ()
    formulas: Mapping[str, str] = field(default_factory=dict)
    display_shape: SymbolicShape | None = None  # the size as people read it: N where it follows an open batch

    @property
    def trainable_params(self) -> int:
        return self.params

    @property
    def activation_bytes(self) -> int:
        return self.activation_elements * BYTES_PER_ELEMENT

    @property
    def follows_batch(self) -> bool:
        """Whether the size follows an open batch N (then its costs are per sample)."""
        return self.display_shape is not None and self.display_shape != self.shape

    def to_dict(self, open_batch: bool = False) -> dict[str, Any]:
        shown = self.display_shape if self.display_shape is not None else self.shape
        extra = {"shape_at_batch_1": list(self.shape) if self.shape is not None else None} if open_batch else {}
        return {
            "id": self.node_id,
            "type": self.type_name,
            "label": self.label,
            "status": self.status,
            "shape": list(shown) if shown is not None else None,
            **extra,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": 0,
            "buffers": self.buffers,
            "macs": self.macs,
            "other_ops": self.other_ops,
            "activation_elements": self.activation_elements,
            "activation_bytes": self.activation_bytes,
            "weights": {name: list(shape) for name, shape in self.weights},
            "formulas": dict(self.formulas),
        }


@dataclass(frozen=True)
class Totals:
    """The whole design: sums over the nodes and the training-memory estimate."""

    layers: int
    errors: int
    complete: bool
    params: int
    buffers: int
    macs: int
    other_ops: int
    input_elements: int
    activation_elements: int
    formulas: Mapping[str, str] = field(default_factory=dict)

    @property
    def trainable_params(self) -> int:
        return self.params

    @property
    def activation_bytes(self) -> int:
        return self.activation_elements * BYTES_PER_ELEMENT

    @property
    def input_bytes(self) -> int:
        return self.input_elements * BYTES_PER_ELEMENT

    @property
    def param_bytes(self) -> int:
        return (self.params + self.buffers) * BYTES_PER_ELEMENT

    @property
    def saved_for_backward_bytes(self) -> int:
        return self.input_bytes + self.activation_bytes

    @property
    def training_memory_bytes(self) -> int:
        return (
            TRAINING_COPIES * self.params * BYTES_PER_ELEMENT
            + self.buffers * BYTES_PER_ELEMENT
            + self.saved_for_backward_bytes
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "layers": self.layers,
            "errors": self.errors,
            "complete": self.complete,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": 0,
            "buffers": self.buffers,
            "macs": self.macs,
            "other_ops": self.other_ops,
            "input_elements": self.input_elements,
            "input_bytes": self.input_bytes,
            "activation_elements": self.activation_elements,
            "activation_bytes": self.activation_bytes,
            "param_bytes": self.param_bytes,
            "saved_for_backward_bytes": self.saved_for_backward_bytes,
            "training_memory_bytes": self.training_memory_bytes,
            "formulas": dict(self.formulas),
        }


@dataclass(frozen=True)
class ModelStats:
    """Per-node statistics in execution order, and the totals.

    ``per_sample``: some Input leaves its batch open, so the costs were worked out at N = 1.
    """

    nodes: dict[str, NodeStats]
    total: Totals
    per_sample: bool = False

    def to_dict(self) -> dict[str, Any]:
        batch = {"batch": BATCH_SYMBOL} if self.per_sample else {}
        return {
            **batch,
            "per_sample": self.per_sample,
            "nodes": [s.to_dict(self.per_sample) for s in self.nodes.values()],
            "total": self.total.to_dict(),
        }


def format_bytes(n: int) -> str:
    """``2.0 MiB``: binary units, one decimal."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_big(n: int) -> str:
    """``1.23 G``: a short form of a large count for tables and the status bar."""
    for size, suffix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= size:
            return f"{n / size:.2f} {suffix}"
    return str(n)


# ----- what a node holds and computes: declared on its LayerSpec -------------------------------------
def weight_shapes(spec, params: Mapping[str, Any]) -> tuple[tuple[str, Shape], ...] | None:
    """The learnable tensors of a layer in torch's own layout (``named_parameters()``), or None if unknown.

    ``params`` are resolved (defaults filled in). Layers without parameters give ``()``.
    """
    if spec.weights is not None:
        return tuple(spec.weights(params))
    return () if spec.count_params(params) == 0 else None


def _macs(spec, p, inputs: list[Shape], out: Shape) -> tuple[int, str]:
    if spec.macs is not None:
        return spec.macs(p, inputs, out)
    return 0, "0 (no weights are multiplied)"


def _other_ops(spec, p, inputs: list[Shape], out: Shape) -> tuple[int, str]:
    """The layer's own count when its spec declares one; else the rule for its category."""
    if spec.other_ops is not None:
        return spec.other_ops(p, inputs, out)
    elements = product(out)
    if spec.category in ("Activation", "Normalization", "Dropout", "Resampling"):
        return elements, f"one operation per output value = {format_count(elements)}"
    if p.get("bias") is True and spec.macs is not None:
        return elements, f"one bias addition per output value = {format_count(elements)}"
    return moves_values_only(p, inputs, out)


# ----- per node and total -----------------------------------------------------------------------
def _params_formula(weights, count: int, buffers: int) -> str:
    if weights is None:
        text = f"{format_count(count)} (from the layer's definition)"
    elif not weights:
        text = "0 (no learnable weights)"
    else:
        parts = [f"{name} {list(shape)} = {dot(shape) if len(shape) > 1 else shape[0]}" for name, shape in weights]
        text = " + ".join(parts) + f" → {format_count(count)}"
    if buffers:
        text += f"; plus {format_count(buffers)} saved but untrained values (running mean, variance, batch count)"
    return text


def node_stats(graph: Graph, engine: ShapeEngine, node_id: str) -> NodeStats:
    node = graph.node(node_id)
    spec = graph.spec(node.type_name)
    result = engine.result(node_id)
    if spec.kind == "block":
        return _instance_stats(node, result)
    resolved = spec.resolve(node.params)
    count = result.param_count or 0
    try:
        weights = weight_shapes(spec, resolved) if result.param_count is not None else ()
        buffers = spec.buffers(resolved)
    except (KeyError, TypeError, ValueError):
        weights, buffers = (), 0
    formulas = {"params": _params_formula(weights, count, buffers)}
    macs = ops = elements = 0
    if result.ok:
        shape = result.shape
        inputs = [engine.edge_shape(edge) for edge in graph.in_edges(node_id)]  # each from its own output port
        macs, formulas["macs"] = _macs(spec, resolved, inputs, shape)
        ops, formulas["other_ops"] = _other_ops(spec, resolved, inputs, shape)
        elements = product(shape)
        formulas["activation"] = (
            f"{dot(shape)} = {format_count(elements)} values × {BYTES_PER_ELEMENT} bytes (float32) = "
            f"{format_bytes(elements * BYTES_PER_ELEMENT)}"
        )
        if spec.kind == "output":
            formulas["activation"] += " (the same tensor as its input, not counted again in the total)"
        if result.display_shape != shape:
            counted = {"macs": macs, "other_ops": ops, "activation": elements}
            formulas.update((k, f"{formulas[k]}; {PER_SAMPLE}") for k, v in counted.items() if v)
    return NodeStats(
        node_id=node_id,
        type_name=node.type_name,
        label=node.label,
        status=result.status(),
        shape=result.shape,
        params=count,
        buffers=buffers,
        macs=macs,
        other_ops=ops,
        activation_elements=elements,
        weights=weights or (),
        formulas=formulas,
        display_shape=result.display_shape,
    )


def _instance_stats(node, result) -> NodeStats:
    """A block instance costs what the layers inside all its copies cost (each copy's own sizes)."""
    inner: list[NodeStats] = []
    for copy in result.inner.copies if result.inner is not None else ():
        engine = ShapeEngine(copy.graph)
        try:
            inner += [s for s in compute_stats(copy.graph, engine).nodes.values() if s.type_name != "Input"]
        finally:
            engine.close()
    layers = [s for s in inner if s.type_name != "Output"]
    copies = f" over {node.repeat} copies" if node.repeat and node.repeat > 1 else ""
    elements = sum(s.activation_elements for s in layers)
    formulas = {
        "params": f"sum over the layers inside{copies} = {format_count(result.param_count or 0)}",
        "macs": f"sum over the layers inside{copies} = {format_count(sum(s.macs for s in layers))}",
        "activation": f"every output inside{copies}: {format_count(elements)} values × {BYTES_PER_ELEMENT} bytes (float32)",
    }
    return NodeStats(
        node_id=node.id,
        type_name=node.type_name,
        label=node.label,
        status=result.status(),
        shape=result.shape,
        params=result.param_count or 0,
        buffers=sum(s.buffers for s in layers),
        macs=sum(s.macs for s in layers) if result.ok else 0,
        other_ops=sum(s.other_ops for s in layers) if result.ok else 0,
        activation_elements=elements if result.ok else 0,
        formulas=formulas,
        display_shape=result.display_shape,
    )


@dataclass(frozen=True)
class BlockTotals:
    """What the instances of one block cost together, summed over the design's top-level instances."""

    block: str
    instances: tuple[str, ...]  # node ids, in execution order
    params: int
    macs: int
    activation_elements: int

    def describe(self) -> str:
        uses = f"{len(self.instances)} use{'s' if len(self.instances) != 1 else ''}"
        return (f"{self.block} ({uses}): {format_count(self.params)} parameters, {format_count(self.macs)} "
                f"multiply-adds, {format_bytes(self.activation_elements * BYTES_PER_ELEMENT)} of outputs")


def per_block(graph: Graph, stats: ModelStats) -> list[BlockTotals]:
    """The design's costs per block (its top-level instances added up), in the order blocks are first used."""
    found: dict[str, list[NodeStats]] = {}
    for s in stats.nodes.values():
        if s.type_name in graph.blocks and graph.spec(s.type_name).kind == "block":
            found.setdefault(s.type_name, []).append(s)
    return [
        BlockTotals(name, tuple(s.node_id for s in uses), sum(s.params for s in uses), sum(s.macs for s in uses),
                    sum(s.activation_elements for s in uses))
        for name, uses in found.items()
    ]


def compute_stats(graph: Graph, engine: ShapeEngine) -> ModelStats:
    """Statistics of every node (execution order) and of the whole design."""
    nodes = {node_id: node_stats(graph, engine, node_id) for node_id in engine.order()}
    kinds = {node_id: graph.spec(s.type_name).kind for node_id, s in nodes.items()}
    layers = [s for node_id, s in nodes.items() if kinds[node_id] not in ("input", "output")]
    params = sum(s.params for s in nodes.values())
    buffers = sum(s.buffers for s in nodes.values())
    inputs = sum(s.activation_elements for node_id, s in nodes.items() if kinds[node_id] == "input")
    activations = sum(s.activation_elements for s in layers)
    totals = Totals(
        layers=len(layers),
        errors=sum(1 for s in nodes.values() if s.status == "error"),
        complete=all(s.status == "ok" for s in nodes.values()),
        params=params,
        buffers=buffers,
        macs=sum(s.macs for s in nodes.values()),
        other_ops=sum(s.other_ops for s in nodes.values()),
        input_elements=inputs,
        activation_elements=activations,
    )
    training = totals.training_memory_bytes
    per_sample = f" ({PER_SAMPLE})" if engine.symbolic else ""
    formulas = {
        "params": f"sum over the layers = {format_count(params)}",
        "macs": (
            f"sum over the layers = {format_count(totals.macs)} multiply-accumulates ({format_count(2 * totals.macs)} FLOPs)"
            f"{per_sample}"
        ),
        "activation": (
            f"sum of every layer's output = {format_count(activations)} values × {BYTES_PER_ELEMENT} bytes = "
            f"{format_bytes(totals.activation_bytes)}{per_sample}"
        ),
        "training_memory": (
            f"{TRAINING_COPIES}·params·4 B (weights, gradients, Adam's two moments) + buffers·4 B + "
            f"(input + every layer's output)·4 B kept for backward = {TRAINING_COPIES}·{format_count(params)}·4 + "
            f"{format_count(buffers)}·4 + ({format_count(inputs)} + {format_count(activations)})·4 = "
            f"{format_bytes(training)} (an estimate{'; activations ' + PER_SAMPLE if per_sample else ''})"
        ),
    }
    return ModelStats(nodes, replace(totals, formulas=formulas), engine.symbolic)
