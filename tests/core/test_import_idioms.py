"""Models written in the idioms real code uses go through ``model-designer import`` and ``export``; the exported
class loads the original weights with strict=True and computes the same outputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from designer.cli import main
from designer.core import blocks, project
from designer.core.block_runs import expand
from designer.core.engine import ShapeEngine

torch = pytest.importorskip("torch")

IDIOMS = Path(__file__).parent / "import_idioms.py"


def load_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(f"idioms_{path.stem}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def randomize(model) -> None:
    """Weights and BatchNorm statistics far from their initial values, so no layer passes by luck."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                values = torch.rand(tensor.shape, generator=generator)
                tensor.copy_(values + 0.5 if name.endswith("running_var") else values - 0.5)


def imported(name: str, shapes: list[str], tmp_path: Path, capsys, *extra: str):
    """Import ``name`` and export it through the command line; the original (random weights) and the copy."""
    design, code = tmp_path / f"{name}.json", tmp_path / f"{name}.py"
    args = ["import", f"{IDIOMS}:{name}", "-o", str(design), *[a for s in shapes for a in ("--input-shape", s)], *extra]
    assert main(args) == 0, capsys.readouterr().err
    report = capsys.readouterr()
    assert report.out.startswith(f"wrote {design}: ")
    assert main(["export", str(design), "-o", str(code), "--class-name", "Exported"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    original = load_file(IDIOMS, name)().eval()
    randomize(original)
    copy = load_file(code, "Exported")().eval()
    copy.load_state_dict(original.state_dict(), strict=True)
    assert list(copy.state_dict()) == list(original.state_dict()) or set(copy.state_dict()) == set(original.state_dict())
    return original, copy, project.load(design), report


def same_outputs(original, copy, *inputs) -> None:
    with torch.no_grad():
        expected, got = original(*inputs), copy(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("RegNetStyle", "2,3,32,32"),
        ("EfficientNetStyle", "N,3,16,16"),
        ("OddNames", "3,4"),
        ("DCGANGenerator", "N,16,1,1"),
        ("DCGANDiscriminator", "N,3,16,16"),
        ("TimmStyle", "N,3,16,16"),
        ("UNet", "N,3,19,23"),
        ("DeepResidual", "N,4,6,6"),
        ("SENet", "N,8,12,12"),
    ],
)
def test_round_trip_through_the_command_line(name, shape, tmp_path, capsys):
    original, copy, graph, _ = imported(name, [shape], tmp_path, capsys)
    sizes = [3 if d == "N" else int(d) for d in shape.split(",")]
    same_outputs(original, copy, torch.randn(*sizes))
    weights = {key.rsplit(".", 1)[0] for key in original.state_dict()}
    assert weights <= layer_paths(graph)  # every weight's owner is a layer of the design, under its own name


def layer_paths(graph) -> set[str]:
    """Every layer's module path: its id, or inside blocks its path (``layer1/0/conv1`` is ``layer1.0.conv1``)."""
    engine = ShapeEngine(graph)
    results = {node_id: engine.result(node_id) for node_id in graph.node_ids()}
    inner = {i.path for i in expand(results) if not blocks.is_instance(i.copy.graph, i.node)}
    top = {n.id for n in graph.nodes() if not blocks.is_instance(graph, n)}
    return {path.replace(blocks.PATH_SEPARATOR, ".") for path in inner | top}


def test_odd_names_are_kept_and_written_plainly_where_they_can_be(tmp_path, capsys):
    _, _, graph, _ = imported("RegNetStyle", ["1,3,32,32"], tmp_path, capsys, "--flat")
    assert "trunk_output.block2.block2-1.f.b.0" in {n.id for n in graph.nodes()}
    code = (tmp_path / "RegNetStyle.py").read_text()
    assert 'self.trunk_output.block2.add_module("block2-1", nn.Module())' in code
    assert "self.stem = nn.ModuleList([nn.Identity()] * 3)" in code and "self.stem[0] = nn.Conv2d(" in code
    imported("EfficientNetStyle", ["1,3,16,16"], tmp_path, capsys, "--flat")
    code = (tmp_path / "EfficientNetStyle.py").read_text()
    assert "self._conv_stem = nn.Conv2d(" in code and "self._blocks[1][0] = nn.Conv2d(" in code


def refusal(name: str, capsys, *extra: str) -> list[str]:
    assert main(["import", f"{IDIOMS}:{name}", "-o", "never.json", "--input-shape", "2,4,6,6", *extra]) == 2
    report = capsys.readouterr()
    assert report.out == "" and report.err.startswith("model-designer: cannot import ") and "Traceback" not in report.err
    return report.err.splitlines()


def test_a_refusal_lists_every_operation_grouped_counted_and_placed(capsys):
    lines = refusal("ManyUnsupported", capsys, "--verbose")
    line = {text: i for i, text in enumerate(IDIOMS.read_text().splitlines(), 1)}
    roll = next(i for t, i in line.items() if "torch.roll(self.conv(x), 1, dims=2)" in t)
    assert lines[0] == (
        "model-designer: cannot import ManyUnsupported: 11 operations with no equivalent layer "
        "(5× torch.roll, 4× torch.flip, 2× torch.cumsum)"
    )
    assert lines[1] == "  5× torch.roll: the designer has no layer for it"
    assert lines[2].startswith(f"    features.0, features.1, features.4 (Rolling) at tests/core/import_idioms.py:{roll} (return torch.roll(")
    assert lines[3].startswith("    features.2 (Summing) at tests/core/import_idioms.py:")
    assert lines[4].startswith("    features.3 (Flipping) at tests/core/import_idioms.py:")
    assert "  2× torch.cumsum: the designer has no layer for it" in lines
    assert any(t.startswith("    the model itself (ManyUnsupported) at tests/core/import_idioms.py:") for t in lines)
    assert len(lines) == 11
    short = refusal("ManyUnsupported", capsys)
    assert len(short) == 10 and short[:9] == lines[:9]
    assert short[9] == "  … and 2 more lines (--verbose lists them all)"


def test_a_refusal_says_when_one_class_causes_every_problem(capsys):
    lines = refusal("OneCulprit", capsys)
    assert lines[0].endswith("(4× torch.roll, 4× torch.flip); all of them are in Rolling's forward(), so that class is the one to change or replace")
    assert lines[2].startswith("    stages.0.1, stages.1.1, stages.2.1 and 1 more like it (Rolling) at tests/core/import_idioms.py:")


def test_input_dtypes_are_one_per_input(capsys):
    args = ["import", f"{IDIOMS}:TokenClassifier", "-o", "never.json", "--input-shape", "2,7"]
    assert main([*args, "--input-dtype", "int64", "--input-dtype", "int64"]) == 2
    assert capsys.readouterr().err == (
        "model-designer: 1 input shape was given but 2 input dtypes: give one --input-dtype per input, in order (or none for all float32)\n"
    )
    with pytest.raises(SystemExit):
        main([*args, "--input-dtype", "int32"])
    assert "invalid choice: 'int32' (choose from 'float32', 'int64')" in capsys.readouterr().err


def types(graph) -> dict[str, str]:
    return {node.id: node.type_name for node in graph.nodes()}


def test_functional_calls_on_a_modules_own_weights_are_that_module(tmp_path, capsys):
    _, _, graph, _ = imported("TimmStyle", ["2,3,16,16"], tmp_path, capsys, "--flat")
    found = types(graph)
    assert found["bn1"] == "BatchNorm2d" and found["bn1.act"] == "SiLU" and found["blocks.1"] == "BatchNorm2d"
    assert graph.node("bn1").params == {"num_features": 8, "eps": 1e-3}
    assert found["norm"] == "LayerNorm" and graph.node("norm").params == {"normalized_shape": 8, "eps": 1e-6}
    assert found["fc"] == "Linear" and graph.node("fc").params == {"in_features": 8, "out_features": 4}
    code = (tmp_path / "TimmStyle.py").read_text()
    assert 'self.bn1 = nn.BatchNorm2d(num_features=8, eps=0.001)\n        self.bn1.add_module("act", nn.SiLU())' in code


def test_padding_computed_from_sizes_is_the_padding_layer_at_the_traced_sizes_and_the_report_says_so(tmp_path, capsys):
    _, _, graph, report = imported("UNet", ["1,3,19,23"], tmp_path, capsys, "--flat")
    assert types(graph)["pad"] == "ZeroPad2d" and graph.node("pad").params == {"padding": [0, 1, 0, 1]}
    line = next(i for i, t in enumerate(IDIOMS.read_text().splitlines(), 1) if "x1 = F.pad(x1, [diffX // 2" in t)
    notes = report.err.splitlines()
    assert len(notes) == 2 and notes[0] == (
        f"model-designer: note: F.pad at tests/core/import_idioms.py:{line} (x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, "
        "diffY // 2, diffY - diffY // 2])) computes its arguments from tensor sizes; at the sizes traced it equals ZeroPad2d "
        "'pad' (padding=(0, 1, 0, 1)), which the design keeps: other input sizes may need other settings"
    )
    _, _, graph, _ = imported("UNet", ["1,3,16,16"], tmp_path, capsys, "--flat")
    assert graph.node("pad").params == {"padding": 0}


def test_eval_mode_stochastic_depth_and_dropout_calls_pass_their_input_through(tmp_path, capsys):
    _, _, graph, _ = imported("DeepResidual", ["2,4,6,6"], tmp_path, capsys, "--flat")
    assert sorted(set(types(graph).values())) == ["Add", "BatchNorm2d", "Conv2d", "Input", "Output", "ReLU"]
