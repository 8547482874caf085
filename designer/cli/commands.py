"""The list of headless subcommands; each module offers ``add_parser(subparsers)`` setting ``run``."""

from __future__ import annotations

from designer.cli import export_cmd, shapes

MODULES: list = [shapes, export_cmd]
NAMES = tuple(m.NAME for m in MODULES)
