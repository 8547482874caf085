"""``export(..., keep_names=True)``: dotted module paths become nested attributes with the original names."""

from __future__ import annotations

import pytest

from designer.core.export import export
from designer.core.graph import Edge, Graph, Node

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
        "conv-1.x",  # not an identifier
        "layer.01",  # not a canonical index
        "layer.99999",  # an absurdly long list
        "class.x",  # a keyword
        "héllo",  # not ASCII
    ],
)
def test_ids_that_cannot_be_paths_get_flat_names(node_id):
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    result = export(chain([(node_id, "Conv2d", params)]), "Net", keep_names=True)
    attribute = result.attributes[node_id]
    assert "." not in attribute and attribute.isidentifier()
    model = build(result.code, "Net")
    assert model(torch.randn(2, 3, 8, 8)).shape == (2, 3, 8, 8)


def test_a_layer_where_a_container_must_be_gets_a_flat_name():
    params = {"in_channels": 3, "out_channels": 3, "kernel_size": 1}
    layers = [("block", "Conv2d", params), ("block.conv", "Conv2d", params), ("list.0", "Conv2d", params), ("list.x", "Conv2d", params)]
    result = export(chain(layers), "Net", keep_names=True)
    assert result.attributes["block"] == "block" and result.attributes["list.0"] == "list.0"
    assert "." not in result.attributes["block.conv"] and "." not in result.attributes["list.x"]
    assert result.attributes["block.conv"] != "block"
    model = build(result.code, "Net")
    assert model(torch.randn(2, 3, 8, 8)).shape == (2, 3, 8, 8)
