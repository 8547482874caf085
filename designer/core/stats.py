"""What a design costs: parameters, multiply-accumulates, activation memory and a training-memory estimate.

Everything is derived from the graph and the shape engine's results (no torch), per node and in total,
each number with its formula written out with the user's numbers.

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

from designer.core import catalog
from designer.core.engine import PRIMARY_BATCH, ShapeEngine
from designer.core.graph import Graph
from designer.core.layers.common import expand, product, spatial_labels
from designer.core.shapes import BATCH_SYMBOL, Shape, SymbolicShape, format_count

BYTES_PER_ELEMENT = 4  # float32
_MOVES_ONLY = ("Identity", "PixelShuffle", "PixelUnshuffle")  # in computing categories, but only move values
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


def _dot(values) -> str:
    return "·".join(str(v) for v in values)


# ----- what a node holds ------------------------------------------------------------------------
def _spatial_rank(type_name: str) -> int:
    """3 for ``Conv3d``/``MaxPool3d``, 0 when the name carries no dimension."""
    if type_name.endswith("d") and type_name[-2:-1].isdigit():
        return int(type_name[-2])
    return 0


def weight_shapes(type_name: str, params: Mapping[str, Any]) -> tuple[tuple[str, Shape], ...] | None:
    """The learnable tensors of a layer in torch's own layout (``named_parameters()``), or None if unknown.

    ``params`` are resolved (defaults filled in). Layers without parameters give ``()``.
    """
    p = params
    n = _spatial_rank(type_name)
    if type_name.startswith(("Conv", "ConvTranspose")) and n:
        k = expand(p["kernel_size"], n)
        cin, cout, groups = p["in_channels"], p["out_channels"], p["groups"]
        transposed = type_name.startswith("ConvTranspose")
        weight = (cin, cout // groups, *k) if transposed else (cout, cin // groups, *k)
        return (("weight", weight),) + ((("bias", (cout,)),) if p["bias"] else ())
    if type_name == "Linear":
        out = p["out_features"]
        return (("weight", (out, p["in_features"])),) + ((("bias", (out,)),) if p["bias"] else ())
    if type_name.startswith(("BatchNorm", "InstanceNorm", "GroupNorm")):
        c = (p["num_channels" if type_name == "GroupNorm" else "num_features"],)
        return _affine(c, p["affine"], p.get("bias", True))
    if type_name == "LayerNorm":
        shape = tuple(expand(p["normalized_shape"], 1))
        return _affine(shape, p["elementwise_affine"], p.get("bias", True))
    if type_name == "PReLU":
        return (("weight", (p["num_parameters"],)),)
    if catalog.get(type_name).count_params(p) == 0:
        return ()
    return None


def _affine(shape: Shape, affine: bool, bias: bool) -> tuple[tuple[str, Shape], ...]:
    """A norm's learnable scale (and shift, unless bias=False), both shaped like what it normalizes."""
    if not affine:
        return ()
    return (("weight", shape), ("bias", shape)) if bias else (("weight", shape),)


def buffer_count(type_name: str, params: Mapping[str, Any]) -> int:
    """Values saved with the model but not trained: running mean, running variance and batch counter."""
    if type_name.startswith(("BatchNorm", "InstanceNorm")) and params.get("track_running_stats"):
        return 2 * params["num_features"] + 1
    return 0


# ----- arithmetic -------------------------------------------------------------------------------
def _conv_macs(type_name: str, p, inp: Shape, out: Shape) -> tuple[int, str]:
    n = _spatial_rank(type_name)
    batched = len(inp) == n + 2
    batch = inp[0] if batched else 1
    k = expand(p["kernel_size"], n)
    groups = p["groups"]
    cin, cout = p["in_channels"], p["out_channels"]
    if type_name.startswith("ConvTranspose"):
        spatial = inp[-n:]
        macs = batch * cin * product(spatial) * (cout // groups) * product(k)
        symbols = "N·C_in·" + "·".join(f"{s}_in" for s in spatial_labels(n)) + "·(C_out/groups)·" + _kernel_symbols(n)
        numbers = _dot((batch, cin, *spatial)) + f"·({cout}/{groups})·" + _dot(k)
        why = "every input position scatters its kernel into the output"
    else:
        spatial = out[-n:]
        macs = batch * cout * product(spatial) * (cin // groups) * product(k)
        symbols = "N·C_out·" + "·".join(f"{s}_out" for s in spatial_labels(n)) + "·(C_in/groups)·" + _kernel_symbols(n)
        numbers = _dot((batch, cout, *spatial)) + f"·({cin}/{groups})·" + _dot(k)
        why = "every output position sums one filter over its window"
    return macs, f"{symbols} = {numbers} = {format_count(macs)} ({why}; bias not counted)"


def _kernel_symbols(n: int) -> str:
    return "·".join(f"k{s}" for s in spatial_labels(n))


def _macs(type_name: str, p, inputs: list[Shape], out: Shape) -> tuple[int, str]:
    if type_name.startswith(("Conv", "ConvTranspose")) and _spatial_rank(type_name):
        return _conv_macs(type_name, p, inputs[0], out)
    if type_name == "Linear":
        rows = product(out[:-1])
        macs = rows * p["in_features"] * p["out_features"]
        return macs, (
            f"rows·in_features·out_features = {rows}·{p['in_features']}·{p['out_features']} = {format_count(macs)}"
            " (rows: every position except the last dim; bias not counted)"
        )
    return 0, "0 (no weights are multiplied)"


def _adaptive_taps(sizes_in: Shape, sizes_out: Shape) -> int:
    """Sum of the window sizes of an adaptive pool: window i spans ⌊i·in/out⌋ .. ⌈(i+1)·in/out⌉."""
    total = 1
    for size_in, size_out in zip(sizes_in, sizes_out):
        total *= sum(-(-(i + 1) * size_in // size_out) - (i * size_in // size_out) for i in range(size_out))
    return total


def _other_ops(type_name: str, p, inputs: list[Shape], out: Shape) -> tuple[int, str]:
    spec = catalog.get(type_name)
    elements = product(out)
    n = _spatial_rank(type_name)
    if spec.category == "Pooling" and n:
        spatial_in, spatial_out = inputs[0][-n:], out[-n:]
        lead = product(out[:-n])
        if type_name.startswith("Adaptive"):
            taps = _adaptive_taps(spatial_in, spatial_out)
            return lead * taps, f"N·C · Σ window sizes = {lead}·{taps} = {format_count(lead * taps)}"
        if "kernel_size" in p:
            k = expand(p["kernel_size"], n)
            ops = elements * product(k)
            return ops, f"output values · kernel taps = {elements}·{_dot(k)} = {format_count(ops)}"
    if spec.kind == "add":
        ops = elements * (len(inputs) - 1)
        return ops, f"output values · (inputs − 1) = {elements}·{len(inputs) - 1} = {format_count(ops)}"
    if spec.category in ("Activation", "Normalization", "Dropout", "Resampling") and type_name not in _MOVES_ONLY:
        return elements, f"one operation per output value = {format_count(elements)}"
    if p.get("bias") is True and (type_name == "Linear" or n and spec.category == "Convolution"):
        return elements, f"one bias addition per output value = {format_count(elements)}"
    return 0, "0 (moves or marks values, computes none)"


# ----- per node and total -----------------------------------------------------------------------
def _params_formula(weights, count: int, buffers: int) -> str:
    if weights is None:
        text = f"{format_count(count)} (from the layer's definition)"
    elif not weights:
        text = "0 (no learnable weights)"
    else:
        parts = [f"{name} {list(shape)} = {_dot(shape) if len(shape) > 1 else shape[0]}" for name, shape in weights]
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
    count = result.params or 0
    try:
        weights = weight_shapes(node.type_name, resolved) if result.params is not None else ()
        buffers = buffer_count(node.type_name, resolved)
    except (KeyError, TypeError, ValueError):
        weights, buffers = (), 0
    formulas = {"params": _params_formula(weights, count, buffers)}
    macs = ops = elements = 0
    if result.ok:
        shape = result.shape
        inputs = [engine.shape(src) for _, src in sorted(graph.inputs(node_id).items())]
        macs, formulas["macs"] = _macs(node.type_name, resolved, inputs, shape)
        ops, formulas["other_ops"] = _other_ops(node.type_name, resolved, inputs, shape)
        elements = product(shape)
        formulas["activation"] = (
            f"{_dot(shape)} = {format_count(elements)} values × {BYTES_PER_ELEMENT} bytes (float32) = "
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
        "params": f"sum over the layers inside{copies} = {format_count(result.params or 0)}",
        "macs": f"sum over the layers inside{copies} = {format_count(sum(s.macs for s in layers))}",
        "activation": f"every output inside{copies}: {format_count(elements)} values × {BYTES_PER_ELEMENT} bytes (float32)",
    }
    return NodeStats(
        node_id=node.id,
        type_name=node.type_name,
        label=node.label,
        status=result.status(),
        shape=result.shape,
        params=result.params or 0,
        buffers=sum(s.buffers for s in layers),
        macs=sum(s.macs for s in layers) if result.ok else 0,
        other_ops=sum(s.other_ops for s in layers) if result.ok else 0,
        activation_elements=elements if result.ok else 0,
        formulas=formulas,
        display_shape=result.display_shape,
    )


def compute_stats(graph: Graph, engine: ShapeEngine) -> ModelStats:
    """Statistics of every node (execution order) and of the whole design."""
    engine.refresh()
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
