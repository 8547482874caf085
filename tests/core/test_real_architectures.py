"""Real architectures built from catalog layers, every node's size and parameter count checked against torch.

ResNet-18, VGG-11, MobileNetV2, SqueezeNet 1.1, AlexNet, an Inception block, a DenseNet block, a
3-D video net, and a pre-norm MLP block over tokens: the engine must agree with torch node by node.
"""

from __future__ import annotations

import pytest

from designer.core.engine import ShapeEngine
from designer.core.graph import Edge, Graph, Node
from tests.torch_graph import run_graph


class Builder:
    """Adds nodes wired to earlier ones: ``b.add("Conv2d", x, in_channels=3, ...)`` returns the new id."""

    def __init__(self, name: str, shape: list[int]) -> None:
        self.graph = Graph(name)
        self.graph.add_node(Node("x", "Input", {"shape": shape}))
        self.count = 0

    def add(self, type_name: str, sources: str | list[str], **params) -> str:
        self.count += 1
        node_id = f"{type_name.lower()}{self.count}"
        self.graph.add_node(Node(node_id, type_name, params))
        for port, source in enumerate([sources] if isinstance(sources, str) else sources):
            self.graph.connect(Edge(source, node_id, port))
        return node_id

    def conv_bn_relu(self, x: str, cin: int, cout: int, k: int, s: int = 1, p: int = 0, groups: int = 1, act="ReLU") -> str:
        x = self.add("Conv2d", x, in_channels=cin, out_channels=cout, kernel_size=k, stride=s, padding=p, groups=groups, bias=False)
        x = self.add("BatchNorm2d", x, num_features=cout)
        return self.add(act, x) if act else x


def resnet18() -> Graph:
    b = Builder("ResNet-18", [2, 3, 224, 224])
    x = b.conv_bn_relu("x", 3, 64, 7, 2, 3)
    x = b.add("MaxPool2d", x, kernel_size=3, stride=2, padding=1)
    cin = 64
    for cout, stride in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        y = b.conv_bn_relu(x, cin, cout, 3, stride, 1)
        y = b.conv_bn_relu(y, cout, cout, 3, 1, 1, act=None)
        shortcut = x if stride == 1 and cin == cout else b.conv_bn_relu(x, cin, cout, 1, stride, 0, act=None)
        x = b.add("ReLU", b.add("Add", [y, shortcut]))
        cin = cout
    x = b.add("Flatten", b.add("AdaptiveAvgPool2d", x, output_size=[1, 1]))
    b.add("Output", b.add("Linear", x, in_features=512, out_features=1000))
    return b.graph


def vgg11() -> Graph:
    b = Builder("VGG-11", [1, 3, 224, 224])
    x, cin = "x", 3
    for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
        if v == "M":
            x = b.add("MaxPool2d", x, kernel_size=2, stride=2)
        else:
            x = b.add("ReLU", b.add("Conv2d", x, in_channels=cin, out_channels=v, kernel_size=3, padding=1), inplace=True)
            cin = v
    x = b.add("Flatten", b.add("AdaptiveAvgPool2d", x, output_size=7))
    for fin, fout in [(25088, 4096), (4096, 4096)]:
        x = b.add("Dropout", b.add("ReLU", b.add("Linear", x, in_features=fin, out_features=fout)))
    b.add("Linear", x, in_features=4096, out_features=1000)
    return b.graph


def mobilenet_v2() -> Graph:
    b = Builder("MobileNetV2", [2, 3, 96, 96])
    x = b.conv_bn_relu("x", 3, 32, 3, 2, 1, act="ReLU6")
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 2, 2), (6, 96, 1, 1), (6, 160, 2, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride, hidden = (s if i == 0 else 1), cin * t
            y = b.conv_bn_relu(x, cin, hidden, 1, act="ReLU6") if t != 1 else x
            y = b.conv_bn_relu(y, hidden, hidden, 3, stride, 1, groups=hidden, act="ReLU6")
            y = b.conv_bn_relu(y, hidden, c, 1, act=None)
            x = b.add("Add", [x, y]) if stride == 1 and cin == c else y
            cin = c
    x = b.conv_bn_relu(x, 320, 1280, 1, act="ReLU6")
    x = b.add("Flatten", b.add("AdaptiveAvgPool2d", x, output_size=1))
    b.add("Linear", b.add("Dropout", x, p=0.2), in_features=1280, out_features=1000)
    return b.graph


def squeezenet11() -> Graph:
    b = Builder("SqueezeNet 1.1", [1, 3, 224, 224])
    x = b.add("ReLU", b.add("Conv2d", "x", in_channels=3, out_channels=64, kernel_size=3, stride=2))
    x = b.add("MaxPool2d", x, kernel_size=3, stride=2, ceil_mode=True)

    def fire(x, cin, squeeze, expand):
        s = b.add("ReLU", b.add("Conv2d", x, in_channels=cin, out_channels=squeeze, kernel_size=1))
        e1 = b.add("ReLU", b.add("Conv2d", s, in_channels=squeeze, out_channels=expand, kernel_size=1))
        e3 = b.add("ReLU", b.add("Conv2d", s, in_channels=squeeze, out_channels=expand, kernel_size=3, padding=1))
        return b.add("Concat", [e1, e3], dim=1)

    x = fire(fire(x, 64, 16, 64), 128, 16, 64)
    x = b.add("MaxPool2d", x, kernel_size=3, stride=2, ceil_mode=True)
    x = fire(fire(x, 128, 32, 128), 256, 32, 128)
    x = b.add("MaxPool2d", x, kernel_size=3, stride=2, ceil_mode=True)
    x = fire(fire(fire(fire(x, 256, 48, 192), 384, 48, 192), 384, 64, 256), 512, 64, 256)
    x = b.add("ReLU", b.add("Conv2d", b.add("Dropout", x, p=0.5), in_channels=512, out_channels=1000, kernel_size=1))
    b.add("Flatten", b.add("AdaptiveAvgPool2d", x, output_size=[1, 1]))
    return b.graph


def alexnet() -> Graph:
    b = Builder("AlexNet", [1, 3, 224, 224])
    x = b.add("ReLU", b.add("Conv2d", "x", in_channels=3, out_channels=64, kernel_size=11, stride=4, padding=2))
    x = b.add("LocalResponseNorm", b.add("MaxPool2d", x, kernel_size=3, stride=2), size=5)
    x = b.add("ReLU", b.add("Conv2d", x, in_channels=64, out_channels=192, kernel_size=5, padding=2))
    x = b.add("MaxPool2d", x, kernel_size=3, stride=2)
    for cin, cout in [(192, 384), (384, 256), (256, 256)]:
        x = b.add("ReLU", b.add("Conv2d", x, in_channels=cin, out_channels=cout, kernel_size=3, padding=1))
    x = b.add("Flatten", b.add("AdaptiveAvgPool2d", b.add("MaxPool2d", x, kernel_size=3, stride=2), output_size=[6, 6]))
    x = b.add("ReLU", b.add("Linear", b.add("Dropout", x), in_features=9216, out_features=4096))
    b.add("Linear", x, in_features=4096, out_features=10)
    return b.graph


def inception_block() -> Graph:
    b = Builder("Inception (3a)", [2, 192, 28, 28])
    one = b.conv_bn_relu("x", 192, 64, 1)
    three = b.conv_bn_relu(b.conv_bn_relu("x", 192, 96, 1), 96, 128, 3, p=1)
    five = b.conv_bn_relu(b.conv_bn_relu("x", 192, 16, 1), 16, 32, 3, p=1)
    pool = b.conv_bn_relu(b.add("MaxPool2d", "x", kernel_size=3, stride=1, padding=1, ceil_mode=True), 192, 32, 1)
    b.add("Output", b.add("Concat", [one, three, five, pool]))
    return b.graph


def densenet_block() -> Graph:
    b = Builder("DenseNet block", [2, 64, 16, 16])
    features, channels = ["x"], 64
    for _ in range(4):
        x = features[0] if len(features) == 1 else b.add("Concat", features)
        x = b.add("Conv2d", b.add("ReLU", b.add("BatchNorm2d", x, num_features=channels)), in_channels=channels, out_channels=128, kernel_size=1, bias=False)
        x = b.add("Conv2d", b.add("ReLU", b.add("BatchNorm2d", x, num_features=128)), in_channels=128, out_channels=32, kernel_size=3, padding=1, bias=False)
        features.append(x)
        channels += 32
    x = b.add("Concat", features)
    x = b.add("Conv2d", b.add("ReLU", b.add("BatchNorm2d", x, num_features=channels)), in_channels=channels, out_channels=channels // 2, kernel_size=1)
    b.add("AvgPool2d", x, kernel_size=2, stride=2)
    return b.graph


def c3d_small() -> Graph:
    b = Builder("C3D (small)", [1, 3, 8, 56, 56])
    x = b.add("ReLU", b.add("Conv3d", "x", in_channels=3, out_channels=16, kernel_size=3, padding=1))
    x = b.add("MaxPool3d", x, kernel_size=[1, 2, 2], stride=[1, 2, 2])
    x = b.add("ReLU", b.add("BatchNorm3d", b.add("Conv3d", x, in_channels=16, out_channels=32, kernel_size=3, padding=1), num_features=32))
    x = b.add("AvgPool3d", x, kernel_size=2, stride=2, ceil_mode=True)
    x = b.add("ConvTranspose3d", x, in_channels=32, out_channels=8, kernel_size=[1, 4, 4], stride=[1, 2, 2], padding=[0, 1, 1])
    b.add("Linear", b.add("Flatten", b.add("AdaptiveMaxPool3d", x, output_size=[1, None, 1])), in_features=8 * 28, out_features=5)
    return b.graph


def token_mlp_block() -> Graph:
    b = Builder("Pre-norm MLP block", [2, 16, 64])
    y = b.add("LayerNorm", "x", normalized_shape=64)
    y = b.add("Dropout", b.add("Linear", b.add("GELU", b.add("Linear", y, in_features=64, out_features=256)), in_features=256, out_features=64))
    x = b.add("Add", ["x", y])
    b.add("Softmax", b.add("Linear", b.add("LayerNorm", x, normalized_shape=[64]), in_features=64, out_features=10), dim=-1)
    return b.graph


ARCHITECTURES = [resnet18, vgg11, mobilenet_v2, squeezenet11, alexnet, inception_block, densenet_block, c3d_small, token_mlp_block]


@pytest.mark.parametrize("build", ARCHITECTURES, ids=[a.__name__ for a in ARCHITECTURES])
def test_every_node_agrees_with_torch(build):
    graph = build()
    engine = ShapeEngine(graph)
    assert engine.problems() == []
    torch_nodes = run_graph(graph, engine)
    for node_id in graph.node_ids():
        result = engine.result(node_id)
        assert result.shape == torch_nodes[node_id].shape, node_id
        assert result.param_count == torch_nodes[node_id].params, node_id


def test_resnet18_parameter_count_is_the_famous_one():
    engine = ShapeEngine(resnet18())
    assert engine.total_params() == 11_689_512
