"""Resampling: Upsample, PixelShuffle and PixelUnshuffle.

Upsample follows ``nn.Upsample`` and ``F.interpolate`` step by step: the constructor's treatment of
``scale_factor`` (a single 0 counts as unset), the size/scale checks, the double-precision output
size ``int(size · scale)``, the mode-per-rank table, and for 'area' the adaptive average pool it runs.
"""

from __future__ import annotations

from designer.core.layers.common import (
    axis_labels,
    describe_tensor,
    empty_output_warnings,
    expand,
    show,
    unchanged_notes,
)
from designer.core.layers.pool import check_adaptive_avg_input
from designer.core.params import Boolean, Choice, Integer, Ints, Optional, RealOrReals
from designer.core.shapes import DimNote, Fix, Inferred, LayerError
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, moves_values_only

# Every mode nn.Upsample can run; 'lanczos' is left out because nn.Upsample never passes the
# antialias=True that F.interpolate demands for it, so it always fails.
MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_NOT_INTERPOLATING = ("nearest", "area", "nearest-exact")
_MODES_BY_RANK = {
    3: ("nearest", "nearest-exact", "area", "linear"),
    4: ("nearest", "nearest-exact", "area", "bilinear", "bicubic"),
    5: ("nearest", "nearest-exact", "area", "trilinear"),
}
_RANK_OF_MODE = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_INT64_MAX = 2**63 - 1

_MODE_STORY = {
    "nearest": "nearest copies each input value into the output positions that fall on it.",
    "nearest-exact": "nearest-exact copies the nearest input value, measured from pixel centres (as Pillow and scikit-image do).",
    "linear": "linear blends the two nearest input values along L.",
    "bilinear": "bilinear blends the four nearest input values (two along H, two along W).",
    "bicubic": "bicubic blends a 4×4 neighbourhood with cubic weights; values may overshoot the input's range.",
    "trilinear": "trilinear blends the eight nearest input values of the volume.",
    "area": "area averages the input region under each output position (an adaptive average pool).",
}


def _fmt(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _scale_factor(value):
    """What nn.Upsample stores: floats, and None for a single 0 (its ``float(s) if s else None``)."""
    if isinstance(value, list):
        return [float(v) for v in value]
    return float(value) if value else None


def _check_rank_and_mode(ctx, mode: str) -> int:
    shape = ctx.shape
    rank = len(shape)
    if rank in _MODES_BY_RANK and mode in _MODES_BY_RANK[rank]:
        return rank - 2
    if rank in _MODES_BY_RANK:
        wanted = _RANK_OF_MODE[mode]
        alternative = {3: "linear", 4: "bilinear", 5: "trilinear"}[rank]
        raise LayerError(
            f"{ctx.label}: mode '{mode}' needs a {wanted}-D input {'×'.join(axis_labels(wanted, wanted - 2))}, "
            f"but receives {describe_tensor(shape)} from {ctx.source()}",
            param="mode",
            fix=f"use mode '{alternative}' (or 'nearest') for {rank}-D inputs",
        )
    raise LayerError(
        f"{ctx.label} needs a 3-D, 4-D or 5-D input (N, C and 1 to 3 spatial axes), but receives "
        f"{describe_tensor(shape)} from {ctx.source()}",
        fix="Upsample always wants the batch N: insert an Unflatten to add it" if rank < 3 else "insert a Flatten",
    )


def _requested(ctx, dim: int):
    """(output sizes given by ``size``, or None; scale factors, or None) after torch's checks."""
    size, scale = ctx["size"], _scale_factor(ctx["scale_factor"])
    labels = "×".join(axis_labels(dim, dim)) if dim > 0 else "none"
    if size is not None and scale is not None:
        raise LayerError(
            f"{ctx.label}: give either size or scale_factor, not both",
            param="scale_factor",
            fix="set one of them to null",
            fixes=(Fix.setting("scale_factor", None), Fix.setting("size", None)),
        )
    if size is not None:
        if isinstance(size, list) and len(size) != dim:
            raise LayerError(
                f"{ctx.label}: size has {len(size)} entries but the input has {dim} spatial axes ({labels})",
                param="size",
                fix=f"give {dim} sizes, or a single number for all of them",
            )
        if ctx["recompute_scale_factor"]:
            raise LayerError(
                f"{ctx.label}: recompute_scale_factor only applies with scale_factor, not with an explicit size",
                param="recompute_scale_factor",
                fixes=(Fix.setting("recompute_scale_factor", None),),
            )
        return list(expand(size, dim)), None
    if scale is None:
        raise LayerError(
            f"{ctx.label}: set size or scale_factor (a scale_factor of 0 counts as unset)",
            param="scale_factor",
            fix="e.g. scale_factor 2 doubles every spatial size",
        )
    if isinstance(scale, list) and len(scale) != dim:
        raise LayerError(
            f"{ctx.label}: scale_factor has {len(scale)} entries but the input has {dim} spatial axes ({labels})",
            param="scale_factor",
            fix=f"give {dim} factors, or a single number for all of them",
        )
    return None, list(expand(scale, dim))


def _upsample_infer(ctx) -> Inferred:
    mode = ctx["mode"]
    if mode in _NOT_INTERPOLATING and ctx["align_corners"] is not None:
        raise LayerError(
            f"{ctx.label}: align_corners only applies to the interpolating modes (linear, bilinear, bicubic, "
            f"trilinear), not to mode '{mode}'",
            param="align_corners",
            fixes=(Fix.setting("align_corners", None),),
        )
    dim = _check_rank_and_mode(ctx, mode)
    sizes, scales = _requested(ctx, dim)
    shape = ctx.shape
    labels = axis_labels(len(shape), dim)
    spatial_in = shape[2:]
    notes = []
    out_sizes = []
    for i, lbl in enumerate(labels[2:]):
        if scales is None:
            out_sizes.append(sizes[i])
            notes.append(DimNote(lbl, sizes[i], f"{lbl}_out = size", f"{sizes[i]} (set by size)"))
            continue
        product = spatial_in[i] * scales[i]
        if abs(product) > _INT64_MAX:
            raise LayerError(
                f"{ctx.label}: {lbl} × scale_factor = {product:.3g} is far too large for a tensor",
                param="scale_factor",
            )
        out = int(product)  # torch truncates the double product toward zero
        lo, hi = ("⌊", "⌋") if product >= 0 else ("⌈", "⌉")
        out_sizes.append(out)
        notes.append(DimNote(lbl, out, f"{lbl}_out = ⌊{lbl}_in × scale_factor⌋", f"{lo}{spatial_in[i]} × {_fmt(scales[i])}{hi} = {out}"))
    out_shape = shape[:2] + tuple(out_sizes)
    warnings = ()
    if mode == "area":
        _check_area(ctx, dim, out_sizes, labels)
        warnings = empty_output_warnings(out_shape, labels)
    else:
        _check_interpolation(ctx, spatial_in, out_sizes, labels)
    story = [_MODE_STORY[mode], "Channels and batch pass through; only the spatial axes are resized."]
    if mode not in _NOT_INTERPOLATING and ctx["align_corners"]:
        story.append("align_corners=True: the corner values of input and output line up exactly.")
    if scales is not None and (ctx["recompute_scale_factor"] or mode == "area"):
        story.append("The sampling uses the ratio output/input of the rounded sizes (recompute_scale_factor).")
    lead = unchanged_notes(shape[:2], labels[:2])
    return Inferred(out_shape, lead + tuple(notes), tuple(story), warnings)


def _check_area(ctx, dim: int, out_sizes, labels) -> None:
    for lbl, size in zip(labels[2:], out_sizes):
        if size < 0:
            raise LayerError(
                f"{ctx.label}: the output {lbl} would be {size}; a size cannot be negative",
                param="scale_factor" if ctx["size"] is None else "size",
            )
    check_adaptive_avg_input(ctx, dim, out_sizes)


def _check_interpolation(ctx, spatial_in, out_sizes, labels) -> None:
    shape = ctx.shape
    if shape[1] == 0:
        raise LayerError(
            f"{ctx.label} cannot resize {describe_tensor(shape)} from {ctx.source()}: it has no channels",
            fix="check the layer before it, which makes an empty tensor",
        )
    for lbl, size in zip(labels[2:], spatial_in):
        if size == 0:
            raise LayerError(
                f"{ctx.label} cannot resize {describe_tensor(shape)} from {ctx.source()}: its {lbl} is 0",
                fix="check the layer before it, which makes an empty tensor",
            )
    for lbl, size in zip(labels[2:], out_sizes):
        if size < 1:
            raise LayerError(
                f"{ctx.label}: the output {lbl} would be {size}; mode '{ctx['mode']}' needs every size at least 1",
                param="scale_factor" if ctx["size"] is None else "size",
                fix="use a larger scale_factor or size (mode 'area' accepts 0)",
            )


def _upsample_summary(params) -> str:
    mode = params.get("mode", "nearest")
    size = params.get("size")
    scale = params.get("scale_factor")
    if size is not None:
        return f"→ {'×'.join(map(str, size)) if isinstance(size, list) else size} {mode}"
    if scale:
        values = scale if isinstance(scale, list) else [scale]
        return f"×{show([_fmt(v) for v in values])} {mode}"
    return mode


# ----- PixelShuffle / PixelUnshuffle -------------------------------------------------------------


def _pixel_infer(up: bool):
    name = "upscale_factor" if up else "downscale_factor"

    def infer(ctx) -> Inferred:
        shape = ctx.shape
        if len(shape) < 3:
            raise LayerError(
                f"{ctx.label} needs at least 3 axes (C, H, W), but receives {describe_tensor(shape)} from {ctx.source()}",
                fix="insert an Unflatten to make C×H×W",
            )
        r = ctx[name]
        if r <= 0:
            raise LayerError(f"{ctx.label}: {name} must be at least 1, got {r}", param=name)
        c, h, w = shape[-3:]
        lead = shape[:-3]
        labels = ("N",) * len(lead) if len(lead) == 1 else tuple(f"B{i + 1}" for i in range(len(lead)))
        if up:
            if c % (r * r):
                raise LayerError(
                    f"{ctx.label}: channels ({c}) must be divisible by upscale_factor² = {r * r}",
                    param=name,
                    fix=f"give it {r * r}·k channels (e.g. {r * r * max(1, -(-c // (r * r)))}), or a factor whose square divides {c}",
                )
            notes = (
                DimNote("C", c // (r * r), "C_out = C_in / upscale_factor²", f"{c} / {r}² = {c // (r * r)}"),
                DimNote("H", h * r, "H_out = H_in × upscale_factor", f"{h} × {r} = {h * r}"),
                DimNote("W", w * r, "W_out = W_in × upscale_factor", f"{w} × {r} = {w * r}"),
            )
            story = (
                f"Moves values from channels into space: each group of {r}² = {r * r} channels becomes one "
                f"channel with a {r}×{r} block per input position.",
            )
        else:
            for lbl, size in (("H", h), ("W", w)):
                if size % r:
                    raise LayerError(
                        f"{ctx.label}: the input's {lbl} ({size}) must be divisible by downscale_factor ({r})",
                        param=name,
                        fix=f"use a factor that divides {size}, or resize the input first",
                    )
            notes = (
                DimNote("C", c * r * r, "C_out = C_in × downscale_factor²", f"{c} × {r}² = {c * r * r}"),
                DimNote("H", h // r, "H_out = H_in / downscale_factor", f"{h} / {r} = {h // r}"),
                DimNote("W", w // r, "W_out = W_in / downscale_factor", f"{w} / {r} = {w // r}"),
            )
            story = (
                f"Moves values from space into channels: each {r}×{r} block of a channel becomes {r * r} channels "
                f"at one position.",
            )
        if not up and 0 in shape:
            # ATen's pixel_unshuffle hands an empty tensor back as it is, after its checks.
            names = labels + ("C", "H", "W")
            return Inferred(
                shape,
                unchanged_notes(shape, names, "torch returns an empty input unchanged"),
                story,
                empty_output_warnings(shape, names),
            )
        out_shape = lead + tuple(note.size for note in notes)
        return Inferred(out_shape, unchanged_notes(lead, labels) + notes, story, empty_output_warnings(out_shape, labels + ("C", "H", "W")))

    return infer


SPECS = [
    LayerSpec(
        type_name="Upsample",
        category="Resampling",
        description="Resizes the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) to a size or by a factor.",
        params=(
            ParamSpec("size", Optional(Ints(min_len=1, allow_scalar=True)), None, "output size per spatial axis"),
            ParamSpec("scale_factor", Optional(RealOrReals()), None, "multiplier per spatial axis (use size or this)"),
            ParamSpec("mode", Choice(MODES), "nearest", "how output values are computed from the input"),
            ParamSpec("align_corners", Optional(Boolean()), None, "line up corner pixels (interpolating modes only)"),
            ParamSpec("recompute_scale_factor", Optional(Boolean()), None, "sample with output/input instead of scale_factor"),
        ),
        infer=_upsample_infer,
        summary=_upsample_summary,
    ),
    LayerSpec(
        type_name="PixelShuffle",
        category="Resampling",
        description="Trades channels for resolution: (C·r², H, W) becomes (C, H·r, W·r).",
        params=(ParamSpec("upscale_factor", Integer(1), REQUIRED, "how much larger H and W get"),),
        infer=_pixel_infer(True),
        summary=lambda p: f"×{p['upscale_factor']}",
        other_ops=moves_values_only,
        int64_input="keep",
    ),
    LayerSpec(
        type_name="PixelUnshuffle",
        category="Resampling",
        description="Trades resolution for channels: (C, H·r, W·r) becomes (C·r², H, W).",
        params=(ParamSpec("downscale_factor", Integer(1), REQUIRED, "how much smaller H and W get"),),
        infer=_pixel_infer(False),
        summary=lambda p: f"÷{p['downscale_factor']}",
        other_ops=moves_values_only,
        int64_input="keep",
    ),
]
