"""Pooling: MaxPool, AvgPool, AdaptiveAvgPool and AdaptiveMaxPool in 1, 2 and 3 dimensions.

The checks follow ATen's CPU pooling code (``pooling_output_shape``, the pool2d/pool3d shape checks and
max_pool1d's own checks), so a node shows an error exactly where torch raises.
"""

from __future__ import annotations

from designer.core.layers.common import (
    axis_labels,
    check_non_negative,
    check_positive,
    describe_tensor,
    dot,
    empty_output_warnings,
    expand,
    leading_labels,
    product,
    require_spatial_input,
    show,
    spatial_labels,
    unchanged_notes,
)
from designer.core.params import Boolean, Integer, IntOrInts, Ints, Optional
from designer.core.shapes import DimNote, Fix, Inferred, LayerError, format_count
from designer.core.spec import REQUIRED, SLIDES, LayerSpec, ParamSpec

_DATA = {1: "1-D signals (N, C, L)", 2: "images (N, C, H, W)", 3: "volumes (N, C, D, H, W)"}


# ----- MaxPool / AvgPool: a window sliding with a stride --------------------------------------------


def _window_params(n: int, kind: str) -> tuple[ParamSpec, ...]:
    head = (
        ParamSpec("kernel_size", IntOrInts(n, 1), REQUIRED, "size of each pooling window"),
        ParamSpec("stride", Optional(IntOrInts(n, 1)), None, "step between windows; null means kernel_size"),
        ParamSpec("padding", IntOrInts(n, 0), 0, "positions added on both sides, at most half the kernel"),
    )
    if kind == "max":
        return head + (
            ParamSpec("dilation", IntOrInts(n, 1), 1, "spacing between the positions a window looks at"),
            ParamSpec("ceil_mode", Boolean(), False, "round the output size up instead of down"),
        )
    tail = (
        ParamSpec("ceil_mode", Boolean(), False, "round the output size up instead of down"),
        ParamSpec("count_include_pad", Boolean(), True, "count the padded zeros when averaging"),
    )
    if n > 1:
        tail += (ParamSpec("divisor_override", Optional(Integer()), None, "divide each sum by this instead of the window size"),)
    return head + tail


def _window_settings(params, n: int) -> tuple[tuple, tuple, tuple, tuple]:
    kernel = expand(params["kernel_size"], n)
    stride = kernel if params["stride"] is None else expand(params["stride"], n)
    padding = expand(params["padding"], n)
    dilation = expand(params.get("dilation", 1), n)
    return kernel, stride, padding, dilation


def _pooled_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> tuple[int, bool]:
    """ATen's ``pooling_output_shape``: the output size and whether ceil_mode's correction dropped a window."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        return out - 1, True
    return out, False


def _window_note(lbl: str, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool, out: int, dropped: bool, kind: str) -> DimNote:
    lo, hi = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    if kind == "max":
        body = f"{lbl}_in + 2·padding − dilation·(kernel_size − 1) − 1"
        nums = f"{size} + 2·{p} − {d}·({k} − 1) − 1"
    else:
        body = f"{lbl}_in + 2·padding − kernel_size"
        nums = f"{size} + 2·{p} − {k}"
    formula = f"{lbl}_out = {lo}({body}) / stride{hi} + 1"
    worked = f"{lo}({nums}) / {s}{hi} + 1"
    if ceil_mode:
        formula += " (− 1 if the last window would start in the right padding)"
    if dropped:
        worked += " − 1"
    return DimNote(lbl, out, formula, f"{worked} = {out}")


def _window_story(ctx, n: int, kind: str, kernel, stride, padding, dilation, dropped_notes) -> tuple[str, ...]:
    what = "largest value" if kind == "max" else "average"
    story = [
        f"Takes the {what} of each {_window_size(kernel)} window, moving {show(stride)} at a time; "
        f"every channel is pooled on its own, so C does not change."
    ]
    if any(p > 0 for p in padding):
        if kind == "max":
            story.append(f"padding={show(padding)} adds −∞ on each side, which never wins the max.")
        elif ctx["count_include_pad"]:
            story.append(f"padding={show(padding)} adds zeros on each side; they count in the average (count_include_pad).")
        else:
            story.append(f"padding={show(padding)} adds zeros on each side; count_include_pad=False leaves them out of the average.")
    if any(d > 1 for d in dilation):
        reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        story.append(f"dilation={show(dilation)}: a window looks at every {show(dilation)}th position, so it spans {show(reach)}.")
    if ctx.params.get("divisor_override") is not None:
        story.append(f"divisor_override={ctx['divisor_override']}: each window's sum is divided by it instead of the window size.")
    story.extend(dropped_notes)
    return tuple(story)


def _window_size(kernel) -> str:
    return f"{kernel[0]}-wide" if len(kernel) == 1 else "×".join(map(str, kernel))


def _check_window(ctx, n: int, kind: str, kernel, stride, padding, dilation) -> None:
    check_positive(ctx, "kernel_size", kernel, "a window covers at least one position")
    check_positive(ctx, "stride", stride, "windows must move forward")
    if kind == "max":
        check_positive(ctx, "dilation", dilation, "positions in a window must be at least one apart")
    check_non_negative(ctx, "padding", padding)
    for lbl, k, p in zip(spatial_labels(n), kernel, padding):
        if p > k // 2:
            raise LayerError(
                f"{ctx.label}: padding ({p}) can be at most half of kernel_size ({k}) along {lbl}",
                param="padding",
                fix=f"use padding of at most {k // 2}",
            )


def _check_not_empty(ctx, n: int, may_be_empty: int) -> None:
    """Refuse a size-0 axis after the first ``may_be_empty`` axes, as torch's pooling kernels do."""
    shape = ctx.shape
    labels = axis_labels(len(shape), n)
    for axis in range(may_be_empty, len(shape)):
        if shape[axis] == 0:
            raise LayerError(
                f"{ctx.label} cannot work on {describe_tensor(shape)} from {ctx.source()}: its {labels[axis]} is 0",
                fix="check the layer before it, which makes an empty tensor",
            )


def _window_infer(n: int, kind: str):
    def infer(ctx) -> Inferred:
        kernel, stride, padding, dilation = _window_settings(ctx.params, n)
        _check_window(ctx, n, kind, kernel, stride, padding, dilation)
        batched, shape = require_spatial_input(ctx, n)
        _check_not_empty(ctx, n, 1 if batched else 0)
        if ctx.params.get("divisor_override") == 0:
            raise LayerError(f"{ctx.label}: divisor_override cannot be 0", param="divisor_override", fixes=(Fix.setting("divisor_override", None),))
        labels = spatial_labels(n)
        spatial_in = shape[-n:]
        if kind == "avg" and n == 3:
            for lbl, size, k in zip(labels, spatial_in, kernel):
                if size < k:
                    raise LayerError(
                        f"{ctx.label}: the input's {lbl} ({size}) is smaller than kernel_size ({k}); AvgPool3d "
                        f"needs every D, H, W at least as large as the kernel, padding not counted",
                        param="kernel_size",
                        fix="use a smaller kernel_size or a larger input",
                    )
        ceil_mode = ctx["ceil_mode"]
        out_sizes, notes, dropped_notes = [], [], []
        for lbl, size, k, s, p, d in zip(labels, spatial_in, kernel, stride, padding, dilation):
            out, dropped = _pooled_size(size, k, s, p, d, ceil_mode)
            if out < 1:
                reach = d * (k - 1) + 1
                raise LayerError(
                    f"{ctx.label}: the output {lbl} would be {out}: a window spans {reach} positions but the input's "
                    f"{lbl} is only {size}" + (f" (+ 2·{p} padding)" if p else "") + f" from {ctx.source()}",
                    param="kernel_size",
                    fix="use a smaller kernel_size" + (" or dilation" if kind == "max" else "") + ", or a larger input",
                )
            if dropped:
                dropped_notes.append(
                    f"ceil_mode along {lbl}: rounding up gave {out + 1} windows, but the last would start at "
                    f"{out}·{s} = {out * s}, in the right padding (which begins at {lbl}_in + padding = {size + p}); "
                    f"torch drops it, leaving {out}."
                )
            out_sizes.append(out)
            notes.append(_window_note(lbl, size, k, s, p, d, ceil_mode, out, dropped, kind))
        lead = shape[: len(shape) - n]
        story = _window_story(ctx, n, kind, kernel, stride, padding, dilation, dropped_notes)
        return Inferred(lead + tuple(out_sizes), unchanged_notes(lead, leading_labels(batched)) + tuple(notes), story)

    return infer


def _window_summary(n: int):
    def summary(params) -> str:
        kernel, stride, padding, dilation = _window_settings(params, n)
        parts = [f"k{show(kernel)}", f"s{show(stride)}"]
        if any(padding):
            parts.append(f"p{show(padding)}")
        if any(d != 1 for d in dilation):
            parts.append(f"d{show(dilation)}")
        if params.get("ceil_mode"):
            parts.append("ceil")
        return " ".join(parts)

    return summary


def _make_window(n: int, kind: str) -> LayerSpec:
    what = "the largest value" if kind == "max" else "the average"
    return LayerSpec(
        type_name=f"{'Max' if kind == 'max' else 'Avg'}Pool{n}d",
        category="Pooling",
        description=f"Shrinks {_DATA[n]} by keeping {what} of each small window.",
        params=_window_params(n, kind),
        infer=_window_infer(n, kind),
        summary=_window_summary(n),
        int64_input="refuse" if (kind, n) == ("max", 1) else "keep",  # torch's max_pool1d has no int64 kernel
        rank=n,
        window=SLIDES,
        other_ops=_window_ops(n),
    )


def _window_ops(n: int):
    def other_ops(p, inputs, out) -> tuple[int, str]:
        """One compare or add per window tap."""
        elements, k = product(out), expand(p["kernel_size"], n)
        ops = elements * product(k)
        return ops, f"output values · kernel taps = {elements}·{dot(k)} = {format_count(ops)}"

    return other_ops


def _adaptive_ops(n: int):
    def other_ops(p, inputs, out) -> tuple[int, str]:
        """One compare or add per value of every window: window i spans ⌊i·in/out⌋ .. ⌈(i+1)·in/out⌉."""
        taps = 1
        for size_in, size_out in zip(inputs[0][-n:], out[-n:]):
            taps *= sum(-(-(i + 1) * size_in // size_out) - (i * size_in // size_out) for i in range(size_out))
        lead = product(out[:-n])
        return lead * taps, f"N·C · Σ window sizes = {lead}·{taps} = {format_count(lead * taps)}"

    return other_ops


# ----- AdaptiveAvgPool / AdaptiveMaxPool: the output size is chosen ----------------------------------


def _adaptive_infer(n: int, kind: str):
    def infer(ctx) -> Inferred:
        wanted = expand(ctx["output_size"], n)
        labels = spatial_labels(n)
        for lbl, size in zip(labels, wanted):
            if size is not None and size < 0:
                raise LayerError(
                    f"{ctx.label}: output_size cannot be negative, got {size} for {lbl}",
                    param="output_size",
                    fix="use a positive size, or null to keep the input's size",
                )
        shape = ctx.shape
        if kind == "avg" and all(w == 1 for w in wanted):
            _check_global_average_rank(ctx, n)
        else:
            require_spatial_input(ctx, n)
            if kind == "avg":
                check_adaptive_avg_input(ctx, n, wanted)
            else:
                _check_not_empty(ctx, n, 1)
        spatial_in = shape[-n:]
        axes = axis_labels(len(shape), n)
        out_sizes, notes = [], []
        for lbl, size, want in zip(labels, spatial_in, wanted):
            if want is None:
                out_sizes.append(size)
                notes.append(DimNote(lbl, size, f"{lbl}_out = {lbl}_in (output_size is null here)", str(size)))
            else:
                out_sizes.append(want)
                notes.append(DimNote(lbl, want, f"{lbl}_out = output_size", f"{want} (chosen, whatever {lbl}_in is)"))
        lead = shape[: len(shape) - n]
        what = "average" if kind == "avg" else "largest value"
        story = [
            f"Splits each {'×'.join(map(str, spatial_in))} map into a {'×'.join(map(str, out_sizes))} grid of regions "
            f"and keeps the {what} of each, so the output size does not depend on the input size.",
            "Output position i along an axis covers inputs ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉ − 1; neighbouring regions may overlap.",
        ]
        if any(o > i for o, i in zip(out_sizes, spatial_in)):
            story.append("An output larger than the input repeats input positions in several regions.")
        out_shape = lead + tuple(out_sizes)
        notes = unchanged_notes(lead, axes[: len(lead)]) + tuple(notes)
        return Inferred(out_shape, notes, tuple(story), empty_output_warnings(out_shape, axes))

    return infer


def check_adaptive_avg_input(ctx, n: int, wanted) -> None:
    """The size-0 axes torch's adaptive average pooling refuses (Upsample's 'area' mode runs it too).

    An all-ones output is a plain mean, which takes anything; otherwise the 1d/2d kernel checks only the
    pooled axes and the 3d kernel every axis after the first.
    """
    if any(w != 1 for w in wanted):
        _check_not_empty(ctx, n, len(ctx.shape) - n if n < 3 else 1)


def _check_global_average_rank(ctx, n: int) -> None:
    """The rank check of an AdaptiveAvgPool with an all-ones output_size, a plain mean in torch.

    ATen averages over the last n axes of any tensor (even empty ones) instead of running the pooling
    kernel, so the 2d/3d rank checks never run; a list output_size still needs one axis more than it has
    entries (torch's Python wrapper), and the 1d variant checks for 2 or 3 axes before it gets there.
    """
    if n == 1:
        require_spatial_input(ctx, n)
        return
    needed = n + 1 if isinstance(ctx["output_size"], list) else n
    if len(ctx.shape) < needed:
        raise LayerError(
            f"{ctx.label} needs at least {needed} axes, but receives {describe_tensor(ctx.shape)} from {ctx.source()}",
            fix="insert an Unflatten, or pick the 1d variant",
        )


def _adaptive_summary(n: int):
    def summary(params) -> str:
        sizes = expand(params["output_size"], n)
        return "→ " + "×".join(lbl if s is None else str(s) for lbl, s in zip(spatial_labels(n), sizes))

    return summary


def _make_adaptive(n: int, kind: str) -> LayerSpec:
    what = "average" if kind == "avg" else "maximum"
    keep = "; null keeps that axis's input size" if n > 1 else ""
    return LayerSpec(
        type_name=f"Adaptive{'Avg' if kind == 'avg' else 'Max'}Pool{n}d",
        category="Pooling",
        description=f"Pools {_DATA[n]} down (or up) to the output size you choose, taking the {what} of each region.",
        params=(
            ParamSpec(
                "output_size",
                Ints(min_len=n, max_len=n, allow_none=n > 1, allow_scalar=True),
                REQUIRED,
                f"the output's size per axis{keep}",
            ),
        ),
        infer=_adaptive_infer(n, kind),
        summary=_adaptive_summary(n),
        rank=n,
        other_ops=_adaptive_ops(n),
    )


SPECS = (
    [_make_window(n, "max") for n in (1, 2, 3)]
    + [_make_window(n, "avg") for n in (1, 2, 3)]
    + [_make_adaptive(n, kind) for kind in ("avg", "max") for n in (1, 2, 3)]
)
