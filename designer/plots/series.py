"""The numbers the statistics plots draw, one entry per layer in execution order (plain Python, no pyqtgraph).

Derived from ``core.stats.compute_stats`` and the engine's shapes: parameters, multiply-adds and output
memory per node, and the size ladder (spatial positions and channels of each output). Output markers
are left out: they pass on the tensor of the layer before them, which is already drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from designer.core.shapes import Shape, counted, format_count, format_shape
from designer.core.stats import (
    PER_SAMPLE,
    BlockTotals,
    ModelStats,
    NodeStats,
    compute_stats,
    format_big,
    format_bytes,
    per_block,
)

METRICS = ("params", "macs", "memory")
METRIC_TITLES = {"params": "Parameters", "macs": "Multiply-adds", "memory": "Activation memory"}


@dataclass(frozen=True)
class Series:
    """Parallel lists, index ``i`` = the i-th drawn node; ``None`` in the ladder where a size is unknown or absent."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    categories: tuple[str, ...]
    statuses: tuple[str, ...]
    shapes: tuple[Shape | None, ...]
    params: tuple[int, ...]
    macs: tuple[int, ...]
    memory: tuple[int, ...]
    spatial: tuple[int | None, ...]
    channels: tuple[int | None, ...]
    stats: ModelStats
    blocks: tuple[BlockTotals, ...] = ()  # what each block's instances cost together

    def __len__(self) -> int:
        return len(self.ids)

    def values(self, metric: str) -> tuple[int, ...]:
        return getattr(self, metric)

    def instances(self) -> set[str]:
        """The drawn nodes that are block instances (their bars aggregate the layers inside)."""
        return {n for b in self.blocks for n in b.instances}

    def index(self, node_id: str) -> int | None:
        try:
            return self.ids.index(node_id)
        except ValueError:
            return None

    def hover_text(self, i: int) -> str:
        """What a hover over node ``i`` says: the layer, its output and its costs."""
        s: NodeStats = self.stats.nodes[self.ids[i]]
        shape = self.shapes[i]
        lines = [f"{self.labels[i]} — {s.type_name}"]
        if s.node_id in self.instances():
            lines[0] += " (a block: the layers inside added up; double-click to look inside)"
        lines.append(f"output {format_shape(s.display_shape)}" if shape is not None else "no size yet")
        lines.append(f"parameters: {format_count(s.params)}")
        lines.append(f"multiply-adds: {format_count(s.macs)} ({format_big(s.macs)})")
        lines.append(
            f"activation memory: {format_bytes(s.activation_bytes)} ({format_count(s.activation_elements)} values)"
        )
        if shape is not None and len(shape) >= 3:
            lines.append(
                f"spatial {spatial_text(shape)} = {format_count(self.spatial[i])} positions · {shape[1]} channels"
            )
        return "\n".join(lines)


def spatial_text(shape: Shape) -> str:
    """``64×64`` (H×W), ``128`` (L) or ``8×32×32`` (D×H×W): the spatial dims of a batched tensor."""
    return "×".join(str(d) for d in shape[2:])


def _ladder(shape: Shape | None) -> tuple[int | None, int | None]:
    """(spatial positions, channels): N×C×... has both, N×F only features (drawn on the channel line)."""
    if shape is None or len(shape) < 2:
        return None, None
    if len(shape) == 2:
        return None, shape[1]
    positions = 1
    for d in shape[2:]:
        positions *= d
    return positions, shape[1]


def build(graph: Graph, engine: ShapeEngine) -> Series:
    stats = compute_stats(graph, engine)
    rows = [s for s in stats.nodes.values() if graph.spec(s.type_name).kind != "output"]
    ladder = [_ladder(s.shape) for s in rows]
    return Series(
        ids=tuple(s.node_id for s in rows),
        labels=tuple(s.label for s in rows),
        categories=tuple(graph.spec(s.type_name).category for s in rows),
        statuses=tuple(s.status for s in rows),
        shapes=tuple(s.shape for s in rows),
        params=tuple(s.params for s in rows),
        macs=tuple(s.macs for s in rows),
        memory=tuple(s.activation_bytes for s in rows),
        spatial=tuple(p for p, _ in ladder),
        channels=tuple(c for _, c in ladder),
        stats=stats,
        blocks=tuple(per_block(graph, stats)),
    )


def totals_text(series: Series) -> str:
    """One line of totals for the panel's header."""
    t = series.stats.total
    text = (
        f"{counted(t.layers, 'layer')} · {format_big(t.params)} parameters · {format_big(t.macs)} multiply-adds · "
        f"{format_bytes(t.activation_bytes)} activations · ≈ {format_bytes(t.training_memory_bytes)} to train"
    )
    if series.stats.per_sample:  # an open batch: the engine's sizes are at N = 1
        text += f" · the batch N is open: costs {PER_SAMPLE}"
    return text
