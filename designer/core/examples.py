"""The built-in example projects shipped in ``designer.resources/examples`` (the DCGAN generator opens first)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from designer.core import project
from designer.core.graph import Graph

DEFAULT_EXAMPLE = "dcgan_generator"


def _folder() -> Traversable:
    return resources.files("designer.resources") / "examples"


def example_names() -> list[str]:
    """Names of the examples (file names without ``.json``), sorted."""
    return sorted(item.name[: -len(".json")] for item in _folder().iterdir() if item.name.endswith(".json"))


def example_path(name: str) -> Traversable:
    """The example's file (a real path in every normal install); KeyError for an unknown name."""
    if name not in example_names():
        raise KeyError(f"there is no example {name!r}; examples: {', '.join(example_names())}")
    return _folder() / f"{name}.json"


def load_example(name: str = DEFAULT_EXAMPLE) -> Graph:
    """The example as a graph, read through importlib.resources so zipped installs work too."""
    return project.loads(example_path(name).read_text(encoding="utf-8"), f"{name}.json")
