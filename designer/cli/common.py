"""What the subcommands share: exit codes, one-line messages on stderr, and loading a project file."""

from __future__ import annotations

import sys

from designer.core import project
from designer.core.graph import Graph

EXIT_OK, EXIT_DESIGN_ERRORS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Say ``message`` on one line of stderr and return ``code`` for the command to exit with."""
    print(f"model-designer: {message}", file=sys.stderr)
    return code


def load_design(path: str) -> Graph | None:
    """The project at ``path`` (named after the file when it has no name of its own), or None once the loader's
    sentence has been said on stderr."""
    try:
        graph = project.load(path)
    except project.ProjectError as exc:
        fail(str(exc))
        return None
    graph.name = project.name_following_file(graph.name, path)  # an unnamed design is called after its file
    return graph
