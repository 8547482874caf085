"""``model-designer export FILE -o OUT.py [--class-name NAME] [--format onnx]``: the design as PyTorch code or ONNX.

Layers keep their ids as attribute names where they can (``keep_names``), so a design imported from
PyTorch exports to code that loads the original model's ``state_dict``.
"""

from __future__ import annotations

import os
import sys

from designer.cli.common import EXIT_BAD_INPUT, fail, load_design
from designer.core.export import ExportError, export, valid_class_name
from designer.core.onnx_export import OnnxUnavailable, export_onnx
from designer.core.shapes import counted

NAME = "export"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="write the design as a runnable PyTorch file",
        description="Write the design as one self-contained PyTorch file (a torch.nn.Module class). "
        "Exit 1, writing nothing, when a node has an error; 2 when the file cannot be read.",
    )
    parser.add_argument("file", help="project file")
    parser.add_argument("-o", "--output", metavar="OUT.py", help="where to write the code (default: print it)")
    parser.add_argument("--class-name", metavar="NAME", help="the class name (default: from the project name)")
    parser.add_argument(
        "--format", choices=("py", "onnx"), default="py", help="py: PyTorch code (default); onnx: an ONNX model (needs -o)"
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.class_name is not None and not valid_class_name(args.class_name):
        return fail(f"--class-name {args.class_name!r} cannot name the class: use a Python identifier that is not a keyword or builtin, e.g. 'Generator'")
    graph = load_design(args.file)
    if graph is None:
        return EXIT_BAD_INPUT
    if args.format == "onnx":
        return _run_onnx(args, graph)
    try:
        result = export(graph, args.class_name, keep_names=True)
    except ExportError as exc:
        print(f"model-designer: {os.path.basename(args.file)}: {exc}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(result.code)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(result.code)
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"wrote {args.output}: class {result.class_name}, {counted(len(result.attributes), 'layer')}")
    return 0


def _run_onnx(args, graph) -> int:
    if args.output is None:
        return fail("--format onnx writes a binary file: give it with -o OUT.onnx")
    try:
        result = export_onnx(graph, args.output, args.class_name)
    except OnnxUnavailable as exc:
        return fail(str(exc))
    except ExportError as exc:
        print(f"model-designer: {os.path.basename(args.file)}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}: ONNX model of class {result.class_name}, {counted(len(result.attributes), 'layer')}")
    return 0
