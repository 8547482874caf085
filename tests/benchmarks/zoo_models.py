"""The real models ``import_zoo.py`` imports: torchvision's classification zoo (loaded without its compiled
extension) and, for the hand-written styles, the models of ``tests/core/import_idioms.py``.

torchvision's wheel for torch 2.13 here is a CUDA build whose compiled extension fails to load on a CPU
machine, and ``import torchvision`` then fails while registering ``torchvision::nms``; defining the ``nms``
and ``qnms`` schemas with ``torch.library`` first lets its pure-Python model zoo load.
"""

from __future__ import annotations

import contextlib

import torch


def load_torchvision():
    """``torchvision.models``, importable on a CPU machine (see the module docstring)."""
    for name in ("nms", "qnms"):
        with contextlib.suppress(RuntimeError):  # defined already (this module loaded twice)
            torch.library.define(f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision.models

    return torchvision.models


def googlenet():
    """GoogLeNet without its auxiliary training heads (they never run in eval mode, so no design holds them)."""
    return load_torchvision().googlenet(aux_logits=False, init_weights=False)


def inception_v3():
    """Inception v3 without its auxiliary head, as for GoogLeNet."""
    return load_torchvision().inception_v3(aux_logits=False, init_weights=False)


def __getattr__(name: str):
    """Any other torchvision classification model by its builder's name (``resnet18``), built with defaults."""
    models = load_torchvision()
    if name in models.list_models(module=models):
        return getattr(models, name)
    raise AttributeError(name)
