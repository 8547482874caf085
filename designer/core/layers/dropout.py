"""Dropout layers: identity in eval mode, with torch's rank checks and warnings.

Every variant refuses p outside [0, 1]. Dropout1d refuses inputs that are not 2-D or 3-D; Dropout2d
and Dropout3d only warn about unexpected ranks (deprecated, a future torch will refuse them).
"""

from __future__ import annotations

from designer.core.layers.common import describe_tensor, layout, unchanged_notes
from designer.core.params import Boolean, Real
from designer.core.shapes import Fix, Inferred, LayerError
from designer.core.spec import LayerSpec, ParamSpec

_WHAT = {
    "Dropout": "each value",
    "AlphaDropout": "each value (keeping the mean and variance SELU networks rely on)",
    "Dropout1d": "whole channels of a 1-D signal",
    "Dropout2d": "whole channels (feature maps) of an image",
    "Dropout3d": "whole channels of a volume",
}


def _check_p(ctx) -> float:
    p = ctx["p"]
    if not 0 <= p <= 1:
        raise LayerError(
            f"{ctx.label}: p is the probability of dropping, so it must be between 0 and 1, got {p}",
            param="p",
            fixes=(Fix.setting("p", 0.5),),
        )
    return p


def _infer(type_name: str):
    def infer(ctx) -> Inferred:
        p = _check_p(ctx)
        shape = ctx.shape
        rank = len(shape)
        warnings = ()
        if type_name == "Dropout1d" and rank not in (2, 3):
            raise LayerError(
                f"{ctx.label} needs a 3-D input {layout(3)} (or 2-D without the batch N), but receives "
                f"{describe_tensor(shape)} from {ctx.source()}",
                fix="use Dropout2d/Dropout3d for feature maps, or Dropout for single values",
            )
        if type_name == "Dropout2d":
            warnings = _rank_warnings(type_name, rank, (3, 4))
            if rank == 3:
                warnings += (
                    "Dropout2d reads a 3-D input as N×C×L and drops channels of it like Dropout1d (torch warns and "
                    "will read it as C×H×W in the future); use Dropout1d to say so",
                )
        elif type_name == "Dropout3d":
            warnings = _rank_warnings(type_name, rank, (4, 5))
        story = (
            f"In training, zeroes {_WHAT[type_name]} with probability p={p} and scales the rest up; "
            f"in eval mode (and in this designer's checks) it passes the input through.",
            "No parameters; the shape does not change.",
        )
        return Inferred(shape, unchanged_notes(shape), story, warnings)

    return infer


def _rank_warnings(type_name: str, rank: int, ranks: tuple[int, int]) -> tuple[str, ...]:
    if rank in ranks:
        return ()
    return (
        f"{type_name} expects a {ranks[1]}-D input (or {ranks[0]}-D without the batch N) but gets a {rank}-D one; "
        f"torch only warns for now but will refuse it in a future release: use Dropout instead",
    )


def _spec(type_name: str, description: str) -> LayerSpec:
    return LayerSpec(
        type_name=type_name,
        category="Dropout",
        description=description,
        params=(
            ParamSpec("p", Real(0.0, 1.0), 0.5, "probability of dropping, between 0 and 1"),
            ParamSpec("inplace", Boolean(), False, "overwrite the input instead of making a new tensor"),
        ),
        infer=_infer(type_name),
        summary=lambda p: f"p {p['p']}",
        int64_input="keep",  # in eval mode, as exported models run
    )


SPECS = [
    _spec("Dropout", "In training, randomly zeroes values so the network cannot rely on any single one."),
    _spec("Dropout1d", "In training, randomly zeroes whole channels of (N, C, L) signals."),
    _spec("Dropout2d", "In training, randomly zeroes whole channels of (N, C, H, W) feature maps."),
    _spec("Dropout3d", "In training, randomly zeroes whole channels of (N, C, D, H, W) volumes."),
    _spec("AlphaDropout", "Dropout for SELU networks: keeps the mean and variance of the values unchanged."),
]
