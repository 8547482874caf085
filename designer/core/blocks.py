"""Blocks: named sub-designs with arguments, and the nodes that use them (instances).

A :class:`BlockDef` is a small graph of its own plus named arguments with defaults. Its Input nodes
are its input ports, in file order, and carry no shape (the caller's size flows in); its Output nodes
are its outputs, in file order. Inside it any param may be a literal or a reference ``{"arg": "cin"}``
to an argument. A node whose type is a block's name is an instance: its params are argument values
(missing ones take the defaults), and ``repeat`` K chains K copies (one input, one output).

This module owns those rules: recognising and binding references, the derived :class:`LayerSpec` an
instance is checked against, and the checks (unknown argument, undeclared reference, recursion,
arity), each as a sentence naming its place. The layer catalog knows nothing of blocks.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from designer.core import catalog
from designer.core.params import Kind, is_int
from designer.core.shapes import LayerError
from designer.core.spec import LayerSpec, ParamSpec, short_repr

if TYPE_CHECKING:
    from designer.core.graph import Graph, Node

ARG = "arg"  # the one key of a reference: {"arg": "cin"}
PATH_SEPARATOR = "/"  # inner nodes are addressed as layer2_0/conv1, and the third repeat as stage/2/conv
CATEGORY = "Blocks"
MAX_REPEAT = 1_000


def is_reference(value: Any) -> bool:
    """Whether a param value is a reference to an argument, ``{"arg": "cin"}``."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(ARG), str)


def bind(params: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every reference (also inside a list, ``[{"arg": "k"}, 1]``) replaced by its argument's value."""
    return {k: _bound(v, values) for k, v in params.items()}


def _bound(value: Any, values: Mapping[str, Any]) -> Any:
    if is_reference(value):
        return values[value[ARG]]
    if isinstance(value, list):
        return [_bound(v, values) for v in value]
    return value


def references(value: Any) -> list[str]:
    """The argument names a param value refers to (itself, or items of a list)."""
    if is_reference(value):
        return [value[ARG]]
    if isinstance(value, list):
        return [name for item in value for name in references(item)]
    return []


def valid_block_name(name: Any) -> bool:
    """A block name is an ASCII identifier that is no layer type, keyword or ``Input``/``Output``-like type."""
    return (
        isinstance(name, str)
        and name.isidentifier()
        and name.isascii()
        and not keyword.iskeyword(name)
        and not catalog.exists(name)
    )


def valid_argument_name(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


class BlockDef:
    """One block definition: ``name``, ``arguments`` (name → default, in file order) and its ``graph``.

    The graph is an ordinary :class:`Graph` whose ``arguments`` are these (so it accepts references
    and shapeless Inputs). ``revision`` grows with every edit of the graph, so derived data keyed on
    it (runs, specs) never goes stale.
    """

    def __init__(self, name: str, arguments: dict[str, Any], graph: Graph) -> None:
        self.name = name
        self.arguments = arguments
        self.graph = graph
        self._edits = 0
        self._spec: LayerSpec | None = None
        self._uses: set[str] | None = None
        graph.subscribe(self._on_event)

    def _on_event(self, _event: object) -> None:
        self._edits += 1
        self._spec = self._uses = None

    @property
    def revision(self) -> int:
        """Grows with every edit of this definition or of a block it uses (its results depend on both)."""
        return self._edits + sum(self.graph.blocks[name].revision for name in self.uses() if name in self.graph.blocks)

    def inputs(self) -> list[str]:
        """The ids of its Input nodes: input port k is the k-th of them."""
        return [n.id for n in self.graph.nodes() if n.type_name == "Input"]

    def outputs(self) -> list[str]:
        """The ids of its Output nodes, in file order."""
        return [n.id for n in self.graph.nodes() if n.type_name == "Output"]

    def uses(self) -> set[str]:
        """Names of the blocks its nodes are instances of."""
        if self._uses is None:
            self._uses = {n.type_name for n in self.graph.nodes() if n.type_name in self.graph.blocks}
        return self._uses

    def argument_of(self, node_id: str, param: str | None) -> str | None:
        """The argument that inner node ``node_id``'s ``param`` refers to, if it refers to one."""
        if param is None or node_id not in self.graph:
            return None
        found = references(self.graph.node(node_id).params.get(param))
        return found[0] if found else None

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every argument's value for an instance that gives ``given``: the defaults, overridden."""
        return {**self.arguments, **given}

    def spec(self) -> LayerSpec:
        """The LayerSpec an instance is checked against (arguments as params, input ports as arity)."""
        if self._spec is None:
            self._spec = _instance_spec(self)
        return self._spec


@dataclass(frozen=True)
class ArgumentKind(Kind):
    """What an argument accepts: whatever every param that refers to it accepts."""

    kinds: tuple[Kind, ...]

    @property
    def editor(self) -> str:  # type: ignore[override]
        return self.kinds[0].editor if self.kinds else "text"

    def describe(self) -> str:
        return self.kinds[0].describe() if self.kinds else "a value"

    def accepts(self, value: Any) -> bool:
        if is_reference(value):
            return False
        return all(k.accepts(value) for k in self.kinds)


def _argument_kinds(block: BlockDef) -> dict[str, list[Kind]]:
    kinds: dict[str, list[Kind]] = {name: [] for name in block.arguments}
    for node in block.graph.nodes():
        spec = block.graph.spec(node.type_name)
        for param, value in node.params.items():
            if is_reference(value) and value[ARG] in kinds and param in spec.param_names:
                kinds[value[ARG]].append(spec.param(param).kind)
    return kinds


def _instance_spec(block: BlockDef) -> LayerSpec:
    kinds = _argument_kinds(block)
    params = tuple(ParamSpec(name, ArgumentKind(tuple(kinds[name])), default) for name, default in block.arguments.items())
    ports = len(block.inputs())
    outputs = tuple(block.graph.node(o).label for o in block.outputs())
    layers = sum(1 for n in block.graph.nodes() if n.type_name not in ("Input", "Output"))
    return LayerSpec(
        block.name,
        CATEGORY,
        f"The block {block.name}: {layers} layer{'s' if layers != 1 else ''} defined once in this design.",
        params,
        _run_by_the_engine,
        count_params=lambda given: block_params(block, given),
        min_inputs=ports,
        max_inputs=ports,
        output_count=lambda given: max(len(outputs), 1),
        output_names=outputs,
        kind="block",
        summary=lambda given: ", ".join(f"{k}={short_repr(v, 12)}" for k, v in block.values(given).items()),
    )


def _run_by_the_engine(ctx) -> Any:
    raise LayerError(f"{ctx.label}: a block's sizes come from running its definition")


def block_params(block: BlockDef, given: Mapping[str, Any]) -> int:
    """The learnable parameters of one copy of ``block`` with argument values ``given``."""
    values = block.values(given)
    total = 0
    for node in block.graph.nodes():
        if node.type_name == "Input":
            continue
        params = bind(node.params, values)
        if node.type_name in block.graph.blocks and not catalog.exists(node.type_name):
            inner = block.graph.blocks[node.type_name]
            total += block_params(inner, params) * (_bound(node.repeat, values) or 1)
        else:
            spec = catalog.get(node.type_name)
            total += spec.count_params(spec.resolve(params))
    return total


# ----- checks --------------------------------------------------------------------------------------
def instance_problems(block: BlockDef, given: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems with an instance's params as (argument, sentence): unknown arguments, values of the wrong kind."""
    problems = []
    spec = block.spec()
    for name, value in given.items():
        if name not in block.arguments:
            known = ", ".join(block.arguments) or "none"
            problems.append((name, f"the block {block.name} has no argument {name!r}; its arguments are: {known}"))
            continue
        kind = spec.param(name).kind
        if not kind.accepts(value):
            problems.append((name, f"{name} must be {kind.describe()}, got {short_repr(value)}"))
    return problems


def inner_problems(
    type_name: str, params: Mapping[str, Any], arguments: Mapping[str, Any], check: Callable[[Mapping[str, Any]], list]
) -> list[tuple[str, str]]:
    """Problems with the params of a node inside a block: undeclared references, then what ``check`` (the
    node's own rule for plain params) finds with every reference standing for its argument's default."""
    if type_name == "Input":
        if params:
            return [(next(iter(params)), "an Input inside a block takes its size from where the block is used, so it has no params")]
        return []
    problems = []
    for param, value in params.items():
        for name in references(value):
            if name not in arguments:
                declared = ", ".join(arguments) or "none"
                problems.append((param, f"{param} refers to the argument {name!r}, which the block does not declare "
                                        f"(its arguments: {declared})"))
    if problems:
        return problems
    for param, sentence in check(bind(params, arguments)):
        used = references(params.get(param))
        if used:
            defaults = ", ".join(f"{name} = {short_repr(arguments[name])}" for name in dict.fromkeys(used))
            sentence = f"{param} takes the argument's default ({defaults}), which does not fit: {sentence}"
        problems.append((param, sentence))
    return problems


def repeat_problem(block: BlockDef, repeat: Any) -> str | None:
    """Why an instance of ``block`` cannot carry ``"repeat": repeat``, or None."""
    if not is_int(repeat) or not 1 <= repeat <= MAX_REPEAT:
        return f"\"repeat\" must be an integer from 1 to {MAX_REPEAT:,}, got {short_repr(repeat)}"
    ins, outs = len(block.inputs()), len(block.outputs())
    if repeat > 1 and (ins != 1 or outs != 1):
        return (f"repeat chains copies of {block.name} one into the next, so the block needs exactly one Input "
                f"and one Output, but it has {ins} and {outs}")
    return None


def definition_problems(block: BlockDef) -> list[tuple[str | None, str]]:
    """Problems of a definition as a whole, as (inner node id or None, sentence)."""
    if not block.outputs():
        return [(None, f"the block {block.name} has no Output node, so using it gives nothing")]
    return []


def find_cycle(uses: Mapping[str, set[str]]) -> list[str] | None:
    """A chain of block names that ends where it starts (``[A, B, A]``), or None when no block uses itself."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for used in sorted(uses.get(name, ())):
            if state.get(used) == 1:
                return path[path.index(used):] + [used]
            if used in uses and state.get(used) is None:
                found = visit(used)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return None

    for name in uses:
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return None


def dependency_order(uses: Mapping[str, set[str]]) -> list[str]:
    """Block names so that every block comes after the blocks it uses (no cycles: check find_cycle first)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        seen.add(name)
        for used in sorted(uses.get(name, ())):
            if used in uses and used not in seen:
                visit(used)
        done.append(name)

    for name in uses:
        if name not in seen:
            visit(name)
    return done


def cycle_sentence(cycle: list[str]) -> str:
    chain = " → ".join(cycle)
    if len(cycle) == 2:
        return f"the block {cycle[0]} uses itself ({chain}); a block cannot contain itself"
    return f"blocks use each other in a circle ({chain}); a block cannot contain itself, directly or not"


def is_instance(graph: Graph, node: Node) -> bool:
    return node.type_name in graph.blocks and not catalog.exists(node.type_name)


def instances_among(graph: Graph, node_ids: Iterable[str]) -> list[str]:
    """Those of ``node_ids`` that are block instances of ``graph`` (ids no longer in it are left out)."""
    return [n for n in node_ids if n in graph and is_instance(graph, graph.node(n))]
