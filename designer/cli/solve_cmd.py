"""``model-designer solve TYPE --in SIZE --out SIZE [--json]``: which layer settings give the size you want.

With a project FILE in place of TYPE it answers the reverse question for the whole design: which input
sizes make it end at ``--out``.
"""

from __future__ import annotations

import json

from designer.cli.common import fail
from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.solver import SOLVABLE, Bounds, Solution, SolverError, required_input_sizes, solve

NAME = "solve"


def add_parser(subparsers) -> None:
    defaults = Bounds()
    parser = subparsers.add_parser(
        NAME,
        help="find kernel, stride and padding for a wanted output size",
        description="List every (kernel_size, stride, padding, output_padding, dilation) that takes one spatial "
        "size to another, best first: even overlap (kernel divisible by stride), small kernels, no "
        "output_padding, dilation 1. TYPE is one of " + ", ".join(SOLVABLE) + ". Give a project FILE "
        "instead of TYPE (and no --in) to ask which input sizes make the design end at --out. "
        "Exit 0 on an answer (even an empty one), 2 on a question that cannot be asked.",
    )
    parser.add_argument("target", metavar="TYPE|FILE", help="layer type, or a project file for the reverse question")
    parser.add_argument("--in", dest="size_in", type=int, metavar="SIZE", help="input size along one spatial dim")
    parser.add_argument("--out", dest="size_out", type=int, required=True, metavar="SIZE", help="wanted output size")
    parser.add_argument("--json", action="store_true", help="print JSON (a list of answers, best first)")
    parser.add_argument("--max-kernel", type=int, default=defaults.max_kernel, help=f"largest kernel_size (default {defaults.max_kernel})")
    parser.add_argument("--max-stride", type=int, default=defaults.max_stride, help=f"largest stride (default {defaults.max_stride})")
    parser.add_argument(
        "--max-dilation", type=int, default=defaults.max_dilation, help=f"largest dilation (default {defaults.max_dilation})"
    )
    parser.add_argument("--sizes", default="1-256", metavar="LO-HI", help="input sizes to try for a FILE (default 1-256)")
    parser.add_argument("--axis", type=int, help="for a FILE: vary only this spatial dim (0 = first), not all of them")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        if args.target in SOLVABLE or args.size_in is not None:
            return _layer(args)
        return _design(args)
    except SolverError as exc:
        return fail(str(exc))


def _layer(args) -> int:
    if args.size_in is None:
        raise SolverError(f"give the input size with --in, e.g. model-designer solve {args.target} --in 4 --out 8")
    bounds = Bounds(args.max_kernel, args.max_stride, args.max_dilation)
    answers = solve(args.target, args.size_in, args.size_out, bounds)
    if args.json:
        print(json.dumps([a.to_dict() for a in answers], indent=2))
        return 0
    print(_table(args.target, args.size_in, args.size_out, answers, bounds))
    return 0


def _table(type_name: str, size_in: int, size_out: int, answers: list[Solution], bounds: Bounds) -> str:
    transposed = type_name.startswith("ConvTranspose")
    if not answers:
        return (
            f"No {type_name} takes {size_in} to {size_out} with kernel_size ≤ {bounds.max_kernel}, "
            f"stride ≤ {bounds.max_stride}, dilation ≤ {bounds.max_dilation}; widen the bounds or use two layers."
        )
    header = ["kernel_size", "stride", "padding"] + (["output_padding"] if transposed else []) + ["dilation", "overlap"]
    rows = []
    for a in answers:
        row = [a.kernel_size, a.stride, a.padding] + ([a.output_padding] if transposed else []) + [a.dilation]
        rows.append([str(v) for v in row] + ["even" if a.even else "uneven"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{type_name}: {size_in} → {size_out}, {len(answers)} answer{'s' if len(answers) != 1 else ''}, best first"]
    lines += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    return "\n".join(lines)


def _sizes(text: str) -> range:
    lo, sep, hi = text.partition("-")
    try:
        first, last = int(lo), int(hi if sep else lo)
    except ValueError:
        raise SolverError(f"--sizes must look like 1-256, got {text!r}") from None
    if not 1 <= first <= last <= 4096:
        raise SolverError(f"--sizes must run upwards from at least 1 to at most 4096, got {text!r}")
    return range(first, last + 1)


def _design(args) -> int:
    sizes = _sizes(args.sizes)
    try:
        graph = project.load(args.target)
    except project.ProjectError as exc:
        hint = "" if args.target.endswith(".json") else f" (and {args.target!r} is not a layer type: {', '.join(SOLVABLE)})"
        return fail(f"{exc}{hint}")
    engine = ShapeEngine(graph)
    found = required_input_sizes(graph, engine, args.size_out, sizes=sizes, axis=args.axis)
    engine.close()
    if args.json:
        print(json.dumps({"target": args.size_out, "axis": args.axis, "input_sizes": found}))
    elif found:
        print(f"{graph.name} ends at {args.size_out} for input sizes: {', '.join(map(str, found))}")
    else:
        print(f"{graph.name} ends at {args.size_out} for no input size from {sizes.start} to {sizes.stop - 1}.")
    return 0
