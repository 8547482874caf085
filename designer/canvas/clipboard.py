"""Copy and paste of sub-graphs as project JSON, so they travel between windows and into text editors.

Copy writes the selected nodes and the edges among them with ``project.dumps``; paste reads any
project text with ``project.loads`` (so a hand-edited or hostile text is refused with a sentence),
gives every node a fresh id, shifts it by an offset and adds it all as one undoable edit.
"""

from __future__ import annotations

from designer.core import layout, limits, project
from designer.core.edits import AddNode, Compound, Connect
from designer.core.graph import Edge, Graph, Node, Position

MIME_TYPE = "application/x-model-designer-project"


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
    return project.dumps(subgraph(graph, node_ids, positions))


class FreshIds:
    """Fresh ids for pasted nodes: ``conv3`` → the first free ``conv<n>``, the same stem and a number nobody
    uses yet. Counts per stem, so pasting thousands of nodes stays linear; ids stay within the text limit."""

    def __init__(self, taken) -> None:
        self.taken = set(taken)
        self._next: dict[str, int] = {}

    def __call__(self, old_id: str) -> str:
        stem = (old_id.rstrip("0123456789") or "node")[: limits.MAX_TEXT - 12]
        i = self._next.get(stem, 1)
        while f"{stem}{i}" in self.taken:
            i += 1
        self._next[stem] = i + 1
        new_id = f"{stem}{i}"
        self.taken.add(new_id)
        return new_id


def paste_edit(graph: Graph, text: str, offset: Position, verb: str = "Paste") -> tuple[Compound, list[str]]:
    """The edit that adds the design in ``text`` to ``graph`` under fresh ids, moved by ``offset``.

    Raises ``project.ProjectError`` when ``text`` is not a project, or when the design would grow beyond
    its limits (the same sentence as everywhere). Returns the edit and the new ids.
    """
    part = project.loads(text, "the clipboard")
    if len(part) == 0:
        raise project.ProjectError("there are no layers in it", "the clipboard")
    problem = limits.count_problem(len(graph) + len(part), sum(1 for _ in graph.edges()) + sum(1 for _ in part.edges()))
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
    fresh = FreshIds(graph.node_ids())
    renamed: dict[str, str] = {}
    edits = []
    for node in part.nodes():
        new_id = fresh(node.id)
        renamed[node.id] = new_id
        x, y = node.position if node.position is not None else placed[node.id]
        position = (_clamp(round(x + offset[0])), _clamp(round(y + offset[1])))
        edits.append(AddNode(Node(new_id, node.type_name, node.params, node.name, position, node.repeat)))
    for edge in part.edges():
        edits.append(Connect(Edge(renamed[edge.source], renamed[edge.target], edge.target_port)))
    count = len(renamed)
    text_ = f"{verb} Node" if count == 1 else f"{verb} {count} Nodes"
    return Compound(edits, text=text_), list(renamed.values())


def _clamp(value: int) -> int:
    """A pasted copy of a far-away layer stays on the canvas's edge rather than beyond it."""
    bound = int(limits.MAX_COORDINATE)
    return max(-bound, min(bound, value))
