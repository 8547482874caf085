"""What is on disk: a file's stamp (modification time, size, content hash) and the difference of two designs.

The app stamps the file it opened or saved; when the stamp on disk no longer matches, someone else
changed the file, and ``design_difference`` tells the user what (layers and edges added, removed,
changed) before anyone's work is overwritten.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from designer.core.graph import Graph


@dataclass(frozen=True)
class FileStamp:
    mtime_ns: int
    size: int
    sha256: str


def stamp(path: str | os.PathLike) -> FileStamp | None:
    """The file's stamp now, or None when it cannot be read (gone, a folder, no permission)."""
    try:
        info = os.stat(path)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return FileStamp(info.st_mtime_ns, info.st_size, digest.hexdigest())


def changed(known: FileStamp | None, path: str | os.PathLike) -> bool:
    """True when the file at ``path`` no longer holds what ``known`` stamped (its content, not just its time)."""
    if known is None:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return True  # deleted or moved away: what was there is gone
    if info.st_mtime_ns == known.mtime_ns and info.st_size == known.size:
        return False
    now = stamp(path)
    return now is None or now.sha256 != known.sha256


@dataclass
class DesignDifference:
    """How ``theirs`` differs from ``mine``: node ids added, removed and changed, and edges added and removed."""

    nodes_added: list[str] = field(default_factory=list)
    nodes_removed: list[str] = field(default_factory=list)
    nodes_changed: list[str] = field(default_factory=list)
    edges_added: list[str] = field(default_factory=list)
    edges_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.nodes_added, self.nodes_removed, self.nodes_changed, self.edges_added, self.edges_removed))

    def lines(self, limit: int = 12) -> list[str]:
        """One line per kind of change, naming at most ``limit`` items each."""
        out = []
        for title, items in (
            ("Layers only on disk", self.nodes_added),
            ("Layers only in this window", self.nodes_removed),
            ("Layers that differ", self.nodes_changed),
            ("Edges only on disk", self.edges_added),
            ("Edges only in this window", self.edges_removed),
        ):
            if items:
                shown = ", ".join(items[:limit]) + (f" and {len(items) - limit:,} more" if len(items) > limit else "")
                out.append(f"{title} ({len(items):,}): {shown}")
        return out or ["The designs hold the same layers and edges (only the file's text differs)."]


def design_difference(mine: Graph, theirs: Graph) -> DesignDifference:
    """What the design on disk (``theirs``) has that the one in the window (``mine``) has not, and back."""
    mine_nodes = {n.id: n for n in mine.nodes()}
    their_nodes = {n.id: n for n in theirs.nodes()}
    diff = DesignDifference(
        nodes_added=[n for n in their_nodes if n not in mine_nodes],
        nodes_removed=[n for n in mine_nodes if n not in their_nodes],
        nodes_changed=[n for n in mine_nodes if n in their_nodes and _record(mine_nodes[n]) != _record(their_nodes[n])],
    )
    mine_edges, their_edges = set(mine.edges()), set(theirs.edges())
    diff.edges_added = [_edge_text(e) for e in theirs.edges() if e not in mine_edges]
    diff.edges_removed = [_edge_text(e) for e in mine.edges() if e not in their_edges]
    return diff


def _record(node) -> tuple:
    return (node.type_name, node.params, node.name, node.position, node.repeat)


def _edge_text(edge) -> str:
    port = f" (input {edge.target_port})" if edge.target_port else ""
    return f"{edge.source} → {edge.target}{port}"
