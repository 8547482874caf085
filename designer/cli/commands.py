"""The list of headless subcommands; each module offers ``add_parser(subparsers)`` setting ``run``."""

from __future__ import annotations

MODULES: list = []
NAMES = tuple(m.NAME for m in MODULES)
