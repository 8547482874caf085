"""How the importer words a refusal for operations it cannot map: every one, grouped and counted.

``16× torch.transpose, 13× .chunk()`` on the first line; then per operation the places it happens, each
with the submodule whose ``forward()`` does it (``features.3.block.2``), that module's class and the
file and line. Places that differ only by path (a block repeated through the network) share one line.
When a single module class holds every problem (timm's ``BatchNormAct2d``), the report says so: that
class is the thing to change. :func:`refusal` gives every line; the first :data:`SHOWN_LINES` are the
default report, the rest are counted (the CLI lists them all with ``--verbose``).
"""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_LINES = 10  # lines of the default report, its first line included
PATHS_PER_LINE = 3  # paths named on a line of places; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One operation with no equivalent layer, and where it is."""

    operation: str  # what it is: "torch.transpose", ".chunk()", "nn.LSTM"
    reason: str  # why it cannot be mapped, a sentence
    path: str = ""  # the submodule whose forward() does it ("" for the model's own forward())
    owner: str = ""  # that submodule's class ("" when unknown)
    where: str = ""  # " at file.py:12 (the code)", or ""
    layer: bool = False  # the operation is the call of the submodule at ``path`` itself (an nn.LSTM)

    def sentence(self) -> str:
        """The problem on its own, as one line (for lists that show one problem per line)."""
        place = f" in {self.path}" if self.path else ""
        owner = f" ({self.owner})" if self.owner else ""
        return f"{self.operation}{place}{owner}{self.where}: {self.reason}"


def refusal(model_name: str, problems: list[Problem]) -> list[str]:
    """Every line of the refusal; the first says how many operations, of which kinds."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.operation, []).append(problem)
    order = sorted(groups, key=lambda op: -len(groups[op]))  # stable: ties keep the order of the model
    count = f"{len(problems)} operation{'s' if len(problems) > 1 else ''}"
    kinds = ", ".join(f"{len(groups[op])}× {op}" for op in order)
    head = f"cannot import {model_name}: {count} with no equivalent layer ({kinds})"
    owners = {p.owner for p in problems}
    if len(owners) == 1 and all(p.path and not p.layer for p in problems) and next(iter(owners)):
        head += f"; all of them are in {next(iter(owners))}'s forward(), so that class is the one to change or replace"
    lines = [head]
    for op in order:
        members = groups[op]
        reasons = {p.reason for p in members}
        shared = len(reasons) == 1
        lines.append(f"  {len(members)}× {op}" + (f": {members[0].reason}" if shared else ""))
        places: dict[tuple[str, str, str], list[str]] = {}
        for p in members:
            places.setdefault((p.owner, p.where, "" if shared else p.reason), []).append(p.path)
        for (owner, where, reason), paths in places.items():
            lines.append(f"    {_paths(paths)}{f' ({owner})' if owner else ''}{where}{f': {reason}' if reason else ''}")
    return lines


def shown(lines: list[str], limit: int = SHOWN_LINES) -> tuple[list[str], int]:
    """The lines of the default report, and how many are left out (the last shown line says so)."""
    if len(lines) <= limit:
        return lines, 0
    return lines[: limit - 1], len(lines) - (limit - 1)


def _paths(paths: list[str]) -> str:
    named = [p or "the model itself" for p in paths]
    text = ", ".join(named[:PATHS_PER_LINE])
    return text + (f" and {len(named) - PATHS_PER_LINE} more like it" if len(named) > PATHS_PER_LINE else "")
