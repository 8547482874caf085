"""How PyTorch's arithmetic and shape calls become the Math and Shape ops, for the importer (torch lazily).

One traced call (``x * y``, ``torch.mul``, ``x.mean(dim=...)``, ``x.permute(0, 2, 1)``, ``x[:, 0, 1:3]``,
``x.view(...)``) becomes one op, or for an index a chain of them (Select, Slice, Unsqueeze), each with its
settings in torch's own argument names. The mapper hands in how it sees each argument (a tensor with
its traced shape, or a plain value); anything the ops cannot express exactly is refused with a sentence.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from designer.core.import_rules import IDENTITY, Unmappable, reshape_settings


@dataclass(frozen=True)
class Tensor:
    """An argument that is a tensor the model computed: its traced node and shape."""

    node: Any
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Op:
    """One design node to add: its type, params and inputs (traced nodes, or PREVIOUS: the op before)."""

    type_name: str
    params: dict[str, Any]
    inputs: tuple[Any, ...]
    shape: tuple[int, ...]


class Sized(int):
    """A number the model computed from tensor sizes (``x.size(0)``): what torch saw, marked as such."""


PREVIOUS = object()
_BINARY = {"add": "Add", "mul": "Mul", "sub": "Sub", "truediv": "Div", "div": "Div"}


@functools.cache
def keys() -> dict[Any, str]:
    """Call key (the function, ``("method", name)`` or ``("aten", name)``) → what it computes."""
    import torch

    table: dict[Any, str] = {}
    for name, kind in (("add", "add"), ("mul", "mul"), ("sub", "sub"), ("truediv", "truediv"), ("matmul", "matmul")):
        table[getattr(operator, name)] = kind
        table[getattr(operator, "i" + name)] = kind
    for function, kind in (
        (torch.add, "add"), (torch.mul, "mul"), (torch.multiply, "mul"), (torch.sub, "sub"), (torch.subtract, "sub"),
        (torch.div, "div"), (torch.divide, "div"), (torch.true_divide, "truediv"), (torch.matmul, "matmul"),
        (torch.mm, "matmul"), (torch.bmm, "matmul"), (torch.mean, "mean"), (torch.sum, "sum"), (torch.permute, "permute"),
        (torch.transpose, "transpose"), (torch.swapaxes, "transpose"), (torch.swapdims, "transpose"), (torch.squeeze, "squeeze"),
        (torch.unsqueeze, "unsqueeze"), (torch.select, "select"), (torch.narrow, "narrow"), (torch.reshape, "reshape"),
        (operator.getitem, "getitem"),
    ):
        table[function] = kind
    methods = {
        "add": "add", "add_": "add", "__add__": "add", "__radd__": "add", "__iadd__": "add", "mul": "mul", "mul_": "mul",
        "__mul__": "mul", "__rmul__": "mul", "multiply": "mul", "sub": "sub", "sub_": "sub", "__sub__": "sub",
        "subtract": "sub", "div": "div", "div_": "div", "divide": "div", "true_divide": "truediv", "__truediv__": "truediv",
        "matmul": "matmul", "__matmul__": "matmul", "mm": "matmul", "bmm": "matmul", "mean": "mean", "sum": "sum",
        "permute": "permute", "transpose": "transpose", "swapaxes": "transpose", "swapdims": "transpose",
        "squeeze": "squeeze", "unsqueeze": "unsqueeze", "select": "select", "narrow": "narrow", "expand": "expand",
        "expand_as": "expand_as", "view": "reshape", "reshape": "reshape", "__getitem__": "getitem",
    }
    table.update({("method", m): kind for m, kind in methods.items()})
    aten = {
        "add": "add", "mul": "mul", "sub": "sub", "div": "div", "matmul": "matmul", "mm": "matmul", "bmm": "matmul",
        "mean": "mean", "sum": "sum", "permute": "permute", "transpose": "transpose", "squeeze": "squeeze",
        "unsqueeze": "unsqueeze", "select": "select", "slice": "slice", "narrow": "narrow", "expand": "expand",
        "view": "reshape", "reshape": "reshape", "_unsafe_view": "reshape",
    }
    table.update({("aten", a): kind for a, kind in aten.items()})
    return table


@functools.cache
def several_keys() -> dict[Any, str]:
    """Call key → ``chunk``, ``split`` or ``unbind``: the calls returning several tensors that Chunk, Split and
    Select compute."""
    import torch

    table: dict[Any, str] = {torch.chunk: "chunk", torch.split: "split", torch.unbind: "unbind"}
    table[torch.split_with_sizes] = "split"
    for name, kind in (("chunk", "chunk"), ("split", "split"), ("split_with_sizes", "split"), ("unbind", "unbind")):
        table[("method", name)] = kind
        table[("aten", name)] = kind
    return table


@functools.cache
def attention_keys() -> frozenset:
    """``F.scaled_dot_product_attention`` in its function and aten spellings."""
    import torch.nn.functional as F

    return frozenset({F.scaled_dot_product_attention, ("aten", "scaled_dot_product_attention")})


@functools.cache
def arange_keys() -> frozenset:
    """``torch.arange`` in its function and aten spellings."""
    import torch

    return frozenset({torch.arange, ("aten", "arange")})


def positions(args: tuple, kwargs: dict[str, Any], value: Callable[[Any], Any]) -> range:
    """The numbers ``torch.arange(...)`` counts, from sizes only (its dtype and device change no position)."""
    numbers = [value(a) for a in args] + [value(kwargs[k]) for k in ("start", "end", "step") if k in kwargs]
    if not numbers or len(numbers) > 3 or not all(type(n) is int for n in numbers):
        raise Unmappable(f"it counts {numbers!r}, which are not whole numbers")
    return range(*numbers)


_SPLIT_NAMES = {"chunk": ("chunks", "dim"), "split": ("split_size_or_sections", "dim"), "unbind": ("dim",)}
_ALIASES = {"split_size": "split_size_or_sections", "split_sizes": "split_size_or_sections"}


def split_settings(kind: str, args: tuple, kwargs: dict[str, Any], value: Callable[[Any], Any]) -> tuple[Any, dict[str, Any]]:
    """(the tensor argument, the Chunk/Split params or unbind's dim) of a call from :func:`several_keys`;
    ``value`` reads an argument's plain value (sizes computed from tensor sizes are what torch saw)."""
    kwargs = {_ALIASES.get(k, k): v for k, v in kwargs.items()}
    first = next((kwargs.pop(k) for k in ("input", "self", "tensor") if k in kwargs), None)
    if first is None:
        if not args:
            raise Unmappable("it takes no tensor")
        first, args = args[0], args[1:]
    names = _SPLIT_NAMES[kind]
    if len(args) > len(names) or any(k not in names for k in kwargs):
        raise Unmappable(f"its arguments beyond {' and '.join(names)} have no equivalent")
    given = {**dict(zip(names, args)), **kwargs}
    params = {k: _plain(value(v)) for k, v in given.items()}
    params.setdefault("dim", 0)
    for name, setting in params.items():
        sizes = setting if isinstance(setting, list) and name == "split_size_or_sections" else [setting]
        if not sizes or not all(type(v) is int for v in sizes):
            raise Unmappable(f"its {name} {setting!r} is not a number{' or a list of numbers' if name.startswith('split') else ''}")
    if "chunks" not in params and kind == "chunk" or "split_size_or_sections" not in params and kind == "split":
        raise Unmappable("it is called without its size")
    return first, params


def ops(kind: str, args: tuple, kwargs: dict[str, Any], seen: Callable[[Any], Any], out: tuple[int, ...]) -> list[Op]:
    """The ops computing ``kind`` called with ``args``/``kwargs``; ``seen`` turns an argument into a
    :class:`Tensor` or its plain value (raising Unmappable for values computed from tensor contents)."""
    args = tuple(seen(a) for a in args)
    kwargs = {k: seen(v) for k, v in kwargs.items()}
    first = kwargs.pop("input", None) or kwargs.pop("self", None)
    if first is None:
        if not args:
            raise Unmappable("it takes no tensor")
        first, args = args[0], args[1:]
    if kind in _BINARY:
        op = _binary(kind, first, args, kwargs, out)
        return [replace(op, params=_plain(op.params))]
    if not isinstance(first, Tensor):
        raise Unmappable(f"it works on {first!r}, not on a tensor the model computed")
    if kind == "matmul":
        other = args[0] if args else kwargs.pop("other", kwargs.pop("mat2", None))
        if not isinstance(other, Tensor):
            raise Unmappable("it multiplies by something other than a tensor the model computed")
        return [Op("MatMul", {}, (first.node, other.node), out)]
    if kind == "expand_as":  # a dim the tensor already has at that size is kept (-1), so an open batch stays open
        lead = len(out) - len(first.shape)
        size = [-1 if i >= lead and first.shape[i - lead] == s else s for i, s in enumerate(out)]
        return [Op("Expand", {"size": size}, (first.node,), out)]
    if kind == "getitem":
        return [replace(op, params=_plain(op.params)) for op in _index(first, args[0] if args else kwargs.get("idx"), out)]
    handler = _SINGLE.get(kind)
    if handler is None:
        raise Unmappable("the designer has no layer for it")
    type_name, params = handler(first, list(args), kwargs, out)
    if type_name == IDENTITY:
        return []
    return [Op(type_name, _plain(params), (first.node,), out)]


def _plain(value: Any) -> Any:
    """Params as plain JSON values (a :class:`Sized` becomes the int it is)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return int(value) if isinstance(value, Sized) else value


def _binary(kind: str, first: Any, args: tuple, kwargs: dict[str, Any], out: tuple[int, ...]) -> Op:
    type_name = _BINARY[kind]
    other = args[0] if args else kwargs.pop("other", None)
    alpha = args[1] if len(args) > 1 else kwargs.pop("alpha", 1)
    rounding = kwargs.pop("rounding_mode", None)
    if alpha != 1 or rounding is not None or kwargs or len(args) > 2:
        shown = f"alpha={alpha!r}" if alpha != 1 else f"rounding_mode={rounding!r}" if rounding else "its other arguments"
        raise Unmappable(f"{shown} has no {type_name} equivalent")
    if isinstance(first, Tensor) and isinstance(other, Tensor):
        return Op(type_name, {}, (first.node, other.node), out)
    tensor, number = (first, other) if isinstance(first, Tensor) else (other, first)
    if not isinstance(tensor, Tensor) or isinstance(number, bool) or not isinstance(number, (int, float)):
        raise Unmappable(f"it combines {first!r} and {other!r}; {type_name} takes tensors and numbers")
    if tensor is other and type_name in ("Sub", "Div"):
        raise Unmappable(f"the number comes first ({number!r} {'-' if type_name == 'Sub' else '/'} x), and {type_name} takes it second")
    return Op(type_name, {"other": number}, (tensor.node,), out)


def _dims(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def _reduce(type_name: str):
    def handler(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
        dim = args.pop(0) if args else kwargs.pop("dim", kwargs.pop("axis", None))
        keep = args.pop(0) if args else kwargs.pop("keepdim", False)
        if kwargs.pop("dtype", None) is not None or args or kwargs:
            raise Unmappable(f"its arguments beyond dim and keepdim have no {type_name} equivalent")
        params: dict[str, Any] = {}
        if dim is not None:
            params["dim"] = _dims(dim)
        if keep:
            params["keepdim"] = True
        return type_name, params

    return handler


def _permute(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    dims = kwargs.pop("dims", None)
    if dims is None:
        dims = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    return "Permute", {"dims": [int(d) for d in dims]}


def _transpose(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    values = [*args, *(kwargs[k] for k in ("dim0", "dim1", "axis0", "axis1") if k in kwargs)]
    return "Transpose", {"dim0": values[0], "dim1": values[1]}


def _squeeze(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    dim = args[0] if args else kwargs.get("dim")
    return "Squeeze", ({} if dim is None else {"dim": _dims(dim)})


def _unsqueeze(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    return "Unsqueeze", {"dim": args[0] if args else kwargs["dim"]}


def _select(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    values = [*args, *(kwargs[k] for k in ("dim", "index") if k in kwargs)]
    return "Select", {"dim": values[0], "index": values[1]}


def _slice(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    names = ("dim", "start", "end", "step")
    given = dict(zip(names, args)) | {k: v for k, v in kwargs.items() if k in names}
    params = _no_huge_end({k: v for k, v in given.items() if v != {"dim": 0, "start": None, "end": None, "step": 1}[k]}, x)
    if params.get("start", 0) == 0 and "end" not in params and params.get("step", 1) == 1:
        return IDENTITY, {}  # the whole dim (aten writes x[:, 1] as a slice of dim 0, then a select)
    return "Slice", params


def _narrow(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    dim, start, length = [*args, *(kwargs[k] for k in ("dim", "start", "length") if k in kwargs)]
    begin = start + x.shape[dim] if start < 0 else start
    return "Slice", {"dim": dim, "start": begin, "end": begin + length}


def _expand(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    """A size read off the tensor itself (``x.expand(x.size(0), -1, 4)``) that keeps its dim is written -1,
    so the design follows that dim (an open batch) instead of fixing the traced size."""
    size = list(kwargs.get("size", args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args))
    lead = len(size) - len(x.shape)
    for i, s in enumerate(size):
        if isinstance(s, Sized) and i >= lead and x.shape[i - lead] == s:
            size[i] = -1
    return "Expand", {"size": [int(s) for s in size]}


def _reshape(x: Tensor, args: list, kwargs: dict, out) -> tuple[str, dict]:
    """Flatten, Unflatten or nothing where the sizes say so (as before); else a Reshape to the traced sizes,
    keeping a -1 the code wrote (so a batch it leaves open stays open)."""
    try:
        return reshape_settings(x.shape, out)
    except Unmappable:
        pass
    wanted = kwargs.get("shape", kwargs.get("size", args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args))
    sizes = list(out)
    if len(wanted) != len(sizes):
        return "Reshape", {"shape": sizes}
    read = [i for i, w in enumerate(wanted) if isinstance(w, Sized)]
    if len(read) == 1:
        # ``x.view(x.size(0), 4, -1)``: the size read off a tensor (the batch, usually) becomes the -1, and the
        # code's own -1 the size torch worked out, so the design follows that size as the model does.
        return "Reshape", {"shape": [-1 if i == read[0] else s for i, s in enumerate(sizes)]}
    return "Reshape", {"shape": [-1 if w == -1 else s for w, s in zip(wanted, sizes)]}


_SINGLE = {
    "mean": _reduce("Mean"),
    "sum": _reduce("Sum"),
    "permute": _permute,
    "transpose": _transpose,
    "squeeze": _squeeze,
    "unsqueeze": _unsqueeze,
    "select": _select,
    "slice": _slice,
    "narrow": _narrow,
    "expand": _expand,
    "reshape": _reshape,
}


def _no_huge_end(params: dict[str, Any], x: Tensor) -> dict[str, Any]:
    """aten's spelling of "to the end" is the largest int64; a design writes null."""
    if isinstance(params.get("end"), int) and params["end"] >= 2**62:
        del params["end"]
    return params


def _index(x: Tensor, index: Any, out: tuple[int, ...]) -> list[Op]:
    """``x[:, 0, 1:3]``, ``x[..., -1]``, ``x[:, None]``: Select, Slice and Unsqueeze ops, one per position."""
    import torch

    items = list(index) if isinstance(index, tuple) else [index]
    if any(isinstance(i, (Tensor, bool, list)) for i in items) or sum(i is Ellipsis for i in items) > 1:
        raise Unmappable("it indexes with tensors, lists or booleans; only numbers, slices, ... and None map to layers")
    real = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * max(len(x.shape) - real, 0)
    planned: list[tuple[str, dict[str, Any]]] = []
    dim = 0
    for item in items:
        if item is None:
            planned.append(("Unsqueeze", {"dim": dim}))
            dim += 1
        elif isinstance(item, int):
            planned.append(("Select", {"dim": dim, "index": item}))
        elif isinstance(item, slice):
            if (item.start, item.stop, item.step) != (None, None, None):
                params = {"dim": dim, "start": item.start, "end": item.stop, "step": item.step}
                planned.append(("Slice", {k: v for k, v in params.items() if v is not None and not (k == "step" and v == 1)}))
            dim += 1
        else:
            raise Unmappable(f"it indexes with {item!r}; only numbers, slices, ... and None map to layers")
    value = torch.empty(x.shape, device="meta")
    result: list[Op] = []
    for type_name, params in planned:
        if type_name == "Select":
            value = value.select(params["dim"], params["index"])
        elif type_name == "Unsqueeze":
            value = value.unsqueeze(params["dim"])
        else:
            value = torch.ops.aten.slice(value, params["dim"], params.get("start"), params.get("end"), params.get("step", 1))
        result.append(Op(type_name, params, (PREVIOUS if result else x.node,), tuple(value.shape)))
    if result and result[-1].shape != tuple(out):
        raise Unmappable("its index picks values in a way the designer's Select and Slice do not")
    return result
