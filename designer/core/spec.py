"""Declarative layer specifications: the parameters, arity and rules of one layer type.

Each module in ``designer.core.layers`` lists its ``SPECS``; ``designer.core.catalog`` collects them.
A spec's ``infer`` receives a :class:`RuleContext` (resolved params, input shapes, names for
messages) and returns an :class:`~designer.core.shapes.Inferred` or raises a ``LayerError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designer.core.params import Kind
from designer.core.shapes import Inferred, Shape

_MISSING = object()
REQUIRED = _MISSING
SLIDES, SPREADS = "slides", "spreads"  # LayerSpec.window

FLOAT, INT = "float32", "int64"  # the element types a tensor in a design may have (an Input's ``dtype``)
DTYPES = (FLOAT, INT)


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters, for messages about values from untrusted files."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ParamSpec:
    """One constructor keyword argument: its name, kind, default (or REQUIRED) and a one-line help."""

    name: str
    kind: Kind
    default: Any = _MISSING
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is _MISSING


@dataclass(frozen=True)
class RuleContext:
    """What a shape rule sees: params with defaults filled in, the input shapes, and names for sentences."""

    type_name: str
    params: Mapping[str, Any]
    inputs: tuple[Shape, ...]
    label: str = ""
    sources: tuple[str, ...] = ()
    batch: int = 1  # the size standing in for an Input's open batch "N" in this pass
    dtypes: tuple[str, ...] = ()  # the inputs' element types by port ("float32", "int64"); empty: all float32

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    @property
    def shape(self) -> Shape:
        """The single input's shape (single-input layers)."""
        return self.inputs[0]

    def source(self, port: int = 0) -> str:
        return self.sources[port] if port < len(self.sources) else f"input {port}"

    def dtype(self, port: int = 0) -> str:
        return self.dtypes[port] if port < len(self.dtypes) else FLOAT


@dataclass(frozen=True)
class Term:
    """A param as an op's code sees it: ``code`` is what forward() writes (a literal, or a block's argument),
    ``value`` the value itself when ``code`` is a literal (``known``), so the code may pick a neater form."""

    code: str
    value: Any = None
    known: bool = True


@dataclass(frozen=True)
class LayerSpec:
    """Everything the app knows about one layer type, declared once in its family module.

    ``kind`` says how the exporter writes it: ``"module"`` (an ``nn.<type_name>`` attribute), ``"op"``
    (a call written in ``forward()``, such as ``torch.matmul(a, b)`` or ``x.permute(0, 2, 1)``: its
    ``code`` writes it), or one of the graph-level kinds ``"input"``, ``"concat"``, ``"output"``.
    ``max_inputs`` None means variadic; ``arity``, when given, says how many inputs the node takes with
    its params (``Mul`` takes two tensors, or one with a number ``other``). ``count_params`` equals ``sum(p.numel())`` of the module; a
    layer that declares ``weights`` gets it from them (so a new layer with weights states its tensors
    once, and statistics, explanations and the parameter count all follow). Every callable takes the
    resolved params (torch's defaults filled in).
    """

    type_name: str
    category: str
    description: str
    params: tuple[ParamSpec, ...]
    infer: Callable[[RuleContext], Inferred]
    count_params: Callable[[Mapping[str, Any]], int] = lambda p: 0
    min_inputs: int = 1
    max_inputs: int | None = 1
    kind: str = "module"
    summary: Callable[[Mapping[str, Any]], str] = field(default=lambda p: "")
    # Warnings about settings that are legal but likely unwanted (resolved params in, sentences out):
    # the engine adds them to the node's warnings, so every view shows them.
    advise: Callable[[Mapping[str, Any]], tuple[str, ...]] = field(default=lambda p: ())
    rank: int = 0  # the spatial dims it works over (Conv2d: 2, MaxPool3d: 3); 0 when it has none
    # How a sliding window relates input and output, for the solver and the overlap view: SLIDES (a conv or
    # pool: each output reads a window of the input), SPREADS (a transposed conv: each input writes a
    # window of the output), or "" (no window set by kernel_size, stride and padding).
    window: str = ""
    # The learnable tensors in torch's layout and order (``named_parameters()``): name and shape.
    weights: Callable[[Mapping[str, Any]], tuple[tuple[str, Shape], ...]] | None = None
    # Values saved with the model but not trained (BatchNorm's running statistics and batch counter).
    buffers: Callable[[Mapping[str, Any]], int] = field(default=lambda p: 0)
    # Multiply-accumulates of the weights in one forward pass, from (params, input shapes, output shape):
    # the count and its formula with the numbers; None multiplies no weights.
    macs: Callable[[Mapping[str, Any], Sequence[Shape], Shape], tuple[int, str]] | None = None
    # The rest of the arithmetic, likewise; None: the general rule of ``stats`` for the layer's category.
    other_ops: Callable[[Mapping[str, Any], Sequence[Shape], Shape], tuple[int, str]] | None = None
    # An op's expression in forward(), from its inputs' variables and its resolved params as code.
    code: Callable[[Sequence[str], Mapping[str, Term]], str] | None = None
    # (fewest, most) inputs with these given params; None: always (min_inputs, max_inputs).
    arity: Callable[[Mapping[str, Any]], tuple[int, int | None]] | None = None
    # What the layer does with an int64 tensor (token ids), as torch does: "refuse" (torch raises: Linear,
    # Conv, norms), "keep" (an int64 result: ReLU, MaxPool2d, padding), "float" (a float32 result: Sigmoid),
    # "index" (it needs int64 and refuses floats: Embedding). Graph-level kinds promote like torch's ``+``.
    int64_input: str = "refuse"
    # How many outputs the settings give (None: it depends on the input's size, as Split by a size does);
    # the shape rule's ``Inferred.outputs`` gives the exact shapes. Names of the ports, when they have names
    # (LSTM: output, h_n, c_n; MultiheadAttention's inputs: query, key, value).
    output_count: Callable[[Mapping[str, Any]], int | None] = field(default=lambda p: 1)
    output_names: tuple[str, ...] = ()
    input_names: tuple[str, ...] = ()
    # How forward() unpacks a module's several outputs into variables: "{0}, ({1}, {2})" for LSTM's
    # (output, (h_n, c_n)); empty: a flat tuple of them all.
    output_pattern: str = ""
    # An op whose call returns a tuple even of one tensor (``x.chunk(1)``): forward() always unpacks it.
    tuple_result: bool = False

    def __post_init__(self) -> None:
        if self.weights is not None:
            weights = self.weights
            object.__setattr__(self, "count_params", lambda p: weights_count(weights(p)))

    def input_range(self, given: Mapping[str, Any]) -> tuple[int, int | None]:
        """(fewest, most) inputs a node of this type takes with its given params; most None: any number."""
        if self.arity is not None:
            return self.arity(given)
        return self.min_inputs, self.max_inputs

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def output_name(self, port: int) -> str:
        """``h_n`` for LSTM's port 1; ``output 2`` where the ports have no names."""
        return self.output_names[port] if port < len(self.output_names) else f"output {port}"

    def input_name(self, port: int) -> str:
        return self.input_names[port] if port < len(self.input_names) else f"input {port}"

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def check_params(self, given: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Problems with ``given`` as (param, sentence): unknown names, missing required ones, wrong types."""
        problems = []
        known = {p.name: p for p in self.params}
        for name, value in given.items():
            spec = known.get(name)
            if spec is None:
                hint = f"; {self.type_name} takes {', '.join(known)}" if known else f"; {self.type_name} takes none"
                problems.append((name, f"{self.type_name} has no parameter {name!r}{hint}"))
            elif not spec.kind.accepts(value):
                problems.append((name, f"{name} must be {spec.kind.describe()}, got {short_repr(value)}"))
        for spec in self.params:
            if spec.required and spec.name not in given:
                problems.append((spec.name, f"{spec.name} is required for {self.type_name}"))
        return problems

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Given params completed with torch's defaults (required ones must be present)."""
        out = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = given[p.name]
            elif not p.required:
                out[p.name] = p.default
        return out

    def signature(self) -> str:
        """``Conv2d(in_channels, out_channels, kernel_size, stride=1, ...)`` for tooltips."""
        parts = [p.name if p.required else f"{p.name}={p.default!r}" for p in self.params]
        return f"{self.type_name}({', '.join(parts)})"


def weights_count(weights: Sequence[tuple[str, Shape]]) -> int:
    """How many numbers the tensors hold (a negative size, which torch refuses, counts as 0)."""
    total = 0
    for _, shape in weights:
        size = 1
        for d in shape:
            size *= max(d, 0)
        total += size
    return total


def moves_values_only(params: Mapping[str, Any], inputs: Sequence[Shape], out: Shape) -> tuple[int, str]:
    """``other_ops`` of a layer that only moves or marks values (a reshape, a shuffle): none."""
    return 0, "0 (moves or marks values, computes none)"
