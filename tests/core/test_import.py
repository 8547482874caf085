"""Importing PyTorch models: every layer mapped, shapes equal torch's, and the exported code loads the
original state_dict strictly and computes the same outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designer.core.engine import ShapeEngine
from designer.core.export import export
from designer.core.importer import ModelImportError, candidates, import_model, import_module, load_model, parse_shape

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

MODELS = Path(__file__).parent / "import_models.py"

CASES = [
    ("ResNetish", [(2, 3, 16, 16)]),
    ("VGGish", [(2, 3, 16, 16)]),
    ("UNetish", [(1, 1, 16, 16)]),
    ("DCGANGenerator", [(2, 16, 1, 1)]),
    ("Functional", [(2, 1, 28, 28)]),
    ("TwoInputs", [(2, 6), (2, 3)]),
    ("make_generator", [(1, 8, 1, 1)]),
    ("DataDependent", [(1, 3, 8, 8)]),
    ("Densish", [(2, 3, 8, 8)]),
]


def spec(name: str) -> str:
    return f"{MODELS}:{name}"


def shown(path) -> str:
    """How messages name a file: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def build(code: str, class_name: str):
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)
    return namespace[class_name]().eval()


def randomize(model) -> None:
    """Non-trivial BatchNorm statistics, so a mix-up of layers cannot pass by luck."""
    generator = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.running_mean.copy_(torch.rand(module.num_features, generator=generator) - 0.5)
            module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 0.5)


def round_trip(model, shapes, result) -> None:
    exported = export(result.graph, "Exported", keep_names=True)
    copy = build(exported.code, "Exported")
    randomize(model)
    copy.load_state_dict(model.state_dict(), strict=True)
    inputs = [torch.randn(*s) for s in shapes]
    with torch.no_grad():
        expected, got = model.eval()(*inputs), copy(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.shape == b.shape and torch.allclose(a, b, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(("name", "shapes"), CASES)
def test_models_import_with_torch_shapes_and_round_trip_their_weights(name, shapes):
    result = import_model(spec(name), shapes)
    model, _ = load_model(spec(name))
    model.eval()
    seen = {}
    modules = dict(model.named_modules())
    for node in result.graph.nodes():
        if node.id in modules:
            module = modules[node.id]
            module.register_forward_hook(lambda _m, _i, out, key=node.id: seen.setdefault(key, tuple(out.shape)) and None)
    with torch.no_grad():
        model(*[torch.randn(*s) for s in shapes])
    engine = ShapeEngine(result.graph)
    assert not engine.problems()
    assert seen and all(engine.shape(node_id) == shape for node_id, shape in seen.items())
    assert all(node.position is not None for node in result.graph.nodes())
    assert result.notes == []
    round_trip(model, shapes, result)


def types(result) -> dict[str, str]:
    return {node.id: node.type_name for node in result.graph.nodes()}


def test_resnet_blocks_keep_qualified_names_and_shortcuts_become_add_or_wires():
    result = import_model(spec("ResNetish"), [(1, 3, 16, 16)], flat=True)
    found = types(result)
    assert found["layer1.0.conv1"] == "Conv2d" and found["layer2.0.shortcut.0"] == "Conv2d"
    assert not any(n.startswith("layer1.0.shortcut") for n in found)  # empty nn.Sequential(): a wire
    adds = [n for n, t in found.items() if t == "Add"]
    assert len(adds) == 4
    first = result.graph.inputs(adds[0])
    assert sorted(first.values()) == ["layer1.0.bn2", "relu"]  # += of the block input, through the empty shortcut
    assert result.graph.node("layer1.0.conv1").params == {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1, "bias": False}
    assert result.graph.node("avgpool").params == {"output_size": [1, 1]}
    assert result.tracer == "torch.fx"


def test_functional_and_method_forms_become_layers():
    result = import_model(spec("Functional"), [(2, 1, 28, 28)])
    found = types(result)
    assert sorted(t for t in found.values() if t not in ("Conv2d", "Linear")) == [
        "Dropout", "Flatten", "Input", "LogSoftmax", "MaxPool2d", "MaxPool2d", "Output", "ReLU", "ReLU", "ReLU",
    ]
    params = {node.type_name: node.params for node in result.graph.nodes()}
    assert params["Dropout"] == {"p": 0.2} and params["LogSoftmax"] == {"dim": 1} and params["Flatten"] == {}
    assert result.graph.node("max_pool2d").params == {"kernel_size": [2, 2]}  # as written: (2, 2)
    assert result.graph.node("max_pool2d_1").params == {"kernel_size": 2}


def test_view_of_the_batch_size_is_a_flatten():
    result = import_model(spec("VGGish"), [(2, 3, 16, 16)], flat=True)
    assert types(result)["view"] == "Flatten"
    assert result.graph.node("view").params == {}
    assert result.graph.node("features.2").params == {"kernel_size": 2}  # stride 2 is what torch fills in
    assert result.graph.node("features.6").params == {"kernel_size": 2}


def test_unet_concatenations_and_data_dependent_code():
    result = import_model(spec("UNetish"), [(1, 1, 16, 16)], flat=True)
    assert sorted(t for t in types(result).values() if t == "Concat") == ["Concat", "Concat"]
    assert "decoders.1.block.2" in types(result)
    traced = import_model(spec("DataDependent"), [(1, 3, 8, 8)], flat=True)
    assert traced.tracer == "torch.export"
    assert types(traced) == {
        "x": "Input", "conv": "Conv2d", "relu": "ReLU", "body.0": "BatchNorm2d", "body.1": "ReLU", "body.2": "Conv2d",
        "act": "ReLU", "add": "Add", "act_2": "ReLU", "pool": "AdaptiveAvgPool2d", "output": "Output",
    }


class Settings(nn.Module):
    """Non-default settings read back from modules and from function calls."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 8, (3, 1), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2, padding_mode="reflect")
        self.bn = nn.BatchNorm2d(8, eps=1e-3, momentum=None, affine=False)
        self.act = nn.LeakyReLU(0.2)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True)
        self.gn = nn.GroupNorm(2, 8)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        x = self.pool(self.act(self.bn(self.conv(x))))
        x = F.interpolate(self.gn(x), scale_factor=2, mode="bilinear", align_corners=False)
        x = F.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=False)
        x = F.leaky_relu(self.up(x), negative_slope=0.1)
        x = F.adaptive_avg_pool2d(x, (3, 2))
        return x.view(x.size(0), x.size(1), -1).softmax(dim=-1)


def test_settings_are_read_back_exactly_and_only_when_not_default():
    model = Settings()
    result = import_module(model, [(2, 4, 9, 8)], "Settings")
    node = result.graph.node
    assert node("conv").params == {
        "in_channels": 4, "out_channels": 8, "kernel_size": [3, 1], "stride": [2, 1], "padding": [1, 0],
        "dilation": [1, 2], "groups": 2, "padding_mode": "reflect",
    }
    assert node("bn").params == {"num_features": 8, "eps": 1e-3, "momentum": None, "affine": False}
    assert node("act").params == {"negative_slope": 0.2}
    assert node("pool").params == {"kernel_size": 3, "stride": 1, "padding": 1, "ceil_mode": True}
    assert node("interpolate").params == {"scale_factor": 2.0, "mode": "bilinear", "align_corners": False}
    assert node("avg_pool2d").params == {"kernel_size": 2, "ceil_mode": True, "count_include_pad": False}
    assert node("adaptive_avg_pool2d").params == {"output_size": [3, 2]}
    assert node("view").type_name == "Flatten" and node("view").params == {"start_dim": 2}
    assert node("softmax").params == {"dim": -1}
    round_trip(model, [(2, 4, 9, 8)], result)


def summed_up(self, x):
    return torch.cumsum(self.conv(x), 2)


def one_minus(self, x):
    return 1 - self.conv(x)


def weight_used(self, x):
    return self.conv(x) * self.conv.weight.sum()


def always_dropping(self, x):
    return F.dropout(self.conv(x), 0.5)


def flipped(self, x):
    return torch.flip(self.conv(x).view(x.size(0), 4, 16), [1])


def rolled(self, x):
    return self.conv(x).roll(1, 2)


def sorted_values(self, x):
    return torch.sort(self.conv(x), 1)[0]


@pytest.mark.parametrize(
    ("forward", "name", "reason"),
    [
        (summed_up, "torch.cumsum", "the designer has no layer for it"),
        (one_minus, "the operator -", "the number comes first (1 - x), and Sub takes it second"),
        (weight_used, "self.conv.weight", "forward() uses a weight directly"),
        (always_dropping, "F.dropout", "training=True has no Dropout equivalent (only training=False)"),
        (flipped, "torch.flip", "the designer has no layer for it"),
        (rolled, ".roll()", "the designer has no layer for it"),
        (sorted_values, "torch.sort", "it returns several tensors, and the designer has no layer that gives them"),
    ],
)
def test_operations_without_a_layer_stop_the_import_naming_them_and_their_line(forward, name, reason):
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)
            self.rnn = nn.LSTM(16, 4, batch_first=True)

    Model.forward = forward
    with pytest.raises(ModelImportError) as caught:
        import_module(Model(), [(2, 3, 4, 4)], "Model")
    lines = str(caught.value).splitlines()
    line = forward.__code__.co_firstlineno + 1
    assert lines[0].startswith("cannot import Model: ") and f"1× {name}" in lines[0]
    group = lines.index(next(text for text in lines if text.startswith(f"  1× {name}: ")))
    assert lines[group] == f"  1× {name}: {reason}" or lines[group].startswith(f"  1× {name}: {reason}")
    place = "rnn (LSTM)" if name.startswith("nn.") else "the model itself (Model)"
    assert lines[group + 1].startswith(f"    {place} at {shown(__file__)}:{line} (return ")
    assert caught.value.lines == lines


def test_unsupported_op_in_a_file_is_named_with_file_and_line():
    with pytest.raises(ModelImportError) as caught:
        import_model(spec("Unsupported"), [(1, 3, 8, 8)])
    line = next(i for i, text in enumerate(MODELS.read_text().splitlines(), 1) if "torch.cumsum(x, 2)" in text)
    assert f"    the model itself (Unsupported) at {shown(MODELS)}:{line} (return torch.cumsum(x, 2)" in str(caught.value)
    with pytest.raises(ModelImportError, match="1× nn.Linear: this layer is called again: it shares its weights"):
        import_model(spec("SharedWeights"), [(2, 4)])


def test_unused_weights_and_float64_models_are_refused():
    class Extra(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used = nn.Linear(3, 3)
            self.spare = nn.Linear(3, 3)

        def forward(self, x):
            return self.used(x)

    with pytest.raises(ModelImportError, match=r"2 weights of the model never take part in forward\(\) in eval mode \(spare.weight, spare.bias\), so code built from the design could not load its state_dict strictly"):
        import_module(Extra(), [(1, 3)])
    with pytest.raises(ModelImportError, match="weight used.weight is float64; designs are built in float32"):
        import_module(Extra().double(), [(1, 3)])


def test_a_broken_mapping_is_caught_by_the_self_check(monkeypatch):
    """A rule that reads a setting wrong still gives shapes torch agrees with; the outputs give it away."""
    from designer.core import import_rules

    real = import_rules.module_settings

    def wrong(module, type_name):
        settings = real(module, type_name)
        return {**settings, "negative_slope": 0.3} if type_name == "LeakyReLU" else settings

    monkeypatch.setattr(import_rules, "module_settings", wrong)
    model = nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(0.2))
    with pytest.raises(ModelImportError, match=r"^cannot import Net: its output differs from the model's by up to [0-9.e-]+ on the same inputs and weights"):
        import_module(model, [(8, 4)], "Net")
    monkeypatch.setattr(import_rules, "module_settings", real)
    assert import_module(model, [(8, 4)], "Net").graph.node("1").params == {"negative_slope": 0.2}


def test_a_design_that_would_lose_a_weight_name_is_refused(monkeypatch):
    """Should the exporter ever rename a layer, the strict load refuses the import rather than write it."""
    from designer.core import attribute_paths

    monkeypatch.setattr(attribute_paths, "is_segment", lambda text: text != "block1-0" and bool(text))
    model = nn.Sequential()
    model.add_module("block1-0", nn.Linear(4, 4))
    with pytest.raises(ModelImportError, match=r"^cannot import Net: the exported code lacks 2 weights \(block1-0.weight, block1-0.bias\); has 2 weights \(block1_0.weight, block1_0.bias\) that the model does not"):
        import_module(model, [(2, 4)], "Net")


def test_loading_errors_are_sentences(tmp_path):
    def refused(text: str, shapes=((1, 3),)) -> str:
        with pytest.raises(ModelImportError) as caught:
            import_model(text, list(shapes))
        return str(caught.value)

    assert "write FILE.py:NAME" in refused("model.py")
    assert "there is no file" in refused(f"{tmp_path / 'nope.py'}:Net")
    assert "models it defines: ResNetish, VGGish" in refused(spec("Nope"))
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\nclass Net(torch.nn.Module:\n    pass\n")
    assert refused(f"{broken}:Net").startswith(f"running {broken} failed at ")
    needs = tmp_path / "needs.py"
    needs.write_text("import torch\n\nclass Net(torch.nn.Linear):\n    pass\n\ndef numbers():\n    return 3\n")
    message = refused(f"{needs}:Net")
    assert message.startswith("building Net() failed") and "TypeError" in message
    assert "returned a int, not a torch.nn.Module" in refused(f"{needs}:numbers")
    assert "forward() takes x, y (scale is optional), but 1 input shape was given" in refused(spec("TwoInputs"), [(2, 6)])
    assert "neither a .py file nor a module name" in refused("not a module:Net")


def test_modules_by_dotted_name_and_candidates(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "nets.py").write_text("import torch\n\nclass Tiny(torch.nn.Sequential):\n    def __init__(self):\n        super().__init__(torch.nn.Linear(2, 3), torch.nn.ReLU())\n")
    monkeypatch.chdir(tmp_path)
    result = import_model("pkg.nets:Tiny", [(4, 2)])
    assert types(result) == {"input": "Input", "0": "Linear", "1": "ReLU", "output": "Output"}
    model, _ = load_model("pkg.nets:Tiny")
    round_trip(model, [(4, 2)], result)
    found = candidates(str(MODELS))
    assert {"ResNetish", "VGGish", "UNetish", "DCGANGenerator", "make_generator"} <= set(found)
    assert "BasicBlock" not in found and "DoubleConv" not in found  # they need arguments


def test_parse_shape():
    assert parse_shape("1,3,224,224") == (1, 3, 224, 224)
    assert parse_shape(" 2, 5 ") == (2, 5)
    for bad in ("", "1,,2", "a,b", "0,3", "-1,3", "1,2,3,4,5,6,7,8,9"):
        with pytest.raises(ModelImportError):
            parse_shape(bad)


def test_a_model_beyond_the_design_limits_is_refused_with_the_same_sentence(monkeypatch):
    from designer.core import limits

    monkeypatch.setattr(limits, "MAX_NODES", 4)
    with pytest.raises(ModelImportError, match="^cannot import: a design holds at most 4 layers, and this one would have 5$"):
        import_model(spec("Functional"), [(2, 1, 28, 28)])


class NoCounter(nn.Module):
    """Running statistics without num_batches_tracked: F.batch_norm on them is not quite an nn.BatchNorm2d."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("running_mean", torch.zeros(3))
        self.register_buffer("running_var", torch.ones(3))
        self.weight = nn.Parameter(torch.ones(3))
        self.bias = nn.Parameter(torch.zeros(3))

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.1, 1e-5)


class Borrowing(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = nn.Linear(3, 3)

    def forward(self, x):
        return F.linear(x, self.a.weight, self.b.bias)


class Training(nn.BatchNorm2d):
    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, True, 0.1, self.eps)


@pytest.mark.parametrize(
    ("model", "shape", "reason"),
    [
        (nn.Sequential(NoCounter()), (2, 3, 4, 4), "F.batch_norm equals nn.BatchNorm2d only with exactly its weights, and 0 has no num_batches_tracked"),
        (Borrowing(), (2, 3), "F.linear uses a.weight, b.bias: not the weight, bias (and running statistics) of one module under those names"),
        (nn.Sequential(Training(3)), (2, 3, 4, 4), "only the eval-mode call is a BatchNorm layer"),
    ],
)
def test_functional_calls_that_are_not_exactly_their_modules_layer_are_refused(model, shape, reason):
    with pytest.raises(ModelImportError) as caught:
        import_module(model, [shape], "Net")
    assert caught.value.lines[1].startswith("  1× F.") and reason in caught.value.lines[1]


def test_training_mode_dropout_calls_are_not_dropped():
    class Dropping(nn.Module):
        def forward(self, x):
            return torch.dropout(x, 0.5, True)

    with pytest.raises(ModelImportError, match="training=True has no identity equivalent"):
        import_module(Dropping(), [(2, 3)], "Net")
