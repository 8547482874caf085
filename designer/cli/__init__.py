"""The ``model-designer`` command: subcommands for files, shapes, export and teaching; else the app.

``model-designer [FILE] [--screenshot OUT.png]`` opens the app; ``model-designer COMMAND ...`` runs a
headless command that uses only ``designer.core``. Errors are one line on stderr, never a traceback.
Exit codes: 0 fine, 1 the design has errors, 2 the input cannot be read or is invalid, 3 an internal
error (a bug: please report it), 130 interrupted (the codes live in ``cli.common``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from designer import __version__
from designer.cli import commands
from designer.cli.common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="model-designer",
        description="Design PyTorch networks as a graph and see the exact tensor size on every edge.",
        epilog="commands: " + ", ".join(commands.NAMES) + " (model-designer COMMAND --help for each)",
    )
    parser.add_argument("file", nargs="?", help="project file to open (default: the built-in DCGAN example)")
    parser.add_argument("--screenshot", metavar="OUT.png", help="open FILE, save a 1280×800 picture of the window, exit")
    parser.add_argument("--version", action="version", version=f"model-designer {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in commands.NAMES:
            parser = argparse.ArgumentParser(prog="model-designer")
            sub = parser.add_subparsers(dest="command", required=True)
            for module in commands.MODULES:
                module.add_parser(sub)
            args = parser.parse_args(argv)
            return args.run(args)
        args = _gui_parser().parse_args(argv)
        from designer.app import run_app

        return run_app(args.file, args.screenshot)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        print(f"model-designer: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
