"""torchvision's models for the import tests and the benchmark, where torchvision can be imported (FILE.py:NAME).

The torchvision wheel built for torch 2.13 is a CUDA build whose compiled ops fail to load on a CPU-only
machine, and ``import torchvision`` then fails while registering ``torchvision::nms``. Defining the op
schemas ``nms`` and ``qnms`` with ``torch.library`` before importing lets its pure-Python model zoo load
(the models used here never call those ops). Where torchvision loads as it is, nothing is defined.
"""

from __future__ import annotations

import sys

import torch

_OPS = None  # the torch.library holding the schemas: kept alive, or torch drops them again


def _load():
    global _OPS
    try:
        import torchvision
    except ImportError:
        raise
    except Exception:  # its compiled ops failed to load: define their schemas and import it again
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
        _OPS = torch.library.Library("torchvision", "DEF")
        _OPS.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _OPS.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        import torchvision
    return torchvision


def missing() -> str | None:
    """Why torchvision cannot be used here (a sentence for a skip), or None when it can."""
    try:
        _load()
    except Exception as exc:
        return f"torchvision cannot be imported here ({type(exc).__name__}: {exc})"
    return None


def resnet18():
    return _load().models.resnet18()


def resnet50():
    return _load().models.resnet50()
