"""Prove a design in the installed torch: build the exported module, run one forward and one backward pass
on random inputs of the design's sizes, and compare every node's output size and parameter count with
the engine's.

torch is imported lazily, only here. The module is the exporter's own code (so it checks what users get);
each node's torch size comes from a forward hook on its layer, or for nodes that are statements in
``forward()`` (inputs, sums, concatenations, outputs) from ``forward()``'s local variables as it returns.
A design whose batch is open ("N") runs at :data:`RUN_BATCH`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from designer.core import project
from designer.core.engine import ShapeEngine
from designer.core.export import export
from designer.core.graph import Graph
from designer.core.stats import compute_stats

RUN_BATCH = 2  # the batch an open "N" runs at: 1 would hide a size that follows N by chance
DEVICES = ("cpu", "cuda")
CPU_INSTALL = "pip install torch --index-url https://download.pytorch.org/whl/cpu"


class TorchUnavailable(Exception):
    """The torch this check needs is missing (torch itself, or CUDA for ``device='cuda'``); says what to install."""


@dataclass
class NodeCheck:
    """One node: the engine's size and parameter count beside torch's (None where torch did not run it)."""

    id: str
    shape: list[int] | None
    torch_shape: list[int] | None
    params: int
    torch_params: int | None
    ran: bool = True  # False for a node that reaches no output: forward() skips it, so torch never runs it

    @property
    def agree(self) -> bool:
        return not self.ran or (self.shape == self.torch_shape and self.params == self.torch_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "shape": self.shape,
            "torch_shape": self.torch_shape,
            "params": self.params,
            "torch_params": self.torch_params,
            "agree": self.agree,
            "ran": self.ran,
        }


@dataclass
class CheckReport:
    torch: str
    device: str
    batch: int | None  # the batch an open N ran at; None when the design fixes its batch
    nodes: list[NodeCheck] = field(default_factory=list)
    forward_ms: float = 0.0
    backward_ms: float = 0.0
    peak_memory_bytes: int = 0
    estimated_training_memory_bytes: int = 0

    @property
    def agree(self) -> bool:
        return all(n.agree for n in self.nodes)

    @property
    def disagreements(self) -> list[NodeCheck]:
        return [n for n in self.nodes if not n.agree]

    def to_dict(self) -> dict[str, Any]:
        return {
            "torch": self.torch,
            "device": self.device,
            "agree": self.agree,
            "batch": self.batch,
            "nodes": [n.to_dict() for n in self.nodes],
            "forward_ms": round(self.forward_ms, 3),
            "backward_ms": round(self.backward_ms, 3),
            "peak_memory_bytes": self.peak_memory_bytes,
            "estimated_training_memory_bytes": self.estimated_training_memory_bytes,
        }


def import_torch():
    """torch, or TorchUnavailable saying how to install it (the CPU build first, for machines without a GPU)."""
    try:
        import torch
    except ImportError:
        raise TorchUnavailable(
            f"check runs the design in PyTorch, which is not installed: {CPU_INSTALL} "
            "(CPU only, a few hundred MB), or pip install torch"
        ) from None
    return torch


def check(graph: Graph, device: str = "cpu") -> CheckReport:
    """Run ``graph`` in torch on ``device``; raises ExportError when the design has errors, TorchUnavailable
    when torch (or CUDA) is missing."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    torch = import_torch()
    if device == "cuda" and not torch.cuda.is_available():
        raise TorchUnavailable(f"--device cuda: torch {torch.__version__} sees no CUDA device here; use --device cpu")
    concrete, batch = _at_concrete_batch(graph)
    result = export(concrete, keep_names=True)
    engine = ShapeEngine(concrete)
    try:
        stats = compute_stats(concrete, engine)
        expected = {node_id: engine.result(node_id) for node_id in engine.order()}
    finally:
        engine.close()

    namespace: dict = {"__name__": "model_designer_check"}
    exec(compile(result.code, f"<{result.class_name}>", "exec"), namespace)  # our own generated, checked code
    torch.manual_seed(0)
    model = namespace[result.class_name]().to(device).eval()  # eval: the engine follows torch in eval mode
    seen: dict[str, Any] = {}
    hooks = [
        model.get_submodule(path).register_forward_hook(_recorder(seen, node_id))
        for node_id, path in result.attributes.items()
    ]
    inputs = [_example_input(torch, concrete.node(node_id).params, device) for node_id in result.inputs]
    forward_ms, backward_ms = _timed_pass(torch, model, inputs, device)
    model.zero_grad(set_to_none=True)
    for tensor in inputs:
        tensor.grad = None
    captured, peak = _measured_pass(torch, model, inputs, device)
    for hook in hooks:
        hook.remove()
    for node_id, variable in result.variables.items():
        if node_id not in seen and variable in captured:
            seen[node_id] = captured[variable]

    report = CheckReport(
        torch=torch.__version__.split("+")[0],
        device=device,
        batch=batch,
        forward_ms=forward_ms,
        backward_ms=backward_ms,
        peak_memory_bytes=peak,
        estimated_training_memory_bytes=stats.total.training_memory_bytes,
    )
    for node_id, node_result in expected.items():
        path = result.attributes.get(node_id)
        ran = node_id in seen
        torch_params = sum(p.numel() for p in model.get_submodule(path).parameters()) if path else 0
        report.nodes.append(
            NodeCheck(
                node_id,
                list(node_result.shape) if node_result.shape is not None else None,
                _shape_of(seen.get(node_id)),
                node_result.param_count or 0,
                torch_params if ran else None,
                ran,
            )
        )
    return report


def _at_concrete_batch(graph: Graph) -> tuple[Graph, int | None]:
    """A copy of ``graph`` whose open-batch Inputs read :data:`RUN_BATCH`, and that batch (None if none is open)."""
    copy = project.loads(project.dumps(graph), graph.name)
    open_inputs = [n for n in copy.nodes() if n.leaves_batch_open]
    for node in open_inputs:
        copy.set_params(node.id, {**node.params, "shape": [RUN_BATCH, *node.params["shape"][1:]]})
    return copy, (RUN_BATCH if open_inputs else None)


def _example_input(torch, params: dict, device: str):
    """Random floats that track gradients, or zeros (valid ids for any vocabulary) for int64 token ids."""
    if params.get("dtype") == "int64":
        return torch.zeros(*params["shape"], dtype=torch.long, device=device)
    return torch.randn(*params["shape"], device=device, requires_grad=True)


def _recorder(seen: dict, node_id: str):
    def hook(_module, _args, output) -> None:
        seen[node_id] = output

    return hook


def _shape_of(value) -> list[int] | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        value = value[0] if value else None
        return _shape_of(value)
    return list(value.shape)


def _backward(outputs) -> None:
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    differentiable = [o.float().sum() for o in outputs if o.requires_grad]
    if differentiable:
        sum(differentiable).backward()


def _timed_pass(torch, model, inputs, device: str) -> tuple[float, float]:
    """One forward and one backward pass, each timed on its own (milliseconds)."""
    _sync(torch, device)
    start = time.perf_counter()
    outputs = model(*inputs)
    _sync(torch, device)
    forward_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    _backward(outputs)
    _sync(torch, device)
    return forward_ms, (time.perf_counter() - start) * 1000


def _measured_pass(torch, model, inputs, device: str) -> tuple[dict[str, Any], int]:
    """A second pass, for the peak memory and forward()'s local variables as it returns (the statements' values)."""
    code = type(model).forward.__code__
    captured: dict[str, Any] = {}

    def profiler(frame, event, _arg):
        if event == "return" and frame.f_code is code:
            captured.update(frame.f_locals)

    held = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers(), *inputs])
    with _PeakMemory(torch, device, held) as memory:
        previous = sys.getprofile()
        sys.setprofile(profiler)
        try:
            outputs = model(*inputs)
        finally:
            sys.setprofile(previous)
        _backward(outputs)
        _sync(torch, device)
    return captured, memory.peak


def _sync(torch, device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


class _PeakMemory:
    """Peak bytes held by tensors during a pass: the CUDA allocator's own figure, or on the CPU what was
    ``held`` before (parameters, buffers, inputs) plus the highest running total of the allocations and
    frees torch's profiler records."""

    def __init__(self, torch, device: str, held: int) -> None:
        self.torch, self.device, self.held, self.peak = torch, device, held, 0
        self._profile = self._silence = None

    def __enter__(self):
        if self.device == "cuda":
            self.torch.cuda.reset_peak_memory_stats()
        else:
            from torch.profiler import ProfilerActivity, profile

            self._profile = profile(activities=[ProfilerActivity.CPU], profile_memory=True)
            # The profiler's C++ side writes notes (start, stop, frees it cannot place) to stderr.
            self._silence = _stderr_silenced()
            self._silence.__enter__()
            self._profile.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.device == "cuda":
            self.peak = int(self.torch.cuda.max_memory_allocated())
            return
        try:
            self._profile.__exit__(*exc)
        finally:
            self._silence.__exit__(*exc)
        if exc[0] is None:
            self.peak = self.held + _running_peak(self._profile.events())


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at the null device for a while: C++ code writes there, not to sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _running_peak(events) -> int:
    live = peak = 0
    for event in sorted(events, key=lambda e: e.time_range.start):
        live += event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak
