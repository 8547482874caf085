"""What the importer tells :mod:`designer.core.import_blocks` about a traced model: the submodule calls each
design node ran inside, the module path each node is named after, and the model's modules.

Both tracers record a module stack on every traced node (``nn_module_stack``: key → (module path, class),
outermost first; a second call of one module gets its own key, ``act@1``). A node's stack is read
without the model itself and without the node's own module (the layer it is, and anything inside it).
torch is never imported here: the traced nodes and the model come from the importer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from designer.core.import_blocks import Call, Module


def module_names(model: Any) -> set[str]:
    """Every module path, parameter and buffer name of the model: the names a design node may carry."""
    names = {path for path, _ in model.named_modules(remove_duplicate=False) if path}
    names.update(name for name, _ in model.named_parameters(remove_duplicate=False))
    names.update(name for name, _ in model.named_buffers(remove_duplicate=False))
    return names


def named(origins: Mapping[str, Any], names: set[str]) -> dict[str, str]:
    """Design node → the module path (or weight name) it is named after, for the nodes that have one.

    A module's call is named after its path (``layer1.0.relu``; a weightless module's later calls
    ``layer1.0.relu_2``), a learnable tensor after its name, and a functional call on a module's own
    weights after that module. Nodes of other functional calls carry names of their own: none.
    """
    found = {}
    for node_id, traced in origins.items():
        if traced is None:
            continue
        target = str(traced.target)
        if traced.op in ("call_module", "get_attr") and (node_id == target or re.fullmatch(re.escape(target) + r"_\d+", node_id)):
            found[node_id] = target
        elif node_id in names:
            found[node_id] = node_id
    return found


def stacks(origins: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, tuple[Call, ...]]:
    """Design node → the submodule calls it ran inside, outermost first (see the module docstring)."""
    found = {}
    for node_id, traced in origins.items():
        own = names.get(node_id)
        calls = []
        for key, value in ((traced.meta.get("nn_module_stack") or {}) if traced is not None else {}).items():
            path = value[0] if isinstance(value, tuple) and value and isinstance(value[0], str) else str(key)
            if not path or (own is not None and (path == own or path.startswith(own + "."))):
                continue
            calls.append((str(key), path))
        found[node_id] = tuple(calls)
    return found


_CONTAINERS = frozenset(f"torch.nn.modules.container.{name}" for name in ("Sequential", "ModuleList", "ModuleDict"))


def modules(model: Any) -> dict[str, Module]:
    """Every submodule by path ("" is the model): its class, whether it is a plain container, its children."""
    found = {}
    for path, module in model.named_modules(remove_duplicate=False):
        cls = type(module)
        key = f"{cls.__module__}.{cls.__qualname__}"
        children = tuple(name for name, _ in module.named_children())
        found[path] = Module(key, cls.__name__, key in _CONTAINERS, children)
    return found
