"""ONNX export: the design's generated PyTorch code, built in a fresh namespace and exported by torch.onnx.

torch, onnx and onnxscript are imported lazily, only here. Going through the generated code (rather than
a second model builder) means the ONNX file computes exactly what the exported ``.py`` computes. The file
is checked with ``onnx.checker`` before it replaces ``path``, so a failed export leaves nothing behind.
An Input whose batch is left open ("N") gets a dynamic first axis named ``batch`` in the file.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import tempfile
import warnings

from designer.core.export import EXAMPLE_BATCH, ExportError, ExportResult, export
from designer.core.graph import Graph
from designer.core.shapes import BATCH_SYMBOL, batch_is_open

NEEDED = ("onnx", "onnxscript")
INSTALL_HINT = "pip install 'model-designer[onnx]' (or: pip install onnx onnxscript onnxruntime)"


class OnnxUnavailable(ExportError):
    """The packages ONNX export needs are not installed; the message says what to install."""


def missing_packages() -> list[str]:
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def check_available() -> None:
    """Raise OnnxUnavailable, saying what to install, when torch, onnx or onnxscript is missing."""
    if importlib.util.find_spec("torch") is None:
        raise OnnxUnavailable("ONNX export runs torch, which is not installed: pip install torch")
    missing = missing_packages()
    if missing:
        raise OnnxUnavailable(f"ONNX export needs {' and '.join(missing)}: {INSTALL_HINT}")


def export_onnx(graph: Graph, path: str | os.PathLike, class_name: str | None = None) -> ExportResult:
    """Write ``graph`` as an ONNX model to ``path``; raises ExportError (OnnxUnavailable without the packages)."""
    check_available()
    import onnx
    import torch

    result = export(graph, class_name, keep_names=True)
    namespace: dict = {"__name__": "model_designer_onnx"}
    exec(compile(result.code, f"<{result.class_name}>", "exec"), namespace)  # our own generated, checked code
    model = namespace[result.class_name]().eval()
    shapes = [graph.node(node_id).params["shape"] for node_id in result.inputs]
    ids = [graph.node(node_id).params.get("dtype") == "int64" for node_id in result.inputs]
    # Traced at a batch above 1: torch.export would take a size of 1 for a constant and fix the axis.
    sizes = [tuple(EXAMPLE_BATCH if d == BATCH_SYMBOL else d for d in shape) for shape in shapes]
    inputs = tuple(torch.zeros(size, dtype=torch.long) if is_ids else torch.randn(size) for size, is_ids in zip(sizes, ids))
    batch = torch.export.Dim("batch")  # one N shared by every open Input, as the designer requires
    dynamic = tuple({0: batch} if batch_is_open(shape) else None for shape in shapes)
    target = os.fspath(path)
    fd, tmp = tempfile.mkstemp(prefix=".model-designer-", suffix=".onnx", dir=os.path.dirname(os.path.abspath(target)))
    os.close(fd)
    try:
        with _quiet():
            torch.onnx.export(
                model,
                inputs,
                tmp,
                input_names=list(result.inputs),
                output_names=list(result.outputs),
                dynamo=True,
                external_data=False,
                dynamic_shapes=dynamic if any(dynamic) else None,
            )
        onnx.checker.check_model(tmp, full_check=True)
        os.chmod(tmp, _default_mode())  # mkstemp's 0600 is for the unfinished file only
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    except Exception as exc:  # torch.onnx has no operator for a layer, or the checker refused the file
        text = " ".join(str(exc).split())[:300]
        raise ExportError(f"torch.onnx cannot export this design: {type(exc).__name__}: {text}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return result


@contextlib.contextmanager
def _quiet():
    """torch.onnx reports progress on stdout and notes on its logger and warnings: none of it is for users."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
