"""Hierarchical designs in file format v3 (ResNet-18, a repeated residual stage, a U-Net), and the same
networks written independently in plain torch, as the oracle for sizes and parameter totals."""

from __future__ import annotations

import json
from typing import Any


class Sheet:
    """Collects the nodes and edges of one graph (the design's or a block's) in file order."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []

    def add(self, node_id: str, type_name: str, params: dict | None = None, *sources: str, repeat: int | None = None) -> str:
        record: dict[str, Any] = {"id": node_id, "type": type_name, "params": params or {}}
        if repeat is not None:
            record["repeat"] = repeat
        self.nodes.append(record)
        for port, source in enumerate(sources):
            self.edges.append({"source": source, "target": node_id, "target_port": port})
        return node_id

    def block(self, arguments: dict) -> dict:
        return {"arguments": arguments, "nodes": self.nodes, "edges": self.edges}


def arg(name: str) -> dict:
    return {"arg": name}


def design(name: str, blocks: dict, top: Sheet) -> dict:
    return {"format": "model-designer-project", "version": 3, "name": name, "blocks": blocks,
            "nodes": top.nodes, "edges": top.edges}


def text(data: dict) -> str:
    return json.dumps(data, indent=2)


def _conv_bn(s: Sheet, prefix: str, source: str, cin, cout, kernel: int, stride, padding: int) -> str:
    conv = s.add(f"conv{prefix}", "Conv2d", {"in_channels": cin, "out_channels": cout, "kernel_size": kernel,
                                              "stride": stride, "padding": padding, "bias": False}, source)
    return s.add(f"bn{prefix}", "BatchNorm2d", {"num_features": cout}, conv)


def basic_block(downsample: bool) -> dict:
    """torchvision's BasicBlock; with ``downsample`` the shortcut is a 1×1 conv and a BatchNorm."""
    s = Sheet()
    x = s.add("x", "Input")
    y = _conv_bn(s, "1", x, arg("cin"), arg("cout"), 3, arg("stride") if downsample else 1, 1)
    y = s.add("relu1", "ReLU", {}, y)
    y = _conv_bn(s, "2", y, arg("cout"), arg("cout"), 3, 1, 1)
    shortcut = x
    if downsample:
        shortcut = s.add("down_conv", "Conv2d", {"in_channels": arg("cin"), "out_channels": arg("cout"), "kernel_size": 1,
                                                 "stride": arg("stride"), "bias": False}, x)
        shortcut = s.add("down_bn", "BatchNorm2d", {"num_features": arg("cout")}, shortcut)
    y = s.add("add", "Add", {}, y, shortcut)
    y = s.add("relu2", "ReLU", {}, y)
    s.add("out", "Output", {}, y)
    arguments = {"cin": 64, "cout": 128, "stride": 2} if downsample else {"cin": 64, "cout": 64}
    return s.block(arguments)


def resnet18(size: int = 64, classes: int = 10, broken: bool = False) -> dict:
    """ResNet-18 of two block types: BasicBlock (identity shortcut) and DownBlock (1×1 conv shortcut).

    ``broken`` gives layer3_1 the wrong input channels (cin 128 where 256 arrive).
    """
    s = Sheet()
    y = s.add("image", "Input", {"shape": [2, 3, size, size]})
    y = s.add("conv1", "Conv2d", {"in_channels": 3, "out_channels": 64, "kernel_size": 7, "stride": 2, "padding": 3,
                                  "bias": False}, y)
    y = s.add("bn1", "BatchNorm2d", {"num_features": 64}, y)
    y = s.add("relu", "ReLU", {}, y)
    y = s.add("maxpool", "MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, y)
    y = s.add("layer1", "BasicBlock", {}, y, repeat=2)
    for stage, (cin, cout) in enumerate([(64, 128), (128, 256), (256, 512)], start=2):
        y = s.add(f"layer{stage}_0", "DownBlock", {"cin": cin, "cout": cout, "stride": 2}, y)
        wrong = broken and stage == 3
        y = s.add(f"layer{stage}_1", "BasicBlock", {"cin": 128 if wrong else cout, "cout": cout}, y)
    y = s.add("avgpool", "AdaptiveAvgPool2d", {"output_size": 1}, y)
    y = s.add("flatten", "Flatten", {}, y)
    y = s.add("fc", "Linear", {"in_features": 512, "out_features": classes}, y)
    s.add("logits", "Output", {}, y)
    return design("ResNet-18", {"BasicBlock": basic_block(False), "DownBlock": basic_block(True)}, s)


def residual_stage(size: int = 16, repeat: int = 3) -> dict:
    """One residual block (conv, norm, relu, conv, add) repeated ``repeat`` times."""
    b = Sheet()
    x = b.add("x", "Input")
    y = b.add("conv", "Conv2d", {"in_channels": arg("channels"), "out_channels": arg("channels"), "kernel_size": 3,
                                 "padding": 1}, x)
    y = b.add("norm", "BatchNorm2d", {"num_features": arg("channels")}, y)
    y = b.add("act", "ReLU", {}, y)
    y = b.add("conv_b", "Conv2d", {"in_channels": arg("channels"), "out_channels": arg("channels"), "kernel_size": 3,
                                   "padding": 1}, y)
    y = b.add("add", "Add", {}, y, x)
    b.add("out", "Output", {}, y)
    s = Sheet()
    y = s.add("x", "Input", {"shape": [2, 32, size, size]})
    y = s.add("stage", "Residual", {"channels": 32}, y, repeat=repeat)
    y = s.add("head", "Conv2d", {"in_channels": 32, "out_channels": 8, "kernel_size": 1}, y)
    s.add("y", "Output", {}, y)
    return design("Residual stage", {"Residual": b.block({"channels": 16})}, s)


def unet(size: int = 64, base: int = 8) -> dict:
    """A 3-level U-Net: DoubleConv, Down (MaxPool + DoubleConv, a block inside a block) and Up, whose
    second input is the skip connection (ConvTranspose2d, Concat with the skip, DoubleConv)."""
    dc = Sheet()
    y = dc.add("x", "Input")
    for i, cin in ((1, arg("cin")), (2, arg("cout"))):
        y = dc.add(f"conv{i}", "Conv2d", {"in_channels": cin, "out_channels": arg("cout"), "kernel_size": 3, "padding": 1,
                                          "bias": False}, y)
        y = dc.add(f"bn{i}", "BatchNorm2d", {"num_features": arg("cout")}, y)
        y = dc.add(f"relu{i}", "ReLU", {}, y)
    dc.add("out", "Output", {}, y)
    down = Sheet()
    y = down.add("x", "Input")
    y = down.add("pool", "MaxPool2d", {"kernel_size": 2}, y)
    y = down.add("conv", "DoubleConv", {"cin": arg("cin"), "cout": arg("cout")}, y)
    down.add("out", "Output", {}, y)
    up = Sheet()
    x = up.add("x", "Input")
    skip = up.add("skip", "Input")
    y = up.add("up", "ConvTranspose2d", {"in_channels": arg("cin"), "out_channels": arg("cout"), "kernel_size": 2,
                                         "stride": 2}, x)
    y = up.add("cat", "Concat", {"dim": 1}, skip, y)
    y = up.add("conv", "DoubleConv", {"cin": arg("cin"), "cout": arg("cout")}, y)
    up.add("out", "Output", {}, y)
    s = Sheet()
    x = s.add("image", "Input", {"shape": [1, 3, size, size]})
    e1 = s.add("inc", "DoubleConv", {"cin": 3, "cout": base}, x)
    e2 = s.add("down1", "Down", {"cin": base, "cout": base * 2}, e1)
    e3 = s.add("down2", "Down", {"cin": base * 2, "cout": base * 4}, e2)
    d2 = s.add("up1", "Up", {"cin": base * 4, "cout": base * 2}, e3, e2)
    d1 = s.add("up2", "Up", {"cin": base * 2, "cout": base}, d2, e1)
    y = s.add("head", "Conv2d", {"in_channels": base, "out_channels": 2, "kernel_size": 1}, d1)
    s.add("mask", "Output", {}, y)
    blocks = {
        "DoubleConv": dc.block({"cin": 3, "cout": 8}),
        "Down": down.block({"cin": 8, "cout": 16}),
        "Up": up.block({"cin": 16, "cout": 8}),
    }
    return design("U-Net", blocks, s)


# ----- the same networks in plain torch (written independently of the designs above) -----------------
def torch_resnet18(classes: int = 10):
    from torch import nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    def stage(cin: int, cout: int, stride: int):
        return nn.Sequential(Block(cin, cout, stride), Block(cout, cout, 1))

    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
        stage(64, 64, 1), stage(64, 128, 2), stage(128, 256, 2), stage(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes),
    )


def torch_residual_stage(repeat: int = 3):
    from torch import nn

    class Residual(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1))

        def forward(self, x):
            return self.body(x) + x

    return nn.Sequential(*[Residual(32) for _ in range(repeat)], nn.Conv2d(32, 8, 1))


def torch_unet(base: int = 8):
    import torch
    from torch import nn

    def double(cin: int, cout: int):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        )

    class Up(nn.Module):
        def __init__(self, cin: int, cout: int) -> None:
            super().__init__()
            self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
            self.conv = double(cin, cout)

        def forward(self, x, skip):
            return self.conv(torch.cat([skip, self.up(x)], dim=1))

    class UNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inc = double(3, base)
            self.down1 = nn.Sequential(nn.MaxPool2d(2), double(base, base * 2))
            self.down2 = nn.Sequential(nn.MaxPool2d(2), double(base * 2, base * 4))
            self.up1 = Up(base * 4, base * 2)
            self.up2 = Up(base * 2, base)
            self.head = nn.Conv2d(base, 2, 1)

        def forward(self, x):
            e1 = self.inc(x)
            e2 = self.down1(e1)
            e3 = self.down2(e2)
            return self.head(self.up2(self.up1(e3, e2), e1))

    return UNet()
