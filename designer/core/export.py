"""Export a design as one self-contained, runnable PyTorch file.

The code is built from a plan (one record per node: its local variable, its attribute path, the
statement that computes it, its shape) rather than by gluing strings as we go, like torch.fx's code
generation. Every name a user controls reaches the code only as a sanitized identifier handed out by a
:class:`Namespace` (valid, unique, never a keyword, builtin or ``nn.Module`` member) or as a ``repr()``
literal; string params are re-checked against the catalog's choices. Attributes are addressed by a
path: one sanitized name, or with ``keep_names`` the node id's own dotted module path, kept exactly
(``layer1.0.conv1`` → ``self.layer1[0].conv1``, ``block1-0`` → ``getattr(self, "block1-0")``; see
:mod:`designer.core.attribute_paths`), so that a model imported from PyTorch loads its ``state_dict``.
"""

from __future__ import annotations

import builtins
import keyword
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import designer
from designer.core import attribute_paths, blocks
from designer.core.attribute_paths import MODULE_MEMBERS, Tree
from designer.core.engine import ShapeEngine
from designer.core.errors import GraphError
from designer.core.graph import Edge, Graph, Node
from designer.core.order import execution_order
from designer.core.params import is_real
from designer.core.shapes import BATCH_SYMBOL, Shape, SymbolicShape, dim_names, format_count, format_shape
from designer.core.spec import LayerSpec, Term

LINE_LIMIT = 88
MAX_IDENTIFIER = 32
EXAMPLE_BATCH = 2  # the batch the __main__ example feeds an Input whose batch N is open

# Names the generated module itself uses, and names PEP 8 calls ambiguous (l, O, I): never handed out.
_CODE_NAMES = frozenset({"self", "torch", "nn", "model", "super", "l", "O", "I"})


class ExportError(Exception):
    """The design cannot be exported; ``problems`` lists (node id, sentence) for every node with an error."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class Namespace:
    """Hands out valid, unique Python identifiers built from arbitrary text (ids, names, project names)."""

    def __init__(self, reserved: frozenset[str] | set[str] = frozenset()) -> None:
        self._taken = set(reserved) | set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | _CODE_NAMES
        self._taken.discard("_")

    def take(self, text: str, fallback: str) -> str:
        return self._unique(identifier(text) or identifier(fallback) or "node")

    def take_class(self, text: str) -> str:
        """A class name: ``text`` itself when it is a usable identifier (block names are), else CamelCase."""
        return self._unique(text if valid_class_name(text) else class_identifier(text))

    def _unique(self, base: str) -> str:
        name, i = base, 1
        while name in self._taken:
            name = f"{base}_{i}"
            i += 1
        self._taken.add(name)
        return name


def identifier(text: str) -> str:
    """``'Up-sample 2'`` → ``'up_sample_2'``: ASCII letters, digits and single underscores, lower case."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()[:MAX_IDENTIFIER].rstrip("_")
    if name and name[0].isdigit():
        name = f"n{name}"
    return name


def class_identifier(text: str) -> str:
    """``'DCGAN generator'`` → ``'DCGANGenerator'``; ``'Model'`` when nothing usable is left."""
    words = re.findall(r"[0-9a-zA-Z]+", text)
    name = "".join(w[:1].upper() + w[1:] for w in words)[:MAX_IDENTIFIER * 2]
    if not name or name[0].isdigit():
        name = "Model" + name
    return name if valid_class_name(name) else name + "Model"


@dataclass(frozen=True)
class Call:
    """``opener + parts joined + closer``: a call (``nn.Conv2d(`` args ``)``) or a sum (parts joined by ``+``)."""

    opener: str
    parts: tuple[str, ...]
    closer: str = ")"
    joiner: str = ", "

    def text(self) -> str:
        return f"{self.opener}{self.joiner.join(self.parts)}{self.closer}"


@dataclass
class Step:
    """One node in the generated forward(): what it computes and how big the result is."""

    node: Node
    spec: LayerSpec
    variable: str
    shape: Shape
    display: SymbolicShape = ()  # the shape as comments show it: N where it follows an open batch
    attribute: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # node ids feeding its inputs, by port
    constructor: Call | None = None
    call: Call | None = None
    value: str = ""  # what forward() returns for this node: its variable, or an Output's source
    ports: tuple[str, ...] = ()  # the variable holding each output (a layer with several: LSTM, Chunk)
    target: str = ""  # what the call is assigned to: the variable, or an unpacking of several outputs
    sizes: str = ""  # the comment after the call: its outputs' sizes

    def __post_init__(self) -> None:
        self.value = self.value or self.variable
        self.display = self.display or self.shape
        self.ports = self.ports or (self.variable,)
        self.target = self.target or self.variable
        self.sizes = self.sizes or format_shape(self.display)

    @property
    def open_batch(self) -> bool:
        """An Input whose batch is left open ("N"): forward() takes any batch size there."""
        return self.node.leaves_batch_open


@dataclass
class ExportResult:
    """The code plus what tests and the GUI need to relate it to the design."""

    code: str
    class_name: str
    attributes: dict[str, str] = field(default_factory=dict)  # node id → dotted attribute path
    inputs: list[str] = field(default_factory=list)  # node ids, in forward() argument order
    outputs: list[str] = field(default_factory=list)  # node ids whose values forward() returns
    variables: dict[str, str] = field(default_factory=dict)  # node id → the local in forward() holding its value
    parameters: dict[str, str] = field(default_factory=dict)  # a Parameter node's id → its dotted path (state_dict key)


def export_code(graph: Graph, class_name: str | None = None, *, keep_names: bool = False) -> str:
    """The PyTorch code for ``graph`` (see :func:`export`)."""
    return export(graph, class_name, keep_names=keep_names).code


def export(graph: Graph, class_name: str | None = None, *, keep_names: bool = False) -> ExportResult:
    """Build the code; raises ExportError when a node has an error or ``class_name`` is not usable.

    ``keep_names`` makes layers whose ids are dotted module paths (``layer1.0.conv1``, as the PyTorch
    importer names them) attributes at exactly that path; other layers get sanitized names as usual.
    """
    if not len(graph):
        raise ExportError("there is nothing to export: the design has no layers")
    name = _class_name(graph.name, class_name)
    classes = _block_classes(graph, name)
    engine = ShapeEngine(graph)
    try:
        problems = engine.problems()
        if problems:
            listing = "; ".join(f"{_quote(graph.node(n).label)}: {sentence}" for n, sentence in problems)
            count = f"{len(problems)} node{'s' if len(problems) > 1 else ''}"
            raise ExportError(f"cannot export: {count} with errors: {listing}", problems)
        steps = _plan(graph, engine, keep_names, classes)
        total = engine.total_params()
    finally:
        engine.close()
    inputs = [s for s in steps if s.spec.kind == "input"]
    inputs.sort(key=lambda s: graph.index_of(s.node.id))
    outputs = _outputs(graph, steps)
    definitions = [line for block in _used_blocks(graph) for line in _block_class(graph.blocks[block], classes, keep_names)]
    code = _render(graph, name, steps, inputs, outputs, total, definitions)
    return ExportResult(
        code,
        name,
        {s.node.id: ".".join(s.attribute) for s in steps if s.attribute and s.spec.kind != "parameter"},
        [s.node.id for s in inputs],
        [s.node.id for s in outputs],
        {s.node.id: s.value for s in steps},
        {s.node.id: ".".join(s.attribute) for s in steps if s.spec.kind == "parameter"},
    )


def valid_class_name(name: str) -> bool:
    """Whether ``name`` can name the exported class (an ASCII identifier the code does not use itself)."""
    reserved = keyword.iskeyword(name) or name in _CODE_NAMES or name in dir(builtins)
    return name.isidentifier() and name.isascii() and not reserved


def _class_name(project_name: str, wanted: str | None) -> str:
    if wanted is None:
        return class_identifier(project_name)
    if not valid_class_name(wanted):
        raise ExportError(f"the class name {wanted!r} is not usable: give a Python identifier such as 'Generator'")
    return wanted


def _quote(label: str) -> str:
    return repr(label) if len(label) <= 40 else repr(label[:39] + "…")


def _plan(
    graph: Graph,
    engine: ShapeEngine | None,
    keep_names: bool,
    classes: dict[str, str],
    arguments: dict[str, str] | None = None,
) -> list[Step]:
    """One step per node in execution order. ``engine`` gives the sizes (None inside a block's class,
    whose sizes differ per use); ``arguments`` maps a block's argument names to its __init__ parameters."""
    order = execution_order(graph).nodes
    modules = [n for n in order if graph.spec(graph.node(n).type_name).kind in ("module", "block", "parameter")]
    nested = attribute_paths.paths(modules) if keep_names else {}
    tree = Tree(list(nested.values()))
    kept = _kept_arguments(arguments)  # what forward() reads: the values __init__ keeps
    reserved = {path[0] for path in nested.values()} | set(classes.values()) | {k[len("self.") :] for k in kept.values()}
    attributes = Namespace(MODULE_MEMBERS | reserved)
    variables = Namespace(set(classes.values()) | set((arguments or {}).values()))
    steps: dict[str, Step] = {}
    for node_id in order:
        node = graph.node(node_id)
        spec = graph.spec(node.type_name)
        result = engine.result(node_id) if engine is not None else None
        shape = result.shape if result is not None else ()
        step = Step(node, spec, variables.take(node.id, node.type_name), shape, result.display_shape if result else ())
        _unpack(graph, step, result, variables)
        edges = graph.in_edges(node_id)
        step.sources = tuple(edge.source for edge in edges)
        args = [steps[edge.source].ports[edge.source_port] for edge in edges]
        if spec.kind in ("module", "block"):
            step.attribute = nested.get(node_id) or (attributes.take(node.id, node.type_name),)
            if spec.kind == "module":
                step.constructor = Call(f"nn.{_torch_name(spec)}(", _arguments(graph, node, spec, arguments))
            else:
                step.constructor = _instance(graph, node, classes, arguments)
            step.call = Call(f"{tree.access(step.attribute)}(", tuple(args))
        elif spec.kind == "parameter":  # an attribute read where used: its state_dict key is its path
            step.attribute = nested.get(node_id) or (attributes.take(node.id, node.type_name),)
            sizes = _value(node.params["shape"], node, "shape", spec, arguments)
            step.constructor = Call("nn.Parameter(", (f"torch.zeros({sizes})",))
            step.ports = (tree.access(step.attribute),)
            step.value = step.ports[0]
        elif spec.kind == "op":
            step.call = Call("", (spec.code(tuple(args), _terms(graph, node, spec, kept or None)),), "")
        elif spec.kind == "concat":
            dim = _value(node.params.get("dim", 1), node, "dim", spec, kept or None)
            step.call = Call("torch.cat(", (f"[{', '.join(args)}]", f"dim={dim}"))
        elif spec.kind == "output":
            step.value = args[0]
        elif spec.kind != "input":
            raise ExportError(f"{node.type_name} nodes cannot be exported yet")
        steps[node_id] = step
    return list(steps.values())


def _kept_arguments(arguments: dict[str, str] | None) -> dict[str, str]:
    """A block's argument → the attribute its class keeps it in for forward() (``self.dim_arg``)."""
    return {arg: f"self.{name}_arg" for arg, name in (arguments or {}).items()}


def _forward_arguments(graph: Graph) -> set[str]:
    """The block arguments that calls in forward() read (an op's or a Concat's params), not only __init__."""
    used = set()
    for node in graph.nodes():
        if graph.spec(node.type_name).kind in ("op", "concat"):
            used.update(name for value in node.params.values() for name in blocks.references(value))
    return used


def _unpack(graph: Graph, step: Step, result, variables: Namespace) -> None:
    """Name the outputs of a layer with several (``out, (h_n, c_n) = self.lstm(x)``): one variable per
    output a later layer reads, ``_`` for the others; the first output keeps the step's own variable."""
    spec, node = step.spec, step.node
    read = {edge.source_port for edge in graph.out_edges(node.id)}
    rest = ""  # a count known only per use (a Chunk inside a block's class): the outputs read, then *_
    if result is not None:
        count = len(result.output_shapes)
    else:
        try:
            count = spec.output_count(spec.resolve(node.params))
        except (ArithmeticError, KeyError, TypeError, ValueError):
            count = None
        if count is None and spec.tuple_result:
            count, rest = max(read, default=0) + 1, ", *_"
        count = count or 1
    if count <= 1 and not spec.tuple_result:
        return
    ports = [step.variable] + [
        variables.take(f"{node.id}_{spec.output_name(port)}", "out") if port in read else "_" for port in range(1, count)
    ]
    step.ports = tuple(ports)
    pattern = spec.output_pattern or ", ".join(f"{{{i}}}" for i in range(count))
    step.target = pattern.format(*ports) + rest if count > 1 or rest else f"({ports[0]},)"
    if result is not None:
        step.sizes = ", ".join(format_shape(s) for s in result.display_outputs)


def _torch_name(spec: LayerSpec) -> str:
    if not spec.type_name.isidentifier():  # the catalog's own names; checked so no text ever slips in
        raise ExportError(f"the layer type {spec.type_name!r} has no torch.nn class")
    return spec.type_name


def _arguments(graph: Graph, node: Node, spec: LayerSpec, arguments: dict[str, str] | None) -> tuple[str, ...]:
    try:
        graph.check_params(node.id, node.type_name, node.params)
    except GraphError as exc:
        raise ExportError(f"{_quote(node.label)}: {exc.message}", [(node.id, exc.message)]) from None
    parts = []
    for name in spec.param_names:
        if name in node.params:
            parts.append(f"{name}={_value(node.params[name], node, name, spec, arguments)}")
    return tuple(parts)


def _terms(graph: Graph, node: Node, spec: LayerSpec, arguments: dict[str, str] | None) -> dict[str, Term]:
    """An op's params as code (checked like a module's arguments), torch's defaults filled in."""
    _arguments(graph, node, spec, arguments)
    terms = {}
    for p in spec.params:
        value = node.params.get(p.name, p.default)
        known = not (blocks.is_reference(value) or (isinstance(value, list) and blocks.references(value)))
        terms[p.name] = Term(_value(value, node, p.name, spec, arguments), value if known else None, known)
    return terms


def _value(value: Any, node: Node, param: str, spec: LayerSpec, arguments: dict[str, str] | None) -> str:
    """A param's code: the block's __init__ parameter for a reference, else a literal."""
    if blocks.is_reference(value):
        if arguments is None or value[blocks.ARG] not in arguments:
            raise ExportError(f"{_quote(node.label)}: {param} refers to an argument that is not declared")
        return arguments[value[blocks.ARG]]
    if isinstance(value, list) and blocks.references(value):
        items = [_value(v, node, param, spec, arguments) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return _literal(value, node, param, spec)


def _instance(graph: Graph, node: Node, classes: dict[str, str], arguments: dict[str, str] | None) -> Call:
    """``BasicBlock(cin=64, cout=128)``; with ``repeat`` K, an ``nn.Sequential`` of K of them."""
    block = graph.blocks[node.type_name]
    spec = block.spec()
    _arguments(graph, node, spec, arguments)  # checks the values
    parameters = _parameter_names(block, classes)
    parts = tuple(f"{parameters[k]}={_value(v, node, k, spec, arguments)}" for k, v in node.params.items())
    call = Call(f"{classes[block.name]}(", parts)
    if node.repeat is None:
        return call
    # A Sequential even for one copy, so the weights are named layer1.0.conv1... as torchvision names them.
    count = arguments[node.repeat[blocks.ARG]] if blocks.is_reference(node.repeat) and arguments else node.repeat
    return Call("nn.Sequential(", (f"*[{call.text()} for _ in range({count})]",))


def _parameter_names(block: blocks.BlockDef, classes: dict[str, str]) -> dict[str, str]:
    """Argument name → the class's __init__ parameter (sanitized; usually the same name)."""
    names = Namespace(set(classes.values()))
    return {arg: names.take(arg, "arg") for arg in block.arguments}


def _literal(value: Any, node: Node, param: str, spec: LayerSpec) -> str:
    """A Python literal for a checked JSON value: lists become tuples, as torch takes them."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        if not is_real(value):
            raise ExportError(f"{_quote(node.label)}: {param} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        # A string reaches the code only when the param's kind accepts it (a Choice of fixed words).
        if not spec.param(param).kind.accepts(value) or not re.fullmatch(r"[A-Za-z0-9_\-]*", value):
            raise ExportError(f"{_quote(node.label)}: {param} has a value torch does not accept")
        return _string(value)
    if isinstance(value, list):
        items = [_literal(v, node, param, spec) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    raise ExportError(f"{_quote(node.label)}: {param} has a value that cannot be written as code")


def _outputs(graph: Graph, steps: list[Step]) -> list[Step]:
    marked = [s for s in steps if s.spec.kind == "output"]
    chosen = marked or [s for s in steps if not graph.out_edges(s.node.id)]
    return sorted(chosen, key=lambda s: graph.index_of(s.node.id))


# ----- rendering -----------------------------------------------------------------------------------
def _render(
    graph: Graph, name: str, steps: list[Step], inputs: list[Step], outputs: list[Step], total: int, definitions: list[str]
) -> str:
    lines = [*_header(graph, inputs, outputs, total), "", "import torch", "from torch import nn", "", ""]
    lines += definitions
    lines += [
        f"class {name}(nn.Module):",
        f'    """{_doc_text(graph.name) or name}: built with Model Designer."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
    ]
    used = _used(steps, outputs)
    lines += _constructor_lines(steps, used)
    lines += ["", *_forward_lines(steps, inputs, outputs, used, sizes=True)]
    lines += ["", "", *_main(name, inputs, outputs)]
    return "\n".join(lines) + "\n"


def _constructor_lines(steps: list[Step], used: set[str]) -> list[str]:
    """__init__'s lines: each container before what it holds, and a layer before the children added to it."""
    lines: list[str] = []
    tree = Tree([s.attribute for s in steps if s.constructor is not None])
    layers = {s.attribute: s for s in steps if s.constructor is not None}
    declared: set[tuple[str, ...]] = set()

    def declare(step: Step) -> None:
        declared.add(step.attribute)
        for i in range(1, len(step.attribute)):
            prefix = step.attribute[:i]
            if prefix in declared:
                continue
            if prefix in layers:
                declare(layers[prefix])
            else:
                declared.add(prefix)
                lines.append(tree.container_line(prefix))
        unused = "" if step.node.id in used else "  # reaches no output, so forward() skips it"
        if step.spec.kind == "parameter":
            head, tail = tree.parameter_assignment(step.attribute)
        else:
            head, tail = tree.assignment(step.attribute)
        lines.extend(_wrap(8, head, step.constructor, tail + unused))

    for step in steps:
        if step.constructor is not None and step.attribute not in declared:
            declare(step)
    return lines


def _forward_lines(steps: list[Step], inputs: list[Step], outputs: list[Step], used: set[str], sizes: bool) -> list[str]:
    """forward(): one line per node; ``sizes`` adds each tensor's size as a comment (not in a block's class,
    whose sizes differ from one use to the next)."""
    if len(outputs) == 1:
        returns = "torch.Tensor"
    elif len(outputs) <= 3:
        returns = f"tuple[{', '.join(['torch.Tensor'] * len(outputs))}]"
    else:  # spelled out, many outputs would run past the line length
        returns = "tuple[torch.Tensor, ...]"
    signature = Call("(", ("self", *(f"{s.variable}: torch.Tensor" for s in inputs)))
    lines = _wrap(4, "def forward", signature, f" -> {returns}:")
    if sizes:
        for step in inputs:
            kind = ", int64 token ids" if step.node.params.get("dtype") == "int64" else ""
            lines.append(f"        # {step.variable}: {format_shape(step.display)} ({'×'.join(dim_names(len(step.shape)))}{kind})")
    for step in steps:
        if step.call is not None and step.node.id in used:
            lines += _wrap(8, f"{step.target} = ", step.call, f"  # {step.sizes}" if sizes else "")
    lines += _wrap(8, "return ", Call("", tuple(s.value for s in outputs), ""), "")
    return lines


# ----- block classes -------------------------------------------------------------------------------
def _block_classes(graph: Graph, model: str) -> dict[str, str]:
    """Block name → its class name (the block's own name, unless the code needs that name)."""
    names = Namespace({model})
    return {name: names.take_class(name) for name in graph.blocks}


def _used_blocks(graph: Graph) -> list[str]:
    """Every block definition, each after the blocks it uses (so each class is defined before use)."""
    return blocks.dependency_order({name: block.uses() for name, block in graph.blocks.items()})


def _block_class(block: blocks.BlockDef, classes: dict[str, str], keep_names: bool) -> list[str]:
    """The class of one block; with ``keep_names`` its layers sit at their ids' module paths, as in the
    model's own class (an imported block's ``downsample.0`` loads that block's weights)."""
    parameters = _parameter_names(block, classes)
    spec = block.spec()
    steps = _plan(block.graph, None, keep_names, classes, parameters)
    inputs = sorted((s for s in steps if s.spec.kind == "input"), key=lambda s: block.graph.index_of(s.node.id))
    outputs = [s for s in steps if s.spec.kind == "output"]
    outputs.sort(key=lambda s: block.graph.index_of(s.node.id))
    signature = ["self"]
    for arg, default in block.arguments.items():
        literal = _default(block, arg, default, spec)
        hint = _hint(default)
        signature.append(f"{parameters[arg]}: {hint} = {literal}" if hint else f"{parameters[arg]}={literal}")
    used = _used(steps, outputs)
    uses = ", ".join(f"{parameters[a]}" for a in block.arguments) or "no arguments"
    chain = _chain(block, steps) if keep_names else None
    head = [
        f"class {classes[block.name]}(nn.{'Sequential' if chain else 'Module'}):",
        *_block_doc(block.name, uses),
        "",
        *_wrap(4, "def __init__", Call("(", tuple(signature)), " -> None:"),
        "        super().__init__()",
    ]
    if chain:  # its layers 0..n-1 one after another: an nn.Sequential, as torchvision writes one (same weight names)
        return [*head, *(line for step in chain for line in _wrap(8, "self.append(", step.constructor, ")")), "", ""]
    return [
        *head,
        *(f"        {_kept_arguments(parameters)[a]} = {parameters[a]}" for a in block.arguments if a in _forward_arguments(block.graph)),
        *_constructor_lines(steps, used),
        "",
        *_forward_lines(steps, inputs, outputs, used, sizes=False),
        "",
        "",
    ]


def _block_doc(name: str, uses: str) -> list[str]:
    """The class docstring: one line where it fits, else the arguments on lines of their own."""
    line = f'    """The block {_doc_text(name)} ({_doc_text(uses)}), defined once and used wherever the design needs it."""'
    if len(line) <= LINE_LIMIT:
        return [line]
    listed = textwrap.wrap(f"Arguments: {uses}.", LINE_LIMIT - 4, break_long_words=False, break_on_hyphens=False)
    head = f'    """The block {_doc_text(name)}, defined once and used wherever the design needs it.'
    if len(head) > LINE_LIMIT:
        head = f'    """The block {_doc_text(name)}.'
    return [head, "", *(f"    {_doc_text(text)}" for text in listed), '    """']


def _chain(block: blocks.BlockDef, steps: list[Step]) -> list[Step] | None:
    """The steps of a block whose layers are ids ``0..n-1``, each a module of one output taking the one before
    (the first the block's one Input, the last giving its one Output): what an ``nn.Sequential`` computes."""
    graph = block.graph
    layers = [s for s in steps if s.spec.kind not in ("input", "output")]
    ins, outs = block.inputs(), block.outputs()
    if len(ins) != 1 or len(outs) != 1 or [s.node.id for s in layers] != [str(i) for i in range(len(layers))]:
        return None
    order = [ins[0], *(s.node.id for s in layers), outs[0]]
    for before, after in zip(order, order[1:]):
        if graph.out_edges(before) != [Edge(before, after)] or graph.in_edges(after) != [Edge(before, after)]:
            return None
    if not layers or any(s.spec.kind not in ("module", "block") or graph.output_count(s.node.id) != 1 for s in layers):
        return None
    return layers


def _default(block: blocks.BlockDef, arg: str, value: Any, spec: LayerSpec) -> str:
    """The literal of an argument's default, checked like any param (strings only from the catalog's choices)."""
    probe = Node(f"{block.name}.{arg}", block.name, {})
    if not spec.param(arg).kind.accepts(value):
        raise ExportError(f"the block {block.name}: the default of {arg} does not fit where it is used")
    return _literal(value, probe, arg, spec)


def _hint(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "tuple[int, ...]"
    return ""


def _used(steps: list[Step], outputs: list[Step]) -> set[str]:
    """Nodes some returned value depends on; the others would be computed for nothing."""
    feeds = {s.node.id: s.sources for s in steps}
    used, todo = set(), [s.node.id for s in outputs]
    while todo:
        node_id = todo.pop()
        if node_id not in used:
            used.add(node_id)
            todo.extend(feeds[node_id])
    return used


def _header(graph: Graph, inputs: list[Step], outputs: list[Step], total: int) -> list[str]:
    title = _doc_text(graph.name) or "Model"
    version = f"PyTorch model exported by Model Designer {designer.__version__}."
    lines = [f'"""{title}', "", version, "", "Inputs:"]
    lines += [f"    {s.variable}: {format_shape(s.display)}" for s in inputs] or ["    (none)"]
    lines.append("Outputs:")
    lines += [f"    {s.variable}: {format_shape(s.display)}" for s in outputs]
    if any(s.open_batch for s in inputs):
        lines += [
            "",
            f"The batch {BATCH_SYMBOL} is left open: forward() takes any batch size, and the sizes written",
            f"with {BATCH_SYMBOL} (here and in forward's comments) follow it. The example at the bottom",
            f"uses a batch of {EXAMPLE_BATCH}.",
        ]
    lines += ["", f"Parameters: {format_count(total)}", '"""']
    return lines


def _doc_text(text: str) -> str:
    """Text safe inside a triple-quoted docstring: printable, no backslash or quote, one short line."""
    cleaned = "".join(ch if ch.isprintable() and ch not in '\\"' else " " for ch in text)
    return " ".join(cleaned.split())[:80]


_string = attribute_paths.literal


def _main(name: str, inputs: list[Step], outputs: list[Step]) -> list[str]:
    names = Namespace({name})
    args = [names.take(s.variable, "x") for s in inputs]
    lines = ['if __name__ == "__main__":', f"    model = {name}().eval()"]
    batch = ""
    if any(s.open_batch for s in inputs):
        batch = names.take("batch", "n")
        lines.append(f"    {batch} = {EXAMPLE_BATCH}  # any batch size works: the model's batch N is open")
    for arg, step in zip(args, inputs):
        sizes = tuple(str(d) for d in step.shape)
        if step.open_batch:
            sizes = (batch, *sizes[1:])
        if step.node.params.get("dtype") == "int64":  # token ids: zeros are valid ids for any vocabulary
            lines += _wrap(4, f"{arg} = ", Call("torch.zeros(", (*sizes, "dtype=torch.long")), "")
        else:
            lines += _wrap(4, f"{arg} = ", Call("torch.randn(", sizes), "")
    lines.append("    with torch.no_grad():")
    if len(outputs) == 1:
        results = [names.take(outputs[0].variable, "y")]
        lines += _wrap(8, f"{results[0]} = ", Call("model(", tuple(args)), "")
    else:
        # One name for the tuple keeps the line short however many outputs there are.
        together = names.take("outputs", "y")
        results = [f"{together}[{i}]" for i in range(len(outputs))]
        lines += _wrap(8, f"{together} = ", Call("model(", tuple(args)), "")
    for result, step in zip(results, outputs):
        line = f"    print({_string(step.node.label[:24])}, tuple({result}.shape))"
        if len(line) > LINE_LIMIT:  # a label full of escapes: its variable name says the same
            line = f"    print({_string(step.variable)}, tuple({result}.shape))"
        lines.append(line)
    return lines


def _wrap(indent: int, head: str, call: Call, tail: str) -> list[str]:
    """One line when it fits; else the parts on one indented line; else one part per line (black's way)."""
    pad = " " * indent
    line = f"{pad}{head}{call.text()}{tail}"
    if len(line) <= LINE_LIMIT:
        return [line]
    # A bare sum or tuple (``a + b``, ``return a, b``) needs brackets to span lines.
    opener, closer = (call.opener, call.closer) if call.opener else ("(", ")")
    first, last = f"{pad}{head}{opener}", f"{pad}{closer}{tail}"
    middle = f"{pad}    {call.joiner.join(call.parts)}"
    if (len(middle) <= LINE_LIMIT and len(first) <= LINE_LIMIT) or (not call.opener and len(call.parts) == 1):
        return [first, middle, last]  # (one bare expression in brackets: a trailing comma would make it a tuple)
    if call.joiner == ", ":
        return [first, *(f"{pad}    {p}," for p in call.parts), last]
    return [first, f"{pad}    {call.parts[0]}", *(f"{pad}    + {p}" for p in call.parts[1:]), last]
