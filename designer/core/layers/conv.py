"""Convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d, with torch's exact checks and arithmetic."""

from __future__ import annotations

from designer.core.layers.common import (
    check_positive,
    dot,
    expand,
    product,
    require_spatial_input,
    show,
    spatial_labels,
)
from designer.core.overlap import checkerboard_sentence
from designer.core.params import AnyOf, Boolean, Choice, Integer, IntOrInts
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, counted, format_count
from designer.core.spec import REQUIRED, SLIDES, SPREADS, LayerSpec, ParamSpec, weights_count

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _params(n: int, transposed: bool) -> tuple[ParamSpec, ...]:
    common_head = (
        ParamSpec("in_channels", Integer(1), REQUIRED, "channels of the incoming tensor (its C)"),
        ParamSpec("out_channels", Integer(1), REQUIRED, "how many filters, so how many output channels: your choice"),
        ParamSpec("kernel_size", IntOrInts(n, 1), REQUIRED, "size of each filter window"),
        ParamSpec("stride", IntOrInts(n, 1), 1, "step between windows"),
    )
    if transposed:
        return common_head + (
            ParamSpec("padding", IntOrInts(n, 0), 0, "rows/columns trimmed from each side of the output"),
            ParamSpec("output_padding", IntOrInts(n, 0), 0, "extra rows/columns added on one side of the output"),
            ParamSpec("groups", Integer(1), 1, "split channels into independent groups"),
            ParamSpec("bias", Boolean(), True, "add a learnable bias per output channel"),
            ParamSpec("dilation", IntOrInts(n, 1), 1, "spacing between kernel taps"),
            ParamSpec("padding_mode", Choice(PADDING_MODES), "zeros", "only 'zeros' is supported by torch"),
        )
    return common_head + (
        ParamSpec("padding", AnyOf((IntOrInts(n, 0), Choice(("same", "valid")))), 0, "zeros (or copies) added around the input"),
        ParamSpec("dilation", IntOrInts(n, 1), 1, "spacing between kernel taps"),
        ParamSpec("groups", Integer(1), 1, "split channels into independent groups"),
        ParamSpec("bias", Boolean(), True, "add a learnable bias per output channel"),
        ParamSpec("padding_mode", Choice(PADDING_MODES), "zeros", "what the padding is filled with"),
    )


def _check_groups(ctx) -> tuple[int, int, int]:
    cin, cout, groups = ctx["in_channels"], ctx["out_channels"], ctx["groups"]
    if groups <= 0:
        raise LayerError(f"{ctx.label}: groups must be at least 1, got {groups}", param="groups", fixes=(Fix.setting("groups", 1),))
    if cin % groups:
        raise LayerError(
            f"{ctx.label}: in_channels ({cin}) must be divisible by groups ({groups})",
            param="groups",
            fix=f"choose groups among the divisors of {cin}",
        )
    if cout % groups:
        raise LayerError(
            f"{ctx.label}: out_channels ({cout}) must be divisible by groups ({groups})",
            param="groups",
            fix=f"choose groups among the divisors of {cout}",
        )
    if cout <= 0:
        raise LayerError(f"{ctx.label}: out_channels must be at least 1, got {cout}", param="out_channels")
    return cin, cout, groups


def _check_channels(ctx, channels: int) -> None:
    cin = ctx["in_channels"]
    if channels != cin:
        raise LayerError(
            f"{ctx.label} expects {cin} input channels but receives {channels} from {ctx.source()}",
            param="in_channels",
            fixes=(Fix.setting("in_channels", channels),),
        )


def _weight_story(ctx, n: int, transposed: bool) -> tuple[str, ...]:
    cin, cout, groups = ctx["in_channels"], ctx["out_channels"], ctx["groups"]
    k = expand(ctx["kernel_size"], n)
    per_filter = "×".join(str(v) for v in (cin // groups, *k))
    tensors = _weights(n, transposed)(ctx.params)
    weight = list(tensors[0][1])
    if transposed:
        layout = "torch stores it as [in_channels, out_channels/groups, *kernel]"
    else:
        layout = "torch stores it as [out_channels, in_channels/groups, *kernel]"
    count = weights_count(tensors)
    bias = "with bias" if ctx["bias"] else "without bias"
    story = [
        f"{counted(cout, 'filter')}, each {per_filter}: weight {weight}, {counted(count, 'parameter')} {bias}.",
        "Each output channel is made by one filter, so out_channels is yours to choose.",
        f"The weight's layout: {layout}.",
    ]
    if groups > 1:
        story.append(
            f"groups={groups}: the {cin} input channels are split into {groups} groups of {cin // groups}; "
            f"each filter sees only its own group."
        )
    return tuple(story)


def _weights(n: int, transposed: bool):
    def weights(p):
        k = expand(p["kernel_size"], n)
        cin, cout, groups = p["in_channels"], p["out_channels"], p["groups"]
        weight = (cin, cout // groups, *k) if transposed else (cout, cin // groups, *k)
        return (("weight", weight),) + ((("bias", (cout,)),) if p["bias"] else ())

    return weights


def _macs(n: int, transposed: bool):
    """One MAC per output position, per filter tap, per input channel of the group; a transposed conv
    scatters every *input* position through the kernel instead (counting per output position there is
    the classic mistake of older counters). Biases are not counted, as torch's FlopCounterMode does not."""

    def macs(p, inputs, out) -> tuple[int, str]:
        inp = inputs[0]
        batch = inp[0] if len(inp) == n + 2 else 1
        k = expand(p["kernel_size"], n)
        groups, cin, cout = p["groups"], p["in_channels"], p["out_channels"]
        kernel = "·".join(f"k{s}" for s in spatial_labels(n))
        if transposed:
            spatial = inp[-n:]
            count = batch * cin * product(spatial) * (cout // groups) * product(k)
            symbols = "N·C_in·" + "·".join(f"{s}_in" for s in spatial_labels(n)) + "·(C_out/groups)·" + kernel
            numbers = dot((batch, cin, *spatial)) + f"·({cout}/{groups})·" + dot(k)
            why = "every input position scatters its kernel into the output"
        else:
            spatial = out[-n:]
            count = batch * cout * product(spatial) * (cin // groups) * product(k)
            symbols = "N·C_out·" + "·".join(f"{s}_out" for s in spatial_labels(n)) + "·(C_in/groups)·" + kernel
            numbers = dot((batch, cout, *spatial)) + f"·({cin}/{groups})·" + dot(k)
            why = "every output position sums one filter over its window"
        return count, f"{symbols} = {numbers} = {format_count(count)} ({why}; bias not counted)"

    return macs


def _summary(params) -> str:
    parts = [f"k{show(_as_list(params['kernel_size']))}"]
    if params.get("stride", 1) not in (1, [1, 1], [1], [1, 1, 1]):
        parts.append(f"s{show(_as_list(params['stride']))}")
    pad = params.get("padding", 0)
    if isinstance(pad, str):
        parts.append(pad)
    else:
        parts.append(f"p{show(_as_list(pad))}")
    if params.get("output_padding", 0) not in (0, [0], [0, 0], [0, 0, 0]):
        parts.append(f"op{show(_as_list(params['output_padding']))}")
    if params.get("groups", 1) != 1:
        parts.append(f"g{params['groups']}")
    return f"{params['in_channels']}→{params['out_channels']} " + " ".join(parts)


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _pads_for_mode(ctx, n: int, kernel, dilation, spatial_in) -> tuple[list[int], list[int]]:
    """Left and right padding per spatial dim, with the checks torch's F.pad makes for non-zero modes."""
    padding, mode = ctx["padding"], ctx["padding_mode"]
    if padding == "valid":
        return [0] * n, [0] * n
    if padding == "same":
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        left = [t // 2 for t in total]
        right = [t - lft for t, lft in zip(total, left)]
    else:
        left = list(expand(padding, n))
        right = list(left)
    if mode == "zeros":
        if any(p < 0 for p in left):
            raise LayerError(
                f"{ctx.label}: padding cannot be negative, got {show(left)}",
                param="padding",
                fixes=(Fix.setting("padding", 0),),
            )
        return left, right
    labels = spatial_labels(n)
    for lbl, size, lo, hi in zip(labels, spatial_in, left, right):
        if mode == "reflect" and max(lo, hi) >= size:
            raise LayerError(
                f"{ctx.label}: reflect padding of {max(lo, hi)} needs {lbl} larger than {max(lo, hi)}, "
                f"but the input's {lbl} is {size}",
                param="padding",
                fix="use less padding or padding_mode='zeros'",
            )
        if mode == "circular" and max(lo, hi) > size:
            raise LayerError(
                f"{ctx.label}: circular padding of {max(lo, hi)} wraps around more than once along {lbl} (size {size})",
                param="padding",
                fix="use less padding or padding_mode='zeros'",
            )
    return left, right


def conv_infer(n: int):
    def infer(ctx) -> Inferred:
        _cin, cout, _groups = _check_groups(ctx)
        stride = expand(ctx["stride"], n)
        padding = ctx["padding"]
        if padding == "same" and any(s != 1 for s in stride):
            raise LayerError(
                f"{ctx.label}: padding='same' only works with stride 1 (stride is {show(stride)})",
                param="padding",
                fix="give padding as a number, e.g. kernel_size // 2",
            )
        batched, shape = require_spatial_input(ctx, n)
        lead = 1 if batched else 0
        spatial_in = shape[lead + 1 :]
        kernel = expand(ctx["kernel_size"], n)
        dilation = expand(ctx["dilation"], n)
        check_positive(ctx, "kernel_size", kernel, "a filter covers at least one position")
        check_positive(ctx, "stride", stride, "windows must move forward")
        check_positive(ctx, "dilation", dilation, "taps must be at least one apart")
        left, right = _pads_for_mode(ctx, n, kernel, dilation, spatial_in)
        _check_channels(ctx, shape[lead])
        labels = spatial_labels(n)
        out_sizes, notes = [], []
        for lbl, size, k, s, d, lo, hi in zip(labels, spatial_in, kernel, stride, dilation, left, right):
            padded = size + lo + hi
            reach = d * (k - 1) + 1
            if padded < reach:
                raise LayerError(
                    f"{ctx.label}: the kernel reaches {reach} positions along {lbl} but the padded input is only "
                    f"{padded} ({lbl}={size} from {ctx.source()})",
                    param="kernel_size",
                    fix="use a smaller kernel_size or dilation, more padding, or a larger input",
                )
            out = (padded - reach) // s + 1
            out_sizes.append(out)
            notes.append(_conv_note(lbl, size, k, s, d, lo, hi, out, padding))
        out_shape = ((shape[0],) if batched else ()) + (cout, *out_sizes)
        lead_notes = [DimNote("N", shape[0], "N_out = N_in", f"{shape[0]} (the batch passes through)")] if batched else []
        lead_notes.append(DimNote("C", cout, "C_out = out_channels", f"{cout} (one channel per filter)"))
        warnings = ()
        if padding == "same" and any(d % 2 == 1 and k % 2 == 0 for k, d in zip(kernel, dilation)):
            warnings = ("padding='same' with an even kernel pads one side more than the other (torch warns too).",)
        return Inferred(out_shape, tuple(lead_notes + notes), _weight_story(ctx, n, False), warnings)

    return infer


def _conv_note(lbl, size, k, s, d, lo, hi, out, padding) -> DimNote:
    if padding == "same":
        return DimNote(lbl, out, f"{lbl}_out = {lbl}_in (padding='same' pads to keep the size)", f"{out}")
    if lo == hi:
        formula = f"{lbl}_out = ⌊({lbl}_in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
        worked = f"⌊({size} + 2·{lo} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"
    else:
        formula = f"{lbl}_out = ⌊({lbl}_in + pad_before + pad_after − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
        worked = f"⌊({size} + {lo} + {hi} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"
    return DimNote(lbl, out, formula, worked)


def conv_transpose_infer(n: int):
    def infer(ctx) -> Inferred:
        if ctx["padding_mode"] != "zeros":
            raise LayerError(
                f"{ctx.label}: transposed convolutions only support padding_mode='zeros'",
                param="padding_mode",
                fixes=(Fix.setting("padding_mode", "zeros"),),
            )
        _cin, cout, _groups = _check_groups(ctx)
        batched, shape = require_spatial_input(ctx, n)
        lead = 1 if batched else 0
        spatial_in = shape[lead + 1 :]
        kernel = expand(ctx["kernel_size"], n)
        stride = expand(ctx["stride"], n)
        dilation = expand(ctx["dilation"], n)
        padding = expand(ctx["padding"], n)
        out_pad = expand(ctx["output_padding"], n)
        check_positive(ctx, "stride", stride, "windows must move forward")
        if any(p < 0 for p in padding):
            raise LayerError(
                f"{ctx.label}: padding cannot be negative, got {show(padding)}",
                param="padding",
                fixes=(Fix.setting("padding", 0),),
            )
        if any(p < 0 for p in out_pad):
            raise LayerError(
                f"{ctx.label}: output_padding cannot be negative, got {show(out_pad)}",
                param="output_padding",
                fixes=(Fix.setting("output_padding", 0),),
            )
        _check_channels(ctx, shape[lead])
        for op, s, d in zip(out_pad, stride, dilation):
            if op >= s and op >= d:
                raise LayerError(
                    f"{ctx.label}: output_padding ({op}) must be smaller than stride ({s}) or dilation ({d})",
                    param="output_padding",
                    fixes=(Fix.setting("output_padding", max(s, d) - 1),),
                )
        check_positive(ctx, "kernel_size", kernel, "a filter covers at least one position")
        _check_transposed_dilation(ctx, n, kernel, dilation)
        labels = spatial_labels(n)
        out_sizes, notes = [], []
        for lbl, size, k, s, d, p, op in zip(labels, spatial_in, kernel, stride, dilation, padding, out_pad):
            out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
            out_sizes.append(out)
            notes.append(
                DimNote(
                    lbl,
                    out,
                    f"{lbl}_out = ({lbl}_in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1",
                    f"({size} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}",
                )
            )
        _check_transposed_sizes(ctx, labels, spatial_in, out_sizes)
        out_shape = ((shape[0],) if batched else ()) + (cout, *out_sizes)
        lead_notes = [DimNote("N", shape[0], "N_out = N_in", f"{shape[0]} (the batch passes through)")] if batched else []
        lead_notes.append(DimNote("C", cout, "C_out = out_channels", f"{cout} (one channel per filter)"))
        story = _weight_story(ctx, n, True)
        return Inferred(out_shape, tuple(lead_notes + notes), story)

    return infer


# torch's CPU build runs a transposed convolution through oneDNN or its native kernel, choosing by the
# batch, the channels, the sizes, the groups, the thread count and how it was built. The two disagree on
# an output size of 0 (oneDNN returns an empty tensor, the native kernel raises "Output size is too
# small") and on dilation 0 for a 1-wide kernel (oneDNN takes it in 1-D and 2-D). The engine cannot know
# the path a user's torch takes, so it refuses both: the answer that is safe everywhere.
_BACKEND_CHOICE = (
    "torch runs this on some of its CPU paths and refuses it on others (oneDNN or its own kernel, picked by "
    "the batch, sizes, thread count and build), so the designer refuses it everywhere"
)


def _check_transposed_dilation(ctx, n: int, kernel, dilation) -> None:
    if all(d > 0 for d in dilation):
        return
    moot = n < 3 and all(k == 1 for k, d in zip(kernel, dilation) if d <= 0)  # one tap: its spacing is moot
    raise LayerError(
        f"{ctx.label}: dilation must be at least 1 (taps must be at least one apart), got {show(dilation)}"
        + (f"; {_BACKEND_CHOICE}" if moot else ""),
        param="dilation",
        fix="set dilation to 1",
        backend_dependent=moot,
    )


def _check_transposed_sizes(ctx, labels, spatial_in, out_sizes) -> None:
    for lbl, size, out in zip(labels, spatial_in, out_sizes):
        if out < 0:
            raise LayerError(
                f"{ctx.label}: the output {lbl} would be {out} (input {lbl}={size}); a size must be at least 1",
                param="padding",
                fix="use less padding or a larger kernel_size or stride",
            )
    for lbl, size, out in zip(labels, spatial_in, out_sizes):
        if out == 0:
            raise LayerError(
                f"{ctx.label}: the output {lbl} would be 0 (input {lbl}={size}), an empty tensor no later layer can "
                f"use; {_BACKEND_CHOICE}",
                param="padding",
                fix="use less padding or a larger kernel_size or stride",
                backend_dependent=True,
            )


def _make(n: int, transposed: bool) -> LayerSpec:
    name = f"ConvTranspose{n}d" if transposed else f"Conv{n}d"
    what = "Transposed (up-sampling) convolution" if transposed else "Convolution"
    dims = {1: "1-D signals (N, C, L)", 2: "images (N, C, H, W)", 3: "volumes (N, C, D, H, W)"}[n]
    return LayerSpec(
        type_name=name,
        category="Convolution",
        description=f"{what} over {dims}: out_channels learned filters slide over the input.",
        params=_params(n, transposed),
        infer=conv_transpose_infer(n) if transposed else conv_infer(n),
        rank=n,
        window=SPREADS if transposed else SLIDES,
        weights=_weights(n, transposed),
        macs=_macs(n, transposed),
        summary=_summary,
        advise=_checkerboard(n) if transposed else (lambda p: ()),
    )


def _checkerboard(n: int):
    def advise(params) -> tuple[str, ...]:
        sentence = checkerboard_sentence(n, params)
        return (sentence,) if sentence else ()

    return advise


SPECS = [_make(n, t) for t in (False, True) for n in (1, 2, 3)]
