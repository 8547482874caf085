"""``export(..., keep_names=True)``: dotted module paths become nested attributes with the original names."""

from __future__ import annotations

import pytest

from designer.core.export import export
from designer.core.graph import Edge, Graph, Node
from tests.core.test_export import check_code_is_safe

torch = pytest.importorskip("torch")
nn = torch.nn


def chain(ids_and_layers: list[tuple[str, str, dict]], shape=(2, 3, 8, 8)) -> Graph:
    graph = Graph("names")
    graph.add_node(Node("x", "Input", {"shape": list(shape)}))
    previous = "x"
    for node_id, type_name, params in ids_and_layers:
        graph.add_node(Node(node_id, type_name, params))
        graph.connect(Edge(previous, node_id))
        previous = node_id
    return graph


def build(code: str, class_name: str):
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)
    return namespace[class_name]().eval()


class Block(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)


class Original(nn.Module):
    """What the ids below name: a stem, a Sequential of blocks, a ModuleList with a gap, a nested list."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.layer1 = nn.Sequential(Block(4), Block(4))
        self.heads = nn.ModuleList([nn.Conv2d(4, 4, 1), nn.Identity(), nn.Conv2d(4, 4, 1)])
        self.stages = nn.ModuleList([nn.ModuleList([nn.BatchNorm2d(4)])])


NESTED = [
    ("stem", "Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1}),
    ("layer1.0.conv1", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1, "bias": False}),
    ("layer1.0.bn1", "BatchNorm2d", {"num_features": 4}),
    ("layer1.1.conv1", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1, "bias": False}),
    ("layer1.1.bn1", "BatchNorm2d", {"num_features": 4}),
    ("heads.2", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 1}),
    ("heads.0", "Conv2d", {"in_channels": 4, "out_channels": 4, "kernel_size": 1}),
    ("stages.0.0", "BatchNorm2d", {"num_features": 4}),
]


def test_nested_names_load_the_original_state_dict_strictly():
    result = export(chain(NESTED), "Net", keep_names=True)
    model = build(result.code, "Net")
    original = Original().eval()
    model.load_state_dict(original.state_dict(), strict=True)
    assert result.attributes == {i: i for i, _, _ in NESTED}
    assert "self.layer1[0].conv1 = nn.Conv2d(" in result.code
    assert "self.layer1[1].bn1(" in result.code
    assert "self.stages[0][0](" in result.code
    for node_id in result.attributes:
        assert model.get_submodule(node_id) is not None
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        expected = original.stem(x)
        for block in original.layer1:
            expected = block.bn1(block.conv1(expected))
        expected = original.stages[0][0](original.heads[0](original.heads[2](expected)))
        assert torch.equal(model(x), expected)


def test_a_sequential_model_keeps_its_numbered_children():
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    layers = [("0", "Conv2d", params), ("1", "BatchNorm2d", {"num_features": 3}), ("2.0", "Conv2d", params), ("head", "Conv2d", params)]
    result = export(chain(layers), "Net", keep_names=True)
    assert 'self.add_module("0", nn.Conv2d(' in result.code and 'getattr(self, "2")[0](' in result.code
    model = build(result.code, "Net")
    original = nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3), nn.Sequential(nn.Conv2d(3, 3, 1)))
    original.head = nn.Conv2d(3, 3, 1)
    model.load_state_dict(original.eval().state_dict(), strict=True)
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        assert torch.equal(model(x), original.head(original[2](original[1](original[0](x)))))


def test_without_keep_names_the_names_stay_flat():
    code = export(chain(NESTED), "Net").code
    assert "self.layer1_0_conv1 = nn.Conv2d(" in code
    assert "nn.ModuleList" not in code and "nn.Module()" not in code


@pytest.mark.parametrize(
    "node_id",
    [
        "a..b",  # empty segment
        "0.conv.",  # empty last segment
        "forward.conv",  # a name nn.Module uses
        "_modules",  # private attributes of nn.Module
        "x.__init__",  # a special name
    ],
)
def test_ids_that_no_module_path_can_have_get_flat_names(node_id):
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    result = export(chain([(node_id, "Conv2d", params)]), "Net", keep_names=True)
    attribute = result.attributes[node_id]
    assert "." not in attribute and attribute.isidentifier()
    model = build(result.code, "Net")
    assert model(torch.randn(2, 3, 8, 8)).shape == (2, 3, 8, 8)


def original_with(ids: list[str]) -> nn.Module:
    """A model holding a 3→3 1×1 convolution at each module path, built with add_module as any library may."""
    root = nn.Module()
    for node_id in ids:
        parent = root
        *containers, last = node_id.split(".")
        for name in containers:
            if name not in parent._modules:
                parent.add_module(name, nn.Module())
            parent = parent._modules[name]
        parent.add_module(last, nn.Conv2d(3, 3, 1))
    return root


ODD_NAMES = [
    "_conv_stem",  # a leading underscore (the EfficientNet package)
    "trunk_output.block1.block1-0.f.a",  # torchvision RegNet
    "trunk_output.block1.block1-1.f.a",
    "class",  # keywords
    "layers.import.0",
    "match",  # a soft keyword is an ordinary attribute
    "__mangled",  # self.__mangled would be renamed inside the class body
    "a_name_much_longer_than_thirty_two_characters_as_some_generated_code_writes_them",
    "x" * 70 + ".y" * 3,
    "héllo",  # non-ASCII (Python would NFKC-normalise an identifier)
    "ﬁne",
    "conv 1",
    "7",  # a digit at the top (an nn.Sequential model)
    "list.01",  # not a canonical index: a name
    "list.2",
    "big.99999",  # beyond a sensible nn.ModuleList
    "seq.0",  # a real list
    "seq.3",
    "quote\"); import os; os.system('echo pwned') #.x",
    "bn",  # a layer that also holds a child (timm's BatchNormAct2d holds its activation)
    "bn.act",
    "bn.drop.0",
]


def test_any_module_path_keeps_its_exact_weight_names():
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    result = export(chain([(i, "Conv2d", params) for i in ODD_NAMES]), "Net", keep_names=True)
    check_code_is_safe(result.code, "Net")
    assert result.attributes == {i: i for i in ODD_NAMES}
    model = build(result.code, "Net")
    original = original_with(ODD_NAMES).eval()
    assert set(model.state_dict()) == set(original.state_dict())
    model.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(2, 3, 4, 4)
    expected = x
    for node_id in ODD_NAMES:
        expected = original.get_submodule(node_id)(expected)
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    code = result.code
    assert "self._conv_stem = nn.Conv2d(" in code and "self.match = nn.Conv2d(" in code
    assert 'self.trunk_output.block1.add_module("block1-0", nn.Conv2d(' not in code  # its .f is a container
    assert 'self.trunk_output.block1.add_module("block1-0", nn.Module())' in code
    assert 'getattr(self.trunk_output.block1, "block1-0").f.a(' in code
    assert 'self.add_module("class", nn.Conv2d(' in code and 'getattr(self, "class")(' in code
    assert 'self.seq = nn.ModuleList([nn.Identity()] * 4)' in code and "self.seq[3](" in code
    assert 'self.big = nn.Module()' in code and 'self.big.add_module("99999", nn.Conv2d(' in code
    assert 'self.bn.add_module("act", nn.Conv2d(' in code and "self.bn.act(" in code
    assert code.index("self.bn = nn.Conv2d(") < code.index('self.bn.add_module("act"')


def test_a_layer_declared_after_its_child_still_comes_first_in_init():
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    result = export(chain([("m.pre", "Conv2d", params), ("m", "Conv2d", params)]), "Net", keep_names=True)
    model = build(result.code, "Net")
    original = nn.Module()
    original.m = nn.Conv2d(3, 3, 1)
    original.m.pre = nn.Conv2d(3, 3, 1)
    model.load_state_dict(original.state_dict(), strict=True)
    assert result.code.index("self.m = nn.Conv2d(") < result.code.index('self.m.add_module("pre"')


def test_a_plain_design_reads_as_written():
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    code = export(chain([("conv1", "Conv2d", params), ("conv2", "Conv2d", params)]), "Net", keep_names=True).code
    assert "self.conv1 = nn.Conv2d(" in code and "conv2 = self.conv2(conv1)" in code
    assert "getattr" not in code and "add_module" not in code
