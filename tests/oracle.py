"""torch as the oracle: run one layer on real CPU tensors and compare with the engine's answer."""

from __future__ import annotations

import warnings
from typing import Any

from designer.core import catalog
from designer.core.engine import NodeResult, ShapeEngine
from designer.core.graph import Edge, Graph, Node


def to_torch_value(value: Any) -> Any:
    """Lists become tuples, as the exporter writes them."""
    if isinstance(value, list):
        return tuple(to_torch_value(v) for v in value)
    return value


def torch_module(type_name: str, params: dict):
    from torch import nn

    kwargs = {k: to_torch_value(v) for k, v in params.items()}
    return getattr(nn, type_name)(**kwargs)


def torch_apply(type_name: str, params: dict, inputs: list):
    """One node's work in torch on ``inputs``: (output tensor, module or None for graph-level nodes)."""
    import torch

    kind = catalog.get(type_name).kind
    if kind == "input":
        if params.get("dtype") == "int64":
            return torch.zeros(tuple(params["shape"]), dtype=torch.int64), None
        return torch.randn(*params["shape"]), None
    if kind == "op":
        return torch_op(type_name, catalog.get(type_name).resolve(params), inputs), None
    if kind == "concat":
        return torch.cat(inputs, dim=params.get("dim", 1)), None
    if kind == "output":
        return inputs[0], None
    if kind == "parameter":  # what the exporter writes: an nn.Parameter attribute of a module
        holder = torch.nn.Module()
        holder.register_parameter("data", torch.nn.Parameter(torch.zeros(tuple(params["shape"]))))
        return holder.data, holder
    module = torch_module(type_name, params).eval()
    return module(*inputs), module


def torch_op(type_name: str, p: dict, inputs: list):
    """An op node's work written with torch directly (never through the designer's own export code)."""
    import operator

    import torch

    binary = {"Add": operator.add, "Mul": operator.mul, "Sub": operator.sub, "Div": operator.truediv}
    if type_name in binary:
        if p.get("other") is not None:
            assert len(inputs) == 1, "a number other takes the place of the second input"
            return binary[type_name](inputs[0], p["other"])
        out = inputs[0]
        for t in inputs[1:]:
            out = binary[type_name](out, t)
        return out
    (x, *rest) = inputs
    if type_name == "MatMul":
        return torch.matmul(x, *rest)
    if type_name in ("Mean", "Sum"):
        dim = to_torch_value(p["dim"])
        return getattr(torch, type_name.lower())(x, dim=dim, keepdim=p["keepdim"])
    if type_name == "Reshape":
        return torch.reshape(x, to_torch_value(p["shape"]))
    if type_name == "Permute":
        return torch.permute(x, to_torch_value(p["dims"]))
    if type_name == "Transpose":
        return torch.transpose(x, p["dim0"], p["dim1"])
    if type_name == "Squeeze":
        return torch.squeeze(x) if p["dim"] is None else torch.squeeze(x, to_torch_value(p["dim"]))
    if type_name == "Unsqueeze":
        return torch.unsqueeze(x, p["dim"])
    if type_name == "Select":
        return torch.select(x, p["dim"], p["index"])
    if type_name == "Slice":
        if p["step"] <= 0:  # aten.slice itself refuses it too, but Python's x[::0] is the spelling users write
            return x[..., :: p["step"]]
        return torch.ops.aten.slice.Tensor(x, p["dim"], p["start"], p["end"], p["step"])
    if type_name == "Expand":
        return x.expand(*p["size"])
    if type_name == "Chunk":
        return torch.chunk(x, p["chunks"], p["dim"])
    if type_name == "Split":
        return torch.split(x, p["split_size_or_sections"], p["dim"])
    raise AssertionError(f"no torch oracle for {type_name}")


def torch_tensors(input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None) -> list:
    """One tensor per input: random floats, or zeros (valid indices everywhere) for an int64 input."""
    import torch

    dtypes = dtypes or ["float32"] * len(input_shapes)
    return [
        torch.zeros(tuple(s), dtype=torch.int64) if d == "int64" else torch.randn(tuple(s))
        for s, d in zip(input_shapes, dtypes)
    ]


def flat_outputs(out) -> list:
    """A module's result as a flat list of tensors: LSTM's (output, (h_n, c_n)) gives three."""
    if isinstance(out, (tuple, list)):
        return [t for part in out for t in flat_outputs(part)]
    return [out]


def torch_outputs(type_name: str, params: dict, input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None):
    """(every output's shape, their dtypes, parameter count) from torch, or the exception torch raised."""
    import torch

    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            out, module = torch_apply(type_name, params, torch_tensors(input_shapes, dtypes))
            tensors = flat_outputs(out)
            count = sum(p.numel() for p in module.parameters()) if module else 0
            dtypes_out = tuple(str(t.dtype).removeprefix("torch.") for t in tensors)
            return tuple(tuple(t.shape) for t in tensors), dtypes_out, count
    except Exception as exc:  # torch's refusal is the expected answer for invalid configurations
        return exc


def torch_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None):
    """(output shape, parameter count) from torch (the first output's), or the exception torch raised."""
    found = torch_outputs(type_name, params, input_shapes, dtypes)
    if isinstance(found, Exception):
        return found
    shapes, _, count = found
    return shapes[0], count


def single_layer(type_name: str, params: dict, input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None) -> Graph:
    """One layer fed by one Input per port (of the given dtypes; float32 by default)."""
    graph = Graph()
    for i, shape in enumerate(input_shapes):
        extra = {"dtype": dtypes[i]} if dtypes and dtypes[i] != "float32" else {}
        graph.add_node(Node(f"x{i}", "Input", {"shape": list(shape), **extra}))
    graph.add_node(Node("layer", type_name, params))
    for i in range(len(input_shapes)):
        graph.connect(Edge(f"x{i}", "layer", i))
    return graph


def engine_run(type_name: str, params: dict, input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None) -> NodeResult:
    return ShapeEngine(single_layer(type_name, params, input_shapes, dtypes)).result("layer")


def backend_dependent_refusal(error, torch_shape: tuple[int, ...]) -> bool:
    """The engine's safe refusal of something torch runs only on some CPU paths (LayerError.backend_dependent).

    Accepted only where the cause is visible in torch's answer: an empty output, or a transposed
    convolution's dilation 0 on a 1-wide kernel (its ``param`` is dilation)."""
    if error is None or not error.backend_dependent:
        return False
    return 0 in torch_shape or error.param == "dilation"


def check_agreement(
    type_name: str, params: dict, input_shapes: list[tuple[int, ...]], dtypes: list[str] | None = None
) -> NodeResult:
    """Assert the engine and torch agree: the same shape on every output port, the same dtype and parameter
    count, or both refuse."""
    expected = torch_outputs(type_name, params, input_shapes, dtypes)
    got = engine_run(type_name, params, input_shapes, dtypes)
    where = f"{type_name}({params}) on {input_shapes}" + (f" of {dtypes}" if dtypes else "")
    if isinstance(expected, Exception):
        assert not got.ok, f"{where}: torch raised {type(expected).__name__}: {expected}, engine gave {got.shape}"
        assert got.error is not None and got.error.message, where
    elif backend_dependent_refusal(got.error, expected[0][0]):
        pass  # torch took the path that runs it; another torch (batch, threads, build) refuses it
    else:
        shapes, out_dtypes, count = expected
        assert got.ok, f"{where}: torch gave {shapes}, engine said: {got.message()}"
        assert got.shape == shapes[0], f"{where}: torch gave {shapes[0]}, engine gave {got.shape}"
        assert got.output_shapes == shapes, f"{where}: torch gave outputs {shapes}, engine gave {got.output_shapes}"
        assert got.dtype == out_dtypes[0], f"{where}: torch gave {out_dtypes[0]}, engine {got.dtype}"
        assert got.param_count == count, f"{where}: torch counts {count} parameters, engine {got.param_count}"
    return got
