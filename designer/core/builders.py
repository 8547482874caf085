"""Edit builders: the one undoable edit for each gesture that makes nodes (add and wire, paste,
duplicate, replace with an alternative), built from the graph alone, so the canvas, the inspector, the
CLI and tests all make the same edit. Nothing here changes the graph: the caller applies the edit.

Copy writes the chosen nodes and the edges among them as project JSON (``project.dumps``), so they
travel between windows and into text editors; paste reads any project text with ``project.loads`` (a
hand-edited or hostile text is refused with a sentence), gives every node a fresh id (``ids``), shifts
it by an offset and adds it all as one edit.
"""

from __future__ import annotations

import dataclasses

from designer.core import layout, limits, project
from designer.core.defaults import default_params
from designer.core.edits import AddNode, Compound, Connect, Disconnect, Edit, RemoveNodes, SetParams
from designer.core.explain import Alternative
from designer.core.graph import Edge, Graph, Node, Position
from designer.core.ids import FreshIds, fresh_id, id_stem
from designer.core.shapes import Shape

STACK_GAP = 110  # vertical distance between the layers of a replacing chain


def add_node_edit(
    graph: Graph, type_name: str, position: Position, after: str | None = None, upstream: Shape | None = None
) -> tuple[Node, Edit]:
    """A new ``type_name`` node at ``position`` and the one undoable edit that adds it.

    With ``after`` (a node id) the new node's first input is wired to that node's output, when the new
    type takes inputs; ``upstream`` is that node's output shape, used to fit the parameters.
    """
    spec = graph.spec(type_name)
    node = Node(graph.new_id(id_stem(type_name)), type_name, default_params(spec, upstream), position=position)
    add = AddNode(node)
    if after is None or after not in graph or spec.max_inputs == 0:
        return node, add
    return node, Compound([add, Connect(Edge(after, node.id, 0))], text=add.text)


def insert_on_edge_edit(
    graph: Graph, type_name: str, edge: Edge, position: Position, upstream: Shape | None = None
) -> tuple[Node, Edit]:
    """A new ``type_name`` node at ``position`` put between ``edge``'s two layers, as one edit;
    ``upstream`` is the size the edge carries, used to fit the parameters."""
    node, add = add_node_edit(graph, type_name, position, None, upstream)
    rewire = [Disconnect(edge), Connect(Edge(edge.source, node.id, 0, edge.source_port)), Connect(Edge(node.id, edge.target, edge.target_port))]
    return node, Compound([add, *rewire], text=f"Insert {type_name}")


def subgraph(graph: Graph, node_ids: list[str], positions: dict[str, Position] | None = None) -> Graph:
    """The nodes ``node_ids`` (in file order) and the edges between them, as a separate graph.

    ``positions`` fills in where a node has no position of its own (where the canvas shows it).
    """
    wanted = set(node_ids)
    positions = positions or {}
    part = Graph(graph.name, _blocks_used(graph, [graph.node(n).type_name for n in node_ids]))
    for node in graph.nodes():
        if node.id in wanted:
            copy = node.copy()
            if copy.position is None and node.id in positions:
                copy.position = positions[node.id]
            part.add_node(copy)
    for edge in graph.edges():
        if edge.source in wanted and edge.target in wanted:
            part.connect(edge, strict=False)
    return part


def _blocks_used(graph: Graph, types: list[str]) -> dict:
    """The definitions of the blocks among ``types`` and of the blocks they use, in the design's order."""
    todo, used = [t for t in types if t in graph.blocks], set()
    while todo:
        name = todo.pop()
        if name not in used:
            used.add(name)
            todo.extend(graph.blocks[name].uses())
    return {name: block for name, block in graph.blocks.items() if name in used}


def copy_text(graph: Graph, node_ids: list[str], positions: dict[str, Position] | None = None) -> str:
    """The chosen nodes and the edges among them as project JSON (what the clipboard carries)."""
    return project.dumps(subgraph(graph, node_ids, positions))


def paste_edit(graph: Graph, text: str, offset: Position, verb: str = "Paste") -> tuple[Compound, list[str]]:
    """The edit that adds the design in ``text`` to ``graph`` under fresh ids, moved by ``offset``.

    Raises ``project.ProjectError`` when ``text`` is not a project, or when the design would grow beyond
    its limits (the same sentence as everywhere). Returns the edit and the new ids.
    """
    part = project.loads(text, "the clipboard")
    if len(part) == 0:
        raise project.ProjectError("there are no layers in it", "the clipboard")
    problem = limits.count_problem(len(graph) + len(part), graph.edge_count() + part.edge_count())
    if problem:
        raise project.ProjectError(f"{len(part):,} layers cannot be added: {problem}", "the clipboard")
    missing = sorted({n.type_name for n in part.nodes() if n.type_name in part.blocks and n.type_name not in graph.blocks})
    if missing:
        raise project.ProjectError(
            f"its layers use blocks this design does not define ({', '.join(missing)}); paste them into a design "
            "that has those blocks",
            "the clipboard",
        )
    placed = layout.auto_layout(part) if any(n.position is None for n in part.nodes()) else {}
    fresh = FreshIds(graph)
    renamed: dict[str, str] = {}
    edits: list[Edit] = []
    for node in part.nodes():
        new_id = fresh(node.id)
        renamed[node.id] = new_id
        x, y = node.position if node.position is not None else placed[node.id]
        position = (_on_canvas(round(x + offset[0])), _on_canvas(round(y + offset[1])))
        edits.append(AddNode(dataclasses.replace(node.copy(), id=new_id, position=position)))
    for edge in part.edges():
        edits.append(Connect(Edge(renamed[edge.source], renamed[edge.target], edge.target_port, edge.source_port)))
    count = len(renamed)
    text_ = f"{verb} Node" if count == 1 else f"{verb} {count} Nodes"
    return Compound(edits, text=text_), list(renamed.values())


def _on_canvas(value: int) -> int:
    """A pasted copy of a far-away layer stays on the canvas's edge rather than beyond it."""
    bound = int(limits.MAX_COORDINATE)
    return max(-bound, min(bound, value))


def replacement_edit(graph: Graph, node_id: str, alternative: Alternative) -> tuple[Edit, str]:
    """One undoable edit putting ``alternative`` in place of the node; returns it and the node to select.

    One layer of the node's own type only changes its params; otherwise the node is replaced by the
    chain of new layers, wired to the same inputs and outputs.
    """
    node = graph.node(node_id)
    layers = alternative.layers
    if len(layers) == 1 and layers[0][0] == node.type_name:
        return SetParams(node_id, dict(layers[0][1]), text="Apply Suggested Parameters"), node_id
    x, y = node.position or (0.0, 0.0)
    taken = set(graph.node_ids()) - {node_id}
    new_nodes = []
    for i, (type_name, params) in enumerate(layers):
        new_id = fresh_id(id_stem(type_name), taken)
        taken.add(new_id)
        new_nodes.append(Node(new_id, type_name, dict(params), position=(x, y + i * STACK_GAP)))
    edits: list[Edit] = [RemoveNodes([node_id])]
    edits += [AddNode(n) for n in new_nodes]
    edits += [Connect(Edge(e.source, new_nodes[0].id, e.target_port, e.source_port)) for e in graph.in_edges(node_id)]
    edits += [Connect(Edge(a.id, b.id, 0)) for a, b in zip(new_nodes, new_nodes[1:])]
    edits += [Connect(Edge(new_nodes[-1].id, e.target, e.target_port)) for e in graph.out_edges(node_id)]
    names = " + ".join(t for t, _ in layers)
    return Compound(edits, text=f"Replace with {names}"), new_nodes[-1].id
