"""Normalization layers: BatchNorm, InstanceNorm, GroupNorm, LayerNorm, LocalResponseNorm.

The rules follow torch in eval mode, which is how the designer runs a model to check it: BatchNorm
uses its running statistics when it tracks them and the batch's own statistics when it does not;
InstanceNorm always uses each sample's statistics unless it tracks running ones. Empty tensors skip
most of torch's checks, so the rules let them through where torch does.
"""

from __future__ import annotations

from designer.core import torch_version
from designer.core.layers.common import describe_tensor, layout, product, spatial_labels, unchanged_notes
from designer.core.params import Boolean, Integer, Ints, Optional, Real
from designer.core.shapes import Fix, Inferred, LayerError, counted, format_count, format_shape
from designer.core.spec import REQUIRED, LayerSpec, ParamSpec, weights_count

_SPATIAL = {1: "L", 2: "H×W", 3: "D×H×W"}


def _affine(shape: tuple[int, ...], affine: bool, bias: bool) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """A norm's learnable scale (and shift, unless bias=False), both shaped like what it normalizes."""
    if not affine:
        return ()
    return (("weight", shape), ("bias", shape)) if bias else (("weight", shape),)


def _running_stats(p) -> int:
    """Running mean and variance per channel and the batch counter, when the norm tracks them."""
    return 2 * p["num_features"] + 1 if p.get("track_running_stats") else 0


def _check_size_param(ctx, name: str, value: int, needed_for: str) -> None:
    if value < 0:
        raise LayerError(
            f"{ctx.label}: {name} cannot be negative, got {value} (torch makes {needed_for} of that size)",
            param=name,
        )


def _params_story(count: int, what: str) -> str:
    if count == 0:
        return "No learnable parameters."
    return f"Learns {what}: {counted(count, 'parameter')}."


def _affine_what(features: int, bias: bool) -> str:
    return f"a scale and a shift per channel ({features} + {features})" if bias else f"a scale per channel ({features})"


# ----- BatchNorm -------------------------------------------------------------------------------
def _batch_norm_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("num_features", Integer(1), REQUIRED, "channels of the incoming tensor (its C)"),
        ParamSpec("eps", Real(0.0), 1e-5, "small number added to the variance so it is never divided by 0"),
        ParamSpec("momentum", Optional(Real(0.0)), 0.1, "how fast running statistics follow new batches (null: plain average)"),
        ParamSpec("affine", Boolean(), True, "learn a scale and shift per channel"),
        ParamSpec("track_running_stats", Boolean(), True, "keep running mean/variance to use in eval mode"),
        ParamSpec("bias", Boolean(), True, "learn the shift too (only with affine)"),
    )


def batch_norm_infer(n: int):
    ranks = (2, 3) if n == 1 else (n + 2,)

    def infer(ctx) -> Inferred:
        nf, affine, tracking = ctx["num_features"], ctx["affine"], ctx["track_running_stats"]
        if affine or tracking:
            _check_size_param(ctx, "num_features", nf, "its weights or running statistics")
        shape = ctx.shape
        if len(shape) not in ranks:
            wanted = " or ".join(f"{r}-D input {layout(r)}" for r in ranks)
            raise LayerError(
                f"{ctx.label} needs a {wanted}, but receives {describe_tensor(shape)} from {ctx.source()}",
                fix=_batch_norm_rank_fix(n, len(shape)),
            )
        batch_stats = not tracking
        if batch_stats and shape[0] * product(shape[2:]) == 1:
            raise LayerError(
                f"{ctx.label} has track_running_stats=false, so even in eval mode it normalizes with the statistics "
                f"of the batch itself, but {format_shape(shape)} from {ctx.source()} gives only 1 value per channel",
                param="track_running_stats",
                fix="feed more than one sample (or a larger size), or set track_running_stats to true",
            )
        eps = ctx["eps"]
        if batch_stats and eps <= 0:
            raise LayerError(
                f"{ctx.label}: eps must be greater than 0 when the batch's own statistics are used, got {eps}",
                param="eps",
                fixes=(Fix.setting("eps", 1e-05),),
            )
        if eps < 0:
            raise LayerError(f"{ctx.label}: eps cannot be negative, got {eps}", param="eps", fixes=(Fix.setting("eps", 1e-05),))
        channels = shape[1]
        if product(shape) == 0:
            if affine and nf == 0:
                raise LayerError(
                    f"{ctx.label}: num_features is 0, so there is no scale to apply", param="num_features"
                )
        elif (affine or tracking) and channels != nf:
            raise LayerError(
                f"{ctx.label} expects {nf} channels (num_features) but receives {channels} from {ctx.source()}",
                param="num_features",
                fixes=(Fix.setting("num_features", channels),),
            )
        return Inferred(shape, unchanged_notes(shape), _batch_norm_story(ctx, channels, batch_stats))

    return infer


def _batch_norm_rank_fix(n: int, have: int) -> str:
    by_rank = {2: "BatchNorm1d", 3: "BatchNorm1d", 4: "BatchNorm2d", 5: "BatchNorm3d"}
    other = by_rank.get(have)
    if other and other != f"BatchNorm{n}d":
        return f"use {other} for a {have}-D input"
    if have < 2:
        return "feed a batch: BatchNorm needs the batch N and channel C dims"
    return "insert a Flatten or reshape the tensor to the layout this layer expects"


def _batch_norm_story(ctx, channels: int, batch_stats: bool) -> tuple[str, ...]:
    count = weights_count(_norm_weights(ctx.params))
    stats = (
        "track_running_stats=false: it always normalizes with the mean and variance of the current batch."
        if batch_stats
        else "In training it normalizes with the batch's mean and variance; in eval mode with running averages of them."
    )
    return (
        f"Normalizes each of the {channels} channels to mean 0 and variance 1 over the batch and positions.",
        stats,
        _params_story(count, _affine_what(ctx["num_features"], ctx["bias"])),
        "The shape does not change.",
    )


# ----- InstanceNorm ----------------------------------------------------------------------------
def _instance_norm_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("num_features", Integer(1), REQUIRED, "channels of the incoming tensor (its C)"),
        ParamSpec("eps", Real(0.0), 1e-5, "small number added to the variance so it is never divided by 0"),
        ParamSpec("momentum", Optional(Real(0.0)), 0.1, "how fast running statistics follow new batches"),
        ParamSpec("affine", Boolean(), False, "learn a scale and shift per channel"),
        ParamSpec("track_running_stats", Boolean(), False, "keep running mean/variance to use in eval mode"),
        ParamSpec("bias", Boolean(), True, "learn the shift too (only with affine)"),
    )


def instance_norm_infer(n: int):
    unbatched = n + 1

    def infer(ctx) -> Inferred:
        nf, affine, tracking = ctx["num_features"], ctx["affine"], ctx["track_running_stats"]
        if affine or tracking:
            _check_size_param(ctx, "num_features", nf, "its weights or running statistics")
        shape = ctx.shape
        if len(shape) not in (unbatched, unbatched + 1):
            raise LayerError(
                f"{ctx.label} needs a {unbatched + 1}-D input {layout(unbatched + 1)} (or {unbatched}-D without the "
                f"batch N), but receives {describe_tensor(shape)} from {ctx.source()}",
                fix=_instance_norm_rank_fix(n, len(shape)),
            )
        batched = len(shape) == unbatched + 1
        lead = 1 if batched else 0
        channels = shape[lead]
        warnings = []
        if channels != nf:
            if affine:
                raise LayerError(
                    f"{ctx.label} expects {nf} channels (num_features) but receives {channels} from {ctx.source()}",
                    param="num_features",
                    fixes=(Fix.setting("num_features", channels),),
                )
            warnings.append(
                f"num_features is {nf} but the input has {channels} channels; with affine=false torch only warns, "
                f"because num_features is then unused"
            )
        own_stats = not tracking
        spatial = shape[lead + 1 :]
        if own_stats and product(spatial) == 1:
            raise LayerError(
                f"{ctx.label} normalizes each channel of each sample on its own, but {format_shape(shape)} from "
                f"{ctx.source()} has only 1 position per channel ({_SPATIAL[n]} = {format_shape(spatial)})",
                fix="normalize a larger feature map, or use BatchNorm or LayerNorm here",
            )
        batch = shape[0] if batched else 1
        if product(shape) == 0:
            if affine and batch * nf == 0:
                raise LayerError(
                    f"{ctx.label}: the input {format_shape(shape)} is empty and torch cannot apply the scale to it",
                    param="affine",
                    fixes=(Fix.setting("affine", False),),
                )
        elif tracking and channels != nf:
            raise LayerError(
                f"{ctx.label} tracks running statistics for {nf} channels (num_features) but receives {channels} "
                f"from {ctx.source()}",
                param="num_features",
                fixes=(Fix.setting("num_features", channels),),
            )
        story = (
            f"Normalizes each of the {channels} channels of every sample on its own, over its {_SPATIAL[n]} positions.",
            _params_story(weights_count(_affine((nf,), affine, ctx["bias"])), _affine_what(nf, ctx["bias"])),
            "The shape does not change.",
        )
        labels = None if batched else ("C", *spatial_labels(n))
        return Inferred(shape, unchanged_notes(shape, labels), story, tuple(warnings))

    return infer


def _instance_norm_rank_fix(n: int, have: int) -> str:
    # A batched reading (N, C, ...) is likelier than an unbatched one, so try that first.
    fits = [k for k in (have - 2, have - 1) if k in (1, 2, 3) and k != n]
    if fits:
        return f"use InstanceNorm{fits[0]}d for a {have}-D input"
    return "reshape the tensor to the layout this layer expects"


# ----- GroupNorm -------------------------------------------------------------------------------
# torch 2.14's group norm refuses an input without channels or with an empty spatial size ("Expected HxW
# to be greater than 0"); 2.13 and before returned the empty tensor.
GROUP_NORM_NEEDS_VALUES: torch_version.Version = (2, 14, 0)


def _group_norm_empty(ctx, shape) -> tuple[str, ...]:
    """Refuse what the followed torch refuses in an empty input; else warn when newer releases would."""
    if shape[1] and product(shape[2:]):
        return ()
    axis = "C" if not shape[1] else "spatial size (" + "×".join(str(d) for d in shape[2:]) + ")"
    since = torch_version.show(GROUP_NORM_NEEDS_VALUES)
    if torch_version.at_least(GROUP_NORM_NEEDS_VALUES):
        raise LayerError(
            f"{ctx.label} cannot normalize {format_shape(shape)} from {ctx.source()}: its {axis} is 0, "
            f"and {since} and later refuse that",
            fix="check the layer before it, which makes an empty tensor",
        )
    return (f"The input's {axis} is 0: {since} and later refuse this (the rules follow {torch_version.describe()}).",)


def _group_norm_infer(ctx) -> Inferred:
    groups, nc, affine = ctx["num_groups"], ctx["num_channels"], ctx["affine"]
    if groups == 0:
        raise LayerError(f"{ctx.label}: num_groups must be at least 1, got 0", param="num_groups", fixes=(Fix.setting("num_groups", 1),))
    if nc % groups:
        raise LayerError(
            f"{ctx.label}: num_channels ({nc}) must be divisible by num_groups ({groups})",
            param="num_groups",
            fix=f"choose num_groups among the divisors of {nc}",
        )
    if affine:
        _check_size_param(ctx, "num_channels", nc, "its weights")
    shape = ctx.shape
    if len(shape) < 2:
        raise LayerError(
            f"{ctx.label} needs at least 2 dims N×C, but receives {describe_tensor(shape)} from {ctx.source()}",
            fix="feed a batch: GroupNorm reads the channels from dim 1",
        )
    warnings = _group_norm_empty(ctx, shape)
    batch, channels = shape[0], shape[1]
    if (batch * channels // groups) * product(shape[2:]) == 1:
        raise LayerError(
            f"{ctx.label} normalizes each group of channels over its values, but {format_shape(shape)} from "
            f"{ctx.source()} gives only 1 value per group",
            param="num_groups",
            fix="use fewer groups, or feed more samples or positions",
        )
    if groups < 0:
        raise LayerError(f"{ctx.label}: num_groups must be at least 1, got {groups}", param="num_groups", fixes=(Fix.setting("num_groups", 1),))
    if channels % groups:
        raise LayerError(
            f"{ctx.label} splits the channels into {groups} groups, but {ctx.source()} gives {channels} channels, "
            f"which do not divide into {groups}",
            param="num_groups",
            fix=f"choose num_groups among the divisors of {channels}",
        )
    if affine and channels != nc:
        raise LayerError(
            f"{ctx.label} expects {nc} channels (num_channels) but receives {channels} from {ctx.source()}",
            param="num_channels",
            fixes=(Fix.setting("num_channels", channels),),
        )
    story = (
        f"Splits the {channels} channels into {groups} groups of {channels // groups} and normalizes each group "
        f"of each sample on its own, so the batch size does not matter.",
        _params_story(weights_count(_affine((nc,), affine, ctx["bias"])), _affine_what(nc, ctx["bias"])),
        "The shape does not change.",
    )
    return Inferred(shape, unchanged_notes(shape), story, warnings)


def _group_norm_weights(p):
    return _affine((p["num_channels"],), p["affine"], p["bias"])


# ----- LayerNorm -------------------------------------------------------------------------------
def _normalized_shape(value) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _layer_norm_infer(ctx) -> Inferred:
    wanted = _normalized_shape(ctx["normalized_shape"])
    if ctx["elementwise_affine"] and any(d < 0 for d in wanted):
        raise LayerError(
            f"{ctx.label}: normalized_shape cannot contain negative sizes, got {list(wanted)}", param="normalized_shape"
        )
    shape = ctx.shape
    k = len(wanted)
    if len(shape) < k or tuple(shape[len(shape) - k :]) != wanted:
        trailing = list(shape[-k:]) if len(shape) >= k else list(shape)
        raise LayerError(
            f"{ctx.label} normalizes the last {k} dim(s), which must be {list(wanted)}, but {ctx.source()} gives "
            f"{format_shape(shape)} (last {k}: {trailing})",
            param="normalized_shape",
            fix=_layer_norm_fix(shape, k),
            fixes=_layer_norm_fixes(shape, k),
        )
    count = weights_count(_layer_norm_weights(ctx.params))
    what = f"{'a scale and a shift' if ctx['bias'] else 'a scale'} per normalized element"
    story = (
        f"Normalizes each sample over its last {k} dim(s) ({format_shape(wanted)} = {format_count(product(wanted))} "
        f"values) to mean 0 and variance 1.",
        _params_story(count, what),
        "The shape does not change.",
    )
    return Inferred(shape, unchanged_notes(shape), story)


def _layer_norm_fix(shape, k: int) -> str:
    if len(shape) >= k:
        return f"set normalized_shape to {list(shape[len(shape) - k :]) if k > 1 else shape[-1]}"
    return f"set normalized_shape to {shape[-1]} to normalize over the last dim"


def _layer_norm_weights(p):
    return _affine(_normalized_shape(p["normalized_shape"]), p["elementwise_affine"], p["bias"])


def _layer_norm_fixes(shape, k: int) -> tuple[Fix, ...]:
    if len(shape) >= k and k > 1:
        return (Fix.setting("normalized_shape", list(shape[len(shape) - k :])),)
    return (Fix.setting("normalized_shape", shape[-1]),) if shape else ()


# ----- LocalResponseNorm -----------------------------------------------------------------------
def _lrn_infer(ctx) -> Inferred:
    shape = ctx.shape
    if len(shape) < 3:
        raise LayerError(
            f"{ctx.label} needs at least 3 dims N×C×…, but receives {describe_tensor(shape)} from {ctx.source()}",
            fix="use it on feature maps (after a convolution)",
        )
    size = ctx["size"]
    if product(shape) and size < 1:
        raise LayerError(f"{ctx.label}: size must be at least 1 (channels per window), got {size}", param="size")
    story = (
        f"Divides each value by the activity of {size} neighbouring channels at the same position.",
        "No learnable parameters; the shape does not change.",
    )
    return Inferred(shape, unchanged_notes(shape), story)


# ----- specs -----------------------------------------------------------------------------------
def _norm_summary(p) -> str:
    extra = "" if p.get("affine", True) else ", no affine"
    return f"{p['num_features']}{extra}"


def _norm_weights(p):
    return _affine((p["num_features"],), p["affine"], p["bias"])


_DATA = {1: "(N, C, L) or (N, C)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}
_INSTANCE_DATA = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}


def _batch_norm_spec(n: int) -> LayerSpec:
    return LayerSpec(
        type_name=f"BatchNorm{n}d",
        category="Normalization",
        description=f"Batch normalization for {_DATA[n]}: rescales each channel using statistics over the batch.",
        params=_batch_norm_params(),
        infer=batch_norm_infer(n),
        rank=n,
        weights=_norm_weights,
        buffers=_running_stats,
        summary=_norm_summary,
    )


def _instance_norm_spec(n: int) -> LayerSpec:
    return LayerSpec(
        type_name=f"InstanceNorm{n}d",
        category="Normalization",
        description=f"Instance normalization for {_INSTANCE_DATA[n]}: rescales each channel of each sample on its own.",
        params=_instance_norm_params(),
        infer=instance_norm_infer(n),
        rank=n,
        weights=_norm_weights,
        buffers=_running_stats,
        summary=lambda p: f"{p['num_features']}" + (", affine" if p.get("affine") else ""),
    )


SPECS = (
    [_batch_norm_spec(n) for n in (1, 2, 3)]
    + [_instance_norm_spec(n) for n in (1, 2, 3)]
    + [
        LayerSpec(
            type_name="GroupNorm",
            category="Normalization",
            description="Group normalization: splits the channels into groups and normalizes each group per sample.",
            params=(
                ParamSpec("num_groups", Integer(1), REQUIRED, "how many groups the channels are split into"),
                ParamSpec("num_channels", Integer(1), REQUIRED, "channels of the incoming tensor (its C)"),
                ParamSpec("eps", Real(0.0), 1e-5, "small number added to the variance so it is never divided by 0"),
                ParamSpec("affine", Boolean(), True, "learn a scale and shift per channel"),
                ParamSpec("bias", Boolean(), True, "learn the shift too (only with affine)"),
            ),
            infer=_group_norm_infer,
            weights=_group_norm_weights,
            summary=lambda p: f"{p['num_channels']} in {p['num_groups']} groups",
        ),
        LayerSpec(
            type_name="LayerNorm",
            category="Normalization",
            description="Layer normalization: normalizes each sample over its last dims (common in transformers).",
            params=(
                ParamSpec(
                    "normalized_shape",
                    Ints(min_len=1, allow_scalar=True),
                    REQUIRED,
                    "the size of the last dim(s) to normalize over, e.g. 512 or [C, H, W]",
                ),
                ParamSpec("eps", Real(0.0), 1e-5, "small number added to the variance so it is never divided by 0"),
                ParamSpec("elementwise_affine", Boolean(), True, "learn a scale (and shift) per normalized element"),
                ParamSpec("bias", Boolean(), True, "learn the shift too (only with elementwise_affine)"),
            ),
            infer=_layer_norm_infer,
            weights=_layer_norm_weights,
            summary=lambda p: str(p["normalized_shape"]),
        ),
        LayerSpec(
            type_name="LocalResponseNorm",
            category="Normalization",
            description="Local response normalization (AlexNet): damps each channel by its neighbouring channels.",
            params=(
                ParamSpec("size", Integer(1), REQUIRED, "how many neighbouring channels to look at"),
                ParamSpec("alpha", Real(), 1e-4, "strength of the damping"),
                ParamSpec("beta", Real(), 0.75, "exponent of the damping"),
                ParamSpec("k", Real(), 1.0, "constant added before the exponent"),
            ),
            infer=_lrn_infer,
            int64_input="float",
            summary=lambda p: f"size {p['size']}",
        ),
    ]
)
