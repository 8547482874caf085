"""Import keeps the hierarchy: an imported model's flat design regrouped into block definitions.

The importer maps a traced model to a flat design whose layers keep their module paths as ids
(``layer1.0.conv1``), and tells for every node which submodule calls it ran inside (torch's module
stack, outermost first). :func:`regroup` turns each such call (a *scope*) into one block instance
where it can:

- the scope's layers become its block's nodes, with ids relative to the scope (``conv1``,
  ``downsample.0``), so the exported class keeps every weight name (``layer1.0.conv1.weight``);
- the calls of one class with the same structure share one definition, whose arguments are the params
  that differ between them (channels, stride); another structure (a block with a downsample branch)
  gets a definition of its own (``BottleneckDownsample``);
- items ``0..K-1`` of an ``nn.Sequential`` or ``nn.ModuleList`` that are copies of one block with the
  same arguments, applied one after another, become one instance with ``repeat`` K;
- a plain container (``nn.Sequential``, ``nn.ModuleList``, ``nn.ModuleDict``) with one element, or
  holding everything its parent computes, adds no block of its own.

A scope that cannot be a block (called more than once, data leaving it and coming back in, its layers
called from outside it) leaves its layers in its parent, and the result's
``notes`` say so. Nothing here imports torch: the importer describes the model's modules as
:class:`Module` records.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designer.core import blocks, catalog
from designer.core.graph import Edge, Graph, Node
from designer.core.ids import unique_name

Pair = tuple[str, int]  # a tensor of the flat design: (node id, output port)
Call = tuple[str, str]  # one submodule call in a module stack: (its key, its module path)
_UNSET = object()  # a param an instance leaves at a default that the catalog does not state


@dataclass(frozen=True)
class Module:
    """What the importer says about one submodule of the model (by path)."""

    class_key: str  # the class with its module ("torchvision.models.resnet.Bottleneck"): one class, one key
    class_name: str  # "Bottleneck"
    container: bool  # a plain nn.Sequential, nn.ModuleList or nn.ModuleDict, no class of the model's own
    children: tuple[str, ...] = ()  # the names of its direct submodules, in order


@dataclass
class Hierarchy:
    """The regrouped design, where each flat node went (``layer1.0.conv1`` → ``layer1/0/conv1``), and notes."""

    graph: Graph
    paths: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass(eq=False)
class _Element:
    """One node of a block (or of the design): a flat layer, a block instance, or a repeat of copies."""

    members: list[str]  # the flat nodes it stands for, in file order
    absolute: str | None  # its module path (a named layer, a scope), None for a layer of a functional call
    node: Node | None = None  # a layer
    copies: tuple[_Instance, ...] = ()  # an instance (one copy) or a repeat (K copies)
    local: str = ""  # its id where it is placed
    first: int = -1  # the file position of its first flat node: elements keep the model's order


@dataclass(eq=False)
class _Instance:
    """One scope that became a block instance."""

    path: str
    elements: list[_Element]
    inputs: list[Pair]  # its input ports: flat tensors from outside, in port order
    outputs: list[Pair]  # the flat tensors it returns, in the order of its Output nodes
    edges: tuple  # its edges, and where each output comes from, in element indices (see _edges)
    exits: tuple
    definition: _Definition | None = None
    table: str = ""  # every value inside it, canonical: equal tables mean equal arguments
    arguments: dict[str, Any] = field(default_factory=dict)

    def port_of(self, pair: Pair) -> int:
        return self.inputs.index(pair)


@dataclass(eq=False)
class _Definition:
    """One block definition in the making: the structure its instances share, and what they are called."""

    module: Module
    instances: list[_Instance] = field(default_factory=list)
    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    params: list[dict[str, Any]] = field(default_factory=list)  # each element's params, references included


def regroup(
    flat: Graph,
    stacks: Mapping[str, Sequence[Call]],
    named: Mapping[str, str],
    modules: Mapping[str, Module],
) -> Hierarchy:
    """The hierarchical form of ``flat`` (see the module docstring).

    ``stacks`` gives each node's submodule calls, outermost first, without the model itself and without
    the node's own module; ``named`` the module path or weight name each node is named after (nodes of
    functional calls have none); ``modules`` every submodule by path.
    """
    return _Regrouper(flat, stacks, named, modules).run()


class _Regrouper:
    def __init__(self, flat: Graph, stacks: Mapping[str, Sequence[Call]], named: Mapping[str, str], modules: Mapping[str, Module]):
        self.flat = flat
        self.named = named
        self.modules = modules
        self.order = {node_id: i for i, node_id in enumerate(flat.node_ids())}
        self.paths: dict[str, str] = {}  # scope key → module path
        self.parent: dict[str, str | None] = {}
        self.children: dict[str | None, list[str]] = {None: []}
        self.members: dict[str, list[str]] = {}
        self.own: dict[str | None, list[str]] = {None: []}  # scope key → the nodes no sub-scope of it holds
        for node_id in self.order:
            above = None
            for key, path in stacks.get(node_id, ()):
                if key not in self.paths:
                    self.paths[key] = path
                    self.parent[key] = above
                    self.children.setdefault(above, []).append(key)
                    self.children[key] = []
                    self.members[key] = []
                    self.own[key] = []
                self.members[key].append(node_id)
                above = key
            self.own[above].append(node_id)
        self.calls = Counter(self.paths.values())  # module path → how many calls of it the trace saw
        self.definitions: list[_Definition] = []
        self.by_signature: dict[tuple, _Definition] = {}
        self.flat_scopes: list[tuple[str, str]] = []  # (scope key, why it stays flat)

    # ----- the walk ----------------------------------------------------------------------------
    def run(self) -> Hierarchy:
        elements = self._content(None)
        self._place(elements, "")
        elements = self._repeats(elements, "", None)
        self._name_definitions()
        for definition in self.definitions:  # children first: each was made after those it uses
            self._arguments(definition)
        library: dict[str, blocks.BlockDef] = {}
        graph = Graph(self.flat.name, library)
        for definition in self.definitions:
            library[definition.name] = self._block(definition, library)
        for element in elements:
            graph.add_node(self._node(element, element.local, None))
        for source, source_port, target, target_port in self._edges(elements, [])[1]:
            graph.connect(Edge(elements[source[1]].local, elements[target].local, target_port, source_port))
        paths: dict[str, str] = {}
        _paths(elements, "", paths)
        return Hierarchy(graph, paths, self._notes())

    def _content(self, key: str | None) -> list[_Element]:
        """The elements a scope is made of (its own layers, and what its sub-scopes became), in file order."""
        elements = []
        for child in self.children.get(key, []):
            elements.extend(self._resolve(child))
        elements.extend(self._layer(node_id) for node_id in self.own[key])
        for element in elements:
            element.first = min(self.order[m] for m in element.members)
        elements.sort(key=lambda e: e.first)
        return elements

    def _layer(self, node_id: str) -> _Element:
        node = self.flat.node(node_id)
        return _Element([node_id], node_id if node_id in self.named else None, node)

    def _resolve(self, key: str) -> list[_Element]:
        """What one scope gives its parent: one instance, or its elements where it adds no block."""
        path = self.paths[key]
        elements = self._content(key)
        reason = self._refusal(key)
        if reason is not None:
            if reason:
                self.flat_scopes.append((key, reason))
            return elements
        module = self.modules[path]
        self._place(elements, path)
        elements = self._repeats(elements, path, module)
        if module.container and (len(elements) == 1 or self._holds_all_of_parent(key)):
            return elements
        outputs = self._outputs(key)
        inputs, edges, exits = self._edges(elements, outputs)
        instance = _Instance(path, elements, inputs, outputs, edges, exits)
        kind = _camel(_last_name(path)) if module.container else module.class_key  # a container: by its attribute
        signature = (kind, len(inputs), tuple(_element_signature(e) for e in elements), edges, exits)
        definition = self.by_signature.get(signature)
        if definition is None:
            definition = self.by_signature[signature] = _Definition(module)
            self.definitions.append(definition)
        definition.instances.append(instance)
        instance.definition = definition
        instance.table = json.dumps([_element_table(e) for e in elements], sort_keys=True)
        members = [m for e in elements for m in e.members]
        members.sort(key=self.order.__getitem__)
        return [_Element(members, path, copies=(instance,))]

    # ----- which scopes can be blocks ----------------------------------------------------------
    def _refusal(self, key: str) -> str | None:
        """Why the scope cannot be a block: a sentence, "" when it is simply a layer itself, None when it can."""
        path = self.paths[key]
        members = self.members[key]
        inside = set(members)
        if path not in self.modules or path in self.order:
            return ""  # a layer with a forward() of its own (timm's BatchNormAct2d): the layer is the node
        if self.calls[path] > 1:
            return "it is called more than once, and each call of a block is a block of its own"
        prefix = path + "."
        for node_id, name in self.named.items():
            if name.startswith(prefix) and node_id not in inside:
                return f"its layer {name} is called from outside its forward()"
        for node_id in members:
            name = self.named.get(node_id)
            if name is not None and not name.startswith(prefix):
                return f"its forward() uses {name}, which lies outside it"
        for child in self._scopes_below(key):
            if not self.paths[child].startswith(prefix):
                return f"its forward() calls {self.paths[child]}, which lies outside it"
        if not self._outputs(key):
            return "nothing it computes is used"
        if self._leaves_and_returns(members, inside):
            return "data leaves it and comes back in, so it cannot sit in the design as one node"
        return None

    def _scopes_below(self, key: str) -> list[str]:
        found, todo = [], list(self.children.get(key, []))
        while todo:
            child = todo.pop()
            found.append(child)
            todo.extend(self.children.get(child, []))
        return found

    def _outputs(self, key: str) -> list[Pair]:
        """The tensors a scope computes that are read outside it, in file order (its block's outputs)."""
        inside = set(self.members[key])
        pairs = {(e.source, e.source_port) for m in self.members[key] for e in self.flat.out_edges(m) if e.target not in inside}
        return sorted(pairs, key=lambda pair: (self.order[pair[0]], pair[1]))

    def _leaves_and_returns(self, members: list[str], inside: set[str]) -> bool:
        """Whether a path runs from the scope through a node outside it back into it (no single node then)."""
        last = max(self.order[m] for m in members)
        todo = [e.target for m in members for e in self.flat.out_edges(m) if e.target not in inside]
        seen = set(todo)
        while todo:
            node_id = todo.pop()
            for edge in self.flat.out_edges(node_id):
                if edge.target in inside:
                    return True
                if edge.target not in seen and self.order[edge.target] < last:
                    seen.add(edge.target)
                    todo.append(edge.target)
        return False

    def _holds_all_of_parent(self, key: str) -> bool:
        above = self.parent[key]
        if above is not None:
            return len(self.members[above]) == len(self.members[key])
        layers = [n for n in self.order if self.flat.node(n).type_name not in ("Input", "Output")]
        return len(layers) == len(self.members[key])

    # ----- the elements of one level -----------------------------------------------------------
    def _place(self, elements: list[_Element], path: str) -> None:
        """Give each element its id at this level: its path below ``path``, or (a functional call's layer) a
        name of its call unique here, never one of the module's own names."""
        if not path:
            for element in elements:
                element.local = element.absolute or element.members[0]
            return
        prefix = path + "."
        taken = {name[len(prefix):] for name in list(self.modules) + list(self.named.values()) if name.startswith(prefix)}
        taken |= {name.split(".", 1)[0] for name in taken}
        for element in elements:
            if element.absolute is not None:
                element.local = element.absolute[len(prefix):]
                taken.add(element.local)
        for element in elements:
            if element.absolute is None:
                element.local = unique_name(re.sub(r"_\d+$", "", element.members[0]) or "node", taken)
                taken.add(element.local)

    def _repeats(self, elements: list[_Element], path: str, module: Module | None) -> list[_Element]:
        """Items 0..K-1 of a container that are copies of one block with the same arguments, applied one
        after another, as one instance with ``repeat`` K (the Sequential it exports to names them alike)."""
        runs: dict[str, list[_Element]] = {}
        for element in elements:
            match = re.fullmatch(r"(?:(.+)\.)?(\d+)", element.local)
            if element.copies and len(element.copies) == 1 and match:
                runs.setdefault(match.group(1) or "", []).append(element)
        for owner, run in runs.items():
            if owner == "" and (module is None or not module.container or len(run) != len(elements)):
                continue  # the items of a class of the model's own stay as they are
            container = self.modules.get(f"{path}.{owner}" if path and owner else path or owner)
            if container is None or not self._is_run(run, owner, container, elements):
                continue
            copies = tuple(e.copies[0] for e in run)
            members = sorted((m for e in run for m in e.members), key=self.order.__getitem__)
            merged = _Element(members, f"{path}.{owner}" if path and owner else path or owner, copies=copies)
            merged.first = run[0].first
            merged.local = owner or (path.rsplit(".", 1)[-1])
            index = elements.index(run[0])
            elements = [e for e in elements if e not in run]
            elements.insert(index, merged)
        return elements

    def _is_run(self, run: list[_Element], owner: str, container: Module, elements: list[_Element]) -> bool:
        names = [e.local.rsplit(".", 1)[-1] for e in run]
        if len(run) < 2 or names != [str(i) for i in range(len(run))] or tuple(names) != container.children:
            return False
        if owner and any(e not in run and e.local.startswith(owner + ".") for e in elements):
            return False
        first = run[0].copies[0]
        if any(e.copies[0].definition is not first.definition or e.copies[0].table != first.table for e in run):
            return False
        if len(first.inputs) != 1 or len(first.outputs) != 1:
            return False
        for before, after in zip(run, run[1:]):
            source, port = before.copies[0].outputs[0]
            if after.copies[0].inputs != [(source, port)]:
                return False
            readers = {e.target for e in self.flat.out_edges(source) if e.source_port == port and e.target not in before.members}
            if not readers <= set(after.members):
                return False
        return True

    def _edges(self, elements: list[_Element], outputs: list[Pair]) -> tuple[list[Pair], tuple, tuple]:
        """(the level's inputs from outside, its edges, where each of ``outputs`` comes from) in element
        indices. An edge is ((kind, index), source port, target element, target port), kind "in" for one of
        the inputs and "el" for an element; an output is (element, its port)."""
        index = {m: i for i, e in enumerate(elements) for m in e.members}
        inputs: list[Pair] = []
        edges: dict[tuple, None] = {}
        for i, element in enumerate(elements):
            for member in element.members:
                for edge in self.flat.in_edges(member):
                    j = index.get(edge.source)
                    if j == i:
                        continue
                    pair = (edge.source, edge.source_port)
                    if j is None:
                        if pair not in inputs:
                            inputs.append(pair)
                        source, port = ("in", inputs.index(pair)), 0
                    else:
                        source, port = ("el", j), _port(elements[j], pair)
                    target_port = edge.target_port if element.node is not None else element.copies[0].port_of(pair)
                    edges[(source, port, i, target_port)] = None
        exits = tuple((index[pair[0]], _port(elements[index[pair[0]]], pair)) for pair in outputs)
        return inputs, tuple(sorted(edges)), exits

    def _notes(self) -> list[str]:
        """One sentence per class and reason that kept scopes flat, naming up to three places."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for key, reason in self.flat_scopes:
            path = self.paths[key]
            grouped.setdefault((self.modules[path].class_name, reason), []).append(path)
        notes = []
        for (class_name, reason), paths in grouped.items():
            paths = list(dict.fromkeys(paths))  # a scope called twice is one place
            shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            notes.append(f"{class_name} at {shown} stays flat (its layers sit in the design around it, not in a block): {reason}")
        return notes

    # ----- definitions -------------------------------------------------------------------------
    def _name_definitions(self) -> None:
        """The most used structure of a class takes the class's name; another one adds what it holds besides
        (``BottleneckDownsample``) or a number. A plain container's is named by its attribute (``layer1`` →
        ``Layer``; ``LayerOf4`` beside it for another number of elements, else a number)."""
        taken: set[str] = set()
        families: dict[tuple[bool, str], list[_Definition]] = {}
        for definition in self.definitions:
            container = definition.module.container
            family = _camel(_last_name(definition.instances[0].path)) if container else definition.module.class_key
            families.setdefault((container, family), []).append(definition)
        for (container, family), variants in families.items():
            variants = sorted(variants, key=lambda d: -len(d.instances))  # stable: ties keep the model's order
            main = variants[0]
            counts = [len(d.instances[0].elements) for d in variants]
            for i, definition in enumerate(variants):
                base = family if container else definition.module.class_name
                count = len(definition.instances[0].elements)
                extra = [_camel(name) for name in _module_names(definition) if name not in _module_names(main)]
                if i and container and counts.count(count) == 1:
                    base += f"Of{count}"
                elif i and not container and 1 <= len(set(extra)) == len(extra) <= 2:  # names that tell it apart
                    base += "".join(extra)
                elif i:
                    base += str(i + 1)
                definition.name = _block_name(base, taken)
                taken.add(definition.name)

    def _arguments(self, definition: _Definition) -> None:
        """Literals where every instance agrees, an argument (default: the first instance's) where they differ."""
        instances = definition.instances
        by_values: dict[str, str] = {}
        arguments: dict[str, Any] = {}
        values_of = [dict() for _ in instances]
        for j, element in enumerate(instances[0].elements):
            params: dict[str, Any] = {}
            for key, values in _element_values([inst.elements[j] for inst in instances]):
                if any(v is _UNSET for v in values):
                    raise ValueError(f"{element.local}'s {key} is left to a default the catalog does not state")
                canonical = [json.dumps(v, sort_keys=True) for v in values]
                if len(set(canonical)) == 1:
                    params[key] = values[0]
                    continue
                vector = "\n".join(canonical)
                name = by_values.get(vector)
                if name is None:
                    name = by_values[vector] = _argument_name(key, element.local, arguments)
                    arguments[name] = values[0]
                    for i, value in enumerate(values):
                        values_of[i][name] = value
                params[key] = {blocks.ARG: name}
            definition.params.append(params)
        definition.arguments = arguments
        for instance, values in zip(instances, values_of):
            instance.arguments = values

    def _block(self, definition: _Definition, library: dict[str, blocks.BlockDef]) -> blocks.BlockDef:
        instance = definition.instances[0]
        graph = Graph(definition.name, library, definition.arguments)
        block = blocks.BlockDef(definition.name, definition.arguments, graph)
        taken = {e.local for e in instance.elements}
        if len(instance.inputs) == 1:
            inputs = [unique_name("x", taken)]
        else:
            inputs = [unique_name(f"x{i + 1}", taken) for i in range(len(instance.inputs))]
        for name in inputs:
            graph.add_node(Node(name, "Input", {}))
        for element, params in zip(instance.elements, definition.params):
            graph.add_node(self._node(element, element.local, params))
        taken |= set(inputs)
        if len(instance.exits) == 1:
            outputs = [unique_name("output", taken)]
        else:
            outputs = [unique_name(f"output_{i}", taken) for i in range(len(instance.exits))]
        for name in outputs:
            graph.add_node(Node(name, "Output", {}))
        for (kind, source), source_port, target, target_port in instance.edges:
            start = inputs[source] if kind == "in" else instance.elements[source].local
            graph.connect(Edge(start, instance.elements[target].local, target_port, source_port))
        for name, (j, port) in zip(outputs, instance.exits):
            graph.connect(Edge(instance.elements[j].local, name, 0, port))
        return block

    @staticmethod
    def _node(element: _Element, node_id: str, params: dict[str, Any] | None) -> Node:
        if element.node is not None:
            node = element.node
            return Node(node_id, node.type_name, dict(node.params) if params is None else params, node.name)
        copy = element.copies[0]
        repeat = len(element.copies) if len(element.copies) > 1 else None
        return Node(node_id, copy.definition.name, dict(copy.arguments) if params is None else params, None, None, repeat)


# ----- helpers -------------------------------------------------------------------------------------
def _port(element: _Element, pair: Pair) -> int:
    """The output port of ``element`` that gives the flat tensor ``pair``."""
    return pair[1] if element.node is not None else element.copies[-1].outputs.index(pair)


def _element_signature(element: _Element) -> tuple:
    if element.node is not None:
        return (element.local, element.node.type_name)
    return (element.local, id(element.copies[0].definition), len(element.copies))


def _element_table(element: _Element) -> Any:
    if element.node is not None:
        spec = catalog.get(element.node.type_name) if catalog.exists(element.node.type_name) else None
        params = {k: v for k, v in element.node.params.items() if spec is None or _default(spec, k) != v}
        return [element.local, element.node.type_name, params]
    return [element.local, len(element.copies), json.loads(element.copies[0].table)]


def _element_values(elements: list[_Element]):
    """(param, its value in each instance) for one element of a definition: every param some instance gives
    (the others take the catalog's default), every argument of an instance's block."""
    first = elements[0]
    if first.node is not None:
        spec = catalog.get(first.node.type_name)
        keys = list(dict.fromkeys(k for e in elements for k in e.node.params))
        for key in keys:
            values = [e.node.params[key] if key in e.node.params else _default(spec, key) for e in elements]
            yield key, values
    else:
        for key in first.copies[0].definition.arguments:
            yield key, [e.copies[0].arguments[key] for e in elements]


def _default(spec: catalog.LayerSpec, key: str) -> Any:
    try:
        param = spec.param(key)
    except KeyError:
        return _UNSET
    return _UNSET if param.required else param.default


def _argument_name(key: str, local: str, taken: Mapping[str, Any]) -> str:
    if blocks.valid_argument_name(key) and key not in taken:
        return key
    base = re.sub(r"\W+", "_", f"{local}_{key}").strip("_")
    if not base or not blocks.valid_argument_name(base):
        base = f"arg_{base}" if base else "arg"
    return unique_name(base, taken)


def _module_names(definition: _Definition) -> list[str]:
    """The attribute names of the first instance's layers and blocks (not those of functional calls)."""
    return list(dict.fromkeys(e.local.split(".", 1)[0] for e in definition.instances[0].elements if e.absolute is not None))


def _last_name(path: str) -> str:
    names = [p for p in path.split(".") if not p.isdigit()]
    return names[-1] if names else "Sequence"


def _camel(text: str) -> str:
    words = re.findall(r"[A-Za-z]+", re.sub(r"\d+$", "", text)) or re.findall(r"[A-Za-z0-9]+", text)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Block"


def _block_name(base: str, taken: set[str]) -> str:
    name = base if blocks.valid_block_name(base) else f"{_camel(base)}Block"
    if not blocks.valid_block_name(name):
        name = "Block"
    found = unique_name(name, taken)
    return found if blocks.valid_block_name(found) else unique_name("Block", taken)


def _paths(elements: list[_Element], prefix: str, paths: dict[str, str]) -> None:
    """Where each flat node sits in the regrouped design: ``layer1/0/conv1`` (``/k/`` numbers a repeat's copies)."""
    for element in elements:
        here = f"{prefix}{element.local}"
        if element.node is not None:
            paths[element.members[0]] = here
        elif len(element.copies) == 1:
            _paths(element.copies[0].elements, here + blocks.PATH_SEPARATOR, paths)
        else:
            for k, copy in enumerate(element.copies):
                _paths(copy.elements, f"{here}{blocks.PATH_SEPARATOR}{k}{blocks.PATH_SEPARATOR}", paths)
