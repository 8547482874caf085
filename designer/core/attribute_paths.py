"""Where each layer lives in the exported ``nn.Module``: dotted module paths written as code.

A design imported from PyTorch names its layers by their module paths (``layer1.0.conv1``,
``trunk_output.block1.block1-0.f.a``, ``_conv_stem``), and the exported class must keep every one of them
exactly, so that it loads the original ``state_dict`` strictly. :class:`Tree` places each path: a
segment that is a plain attribute name is written the way an engineer writes it (``self.conv1``);
indices of a container that holds only indices make an ``nn.ModuleList`` (``self.layer1[0]``); any
other name (hyphens, keywords, non-ASCII, digits at the top, huge indices) goes through
``add_module(repr)`` / ``getattr(..., repr)``, never renamed. A path may also pass through a layer
(timm's ``bn1.act`` inside a BatchNorm): the child is added to that layer. Only names that no
``nn.Module`` can hold (empty segments, names ``nn.Module`` itself uses) are not paths.
"""

from __future__ import annotations

import keyword

MAX_INDEX = 10_000  # largest nn.ModuleList index written as a list (bounds the list built); larger: add_module

# Public members of torch.nn.Module: a child with one of these names would break the model
# (tests/core/test_export.py checks this list against the installed torch).
MODULE_MEMBERS = frozenset(
    {
        "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile",
        "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer",
        "get_extra_state", "get_parameter", "get_submodule", "half", "ipu", "load_state_dict", "modules",
        "mtia", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
        "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook", "register_module", "register_parameter",
        "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state",
        "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu",
        "zero_grad",
    }
)
# Its private members (the same test checks them); other names starting with "_" are fine (``_conv_stem``).
PRIVATE_MEMBERS = frozenset(
    {
        "_apply", "_backward_hooks", "_backward_pre_hooks", "_buffers", "_call_impl", "_compiled_call_impl",
        "_forward_hooks", "_forward_hooks_always_called", "_forward_hooks_with_kwargs", "_forward_pre_hooks",
        "_forward_pre_hooks_with_kwargs", "_get_backward_hooks", "_get_backward_pre_hooks", "_get_name",
        "_is_full_backward_hook", "_load_from_state_dict", "_load_state_dict_post_hooks",
        "_load_state_dict_pre_hooks", "_maybe_warn_non_full_backward_hook", "_modules", "_named_members",
        "_non_persistent_buffers_set", "_parameters", "_register_load_state_dict_pre_hook",
        "_register_state_dict_hook", "_replicate_for_data_parallel", "_save_to_state_dict", "_slow_forward",
        "_state_dict_hooks", "_state_dict_pre_hooks", "_version", "_wrapped_call_impl",
    }
)

_MODEL, _LIST, _MODULE, _LAYER = "model", "list", "module", "layer"


def is_segment(text: str) -> bool:
    """Whether ``text`` can name a child of an ``nn.Module`` (``add_module`` takes it, ``state_dict`` keeps it)."""
    dunder = text.startswith("__") and text.endswith("__")
    return bool(text) and "." not in text and not dunder and text not in MODULE_MEMBERS and text not in PRIVATE_MEMBERS


def is_attribute(segment: str) -> bool:
    """Whether ``self.<segment>`` means exactly that name: an ASCII identifier, no keyword, no ``__`` mangling."""
    return segment.isidentifier() and segment.isascii() and not keyword.iskeyword(segment) and not segment.startswith("__")


def is_index(segment: str) -> bool:
    short = segment.isascii() and segment.isdigit() and len(segment) <= len(str(MAX_INDEX))
    return short and str(int(segment)) == segment and int(segment) < MAX_INDEX


def literal(text: str) -> str:
    """``repr(text)``, in double quotes when that changes nothing but the quotes (as black writes it)."""
    text_repr = repr(text)
    if text_repr.startswith("'") and '"' not in text:
        return f'"{text_repr[1:-1]}"'
    return text_repr


def paths(node_ids: list[str]) -> dict[str, tuple[str, ...]]:
    """The ids that are module paths (every segment a name a module can hold), as paths."""
    out = {}
    for node_id in node_ids:
        path = tuple(node_id.split("."))
        if all(is_segment(s) for s in path):
            out[node_id] = path
    return out


class Tree:
    """The layers' paths, the containers between them, and the code that reaches each one."""

    def __init__(self, layers: list[tuple[str, ...]]) -> None:
        self.layers = set(layers)
        children: dict[tuple[str, ...], set[str]] = {}
        for path in layers:
            for i in range(len(path)):
                children.setdefault(path[:i], set()).add(path[i])
        self.kinds: dict[tuple[str, ...], str] = {}
        self.sizes: dict[tuple[str, ...], int] = {}
        for prefix, names in children.items():
            if not prefix:
                self.kinds[prefix] = _MODEL
            elif prefix in self.layers:
                self.kinds[prefix] = _LAYER
            elif all(is_index(n) for n in names):
                self.kinds[prefix] = _LIST
                self.sizes[prefix] = max(int(n) for n in names) + 1
            else:
                self.kinds[prefix] = _MODULE

    def containers(self, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The containers ``path`` needs (outermost first) that are not layers themselves."""
        return [path[:i] for i in range(1, len(path)) if self.kinds.get(path[:i]) in (_LIST, _MODULE)]

    def access(self, path: tuple[str, ...]) -> str:
        """``('layer1', '0', 'conv1')`` → ``self.layer1[0].conv1``; ``('0',)`` → ``getattr(self, "0")``."""
        text = "self"
        for i, segment in enumerate(path):
            if self.kinds.get(path[:i]) == _LIST:
                text += f"[{segment}]"
            elif is_attribute(segment):
                text += f".{segment}"
            else:
                text = f"getattr({text}, {literal(segment)})"
        return text

    def assignment(self, path: tuple[str, ...]) -> tuple[str, str]:
        """The text before and after the value that stores a module at ``path`` in ``__init__``."""
        parent, segment = path[:-1], path[-1]
        kind = self.kinds.get(parent, _MODEL)
        if kind == _LIST or (is_attribute(segment) and kind != _LAYER):
            return f"{self.access(path)} = ", ""
        # add_module refuses a name the layer already uses, where an assignment would quietly replace it
        return f"{self.access(parent)}.add_module({literal(segment)}, ", ")"

    def container_line(self, path: tuple[str, ...]) -> str:
        head, tail = self.assignment(path)
        if self.kinds[path] == _MODULE:
            return f"        {head}nn.Module(){tail}"
        # Indices without a layer (an identity shortcut) keep their nn.Identity(): it has no weights.
        return f"        {head}nn.ModuleList([nn.Identity()] * {self.sizes[path]}){tail}  # slots filled below"
