"""The list of headless subcommands; each module offers ``add_parser(subparsers)`` setting ``run``."""

from __future__ import annotations

from designer.cli import check_cmd, explain_cmd, export_cmd, import_cmd, render_cmd, shapes, solve_cmd, stats_cmd

MODULES: list = [shapes, export_cmd, stats_cmd, explain_cmd, solve_cmd, import_cmd, render_cmd, check_cmd]
NAMES = tuple(m.NAME for m in MODULES)
