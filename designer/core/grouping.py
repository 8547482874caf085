"""Group into Block, Ungroup and Make Unique: the one undoable edit of each, built from the graph alone.

Grouping turns chosen layers into a block definition and puts an instance in their place, wired as they
were. The block's Inputs are the distinct tensors entering the layers (each output port feeding them
once), ordered by the first layer (file order) and input port they feed; its Output is the one tensor
leaving them (or, when nothing leaves, the one layer nothing inside reads). When the chosen layers fall
into several separate groups built alike (the same layer types, wired the same way, fed and read the
same way), they become one block and every group one instance of it: each param whose value differs
between the groups becomes an argument (its default the first group's value) and each instance passes
its own values; params that agree stay literals. Input and Output nodes of the design stay outside.

Ungroup puts an instance's layers back in its place with its argument values bound (each copy of a
repeated instance in turn) and drops the definition when that was its last use. Make Unique gives one
instance a copy of its block under a new name, so that it can change without touching the other uses.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from designer.core import blocks, catalog, layout, project
from designer.core.blocks import BlockDef
from designer.core.edits import AddNode, Compound, Connect, DefineBlock, Edit, RemoveBlock, RemoveNodes, ReplaceNode
from designer.core.errors import GraphError
from designer.core.graph import Edge, Graph, Node, Position
from designer.core.ids import fresh_id, unique_name

OUTSIDE = ("Input", "Output")  # the design's own ends never go into a block
BLOCK_GAP = 110  # between the inner layers and the Inputs above them or the Output below
_ABSENT = object()


class GroupError(GraphError):
    """The chosen layers cannot become a block (or the instance cannot be ungrouped); the sentence says why."""


# ----- names -------------------------------------------------------------------------------------------
def name_problem(graph: Graph, name: str) -> str | None:
    """Why ``name`` cannot name a new block of ``graph``, or None."""
    if not name:
        return "give the block a name"
    if not (name.isidentifier() and name.isascii()) or not blocks.valid_argument_name(name):
        return f"{name!r} is not an identifier: use letters, digits and _, not starting with a digit (ConvBlock)"
    if catalog.exists(name):
        return f"{name} is a layer type; choose another name"
    if name in graph.blocks:
        return f"the design has a block called {name} already"
    return None


def free_name(graph: Graph, base: str) -> str:
    """``base`` when it can name a new block, else ``base2``, ``base3``, ..."""
    stem = "".join(ch for ch in base if ch.isascii() and (ch.isalnum() or ch == "_")).lstrip("0123456789_") or "Block"
    name, i = stem, 2
    while name_problem(graph, name) is not None:
        name = f"{stem}{i}"
        i += 1
    return name


def propose_name(graph: Graph, node_ids: Iterable[str]) -> str:
    """A name for the block the chosen layers would make: after its first layer (``Conv2dBlock``)."""
    chosen = [graph.node(n) for n in _chosen(graph, node_ids)]
    first = chosen[0].type_name if chosen else "Block"
    return free_name(graph, first[:1].upper() + first[1:].removesuffix("Block") + "Block")


# ----- group into block ----------------------------------------------------------------------------------
def group_edit(
    graph: Graph, node_ids: Iterable[str], name: str, positions: Mapping[str, Position] | None = None
) -> tuple[Edit, list[str]]:
    """The edit that defines block ``name`` from the chosen layers and puts instances in their place.

    ``positions`` gives where the canvas shows nodes that have no position of their own. Returns the edit
    and the ids of the new instances; raises :class:`GroupError` with a sentence when it cannot be done.
    """
    problem = name_problem(graph, name)
    if problem:
        raise GroupError(problem)
    if graph.arguments is not None:
        raise GroupError("layers inside a block cannot be grouped again; group them in the design")
    chosen = _chosen(graph, node_ids)
    if not chosen:
        raise GroupError("select the layers to group first (Input and Output nodes stay outside a block)")
    groups = _components(graph, chosen)
    shapes = [_Group(graph, g) for g in groups]
    if len(shapes) > 1 and any(s.signature != shapes[0].signature for s in shapes):
        shapes = [_Group(graph, chosen)]  # unlike groups: one block of them all
    for group in shapes:
        group.check()
    block, values = _definition(graph, name, shapes)
    where = dict(positions or {})
    edits: list[Edit] = [DefineBlock(block, text=f"Group into {name}"), RemoveNodes(chosen)]
    taken = set(graph.node_ids()) - set(chosen)
    gone = sorted(graph.index_of(n) for n in chosen)
    made = []
    for k, (group, given) in enumerate(zip(shapes, values)):
        node_id = fresh_id(name, taken)
        taken.add(node_id)
        made.append(node_id)
        first = graph.index_of(group.nodes[0])  # the instance takes its first layer's place in file order
        index = first - bisect.bisect_left(gone, first) + k
        node = Node(node_id, name, given, position=_centre(graph, group.nodes, where))
        edits.append(AddNode(node, index=index))
        for port, (source, source_port) in enumerate(group.sources):
            edits.append(Connect(Edge(source, node_id, port, source_port)))
        edits += [Connect(Edge(node_id, e.target, e.target_port)) for e in group.leaving]
    count = len(chosen)
    return Compound(edits, text=f"Group {count} Layer{'s' if count != 1 else ''} into {name}"), made


def _chosen(graph: Graph, node_ids: Iterable[str]) -> list[str]:
    wanted = set(node_ids)
    return [n.id for n in graph.nodes() if n.id in wanted and n.type_name not in OUTSIDE]


def _components(graph: Graph, chosen: list[str]) -> list[list[str]]:
    """The chosen layers in groups connected among themselves, each in file order, first layers first."""
    parent = {n: n for n in chosen}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for n in chosen:
        for e in graph.out_edges(n):
            if e.target in parent:
                parent[root(e.target)] = root(n)
    groups: dict[str, list[str]] = {}
    for n in chosen:
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())


class _Group:
    """One set of layers that becomes one instance: how tensors enter and leave it."""

    def __init__(self, graph: Graph, nodes: list[str]) -> None:
        self.graph = graph
        self.nodes = nodes
        index = {n: i for i, n in enumerate(nodes)}
        self.index = index
        entering: dict[tuple[str, int], list[tuple[int, int]]] = {}
        inner, leaving = [], []
        for n in nodes:
            for e in graph.in_edges(n):
                if e.source in index:
                    inner.append((index[e.source], index[n], e.target_port, e.source_port))
                else:
                    entering.setdefault((e.source, e.source_port), []).append((index[n], e.target_port))
            leaving += [e for e in graph.out_edges(n) if e.target not in index]
        # Inputs in a stable order: by the first layer (file order) and port each tensor feeds.
        self.sources = sorted(entering, key=lambda s: min(entering[s]))
        self.feeds = [sorted(entering[s]) for s in self.sources]
        self.inner = sorted(inner)
        self.leaving = leaving
        self.output = self._output()
        node = [graph.node(n) for n in nodes]
        self.signature = (
            tuple((x.type_name, repr(x.repeat)) for x in node),
            tuple(self.inner),
            tuple(tuple(f) for f in self.feeds),
            self.output,
        )

    def _output(self) -> tuple[int, int] | None:
        """(layer index, output port) of the one tensor the instance gives, or None when that is unclear."""
        ports = list(dict.fromkeys((self.index[e.source], e.source_port) for e in self.leaving))
        if ports:
            return ports[0] if len(ports) == 1 else None
        read = {e[0] for e in self.inner}
        ends = [i for i in range(len(self.nodes)) if i not in read]
        return (ends[0], 0) if len(ends) == 1 else None

    def check(self) -> None:
        graph, labels = self.graph, [f"'{self.graph.node(n).label}'" for n in self.nodes]
        between = _between(graph, set(self.nodes))
        if between:
            raise GroupError(
                f"'{graph.node(between).label}' takes data from the selection and gives data back to it, so the "
                "block would feed itself; select it too, or fewer layers"
            )
        if self.output is None:
            ports = list(dict.fromkeys((e.source, e.source_port) for e in self.leaving))
            if ports:
                names = ", ".join(f"'{graph.node(s).label}'" + (f" (output {p})" if p else "") for s, p in ports)
                raise GroupError(
                    f"a block gives one tensor, but {len(ports)} leave the selection (from {names}); "
                    "select fewer layers, or add the layers that join them"
                )
            raise GroupError(f"a block gives one tensor, but several of {', '.join(labels)} end without anything reading them")


def _between(graph: Graph, chosen: set[str]) -> str | None:
    """A layer outside ``chosen`` on a path from a chosen layer to another, or None."""
    after = _walk(graph, chosen, lambda n: (e.target for e in graph.out_edges(n)))
    before = _walk(graph, chosen, lambda n: (e.source for e in graph.in_edges(n)))
    return next((n for n in graph.node_ids() if n in after and n in before), None)


def _walk(graph: Graph, start: set[str], step) -> set[str]:
    seen: set[str] = set()
    stack = [m for n in start for m in step(n) if m not in start]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(m for m in step(n) if m not in seen)
    return seen


def _definition(graph: Graph, name: str, groups: list[_Group]) -> tuple[BlockDef, list[dict[str, Any]]]:
    """The block made from ``groups`` (the first one's layers and ids) and each instance's argument values."""
    first = groups[0]
    layers = [[graph.node(n) for n in g.nodes] for g in groups]
    varying: list[tuple[int, str]] = []
    for i in range(len(first.nodes)):
        keys = dict.fromkeys(k for g in layers for k in g[i].params)
        varying += [(i, k) for k in keys if len({repr(g[i].params.get(k, _ABSENT)) for g in layers}) > 1]
    # Params that vary together (the same value in every group: out_channels and num_features) share one argument.
    classes: dict[str, list[tuple[int, str]]] = {}
    for i, param in varying:
        classes.setdefault(repr([_value(graph, g[i], param) for g in layers]), []).append((i, param))
    firsts = [members[0][1] for members in classes.values()]
    ids = _inner_ids(first.nodes)
    arguments: dict[tuple[int, str], str] = {}  # (layer index, param) → argument name
    names: set[str] = set()
    for members in classes.values():
        i, param = members[0]
        wanted = param if firsts.count(param) == 1 else f"{ids[i]}_{param}"
        wanted = wanted if blocks.valid_argument_name(wanted) else f"arg{len(names) + 1}"
        arg = unique_name(wanted, names)
        names.add(arg)
        arguments.update((member, arg) for member in members)
    values = [{arg: _value(graph, g[i], p) for (i, p), arg in arguments.items()} for g in layers]
    defaults = dict(values[0])
    inner = Graph(name, graph.blocks, defaults)
    block = BlockDef(name, defaults, inner)
    ports = _input_ids(len(first.sources), set(ids))
    for port in ports:
        inner.add_node(Node(port, "Input", {}))
    for i, node in enumerate(layers[0]):
        params = dict(node.params)
        params.update((p, {blocks.ARG: arg}) for (j, p), arg in arguments.items() if j == i)
        inner.add_node(Node(ids[i], node.type_name, params, node.name, None, node.repeat))
    out = unique_name("out", set(ids) | set(ports))
    inner.add_node(Node(out, "Output", {}))
    for port, feeds in zip(ports, first.feeds):
        for i, target_port in feeds:
            inner.connect(Edge(port, ids[i], target_port))
    for source, target, target_port, source_port in first.inner:
        inner.connect(Edge(ids[source], ids[target], target_port, source_port), strict=False)
    index, port = first.output
    inner.connect(Edge(ids[index], out, 0, port), strict=False)
    for node_id, position in layout.auto_layout(inner).items():
        inner.move(node_id, position)
    return block, values


def _value(graph: Graph, node: Node, param: str) -> Any:
    """The node's value of ``param``: what it gives, else the layer's default."""
    if param in node.params:
        return node.params[param]
    spec = graph.spec(node.type_name)
    return spec.param(param).default if param in spec.param_names else None


def _inner_ids(node_ids: list[str]) -> list[str]:
    """The layers' ids inside the block: their own, with the path separator replaced."""
    taken: set[str] = set()
    out = []
    for node_id in node_ids:
        new = unique_name(node_id.replace(blocks.PATH_SEPARATOR, "_"), taken)
        taken.add(new)
        out.append(new)
    return out


def _input_ids(count: int, taken: set[str]) -> list[str]:
    wanted = ["x"] if count == 1 else [f"x{k + 1}" for k in range(count)]
    out = []
    for base in wanted:
        new = unique_name(base, taken | set(out))
        out.append(new)
    return out


def _centre(graph: Graph, node_ids: list[str], shown: Mapping[str, Position]) -> Position | None:
    points = [graph.node(n).position or shown.get(n) for n in node_ids]
    points = [p for p in points if p is not None]
    if not points:
        return None
    return (round(sum(p[0] for p in points) / len(points)), round(sum(p[1] for p in points) / len(points)))


# ----- ungroup -------------------------------------------------------------------------------------------
def ungroup_edit(graph: Graph, node_id: str) -> tuple[Edit, list[str]]:
    """The edit that puts instance ``node_id``'s layers in its place (argument values bound, every copy of
    a repeat in turn) wired as the instance was; the definition goes too when nothing else uses it.
    Returns the edit and the new layers' ids."""
    node = graph.node(node_id)
    if not blocks.is_instance(graph, node):
        raise GroupError(f"{node.type_name} '{node.label}' is a single layer, not a block instance")
    block = graph.blocks[node.type_name]
    values = block.values(node.params)
    inner = block.graph
    placed = _inner_positions(inner)
    top = min((p[1] for p in placed.values()), default=0)
    left = min((p[0] for p in placed.values()), default=0)
    height = max((p[1] for p in placed.values()), default=0) - top + BLOCK_GAP
    x0, y0 = node.position or (0.0, 0.0)
    at = graph.index_of(node_id)  # the layers take the instance's place in file order
    inputs, output = block.inputs(), block.outputs()[0]
    feeding = graph.input_edges(node_id)
    fed: list[tuple[str, int] | None] = [
        (feeding[p].source, feeding[p].source_port) if p in feeding else None for p in range(len(inputs))
    ]
    taken = set(graph.node_ids()) - {node_id}
    adds: list[Edit] = []
    wires: list[Edit] = []
    made: list[str] = []
    copies = node.repeat or 1
    for k in range(copies):
        prefix = f"{node_id}_{k}_" if node.repeat else f"{node_id}_"
        ids: dict[str, str] = {}
        for n in inner.nodes():
            if n.type_name in OUTSIDE:
                continue
            ids[n.id] = new = unique_name(prefix + n.id, taken)
            taken.add(new)
            made.append(new)
            x, y = placed[n.id]
            position = (round(x0 + x - left), round(y0 + y - top + k * height))
            repeat = blocks.bind({"repeat": n.repeat}, values)["repeat"]
            layer = Node(new, n.type_name, blocks.bind(n.params, values), n.name, position, repeat)
            adds.append(AddNode(layer, index=at + len(adds)))

        def source_of(edge: Edge, ids=ids, fed=fed) -> tuple[str, int] | None:
            if edge.source in inputs:
                return fed[inputs.index(edge.source)]
            return ids[edge.source], edge.source_port

        result: tuple[str, int] | None = None
        for e in inner.edges():
            source = source_of(e)
            if e.target == output:
                result = source
            elif source is not None and e.target in ids:
                wires.append(Connect(Edge(source[0], ids[e.target], e.target_port, source[1])))
        fed = [result]  # the next copy reads this one's output
    result = fed[0]
    if result is not None:
        wires += [Connect(Edge(result[0], e.target, e.target_port, result[1])) for e in graph.out_edges(node_id)]
    edits: list[Edit] = [RemoveNodes([node_id]), *adds, *wires]
    if _last_use(graph, node):
        edits.append(RemoveBlock(block.name))
    return Compound(edits, text=f"Ungroup {block.name} '{node.label}'"), made


def ungroup_all_edit(graph: Graph, node_ids: Iterable[str]) -> tuple[Edit, list[str]]:
    """Ungroup several instances as one edit (each built on a scratch copy after the ones before it, so
    instances wired to each other come apart right). Returns the edit and every new layer's id."""
    node_ids = list(dict.fromkeys(node_ids))
    if len(node_ids) == 1:
        return ungroup_edit(graph, node_ids[0])
    scratch = project.loads(project.dumps(graph), "the design")
    edits: list[Edit] = []
    made: list[str] = []
    for node_id in node_ids:
        edit, new = ungroup_edit(scratch, node_id)
        edit.apply(scratch)
        edits.append(edit)
        made += new
    return Compound(edits, text=f"Ungroup {len(node_ids)} Blocks"), made


def _inner_positions(inner: Graph) -> dict[str, Position]:
    if all(n.position is not None for n in inner.nodes()):
        return {n.id: n.position for n in inner.nodes()}
    return layout.auto_layout(inner)


def _last_use(graph: Graph, node: Node) -> bool:
    """Whether ``node`` is the only use of its block (in the design and in every definition)."""
    graphs = [graph, *(b.graph for b in graph.blocks.values())]
    return sum(1 for g in graphs for n in g.nodes() if n.type_name == node.type_name) == 1


# ----- make unique ---------------------------------------------------------------------------------------
def make_unique_edit(graph: Graph, node_id: str, name: str | None = None) -> tuple[Edit, str]:
    """The edit that gives instance ``node_id`` its own copy of its block, called ``name`` (default: a free
    name after the block's). Returns the edit and the new block's name."""
    node = graph.node(node_id)
    if not blocks.is_instance(graph, node):
        raise GroupError(f"{node.type_name} '{node.label}' is a single layer, not a block instance")
    block = graph.blocks[node.type_name]
    name = name or free_name(graph, block.name)
    problem = name_problem(graph, name)
    if problem:
        raise GroupError(problem)
    copy = BlockDef(name, dict(block.arguments), Graph(name, graph.blocks, dict(block.arguments)))
    for n in block.graph.nodes():
        copy.graph.add_node(n.copy())
    for e in block.graph.edges():
        copy.graph.connect(e, strict=False)
    retyped = dataclasses.replace(node.copy(), type_name=name)
    edits = [DefineBlock(copy), ReplaceNode(retyped, text=f"Use {name}")]
    return Compound(edits, text=f"Make '{node.label}' Unique as {name}"), name
