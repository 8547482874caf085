"""Import an existing PyTorch model as a design (torch is imported lazily, only by this explicit command).

``import_model("net.py:ResNet", [(1, 3, 32, 32)])`` loads the file (running its code, as importing any
Python file does: only ever on the user's explicit request, never when a project opens), builds the
model with no arguments, traces it with torch.fx (torch.export where fx cannot follow the code), maps
every operation to a catalog layer (see :mod:`designer.core.import_rules`), lays the graph out, and
checks that every shape the engine computes equals what torch computed on real CPU tensors. Layers
keep the model's qualified names as ids (``layer1.0.conv1``), so ``export(..., keep_names=True)`` gives
code that loads the original ``state_dict``; the model's submodules then become blocks whose layers keep
the names below them (:mod:`designer.core.import_blocks`), checked the same way, or the design stays
flat. Anything without an equivalent stops the import with its name and source location: the design is
never a guess.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import itertools
import math
import operator
import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from designer.core import (
    block_runs,
    catalog,
    import_blocks,
    import_check,
    import_ops,
    import_owned,
    import_report,
    import_rules,
    import_scopes,
)
from designer.core.engine import ShapeEngine
from designer.core.errors import GraphError, LimitError
from designer.core.graph import Edge, Graph, Node
from designer.core.ids import unique_name
from designer.core.import_rules import IDENTITY, PAD, RESHAPE, Unmappable
from designer.core.layout import auto_layout
from designer.core.shapes import BATCH_SYMBOL, batch_is_open, format_shape

MAX_RANK = 8
TRACE_BATCH = 2  # the batch torch runs at when an input's batch is left open ("N")
DTYPES = ("float32", "int64")  # an input's dtype: the Input node's dtype choices, float32 first (the default)
TOKEN_RANGE = 2  # int64 inputs of a model without embeddings are drawn from 0..TOKEN_RANGE-1
MAX_PROBLEMS = 8  # listed in the message; the rest are counted
_counter = itertools.count(1)


class ModelImportError(Exception):
    """The model cannot be imported; ``str()`` is the report (at most ten lines), ``lines`` all of it,
    ``problems`` one sentence per operation."""

    def __init__(self, message: str, problems: list[str] | None = None, lines: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []
        self.lines = lines or [message]


@dataclass
class ImportResult:
    """The design, how it was traced, and what the user should know (e.g. weights forward() never uses)."""

    graph: Graph
    tracer: str  # "torch.fx" or "torch.export"
    notes: list[str] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)  # each traced layer's path in the design (layer1/0/conv1)


def parse_shape(text: str) -> tuple[int | str, ...]:
    """``"1,3,224,224"`` → ``(1, 3, 224, 224)``; ``"N,3,224,224"`` leaves the batch open."""
    parts = [p.strip() for p in text.replace("x", ",").replace("×", ",").split(",")]
    sizes = parts[1:] if parts and parts[0] == BATCH_SYMBOL else parts
    if not 1 <= len(parts) <= MAX_RANK or not all(p.isdigit() and p.isascii() for p in sizes):
        raise ModelImportError(f"the input shape {text!r} is not a list of sizes like 1,3,224,224 (or N,3,224,224)")
    shape = tuple(p if p == BATCH_SYMBOL else int(p) for p in parts)
    if any(d < 1 for d in shape if isinstance(d, int)):
        raise ModelImportError(f"every size in the input shape {text!r} must be at least 1")
    return shape


def import_model(
    spec: str, input_shapes: list[tuple[int, ...]], input_dtypes: list[str] | None = None, *, flat: bool = False
) -> ImportResult:
    """Load ``FILE.py:NAME`` or ``package.module:NAME`` and import it (see the module docstring)."""
    model, name = load_model(spec)
    return import_module(model, input_shapes, name, input_dtypes, flat=flat)


# ----- loading user code ---------------------------------------------------------------------------
def load_model(spec: str) -> tuple[Any, str]:
    """The module ``spec`` names, built: an ``nn.Module`` class called with no arguments, or a function."""
    import torch

    source, sep, name = spec.rpartition(":")
    if not sep or not source or not name:
        raise ModelImportError(f"{spec!r} does not name a model: write FILE.py:NAME or package.module:NAME")
    namespace = _load_source(source)
    target: Any = namespace
    for part in name.split("."):
        if not hasattr(target, part):
            found = ", ".join(candidates_in(namespace)) or "none"
            raise ModelImportError(f"{source} has no {name!r} (models it defines: {found})")
        target = getattr(target, part)
    if isinstance(target, torch.nn.Module):
        model = target
    elif callable(target):
        model = _run_user_code(lambda: target(), f"building {name}()", source)
    else:
        raise ModelImportError(f"{name} in {source} is a {type(target).__name__}, not a model class or function")
    if not isinstance(model, torch.nn.Module):
        raise ModelImportError(f"{name}() in {source} returned a {type(model).__name__}, not a torch.nn.Module")
    return model, name.split(".")[-1]


def candidates(source: str) -> list[str]:
    """Names in ``source`` (a .py file or module) that build a model with no arguments, for a picker."""
    return candidates_in(_load_source(source))


def candidates_in(namespace: Any) -> list[str]:
    import torch

    names = []
    for name, value in vars(namespace).items():
        if name.startswith("_") or getattr(value, "__module__", None) != namespace.__name__:
            continue
        is_model = isinstance(value, type) and issubclass(value, torch.nn.Module)
        if (is_model or inspect.isfunction(value)) and _callable_without_arguments(value):
            names.append(name)
    return names


def _callable_without_arguments(value: Any) -> bool:
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values())


def _load_source(source: str) -> Any:
    if source.endswith(".py") or os.sep in source or "/" in source:
        path = os.path.abspath(source)
        if not os.path.isfile(path):
            raise ModelImportError(f"there is no file {source}")
        module_name = f"_designer_import_{next(_counter)}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses and pickling look their module up here
        # The file's own folder comes first, so `from blocks import Block` finds its neighbours.
        with _on_path(os.path.dirname(path)):
            _run_user_code(lambda: spec.loader.exec_module(module), f"running {source}", path)
        return module
    if not all(part.isidentifier() for part in source.split(".")):
        raise ModelImportError(f"{source!r} is neither a .py file nor a module name like package.models")
    with _on_path(os.getcwd()):
        return _run_user_code(lambda: importlib.import_module(source), f"importing {source}", None)


@contextlib.contextmanager
def _on_path(folder: str):
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)


def _run_user_code(action, what: str, path: str | None) -> Any:
    try:
        return action()
    except (Exception, SystemExit) as exc:  # the user's code: say what failed and where, never a traceback
        raise ModelImportError(f"{what} failed{_user_frame(exc, path)}: {_exception_text(exc)}") from None


def _user_frame(exc: BaseException, path: str | None) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f" at {_short_path(exc.filename)}:{exc.lineno}"
    mine = [f for f in frames if path is None or os.path.abspath(f.filename) == path]
    mine = [f for f in mine if not _in_library(f.filename)] or mine
    return f" at {_short_path(mine[-1].filename)}:{mine[-1].lineno}" if mine else ""


def _exception_text(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).split(" While executing ")[0]  # fx appends its own traceback
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


# ----- importing a built model ---------------------------------------------------------------------
def import_module(
    model: Any,
    input_shapes: list[tuple[int | str, ...]],
    name: str = "Imported model",
    input_dtypes: list[str] | None = None,
    *,
    flat: bool = False,
) -> ImportResult:
    """Import a built ``nn.Module`` for inputs of ``input_shapes`` (torch runs it once on random CPU tensors).

    A shape starting with "N" leaves that input's batch open: torch runs at batch TRACE_BATCH, and the
    design must then work for any batch (a model that hard-codes its batch size is refused).
    ``input_dtypes`` gives each input's dtype (:data:`DTYPES`; all float32 when None): int64 inputs are
    token ids, drawn below the smallest ``num_embeddings`` of the model's embeddings. The design keeps the
    model's submodules as blocks (:mod:`designer.core.import_blocks`) unless ``flat``.
    """
    import torch

    dtypes = _dtypes(input_dtypes, len(input_shapes))

    open_batch = [batch_is_open(shape) for shape in input_shapes]
    input_shapes = [(TRACE_BATCH, *shape[1:]) if is_open else shape for shape, is_open in zip(input_shapes, open_batch)]
    if not input_shapes:
        raise ModelImportError("give the shape of each input of forward(), e.g. --input-shape 1,3,224,224")
    for shape in input_shapes:
        if not 1 <= len(shape) <= MAX_RANK or any(not isinstance(d, int) or d < 1 for d in shape):
            raise ModelImportError(f"the input shape {shape} must be 1 to {MAX_RANK} sizes of at least 1")
    for weight_name, weight in itertools.chain(model.named_parameters(), model.named_buffers()):
        if weight.is_floating_point() and weight.dtype != torch.float32:
            raise ModelImportError(
                f"the model's weight {weight_name} is {str(weight.dtype).replace('torch.', '')}; designs are built "
                f"in float32, so convert the model with .float() first"
            )
    model.eval()  # trace the inference path; a run in training mode would also update BatchNorm statistics
    inputs = [_random_input(model, shape, dtype) for shape, dtype in zip(input_shapes, dtypes)]
    concrete = _concrete_args(model, len(inputs))
    try:
        traced, info = _trace_fx(model, inputs, concrete)
        tracer = "torch.fx"
    except ModelImportError:
        raise
    except Exception as fx_error:  # fx cannot follow data-dependent Python; torch.export runs it instead
        try:
            traced, info = _trace_export(model, inputs)
        except Exception as export_error:
            raise ModelImportError(
                f"torch cannot trace {name}: torch.fx says {_exception_text(fx_error)}; "
                f"torch.export says {_exception_text(export_error)}"
            ) from None
        tracer = "torch.export"
    mapper = _Mapper(model, name, info)
    graph = mapper.run(traced)
    _set_dtypes(graph, dtypes)
    _check_shapes(graph, mapper.torch_shapes, mapper.port_shapes)
    grouped = None if flat else _regroup(graph, mapper, model)
    if any(open_batch):
        _check_other_batch(model, input_shapes, dtypes, open_batch, concrete)
        _open_batches(graph, open_batch)
    _refuse_unused_weights(model, graph)
    notes = list(mapper.notes)
    if grouped is not None:
        notes += grouped.notes
        try:
            reason = _hierarchy_problem(grouped, mapper.torch_shapes, open_batch, model, inputs, concrete)
        except Exception as exc:  # as above: a bug in the grouped design never costs the import
            reason = f"checking it failed ({_exception_text(exc)})"
        if reason is None:
            _lay_out(grouped.graph)
            return ImportResult(grouped.graph, tracer, notes, grouped.paths)
        notes.append(f"the design stays flat: grouped into blocks, {reason} (please report this)")
    _lay_out(graph)
    reason = import_check.refusal(graph, model, inputs, concrete)
    if reason:
        raise ModelImportError(f"cannot import {name}: {reason}")
    return ImportResult(graph, tracer, notes, {node_id: node_id for node_id in graph.node_ids()})


def _regroup(graph: Graph, mapper: _Mapper, model: Any) -> import_blocks.Hierarchy | None:
    """The design with the model's submodules as blocks (see import_blocks), or None when none is one."""
    names = import_scopes.named(mapper.origins, import_scopes.module_names(model))
    stacks = import_scopes.stacks(mapper.origins, names)
    try:
        grouped = import_blocks.regroup(graph, stacks, names, import_scopes.modules(model))
    except Exception as exc:  # a case regrouping does not foresee (a bug): the flat design is still right
        mapper.notes.append(f"the design stays flat: grouping it into blocks failed ({_exception_text(exc)}) (please report this)")
        return None
    if not grouped.graph.blocks:
        mapper.notes.extend(grouped.notes)
        return None
    return grouped


def _hierarchy_problem(
    grouped: import_blocks.Hierarchy, torch_shapes: dict[str, tuple[int, ...]], open_batch: list[bool], model: Any, inputs: list, concrete: dict
) -> str | None:
    """Why the grouped design is not the model (then the flat one is used), or None: every size inside every
    block equals torch's, the batch opens as on the flat design, and its code loads the weights and agrees."""
    engine = ShapeEngine(grouped.graph)
    try:
        results = {node_id: engine.result(node_id) for node_id in grouped.graph.node_ids()}
        results.update([(inner.path, inner.result) for inner in block_runs.expand(results)])
    finally:
        engine.close()
    for node_id, shape in torch_shapes.items():
        path = grouped.paths[node_id]
        result = results.get(path)
        if result is None or not result.ok or result.shape != shape:
            found = "no size" if result is None or not result.ok else format_shape(result.shape)
            return f"{path!r} has {found} where torch computes {format_shape(shape)}"
    if any(open_batch):
        try:
            _open_batches(grouped.graph, open_batch)
        except ModelImportError as exc:
            return str(exc)
    return import_check.refusal(grouped.graph, model, inputs, concrete)


def _lay_out(graph: Graph) -> None:
    """Positions for the design and for the inside of each of its blocks."""
    for part in [graph, *(block.graph for block in graph.blocks.values())]:
        for node_id, position in auto_layout(part).items():
            part.move(node_id, position)


def _check_other_batch(model: Any, shapes: list[tuple[int, ...]], dtypes: list[str], open_batch: list[bool], concrete: dict) -> None:
    """The original model must itself take another batch: one that hard-codes its batch size cannot be N."""
    import torch

    other = TRACE_BATCH + 1
    inputs = [
        _random_input(model, (other, *shape[1:]) if is_open else shape, dtype) for shape, dtype, is_open in zip(shapes, dtypes, open_batch)
    ]
    try:
        with torch.no_grad():
            model(*inputs, **concrete)
    except Exception as exc:  # the user's model refusing the other batch is the answer we are after
        raise ModelImportError(
            f"the model works at batch {TRACE_BATCH} but not for any batch N: at batch {other} torch says "
            f"{_exception_text(exc)}; give a fixed batch (e.g. {TRACE_BATCH},...) or stop the model from "
            f"hard-coding its batch size"
        ) from None


def _dtypes(given: list[str] | None, count: int) -> list[str]:
    if not given:
        return [DTYPES[0]] * count
    for dtype in given:
        if dtype not in DTYPES:
            raise ModelImportError(f"the input dtype {dtype!r} is not one the designer knows: use {' or '.join(DTYPES)}")
    if len(given) != count:
        raise ModelImportError(
            f"{count} input shape{'s were' if count != 1 else ' was'} given but {len(given)} input dtype"
            f"{'s' if len(given) != 1 else ''}: give one --input-dtype per input, in order (or none for all float32)"
        )
    return list(given)


def _random_input(model: Any, shape: tuple[int, ...], dtype: str):
    """A random input: float32 from a normal distribution, int64 token ids every embedding of the model accepts."""
    import torch

    if dtype == "float32":
        return torch.randn(*shape)
    sizes = [m.num_embeddings for m in model.modules() if isinstance(getattr(m, "num_embeddings", None), int)]
    return torch.randint(0, max(1, min(sizes, default=TOKEN_RANGE)), shape)


def _set_dtypes(graph: Graph, dtypes: list[str]) -> None:
    """Give the Input nodes (in forward()'s order) their dtypes; float32 is the default and stays unwritten."""
    inputs = [node for node in graph.nodes() if node.type_name == "Input"]
    for node, dtype in zip(inputs, dtypes):
        if dtype != DTYPES[0] and "dtype" in catalog.get("Input").param_names:
            graph.set_params(node.id, {**node.params, "dtype": dtype})


def _open_batches(graph: Graph, open_batch: list[bool]) -> None:
    """Leave the batch open on the inputs that asked for it, and make sure the design still works."""
    inputs = [node for node in graph.nodes() if node.type_name == "Input"]
    for node, is_open in zip(inputs, open_batch):
        if is_open:
            graph.set_params(node.id, {**node.params, "shape": [BATCH_SYMBOL, *node.params["shape"][1:]]})
    engine = ShapeEngine(graph)
    try:
        problems = engine.problems()
    finally:
        engine.close()
    if problems:
        node_id, sentence = problems[0]
        raise ModelImportError(
            f"the model works at batch {TRACE_BATCH} but not for any batch N: {node_id!r}: {sentence}; "
            f"give a fixed batch (e.g. {TRACE_BATCH},...) or stop the model from hard-coding its batch size"
        )


def _concrete_args(model: Any, count: int) -> dict[str, Any]:
    """Arguments of forward() beyond the given inputs: fixed at their defaults (``mask=None``)."""
    signature = inspect.signature(model.forward)
    params = list(signature.parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        raise ModelImportError("forward(*args) takes any number of inputs; the importer needs named inputs")
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p.name for p in params if p.default is p.empty and p.kind is not p.VAR_KEYWORD]
    if count > len(positional) or count < len(required):
        names = ", ".join(required) or "no required inputs"
        optional = [p.name for p in positional if p.name not in required]
        if optional:
            names += f" ({', '.join(optional)} {'is' if len(optional) == 1 else 'are'} optional)"
        raise ModelImportError(
            f"forward() takes {names}, but {count} input shape{'s were' if count != 1 else ' was'} given: "
            f"give one --input-shape per input, in order"
        )
    return {p.name: p.default for p in params[count:] if p.default is not p.empty}


class _TensorInfo:
    """What torch saw for a tensor-valued node: its shape (the tensor itself is not kept)."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


class _Several:
    """A node whose value holds several tensors (``torch.split``, LSTM's ``(output, (h_n, c_n))``): what each
    item is, nested as the value is."""

    __slots__ = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items

    def leaves(self) -> list[Any]:
        """The tensors (and Nones) in order, flattened: LSTM's output, h_n, c_n are its ports 0, 1, 2."""
        return [leaf for item in self.items for leaf in (item.leaves() if isinstance(item, _Several) else [item])]


class _Port(NamedTuple):
    """An output of a design node other than its first (a node id alone means output 0)."""

    node: str
    port: int


class _Unbound(NamedTuple):
    """``x.unbind(dim)``: item i is ``x.select(dim, i)``, added as a Select when something reads it."""

    source: Any
    dim: int
    count: int


def _describe_value(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return _TensorInfo(tuple(int(d) for d in value.shape))
    if isinstance(value, (tuple, list)):
        items = tuple(_describe_value(v) for v in value)
        return _Several(items) if any(isinstance(i, (_TensorInfo, _Several)) for i in items) else items
    if isinstance(value, torch.SymInt):
        return int(value)
    return value


def _trace_fx(model: Any, inputs: list, concrete: dict[str, Any]):
    import torch
    from torch import fx

    class Tracer(fx.Tracer):
        record_stack_traces = True

        def _filter_traceback_frames(self, summary):
            return summary  # every frame, also in helpers not named forward(); _where() picks the user's

        def is_leaf_module(self, m: torch.nn.Module, qualname: str) -> bool:
            if import_rules.catalog_type(m) is not None:
                return True
            if isinstance(m, (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict)):
                return False
            if next(m.children(), None) is not None:
                return False  # a torch.nn stack of layers (nn.TransformerEncoder, nn.Transformer): followed into its parts
            return super().is_leaf_module(m, qualname)

    graph = Tracer().trace(model, concrete_args=concrete or None)
    module = fx.GraphModule(model, graph)
    info: dict[Any, Any] = {}

    class Recorder(fx.Interpreter):
        def run_node(self, n):
            result = super().run_node(n)
            info[n] = _describe_value(result)
            return result

    with torch.no_grad():
        try:
            Recorder(module).run(*inputs)
        except Exception as exc:
            raise ModelImportError(f"running the model on random inputs failed: {_exception_text(exc)}") from None
    return graph, info


def _trace_export(model: Any, inputs: list):
    """torch.export's graph, with each call of a catalog layer folded back into one ``call_module`` node.

    Layers' shapes come from a real run of the model (forward hooks), the rest from torch.export's own
    shape propagation.
    """
    import torch

    real: dict[str, list[Any]] = {}
    hooks = [
        module.register_forward_hook(lambda _m, _i, out, path=path: real.setdefault(path, []).append(_describe_value(out)))
        for path, module in model.named_modules()
        if path and import_rules.catalog_type(module) is not None
    ]
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for hook in hooks:
            hook.remove()
    with torch.no_grad():
        program = torch.export.export(model, tuple(inputs), strict=False)
    graph = program.graph
    user_inputs = {
        spec.arg.name for spec in program.graph_signature.input_specs if spec.kind == torch.export.graph_signature.InputKind.USER_INPUT
    }
    _fold_module_calls(graph, model, user_inputs)
    parameters = program.graph_signature.inputs_to_parameters
    info = {}
    for node in graph.nodes:
        if node.op == "placeholder" and node.name in parameters and "val" in node.meta:
            info[node] = _Weight(parameters[node.name], tuple(int(d) for d in node.meta["val"].shape))
        elif node.op == "placeholder" and node.name not in user_inputs:
            info[node] = _WEIGHT
        elif node.op == "call_module" and real.get(node.target):
            info[node] = real[node.target].pop(0)  # calls run in graph order
            if isinstance(info[node], _Several) and "val" in node.meta:  # only its first output is read here
                info[node] = _describe_value(node.meta["val"])
        elif "val" in node.meta:
            info[node] = _describe_value(node.meta["val"])
    return graph, info


_WEIGHT = object()  # a buffer placeholder of an exported program


class _Weight(NamedTuple):
    """A parameter placeholder of an exported program: its state_dict name and size."""

    name: str
    shape: tuple[int, ...]
_DIRECT_WEIGHT = "forward() uses a weight directly, and only layers' own weights can be imported"


def _fold_module_calls(graph: Any, model: Any, user_inputs: set[str]) -> None:
    groups: list[tuple[tuple[str, str], list]] = []  # (module path, call key) → its nodes, in order
    for node in graph.nodes:
        key = _leaf_call(node, model) if node.op == "call_function" else None
        if key and groups and groups[-1][0] == key:
            groups[-1][1].append(node)
        elif key:
            groups.append((key, [node]))
    for (path, _), members in groups:
        inside = set(members)
        sources = {
            a for m in members for a in m.all_input_nodes if a not in inside and not (a.op == "placeholder" and a.name not in user_inputs)
        }
        results = [m for m in members if any(u not in inside for u in m.users)]
        inputs = _fold_inputs(members, sources, model.get_submodule(path))
        if inputs is None or len(results) != 1:
            continue  # left as its parts: the mapper names what it cannot map
        with graph.inserting_after(members[-1]):
            # create_node, not call_module: the target is the original model's submodule, not the program's
            call = graph.create_node("call_module", path, inputs)
        call.meta = {key: results[0].meta.get(key) for key in ("val", "stack_trace", "nn_module_stack")}
        results[0].replace_all_uses_with(call)
        for member in reversed(members):
            graph.erase_node(member)


def _fold_inputs(members: list, sources: set, module: Any) -> tuple | None:
    """The inputs of a folded layer call, in port order: its one tensor; a decoder layer's tgt and memory (in
    the order its parts first read them); attention on one tensor reads it as query, key and value. None
    where that is not clear (the mapper then names the parts it cannot map; the self-check guards the rest)."""
    ports = catalog.get(import_rules.catalog_type(module)).max_inputs or 1
    if len(sources) == 1:
        return (next(iter(sources)),) * (ports if ports == 3 else 1)
    if len(sources) != ports:
        return None
    order = [a for m in members for a in m.all_input_nodes if a in sources]
    return tuple(dict.fromkeys(order))


def _leaf_call(node: Any, model: Any) -> tuple[str, str] | None:
    """(qualified name, call key) of the outermost catalog layer whose forward() produced ``node``."""
    for key, (path, _) in node.meta.get("nn_module_stack", {}).items():
        if not path:
            continue
        try:
            module = model.get_submodule(path)
        except AttributeError:
            return None
        if import_rules.catalog_type(module) is not None:
            return path, key
    return None


# ----- mapping a traced graph ----------------------------------------------------------------------
class _Mapper:
    """Walks a traced graph in order and builds the design, collecting every operation it cannot map."""

    def __init__(self, model: Any, name: str, info: dict[Any, Any]) -> None:
        self.model = model
        self.info = info
        self.graph = Graph(name)
        self.carried: dict[Any, str | _Port] = {}  # traced node → design node (and output) holding its tensor
        self.several: dict[Any, Any] = {}  # traced node holding several tensors → their places, nested as its value
        self.positions: dict[Any, range] = {}  # ``torch.arange(T)`` from sizes → the positions it counts
        self.values: dict[Any, Any] = {}  # traced node → a number derived from shapes only
        self.failed: set[Any] = set()
        self.problems: list[import_report.Problem] = []
        self.taken: set[str] = set()
        self.calls: dict[str, int] = {}
        self.torch_shapes: dict[str, tuple[int, ...]] = {}
        self.port_shapes: dict[_Port, tuple[int, ...]] = {}  # the other outputs' sizes torch computed
        self.notes: list[str] = []  # what the user should know about the design (e.g. sizes fixed at the traced ones)
        self.current: Any = None  # the traced node being mapped
        self.origins: dict[str, Any] = {}  # design node → the traced node it was made for (its module stack)

    def run(self, traced: Any) -> Graph:
        # Every name the model uses (modules, weights) stays free for the layer that has it.
        names = itertools.chain(self.model.named_modules(), self.model.named_parameters(), self.model.named_buffers())
        self.taken = {n.target for n in traced.nodes if n.op == "call_module"} | {name for name, _ in names if name}
        for node in traced.nodes:
            self.current = node
            if any(a in self.failed and a not in self.carried for a in node.all_input_nodes):
                self._give_up(node)  # its cause is reported already
                continue
            try:
                self._map(node)
            except Unmappable as exc:
                self.problems.append(_problem(node, self.model, str(exc)))
                self._give_up(node)
            except LimitError as exc:  # beyond what a design holds (designer.core.limits): the same sentence
                raise ModelImportError(f"cannot import: {exc}") from None
        if self.problems:
            lines = import_report.refusal(self.graph.name, self.problems)
            shown, more = import_report.shown(lines)
            text = "\n".join(shown) + (f"\n  … and {more} more line{'s' if more > 1 else ''}" if more else "")
            raise ModelImportError(text, [p.sentence() for p in self.problems], lines)
        return self.graph

    def _give_up(self, node: Any) -> None:
        """Mark ``node`` failed; a tensor it computes gets a stand-in (an Input of torch's size) so that the
        operations after it are still checked, and every operation without a layer is found in one go."""
        self.failed.add(node)
        seen = self.info.get(node)
        if isinstance(seen, _TensorInfo) and node.op != "output":
            stand_in = self._unique(f"{node.name}_unmapped")
            with contextlib.suppress(GraphError):  # (the design is never handed out: a refusal follows)
                self._add(stand_in, "Input", {"shape": list(seen.shape)}, [], seen.shape)
                self.carried[node] = stand_in

    # ----- one node ----------------------------------------------------------------------------
    def _map(self, node: Any) -> None:
        seen = self.info.get(node)
        if node.op == "output":
            return self._outputs(node)
        if node.op == "placeholder":
            if isinstance(seen, _TensorInfo):
                node_id = self._unique(str(node.target))
                self._add(node_id, "Input", {"shape": list(seen.shape)}, [], seen.shape)
                self.carried[node] = node_id
            return None
        if seen is _WEIGHT or isinstance(seen, _Weight):
            return None  # a weight: its layer's (folded into the layer's call), or a Parameter where it is read
        if _call_key(node) in import_ops.arange_keys() and isinstance(seen, _TensorInfo):
            self.positions[node] = import_ops.positions(node.args, node.kwargs, self._value)
            return None  # only an embedding lookup can read it (see _lookup)
        if node.op == "call_function" and node.target is operator.getitem and node.args and node.args[0] in self.several:
            return self._pick(node, seen)
        if isinstance(seen, _Several):
            return self._several(node, seen)
        if not isinstance(seen, _TensorInfo):
            if self._from_shapes(node):
                self.values[node] = seen
            return None
        if node.op == "get_attr":
            if node.users and all(self._owned_kind(user) for user in node.users):
                return None  # its module's own functional call reads it (F.batch_norm(x, self.running_mean, ...))
            return self._parameter(node, str(node.target), seen)
        if node.op == "call_module":
            return self._module(node, seen)
        kind = self._owned_kind(node)
        if kind:
            return self._owned(node, kind, seen)
        if _call_key(node) in import_ops.attention_keys():
            return self._attention(node, seen)
        operation = import_ops.keys().get(_call_key(node))
        if operation is not None:
            return self._ops(node, operation, seen)
        forms = import_rules.forms()
        form = forms.get(_call_key(node)) or forms.get(("named", getattr(node.target, "__name__", None)))
        if form is None:
            raise Unmappable("the designer has no layer for it")
        return self._call(node, form, seen)

    def _from_shapes(self, node: Any) -> bool:
        """Whether a non-tensor value comes from sizes only (``x.size(0)``), not from tensor contents."""
        if node.op == "call_method" and node.target in ("size", "dim", "numel"):
            return True
        if node.op == "call_function" and getattr(node.target, "__name__", "") == "getattr":
            return len(node.args) > 1 and node.args[1] in ("shape", "ndim")
        if node.op == "call_function" and _call_key(node) in (("aten", "sym_size"), ("aten", "sym_numel")):
            return True
        return all(a in self.values for a in node.all_input_nodes)

    @staticmethod
    def _owned_kind(node: Any) -> str | None:
        return import_owned.functions().get(node.target) if node.op == "call_function" else None

    def _owned(self, node: Any, kind: str, seen: _TensorInfo) -> None:
        """A functional call on its module's own weights: that module, as the layer it computes (see import_owned)."""

        def argument(value: Any) -> Any:
            if hasattr(value, "op") and value.op == "get_attr":
                return import_owned.Weight(str(value.target))
            return value if hasattr(value, "op") and isinstance(self.info.get(value), _TensorInfo) else self._value(value)

        bound = import_owned.bind(kind, tuple(argument(a) for a in node.args), {k: argument(v) for k, v in node.kwargs.items()})
        source = self._tensor(bound.pop("input"))
        owner, type_name, settings = import_owned.owned_layer(kind, bound, self.model, len(seen.shape))
        if not owner:
            raise Unmappable(f"F.{kind} uses the model's own weights, and a design's layers sit below the model")
        self.calls[owner] = self.calls.get(owner, 0) + 1
        if self.calls[owner] > 1 or owner in self.graph:
            raise Unmappable("this layer is called again: it shares its weights, and each layer of a design has its own")
        self._add(owner, type_name, settings, [source], seen.shape)
        self.carried[node] = owner

    def _module(self, node: Any, seen: _TensorInfo | _Several) -> str:
        """A torch.nn layer the catalog has: one node; its tensor arguments (query, key, value for attention)
        are its inputs, and every other argument must be what the design's call leaves it at."""
        module = self.model.get_submodule(node.target)
        type_name = import_rules.catalog_type(module)
        if type_name is None:
            raise Unmappable("the designer has no layer of this type")
        tensors = import_rules.call_inputs(module, type_name, node.args, node.kwargs, self._value)
        if type_name == "Embedding" and tensors[0] in self.positions:
            return self._lookup(node, module, self.positions[tensors[0]], seen)
        sources = [self._tensor(t) for t in tensors]
        if type_name == "Identity":
            self.carried[node] = sources[0]
            return sources[0]
        settings = import_rules.module_settings(module, type_name)
        count = self.calls.get(node.target, 0) + 1
        self.calls[node.target] = count
        if count > 1 and any(True for _ in itertools.chain(module.parameters(), module.buffers())):
            raise Unmappable("this layer is called again: it shares its weights, and each layer of a design has its own")
        node_id = node.target if count == 1 else self._unique(f"{node.target}_{count}")
        self.taken.add(node_id)
        if isinstance(seen, _Several):
            self._add(node_id, type_name, settings, sources, seen.leaves()[0].shape)
            self.several[node] = self._places(node_id, seen)
        else:
            self._add(node_id, type_name, settings, sources, seen.shape)
            self.carried[node] = node_id
        return node_id

    def _attention(self, node: Any, seen: _TensorInfo) -> None:
        """``F.scaled_dot_product_attention(q, k, v)`` without a mask or dropout is softmax(q·kᵀ·scale)·v:
        Transpose, MatMul, Mul, Softmax and MatMul nodes (scale 1/√E unless given)."""
        import torch

        names = ("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa")
        given = {**dict(zip(names, node.args)), **node.kwargs}
        if any(k not in names for k in given) or hasattr(given.get("attn_mask"), "op"):
            raise Unmappable("it takes a mask or arguments the designer's MatMul, Softmax and MatMul cannot express")
        plain = {k: self._value(v) for k, v in given.items() if k in names[3:]}
        if plain.get("attn_mask") is not None or plain.get("is_causal") or plain.get("dropout_p") or plain.get("enable_gqa"):
            raise Unmappable("only attention without a mask, causal masking or dropout is a MatMul, Softmax and MatMul")
        q, k, v = (given.get(n) for n in names[:3])
        shapes = [self._shape_of(t) for t in (q, k)]
        scale = plain.get("scale") or 1 / math.sqrt(shapes[0][-1])
        meta = [torch.empty(shape, device="meta") for shape in shapes]
        keys_t = meta[1].transpose(-2, -1)
        scores = torch.matmul(meta[0], keys_t)
        steps = [
            ("Transpose", {"dim0": -2, "dim1": -1}, [self._tensor(k)], keys_t.shape),
            ("MatMul", {}, [self._tensor(q), None], scores.shape),
            ("Mul", {"other": scale}, [None], scores.shape),
            ("Softmax", {"dim": -1}, [None], scores.shape),
            ("MatMul", {}, [None, self._tensor(v)], seen.shape),
        ]
        previous = None
        for type_name, params, sources, shape in steps:
            node_id = self._unique(f"{node.name}_{type_name.lower()}")
            self._add(node_id, type_name, params, [previous if s is None else s for s in sources], tuple(shape))
            previous = node_id
        self.carried[node] = previous

    def _lookup(self, node: Any, module: Any, positions: range, seen: _TensorInfo) -> str:
        """``self.wpe(torch.arange(T))`` (nanoGPT's position embedding): rows 0..T-1 of the table, so its weight
        as a Parameter under its own name (``wpe.weight``) and a Slice of those rows."""
        if module.max_norm is not None:
            raise Unmappable("it looks up positions with max_norm, which rescales the table as it reads it")
        name = f"{node.target}.weight"
        if name in self.graph:
            raise Unmappable("this layer is called again: it shares its weights, and each layer of a design has its own")
        self.taken.add(name)
        table = tuple(module.weight.shape)
        self._add(name, "Parameter", {"shape": list(table)}, [], table)
        cut = {"dim": 0, "start": positions.start, "end": positions.stop, "step": positions.step}
        cut = {k: v for k, v in cut.items() if (k, v) not in (("start", 0), ("step", 1))}
        node_id = self._unique(f"{node.target.replace('.', '_')}_rows")
        self._add(node_id, "Slice", cut, [name], seen.shape)
        self.carried[node] = node_id
        self.notes.append(
            f"{node.target} (nn.Embedding){_where(node, self.model)} looks up the positions of torch.arange, "
            f"{positions.start}..{positions.stop - 1}: the design reads those rows of its table {name!r} (a Parameter "
            f"keeping the weight's name) with a Slice; other sequence lengths may need another end"
        )
        return node_id

    def _places(self, node_id: str, seen: _Several) -> tuple:
        """Where each item of a node's several outputs is, nested as torch returns them: output k is the
        k-th item in order (LSTM: output, (h_n, c_n) are ports 0, (1, 2)); a None keeps its port and stays
        None (attention's weights with need_weights=False)."""
        counter = itertools.count()

        def place(item: Any) -> Any:
            if isinstance(item, _Several):
                return tuple(place(i) for i in item.items)
            if item is None:
                next(counter)
            if not isinstance(item, _TensorInfo):
                return None
            port = next(counter)
            if port:
                self.port_shapes[_Port(node_id, port)] = item.shape
            return _Port(node_id, port) if port else node_id

        return tuple(place(i) for i in seen.items)

    def _several(self, node: Any, seen: _Several) -> None:
        """A call returning several tensors: a layer with several outputs, Chunk or Split, or unbind (its
        items become Selects where read); ``getitem`` on it then picks an output (see ``_pick``)."""
        if node.op == "call_module":
            self._module(node, seen)
            return
        kind = import_ops.several_keys().get(_call_key(node))
        if kind is None:
            raise Unmappable("it returns several tensors, and the designer has no layer that gives them")
        first, settings = import_ops.split_settings(kind, node.args, node.kwargs, self._value)
        source = self._tensor(first)
        count = len(seen.items)
        if kind == "unbind":
            self.several[node] = _Unbound(source, settings["dim"], count)
            return
        node_id = self._unique(node.name)
        self._add(node_id, "Chunk" if kind == "chunk" else "Split", settings, [source], seen.leaves()[0].shape)
        self.several[node] = self._places(node_id, seen)
        if any(n in self.values for n in node.all_input_nodes):
            self.notes.append(
                f"{_describe(node)}{_where(node, self.model)} computes its arguments from tensor sizes; at the sizes "
                f"traced it equals {'Chunk' if kind == 'chunk' else 'Split'} {node_id!r} ({_settings_text(settings)}), "
                f"which the design keeps: other input sizes may need other settings"
            )

    def _pick(self, node: Any, seen: Any) -> None:
        """``out[1]`` on several outputs: the output it names (for unbind, a Select of that position)."""
        places, index = self.several[node.args[0]], node.args[1] if len(node.args) > 1 else None
        if not isinstance(index, int) or isinstance(index, bool):
            raise Unmappable(f"it picks {_short(index)} out of several tensors; only a position like [0] or [-1] maps")
        if isinstance(places, _Unbound):
            if not -places.count <= index < places.count:
                raise Unmappable(f"position {index} is beyond the {places.count} tensors unbind gives")
            node_id = self._unique(node.name)
            self._add(node_id, "Select", {"dim": places.dim, "index": index % places.count}, [places.source], seen.shape)
            self.carried[node] = node_id
            return
        try:
            place = places[index]
        except IndexError:
            raise Unmappable(f"position {index} is beyond the {len(places)} values the call gives") from None
        if place is None and not node.users:
            return  # ``out, _ = self.attn(x, x, x, need_weights=False)``: the None is never read
        if place is None:
            raise Unmappable("it reads a value the designer's layer does not give here (None in torch, or an output not computed)")
        if isinstance(place, tuple) and not isinstance(place, _Port):
            self.several[node] = place
        else:
            self.carried[node] = place

    def _parameter(self, node: Any, name: str, seen: _TensorInfo) -> None:
        """A learnable tensor read in forward() (a class token, a position embedding): a Parameter node
        whose id is its state_dict name, so the exported code keeps it there. Weights of the design's
        layers (``self.conv.weight``) and buffers are not free-standing tensors: refused."""
        import torch

        owner = name.rpartition(".")[0]
        try:
            value = self.model.get_parameter(name)
            holder = self.model.get_submodule(owner) if owner else self.model
        except AttributeError:
            raise Unmappable(_DIRECT_WEIGHT) from None
        if not isinstance(value, torch.nn.Parameter) or import_rules.catalog_type(holder) is not None:
            raise Unmappable(_DIRECT_WEIGHT)
        if name not in self.graph:
            self.taken.add(name)
            self._add(name, "Parameter", {"shape": list(seen.shape)}, [], seen.shape)
        self.carried[node] = name

    def _call(self, node: Any, form: import_rules.Form, seen: _TensorInfo) -> None:
        args, kwargs = list(node.args), dict(node.kwargs)
        first = kwargs.pop("tensors", None) or kwargs.pop("input", None) or kwargs.pop("self", None)
        if first is None:
            if not args:
                raise Unmappable("it takes no tensor")
            first = args.pop(0)
        if form.type_name == "Concat":
            if not isinstance(first, (list, tuple)):
                raise Unmappable("it joins something other than a list of tensors")
            sources = [self._tensor(t) for t in first]
        else:
            sources = [self._tensor(first)]
        if form.type_name == "Add":
            other = kwargs.pop("other") if "other" in kwargs else (args.pop(0) if args else None)
            if not (hasattr(other, "op") and isinstance(self.info.get(other), _TensorInfo)):
                raise Unmappable(f"it adds {_short(other)}, and an Add layer adds two tensors")
            sources.append(self._tensor(other))
            args = [None, *args]  # "other" is taken care of; bind() checks the rest (alpha)
        values = tuple(self._value(a) for a in args), {k: self._value(v) for k, v in kwargs.items()}
        if form.type_name == IDENTITY or (form.type_name == "Concat" and len(sources) == 1):  # cat([x]) is x
            if form.names:
                import_rules.bind(form, *values)  # e.g. training=False, the only setting that passes its input through
            self.carried[node] = sources[0]
            return
        if form.type_name == RESHAPE:  # the sizes torch saw decide, so they must not depend on tensor values
            type_name, settings = import_rules.reshape_settings(self._shape_of(first), seen.shape)
            if type_name == IDENTITY:
                self.carried[node] = sources[0]
                return
        elif form.type_name == PAD:
            type_name, settings = import_rules.pad_settings(import_rules.bind(form, *values), len(self._shape_of(first)))
        elif form.type_name == "Add":
            import_rules.bind(form, *values)
            type_name, settings = "Add", {}
        elif form.type_name == "Concat":
            dim = import_rules.bind(form, *values).get("dim", 0)
            if not isinstance(dim, int):
                raise Unmappable(f"its dim {dim!r} is not a number")
            type_name, settings = "Concat", ({} if dim == 1 else {"dim": dim})
        else:
            type_name, settings = form.type_name, import_rules.call_settings(form, import_rules.bind(form, *values))
        node_id = self._unique(node.name)
        self._add(node_id, type_name, settings, sources, seen.shape)
        self.carried[node] = node_id
        if form.type_name != RESHAPE and _holds_traced((args, kwargs)):
            self.notes.append(
                f"{_describe(node)}{_where(node, self.model)} computes its arguments from tensor sizes; at the sizes "
                f"traced it equals {type_name} {node_id!r} ({_settings_text(settings)}), which the design keeps: "
                f"other input sizes may need other settings"
            )

    def _ops(self, node: Any, operation: str, seen: _TensorInfo) -> None:
        """Arithmetic and shape calls: one Math or Shape op, or a chain of them for an index (see import_ops)."""

        def see(value: Any) -> Any:
            if isinstance(value, slice):
                return slice(see(value.start), see(value.stop), see(value.step))
            if isinstance(value, (list, tuple)):
                return type(value)(see(v) for v in value)
            if hasattr(value, "op") and isinstance(self.info.get(value), _TensorInfo):
                return import_ops.Tensor(value, self.info[value].shape)
            if hasattr(value, "op") and (self.info.get(value) is _WEIGHT or isinstance(self.info.get(value), _Weight)):
                return import_ops.Tensor(value, self._weight_shape(value))
            found = self._value(value)
            return import_ops.Sized(found) if hasattr(value, "op") and type(found) is int else found

        planned = import_ops.ops(operation, node.args, node.kwargs, see, seen.shape)
        previous = None
        for op in planned:
            sources = [previous if source is import_ops.PREVIOUS else self._tensor(source) for source in op.inputs]
            previous = self._unique(node.name)
            self._add(previous, op.type_name, op.params, sources, op.shape)
        first = node.args[0] if node.args else next(iter(node.kwargs.values()), None)
        self.carried[node] = previous if previous is not None else self._tensor(first)
        fitted = planned and planned[-1].type_name in ("Flatten", "Unflatten")  # decided from torch's sizes alone
        if planned and not fitted and any(n in self.values for n in node.all_input_nodes):  # e.g. x.size(1) // 2
            self.notes.append(
                f"{_describe(node)}{_where(node, self.model)} computes its arguments from tensor sizes; at the sizes "
                f"traced it equals {planned[-1].type_name} {previous!r} ({_settings_text(planned[-1].params)}), which the "
                f"design keeps: other input sizes may need other settings"
            )

    def _outputs(self, node: Any) -> None:
        result = node.args[0]
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        if isinstance(result, dict) or not results:
            raise Unmappable("forward() must return a tensor or a tuple of tensors")
        for i, value in enumerate(results):
            source = self._tensor(value)
            node_id = self._unique("output" if len(results) == 1 else f"output_{i}")
            shape = self.port_shapes[source] if isinstance(source, _Port) else self.torch_shapes[source]
            self._add(node_id, "Output", {}, [source], shape)

    # ----- helpers -----------------------------------------------------------------------------
    def _tensor(self, value: Any) -> str | _Port:
        if hasattr(value, "op"):
            if value in self.carried:
                return self.carried[value]
            if value in self.several:
                raise Unmappable(f"it takes {value.name}, which holds several tensors, where the designer needs one")
            if value in self.positions:
                raise Unmappable(f"it takes the positions of torch.arange ({value.name}), which only an embedding lookup maps")
            weight = self.info.get(value)
            if isinstance(weight, _Weight):
                self._parameter(value, weight.name, _TensorInfo(weight.shape))
                return self.carried[value]
            if weight is _WEIGHT:
                raise Unmappable(_DIRECT_WEIGHT)
        raise Unmappable(f"it takes {_short(value)} where the designer needs a tensor computed by the model")

    def _value(self, value: Any) -> Any:
        """An argument with every traced number replaced by what torch computed (sizes only)."""
        if isinstance(value, (list, tuple)):
            return type(value)(self._value(v) for v in value)
        if hasattr(value, "op"):
            if value in self.values:
                return self.values[value]
            raise Unmappable(f"its argument {value.name} depends on tensor values, which a design cannot hold")
        return value

    def _weight_shape(self, value: Any) -> tuple[int, ...]:
        """A parameter placeholder's size (a buffer is refused: only learnable tensors become Parameter nodes)."""
        weight = self.info.get(value)
        if not isinstance(weight, _Weight):
            raise Unmappable(_DIRECT_WEIGHT)
        return weight.shape

    def _shape_of(self, value: Any) -> tuple[int, ...]:
        return self.info[value].shape

    def _unique(self, base: str) -> str:
        node_id = unique_name(base, self.taken)
        self.taken.add(node_id)
        return node_id

    def _add(self, node_id: str, type_name: str, params: dict, sources: list[str | _Port], shape: tuple[int, ...]) -> None:
        self.graph.add_node(Node(node_id, type_name, params))
        self.origins[node_id] = self.current
        for port, source in enumerate(sources):
            output = source if isinstance(source, _Port) else _Port(source, 0)
            self.graph.connect(Edge(output.node, node_id, port, output.port))
        self.torch_shapes[node_id] = tuple(shape)


def _holds_traced(value: Any) -> bool:
    """Whether an argument (or a list, dict or tuple of them) contains a value computed in forward()."""
    if isinstance(value, (list, tuple)):
        return any(_holds_traced(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_traced(v) for v in value.values())
    return hasattr(value, "op")


def _settings_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}" for k, v in settings.items()) or "no settings"


def _call_key(node: Any) -> Any:
    if node.op == "call_method":
        return ("method", node.target)
    packet = getattr(node.target, "overloadpacket", None)
    if packet is not None:
        return ("aten", packet.__name__)
    return node.target


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _problem(node: Any, model: Any, reason: str) -> import_report.Problem:
    """What the operation is, the submodule whose forward() does it (its class), the file and line."""
    where = _where(node, model)
    if node.op == "call_module":
        module = model.get_submodule(node.target)
        return import_report.Problem(_class_text(type(module)), reason, node.target, type(module).__name__, where, layer=True)
    path, owner = "", type(model).__name__
    for key, value in (node.meta.get("nn_module_stack") or {}).items():
        candidate = value[0] if isinstance(value, tuple) and value and isinstance(value[0], str) else str(key)
        with contextlib.suppress(AttributeError, TypeError):
            path, owner = candidate, type(model.get_submodule(candidate)).__name__
    return import_report.Problem(_describe(node), reason, path, owner, where)


def _class_text(cls: type) -> str:
    where = cls.__module__.replace("torch.nn.modules.", "torch.nn.").split(".")
    return f"nn.{cls.__name__}" if where[:2] == ["torch", "nn"] else f"{cls.__name__} from {_class_file(cls)}"


def _describe(node: Any) -> str:
    if node.op == "call_method":
        return f".{node.target}()"
    if node.op == "get_attr":
        return f"self.{node.target}"
    if node.op == "output":
        return "the result of forward()"
    target = node.target
    if getattr(target, "overloadpacket", None) is not None:
        return str(target)
    symbols = {"add": "+", "iadd": "+=", "mul": "*", "sub": "-", "truediv": "/", "matmul": "@", "getitem": "[…]"}
    if getattr(target, "__module__", None) in ("_operator", "operator") and target.__name__ in symbols:
        return f"the operator {symbols[target.__name__]}"
    module = getattr(target, "__module__", None) or "torch"
    module = {"torch.nn.functional": "F", "torch._C._nn": "F", "torch._C._VariableFunctions": "torch"}.get(module, module)
    return f"{module}.{getattr(target, '__name__', node.name)}"


def _class_file(cls: type) -> str:
    try:
        return _short_path(inspect.getsourcefile(cls) or "?")
    except TypeError:
        return "?"


def _where(node: Any, model: Any) -> str:
    trace = node.stack_trace or ""
    frames = []
    lines = trace.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith('File "') and ", line " in stripped:
            filename = stripped[6 : stripped.index('"', 6)]
            number = stripped.split(", line ", 1)[1].split(",", 1)[0]
            code = lines[i + 1].strip() if i + 1 < len(lines) and not lines[i + 1].strip().startswith("File ") else ""
            frames.append((filename, number, code))
    user = [f for f in frames if not _in_library(f[0])]
    if not user:
        return ""
    filename, number, code = user[-1]
    return f" at {_short_path(filename)}:{number}" + (f" ({code})" if code else "")


def _in_library(filename: str) -> bool:
    import torch

    roots = (os.path.dirname(torch.__file__), os.path.dirname(os.path.dirname(__file__)))
    path = os.path.abspath(filename)
    return any(path.startswith(root + os.sep) for root in roots) or filename.startswith("<")


def _short_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        return filename
    return filename if relative.startswith("..") else relative


def _check_shapes(graph: Graph, torch_shapes: dict[str, tuple[int, ...]], port_shapes: dict[Any, tuple[int, ...]]) -> None:
    """Every engine shape must equal torch's (each output of a node with several): a disagreement is a bug
    to report, never a design to hand out."""
    engine = ShapeEngine(graph)
    try:
        problems = []
        firsts = (((node_id, 0), shape) for node_id, shape in torch_shapes.items())
        for (node_id, port), shape in itertools.chain(firsts, port_shapes.items()):
            result = engine.result(node_id)
            got = result.output_shapes[port] if result.ok and port < len(result.output_shapes) else None
            where = repr(node_id) + (f" output {port}" if port else "")
            if result.error is not None:
                problems.append(f"{where}: torch computes {format_shape(shape)} but the designer says: {result.error.sentence()}")
            elif result.ok and got != shape:
                shown = "nothing" if got is None else format_shape(got)
                problems.append(f"{where}: torch computes {format_shape(shape)} but the designer {shown}")
    finally:
        engine.close()
    if problems:
        raise ModelImportError(
            f"the designer's shapes disagree with torch's (please report this): {'; '.join(problems[:MAX_PROBLEMS])}", problems
        )


def _refuse_unused_weights(model: Any, graph: Graph) -> None:
    """Weights forward() never uses are not in the design, so its code could not load the model's state_dict
    strictly: refused, naming them (a model built with its training-only branches, e.g. aux_logits=True)."""
    weights = model.state_dict()
    covered = {node.id for node in graph.nodes() if node.id in weights}  # a learnable tensor of its own
    for node in graph.nodes():
        if node.type_name not in ("Input", "Output", "Add", "Concat"):
            with contextlib.suppress(AttributeError):
                covered.update(f"{node.id}.{k}" for k in model.get_submodule(node.id).state_dict())
    missing = [k for k in weights if k not in covered]
    if not missing:
        return
    listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    raise ModelImportError(
        f"cannot import: {len(missing)} weight{'s' if len(missing) > 1 else ''} of the model never take part in "
        f"forward() in eval mode ({listed}), so code built from the design could not load its state_dict strictly; "
        f"build the model without them (e.g. without auxiliary training heads) and import again"
    )
