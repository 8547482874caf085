"""Vocabulary of shape inference: tensor shapes, named dimensions, explanations and layer errors.

Shape rules (in ``designer.core.layers``) return an :class:`Inferred` or raise :class:`LayerError`;
the engine stores them per node. Everything here is plain data that the GUI and CLI only display.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Shape = tuple[int, ...]
SymbolicShape = tuple[int | str, ...]  # a shape whose batch may read "N" (or "2N" after a Flatten over it)
BATCH_SYMBOL = "N"  # an Input's shape may start with it: any batch size


def batch_is_open(shape: object) -> bool:
    """Whether a given shape (an Input's ``shape`` param, or ``--input-shape``) leaves its batch open."""
    return isinstance(shape, (list, tuple)) and bool(shape) and shape[0] == BATCH_SYMBOL

_SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}

DIM_MEANINGS = {
    "N": "batch: how many samples go through together",
    "C": "channels: feature maps per sample (3 for an RGB image)",
    "F": "features: numbers per sample",
    "L": "length: positions along the sequence or signal",
    "D": "depth: slices of a volume or frames of a clip",
    "H": "height: rows of each feature map",
    "W": "width: columns of each feature map",
}


def dim_names(rank: int) -> tuple[str, ...]:
    """Conventional names of the axes of a batched tensor of ``rank`` dims: N, C, then D/H/W or L."""
    if rank <= 0:
        return ()
    if rank == 1:
        return ("F",)
    if rank == 2:
        return ("N", "F")
    spatial = rank - 2
    if spatial in _SPATIAL_NAMES:
        return ("N", "C", *_SPATIAL_NAMES[spatial])
    return ("N", "C", *(f"S{i + 1}" for i in range(spatial)))


def format_shape(shape: SymbolicShape) -> str:
    """``64×512×4×4``: the compact label drawn on an edge; a sum in N is bracketed (``(N+4)×3``)."""
    if not shape:
        return "scalar"
    if len(shape) == 1:
        return str(shape[0])
    return "×".join(f"({d})" if isinstance(d, str) and ("+" in d or "−" in d) else str(d) for d in shape)


def name_and_size(name: str, size: int | str, between: str = "=") -> str:
    """``C=512``; a size that is its own name (an open batch ``N``) is written once, not ``N=N``."""
    return name if str(size) == name else f"{name}{between}{size}"


def format_named(shape: SymbolicShape, names: tuple[str, ...] | None = None) -> str:
    """``N=64 · C=512 · H=4 · W=4``: every dimension named (an open batch reads ``N · C=512 · ...``);
    ``names`` are a layer's own (``N``, ``L``, ``E`` for a sequence), else the conventional ones by rank."""
    names = names if names is not None and len(names) == len(shape) else dim_names(len(shape))
    return " · ".join(name_and_size(n, d) for n, d in zip(names, shape)) or "scalar"


def format_count(n: int) -> str:
    """``819,712``: thousands separated so big counts stay readable."""
    return f"{n:,}"


def sentence(text: str) -> str:
    """``step between windows`` as a sentence: ``Step between windows.``"""
    text = text.strip()
    if not text:
        return text
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?", ")")) else ".")


def counted(n: int | str, noun: str, plural: str | None = None) -> str:
    """``1 layer``, ``3 layers``, ``1,024 samples``, ``N samples``: a count with its noun in the right number."""
    shown = format_count(n) if isinstance(n, int) else str(n)
    return f"{shown} {noun if n == 1 else plural or noun + 's'}"


@dataclass(frozen=True)
class DimNote:
    """How one output dimension got its size: ``formula`` in symbols, ``worked`` with the user's numbers."""

    label: str
    size: int
    formula: str = ""
    worked: str = ""

    def text(self) -> str:
        if not self.formula:
            return f"{self.label} = {self.size}"
        return f"{self.formula} = {self.worked}" if self.worked else self.formula


@dataclass(frozen=True)
class Inferred:
    """A shape rule's answer: the output shape, the reason for each dim, and teaching notes.

    ``shape`` is the first output; a layer with several outputs (LSTM, Chunk) lists them all in
    ``outputs``, one per output port. ``dtype`` is the element type of its outputs ("float32", "int64");
    None lets the engine decide from the inputs and the spec's ``int64_input``.
    """

    shape: Shape
    dims: tuple[DimNote, ...] = ()
    story: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    outputs: tuple[Shape, ...] = ()
    dtype: str | None = None

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """One shape per output port (a single-output layer: its shape)."""
        return self.outputs or (self.shape,)


def format_value(value: object) -> str:
    """A parameter value as the project file spells it: ``512``, ``[3, 3]``, ``'zeros'``, ``null``, ``true``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return repr(value)


@dataclass(frozen=True)
class Fix:
    """One repair as data: set ``params`` (a partial set of constructor arguments) on a node.

    ``node`` is the node id, or None for the node whose error carries the fix (a shape rule does not
    know ids); ``label`` is the button text, such as ``Set in_channels to 512``.
    """

    label: str
    params: dict
    node: str | None = None

    @classmethod
    def setting(cls, param: str, value: object, node: str | None = None, whose: str = "") -> Fix:
        """``Set in_channels to 512`` (``whose`` names another node: ``Set 'conv1' out_channels to 512``)."""
        target = f"{whose} {param}" if whose else param
        return cls(f"Set {target} to {format_value(value)}", {param: value}, node)

    def for_node(self, node_id: str) -> Fix:
        return self if self.node is not None else Fix(self.label, self.params, node_id)


@dataclass
class LayerError(Exception):
    """A configuration torch would reject, in words a beginner understands.

    ``param`` names the parameter to change (the inspector highlights it); ``fix`` is a suggested
    remedy in words when one is obvious, and ``fixes`` the repairs that can be applied in one click,
    recommended first (the sentence ends with the first one's label when ``fix`` is not given).
    ``backend_dependent`` marks the safe answer where torch itself refuses the configuration on some of
    its CPU paths and runs it on others (oneDNN or native, picked by the batch, thread count and build):
    the engine cannot know which one a user's torch takes, so it refuses.
    """

    message: str
    param: str | None = None
    fix: str | None = None
    extra: dict = field(default_factory=dict)
    fixes: tuple[Fix, ...] = ()
    backend_dependent: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.message)
        if self.fix is None and self.fixes:
            label = self.fixes[0].label
            self.fix = label[:1].lower() + label[1:]

    def sentence(self) -> str:
        return f"{self.message}; {self.fix}" if self.fix else self.message
