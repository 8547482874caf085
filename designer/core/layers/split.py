"""Shape ops with several outputs: Chunk (``x.chunk(chunks, dim)``) and Split (``x.split(split_size_or_sections,
dim)``), each output port one piece, exactly as torch cuts them.

How many pieces there are follows torch: ``chunk`` cuts into pieces of ⌈size / chunks⌉ and so may give fewer
chunks than asked (5 positions in 4 chunks are 3 pieces of 2, 2, 1); ``split`` by a size gives ⌈size / split⌉
pieces, by a list one piece per entry. Because the count may follow the input's size, ``output_count`` is
None where the settings alone do not say it, and the shape rule's outputs are the truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.core.layers.common import describe_tensor
from designer.core.params import Integer, Ints
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, dim_names, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, Term, moves_values_only

_MOVES = " Nothing is computed or copied; no parameters."


def _axis(ctx, verb: str) -> tuple[int, int]:
    """(the wrapped dim, its size); torch refuses a 0-D tensor and a dim it does not have."""
    shape = ctx.shape
    rank = len(shape)
    if rank == 0:
        raise LayerError(f"{ctx.label} {verb} along a dim, but {ctx.source()} gives a single number (a 0-D tensor)")
    dim = ctx["dim"]
    if not -rank <= dim < rank:
        raise LayerError(
            f"{ctx.label}: dim {dim} does not exist in {describe_tensor(shape)} from {ctx.source()} (use {-rank}..{rank - 1})",
            param="dim",
            fixes=(Fix.setting("dim", rank - 1),),
        )
    at = dim % rank
    return at, shape[at]


def _pieces(ctx, at: int, sizes: Sequence[int], story: list[str]) -> Inferred:
    """The outputs: the input with dim ``at`` cut into ``sizes``; notes on output 0, one story line per output."""
    shape = ctx.shape
    names = dim_names(len(shape))
    outputs = tuple(tuple(s if d != at else size for d, s in enumerate(shape)) for size in sizes)
    first = outputs[0]
    notes = tuple(
        DimNote(n, s, f"{n}_out = {n}_in", f"{s} (unchanged)") if d != at else DimNote(n, s, _formula(ctx), _worked(ctx, s))
        for d, (n, s) in enumerate(zip(names, first))
    )
    listing = ", ".join(f"output {i}: {format_shape(o)}" for i, o in enumerate(outputs))
    story.append(f"{counted(len(outputs), 'output')}, one per piece ({listing}).{_MOVES}")
    empty = [i for i, size in enumerate(sizes) if size == 0]
    warnings = ()
    if empty and shape[at]:
        warnings = (f"Output {empty[0]} is empty ({names[at]} = 0): no later layer can use an empty tensor.",)
    return Inferred(first, notes, tuple(story), warnings, outputs=outputs)


def _formula(ctx) -> str:
    """The formula of the cut dim of output 0."""
    names = dim_names(len(ctx.shape))
    at = ctx["dim"] % len(ctx.shape)
    n = names[at]
    if ctx.type_name == "Chunk":
        return f"{n}_0 = ⌈{n}_in / chunks⌉"
    if isinstance(ctx["split_size_or_sections"], int):
        return f"{n}_0 = split_size_or_sections (the last piece takes what is left)"
    return f"{n}_0 = split_size_or_sections[0]"


def _worked(ctx, size: int) -> str:
    at = ctx["dim"] % len(ctx.shape)
    if ctx.type_name == "Chunk":
        return f"⌈{ctx.shape[at]} / {ctx['chunks']}⌉ = {size}" if ctx.shape[at] else f"{size} (the dim is empty)"
    return str(size)


def _sum_text(sizes: Sequence[int]) -> str:
    return " + ".join(str(s) for s in sizes)


# ----- Chunk --------------------------------------------------------------------------------------
def _chunk_infer(ctx) -> Inferred:
    chunks = ctx["chunks"]
    if len(ctx.shape) and chunks <= 0:
        raise LayerError(
            f"{ctx.label}: chunks must be at least 1, got {chunks}", param="chunks", fixes=(Fix.setting("chunks", 2),)
        )
    at, size = _axis(ctx, "cuts")
    name = dim_names(len(ctx.shape))[at]
    if size == 0:  # torch keeps the count here: chunks empty pieces
        sizes = [0] * chunks
        story = [f"{name} (dim {at}) is empty, so torch gives {counted(chunks, 'empty piece')}, as many as chunks asks."]
        return _pieces(ctx, at, sizes, story)
    piece = -(-size // chunks)
    count = -(-size // piece)
    sizes = [piece] * (count - 1) + [size - piece * (count - 1)]
    story = [
        f"Cuts {name} = {size} (dim {at}) into pieces of ⌈{size} / {chunks}⌉ = {piece}: {_sum_text(sizes)} = {size}."
    ]
    if count < chunks:
        story.append(
            f"That is {counted(count, 'piece')}, not the {chunks} asked: pieces of {piece} cover the {size} positions "
            f"after ⌈{size} / {piece}⌉ = {count}, and torch.chunk returns fewer chunks rather than empty ones."
        )
    elif size % chunks:
        story.append(f"{size} is not a multiple of {chunks}, so the last piece is smaller ({sizes[-1]}).")
    return _pieces(ctx, at, sizes, story)


def _chunk_count(p: Mapping[str, Any]) -> int | None:
    """At most ``chunks``, but the exact count follows the input's size (see the module docstring)."""
    return None


# ----- Split --------------------------------------------------------------------------------------
def _split_infer(ctx) -> Inferred:
    given = ctx["split_size_or_sections"]
    rank = len(ctx.shape)
    if isinstance(given, int):
        if rank and given < 0:
            raise LayerError(
                f"{ctx.label}: split_size_or_sections must not be negative, got {given}",
                param="split_size_or_sections",
                fixes=(Fix.setting("split_size_or_sections", 1),),
            )
        at, size = _axis(ctx, "cuts")
        name = dim_names(rank)[at]
        if given == 0:
            if size:
                raise LayerError(
                    f"{ctx.label}: pieces of size 0 cannot cover {name} = {size} (dim {at}) of {format_shape(ctx.shape)} "
                    f"from {ctx.source()}; a size of 0 only splits an empty dim",
                    param="split_size_or_sections",
                    fixes=(Fix.setting("split_size_or_sections", size),),
                )
            return _pieces(ctx, at, [0], [f"{name} (dim {at}) is empty, so torch gives one empty piece."])
        count = max(-(-size // given), 1)
        sizes = [given] * (count - 1) + [size - given * (count - 1)]
        story = [
            f"Cuts {name} = {size} (dim {at}) into pieces of {given}: ⌈{size} / {given}⌉ = {count} "
            f"{'piece' if count == 1 else 'pieces'}, {_sum_text(sizes)} = {size}."
        ]
        if size and size % given:
            story.append(f"{size} is not a multiple of {given}, so the last piece takes the {sizes[-1]} left.")
        return _pieces(ctx, at, sizes, story)
    sections = list(given)
    at, size = _axis(ctx, "cuts")
    name = dim_names(rank)[at]
    if any(s < 0 for s in sections):
        raise LayerError(
            f"{ctx.label}: split_size_or_sections {sections} holds a negative size; every piece is 0 or more",
            param="split_size_or_sections",
        )
    if sum(sections) != size:
        raise LayerError(
            f"{ctx.label}: the sizes {sections} add up to {sum(sections)}, but {name} (dim {at}) of "
            f"{format_shape(ctx.shape)} from {ctx.source()} is {size}; they must add up to it exactly",
            param="split_size_or_sections",
            fix=f"make the sizes add up to {size}",
        )
    story = [f"Cuts {name} = {size} (dim {at}) into the sizes listed: {_sum_text(sections)} = {size}."]
    return _pieces(ctx, at, sections, story)


def _split_count(p: Mapping[str, Any]) -> int | None:
    sections = p.get("split_size_or_sections")
    return len(sections) if isinstance(sections, list) and all(isinstance(s, int) for s in sections) else None


def _list(value: Any) -> str:
    return "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)


def _code(method: str, first: str):
    def code(args: Sequence[str], p: Mapping[str, Term]) -> str:
        return f"{args[0]}.{method}({p[first].code}, dim={p['dim'].code})"

    return code


SPECS = [
    LayerSpec(
        "Chunk",
        "Shape",
        "Cuts a tensor into pieces along a dim (x.chunk(chunks, dim)), one output per piece; torch may give "
        "fewer chunks than asked (5 in 4 chunks: 2, 2, 1).",
        (
            ParamSpec("chunks", Integer(1), REQUIRED, "how many pieces to ask for (each ⌈size / chunks⌉)"),
            ParamSpec("dim", Integer(), 0, "the dim to cut (-1: the last)"),
        ),
        _chunk_infer,
        kind="op",
        code=_code("chunk", "chunks"),
        other_ops=moves_values_only,
        summary=lambda p: f"{p['chunks']} chunks, dim {p['dim']}",
        int64_input="keep",
        output_count=_chunk_count,
        tuple_result=True,
    ),
    LayerSpec(
        "Split",
        "Shape",
        "Cuts a tensor into pieces of a size, or of the sizes listed, along a dim (x.split(split_size_or_sections, "
        "dim)), one output per piece.",
        (
            ParamSpec(
                "split_size_or_sections",
                Ints(min_len=1, allow_scalar=True),
                REQUIRED,
                "the size of each piece (the last takes what is left), or a list of sizes adding up to the dim",
            ),
            ParamSpec("dim", Integer(), 0, "the dim to cut (-1: the last)"),
        ),
        _split_infer,
        kind="op",
        code=_code("split", "split_size_or_sections"),
        other_ops=moves_values_only,
        summary=lambda p: f"{_list(p['split_size_or_sections'])}, dim {p['dim']}",
        int64_input="keep",
        output_count=_split_count,
        tuple_result=True,
    ),
]

