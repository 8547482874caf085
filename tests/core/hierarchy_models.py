"""Models built from classes of their own, for the tests of import keeping the hierarchy (imported as FILE.py:NAME)."""

from __future__ import annotations

import torch
from torch import nn


class Residual(nn.Module):
    """One structure, built with different constructor values (channels, expansion)."""

    def __init__(self, channels: int, expansion: int = 2) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels * expansion, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels * expansion)
        self.act = nn.ReLU()
        self.conv2 = nn.Conv2d(channels * expansion, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.relu(x + self.bn2(self.conv2(self.act(self.bn1(self.conv1(x))))))


class Stacked(nn.Module):
    """Copies of one block: in a ModuleList run by a loop, in a Sequential, and two with other values."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blocks = nn.ModuleList([Residual(8) for _ in range(3)])
        self.wide = nn.Sequential(Residual(8, expansion=4), Residual(8, expansion=4))
        self.mixed = nn.Sequential(Residual(8), Residual(8, expansion=3))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.mixed(self.wide(x)))


class TwoWays(nn.Module):
    """Returns two tensors: a block with two outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.left = nn.Conv2d(4, 4, 1)
        self.right = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return self.left(x), self.right(x)


class Gate(nn.Module):
    """No weights, called twice by its owner: each call would be a block of its own."""

    def forward(self, x):
        return torch.sigmoid(x) + x


class Wrapper(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.extra = nn.Conv2d(4, 4, 1)  # its owner calls it

    def forward(self, x):
        return self.norm(self.conv(x))


class Awkward(nn.Module):
    """Two outputs (a block all the same), and what cannot be a block: a second call, a layer used from outside its owner."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 1)
        self.split = TwoWays()
        self.gate = Gate()
        self.wrapped = Wrapper()
        self.tail = nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU())

    def forward(self, x):
        left, right = self.split(self.stem(x))
        y = self.gate(left) + self.gate(right)
        y = self.wrapped(y) + self.wrapped.extra(y)
        return self.tail(y)


class Bottleneck(nn.Module):
    """The ResNet-50 block (written from the paper's description: 1×1, 3×3, 1×1, expansion 4)."""

    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        cout = width * 4
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet50(nn.Module):
    """ResNet-50's layout: a stem, four stages of 3, 4, 6 and 3 bottlenecks, and a head."""

    def __init__(self, classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (width, count) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], 1):
            stage = [Bottleneck(cin, width, 1 if i == 1 else 2)] + [Bottleneck(width * 4, width) for _ in range(count - 1)]
            setattr(self, f"layer{i}", nn.Sequential(*stage))
            cin = width * 4
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2048, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class Embeddings(nn.Module):
    """Token ids (int64) in: the block's input keeps its dtype."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.norm = nn.LayerNorm(8)

    def forward(self, tokens):
        return self.norm(self.embed(tokens))


class Tokens(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embeddings = Embeddings()
        self.head = nn.Linear(8, 3)

    def forward(self, tokens):
        return self.head(self.embeddings(tokens))
