"""Import a zoo of real models through the command line and check every round trip (a script, not a test).

    python tests/benchmarks/import_zoo.py                     # the table
    python tests/benchmarks/import_zoo.py --only resnet18,TinyGPT

Each model goes through ``model-designer import`` and ``export`` (``designer.cli.main``, in this process);
then the exported class is built, the original's weights (randomized, BatchNorm statistics too, so no layer
passes by luck) are loaded into it with ``strict=True`` and both run on the same random inputs. A row says
whether the import succeeded (or why not: the report's first line), whether the export loads the weights
strictly and whether it agrees. An import that succeeds and then fails to load or to agree is the one
outcome that must never happen; the last line counts them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from designer.cli import main  # noqa: E402
from designer.core.importer import load_model  # noqa: E402

ZOO = Path(__file__).with_name("zoo_models.py")
IDIOMS = ROOT / "tests" / "core" / "import_idioms.py"
IMAGE = "1,3,224,224"

# (name, FILE.py:NAME, input shapes, input dtypes)
MODELS = [
    *[
        (name, f"{ZOO}:{name}", [IMAGE], [])
        for name in (
            "resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2", "vgg11", "vgg16_bn", "alexnet", "squeezenet1_0",
            "squeezenet1_1", "densenet121", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0",
            "efficientnet_v2_s", "mnasnet0_5", "shufflenet_v2_x0_5", "regnet_x_400mf", "regnet_y_400mf", "googlenet",
            "convnext_tiny", "vit_b_16", "swin_t", "maxvit_t",
        )
    ],
    ("inception_v3", f"{ZOO}:inception_v3", ["1,3,299,299"], []),
    ("DCGANGenerator", f"{IDIOMS}:DCGANGenerator", ["N,16,1,1"], []),
    ("DCGANDiscriminator", f"{IDIOMS}:DCGANDiscriminator", ["N,3,16,16"], []),
    ("UNet", f"{IDIOMS}:UNet", ["1,3,19,23"], []),
    ("TinyGPT", f"{IDIOMS}:TinyGPT", ["2,12"], ["int64"]),
    ("TinyViT", f"{IDIOMS}:TinyViT", ["2,3,16,16"], []),
    ("LSTMClassifier", f"{IDIOMS}:LSTMClassifier", ["N,7"], ["int64"]),
    ("SENet", f"{IDIOMS}:SENet", ["N,8,12,12"], []),
]


def randomize(model: torch.nn.Module) -> None:
    """Statistics and constant-initialized tensors (BatchNorm's 1 and 0, zero tokens) moved off their start."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or not tensor.numel():
                continue
            if name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            elif tensor.numel() == 1 or bool((tensor == tensor.flatten()[0]).all()):
                tensor.add_(0.1 * torch.randn(tensor.shape, generator=generator))


def inputs_for(model: torch.nn.Module, shapes: list[str], dtypes: list[str]) -> list[torch.Tensor]:
    out = []
    for i, text in enumerate(shapes):
        sizes = [3 if d == "N" else int(d) for d in text.split(",")]
        if (dtypes[i] if i < len(dtypes) else "float32") == "int64":
            vocab = min((m.num_embeddings for m in model.modules() if isinstance(m, torch.nn.Embedding)), default=2)
            out.append(torch.randint(0, vocab, sizes))
        else:
            out.append(torch.randn(*sizes))
    return out


def flat(value) -> list[torch.Tensor]:
    return [t for v in value for t in flat(v)] if isinstance(value, (tuple, list)) else [value]


def cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(args)
    return code, err.getvalue()


def round_trip(name: str, spec: str, shapes: list[str], dtypes: list[str], folder: Path) -> dict:
    row = {"model": name, "imported": False, "loads": None, "agrees": None, "why": ""}
    design, code = folder / f"{name}.json", folder / f"{name}.py"
    args = ["import", spec, "-o", str(design), *[a for s in shapes for a in ("--input-shape", s)]]
    args += [a for d in dtypes for a in ("--input-dtype", d)]
    status, report = cli(args)
    if status != 0:
        row["why"] = report.strip().splitlines()[0].removeprefix("model-designer: ") if report.strip() else f"exit {status}"
        return row
    row["imported"] = True
    status, report = cli(["export", str(design), "-o", str(code), "--class-name", "Exported"])
    if status != 0:
        row["loads"], row["why"] = False, "export failed: " + report.strip()[:200]
        return row
    original, _ = load_model(spec)
    original.eval()
    randomize(original)
    module_spec = importlib.util.spec_from_file_location(f"zoo_{name}", code)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    copy = module.Exported().eval()
    try:
        copy.load_state_dict(original.state_dict(), strict=True)
        row["loads"] = True
    except RuntimeError as exc:
        row["loads"], row["why"] = False, " ".join(str(exc).split())[:200]
        return row
    inputs = inputs_for(original, shapes, dtypes)
    with torch.no_grad():
        expected, got = flat(original(*inputs)), flat(copy(*inputs))
    row["agrees"] = len(expected) == len(got) and all(
        a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-4 * max(1.0, float(b.abs().max())))
        for a, b in zip(got, expected)
    )
    if not row["agrees"]:
        row["why"] = "outputs differ"
    return row


def mark(value) -> str:
    return {True: "yes", False: "NO", None: "-"}[value]


def main_zoo() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated model names")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, spec, shapes, dtypes in MODELS:
            if wanted and name not in wanted:
                continue
            start = time.perf_counter()
            row = round_trip(name, spec, shapes, dtypes, Path(folder))
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
            print(
                f"{row['model']:<20} {'imported' if row['imported'] else 'refused':<9} loads {mark(row['loads']):<4} "
                f"agrees {mark(row['agrees']):<4} {row['seconds']:6.1f} s  {row['why'][:160]}",
                flush=True,
            )
    trips = sum(1 for r in rows if r["agrees"])
    broken = sum(1 for r in rows if r["imported"] and not r["agrees"])
    print(f"{trips} of {len(rows)} round-trip; {len(rows) - sum(r['imported'] for r in rows)} refused; "
          f"{broken} imported yet fail to load or agree")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main_zoo())
