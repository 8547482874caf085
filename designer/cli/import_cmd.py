"""``model-designer import FILE.py:NAME -o OUT.json --input-shape 1,3,224,224``: a PyTorch model as a design."""

from __future__ import annotations

import sys
import warnings

from designer.cli.common import fail
from designer.core import project
from designer.core.importer import DTYPES, ModelImportError, import_model, parse_shape
from designer.core.shapes import counted

NAME = "import"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="turn a PyTorch model (a .py file) into a project file",
        description="Trace a PyTorch model and save it as a design whose layers keep the model's names, so "
        "'model-designer export' gives code that loads the original state_dict. The model's submodules become "
        "blocks (--flat: one flat sheet). This runs the file's code, as "
        "importing it in Python would. Exit 2, writing nothing, when the model cannot be loaded or has an "
        "operation the designer has no layer for (each one listed, with where it is).",
    )
    parser.add_argument("model", metavar="FILE.py:NAME", help="a model class or function: net.py:ResNet or package.module:ResNet")
    parser.add_argument("-o", "--output", metavar="OUT.json", required=True, help="the project file to write")
    parser.add_argument(
        "--input-shape",
        metavar="SIZES",
        action="append",
        required=True,
        help="the shape of one input of forward(), e.g. 1,3,224,224, or N,3,224,224 to leave the batch open "
        "(repeat for several inputs, in order)",
    )
    parser.add_argument(
        "--input-dtype",
        metavar="DTYPE",
        action="append",
        choices=DTYPES,
        help="the dtype of one input of forward(): float32 (the default) or int64 for token ids "
        "(repeat for several inputs, in order, like --input-shape)",
    )
    parser.add_argument(
        "--flat",
        action="store_true",
        help="every layer at the top of the design; by default the model's submodules become blocks "
        "(one definition per class and structure, repeats for runs of one block)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="when operations have no equivalent layer, list every place (by default the report stops at ten lines)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        shapes = [parse_shape(text) for text in args.input_shape]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's tracing chatter; refusals come back as one sentence
            result = import_model(args.model, shapes, args.input_dtype, flat=args.flat)
        project.save(result.graph, args.output)
    except ModelImportError as exc:
        return fail("\n".join(exc.lines) if args.verbose else _default_report(exc))
    except project.ProjectError as exc:
        return fail(str(exc))
    for note in result.notes:
        print(f"model-designer: note: {note}", file=sys.stderr)
    blocks = f" and {counted(len(result.graph.blocks), 'block definition')}" if result.graph.blocks else ""
    print(f"wrote {args.output}: {counted(len(result.graph), 'node')}{blocks} from {args.model} (traced with {result.tracer})")
    return 0


def _default_report(exc: ModelImportError) -> str:
    text = str(exc)
    return text + " (--verbose lists them all)" if len(exc.lines) > text.count("\n") + 1 else text
