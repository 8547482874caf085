"""Editing a block from inside one of its instances: what a user does to the copy they look at, made an
edit of the definition every use shares.

Inside an instance the canvas shows a bound copy of the block (its arguments replaced by that use's
values, its Inputs given that use's sizes), with the definition's own node ids. Adding, deleting,
wiring, moving and renaming carry over as they are. A parameter change carries over only for the
parameters the user changed, so a reference ``{"arg": "cin"}`` elsewhere on the node stays a reference;
a parameter that *is* such a reference, and the size of an Input, belong to each use and are refused
with a sentence saying where to change them instead.
"""

from __future__ import annotations

from designer.core import blocks
from designer.core.edits import (
    AddNode,
    Compound,
    Connect,
    Disconnect,
    Edit,
    EditBlock,
    MoveNodes,
    RemoveNodes,
    Rename,
    SetParams,
)
from designer.core.errors import BlockError
from designer.core.graph import Graph, Node

_AS_THEY_ARE = (RemoveNodes, Connect, Disconnect, Rename, MoveNodes)


def definition_edit(design: Graph, block_name: str, shown: Graph, edit: Edit) -> EditBlock:
    """The edit of block ``block_name``'s definition in ``design`` that does what ``edit`` does to ``shown``
    (the bound copy of one of its instances). Raises ``BlockError`` naming the node and parameter when
    ``edit`` changes something that belongs to each use, or is no edit of a block's inside."""
    block = design.blocks.get(block_name)
    if block is None:
        raise BlockError(f"the design has no block called {block_name!r} any more")
    return EditBlock(block_name, _translated(block, shown, edit))


def _translated(block: blocks.BlockDef, shown: Graph, edit: Edit) -> Edit:
    if isinstance(edit, Compound):
        return Compound([_translated(block, shown, e) for e in edit.edits], edit.text)
    if isinstance(edit, SetParams):
        return _set_params(block, shown, edit)
    if isinstance(edit, AddNode):
        return AddNode(_definition_node(edit.node), edit.text, edit.index)
    if isinstance(edit, _AS_THEY_ARE):
        return edit
    raise BlockError(
        f"{edit.text} works on the design itself, not inside the block {block.name}: go back out (Esc) first"
    )


def _definition_node(node: Node) -> Node:
    """A node added inside as the definition holds it: an Input there has no size (its use gives one)."""
    if node.type_name != "Input":
        return node
    return Node(node.id, node.type_name, {}, node.name, node.position)


def per_use_params(graph: Graph, block_name: str, node_id: str) -> dict[str, str]:
    """The params of node ``node_id`` inside block ``block_name`` (of the design ``graph`` belongs to) that
    belong to each use of the block, each with the sentence saying where to change it instead: those that
    are an argument, and an Input's size."""
    block = graph.blocks.get(block_name)
    if block is None or node_id not in block.graph:
        return {}
    node = block.graph.node(node_id)
    if node.type_name == "Input":
        sentence = (f"the Input '{node.label}' of the block {block.name} takes its size from where the block is used: "
                    "change the size that flows into the instance instead")
        return dict.fromkeys(graph.spec("Input").param_names, sentence)
    found = {}
    for name, value in node.params.items():
        argument = next(iter(blocks.references(value)), None)
        if argument is not None:
            found[name] = (f"{name} of '{node.label}' comes from the argument {argument} of the block {block.name}, "
                           f"which every use sets for itself: change {argument} on the instance instead")
    return found


def _set_params(block: blocks.BlockDef, shown: Graph, edit: SetParams) -> SetParams:
    node = block.graph.node(edit.node_id)
    before = shown.node(edit.node_id).params
    keys = before.keys() | edit.params.keys()
    changed = sorted(k for k in keys if before.get(k, _ABSENT) != edit.params.get(k, _ABSENT))
    per_use = per_use_params(block.graph, block.name, edit.node_id)
    refused = next((name for name in changed if name in per_use), None)
    if refused is not None:
        raise BlockError(per_use[refused], edit.node_id, refused)
    params = dict(node.params)
    for name in changed:
        if name in edit.params:
            params[name] = edit.params[name]
        else:
            params.pop(name, None)
    return SetParams(edit.node_id, params, edit.text)


_ABSENT = object()
