"""Hand-written models in the idioms real code uses, for the importer's round-trip tests (FILE.py:NAME).

Each one is small, but written the way the library or tutorial it stands for writes it: torchvision
RegNet's ``block1-0`` names, the EfficientNet package's ``_conv_stem``, names that are Python keywords or
very long, the DCGAN tutorial, the U-Net everyone copies (``F.pad`` from sizes), a squeeze-excitation
net, timm's ``BatchNormAct2d`` (a BatchNorm subclass with its own forward).
"""

from __future__ import annotations

import torch
from torch import nn


# ----- names ---------------------------------------------------------------------------------------
class XBlock(nn.Module):
    """torchvision RegNet's ResBottleneckBlock, reduced: proj shortcut, f.a/f.b/f.c transform."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.proj = None
        if cin != cout or stride != 1:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.f = nn.Sequential()
        self.f.add_module("a", nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()))
        self.f.add_module("b", nn.Sequential(nn.Conv2d(cout, cout, 3, stride, 1, groups=2, bias=False), nn.BatchNorm2d(cout), nn.ReLU()))
        self.f.add_module("c", nn.Sequential(nn.Conv2d(cout, cout, 1, bias=False), nn.BatchNorm2d(cout)))
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x):
        shortcut = x if self.proj is None else self.proj(x)
        return self.activation(shortcut + self.f(x))


class AnyStage(nn.Sequential):
    def __init__(self, cin: int, cout: int, depth: int, stage: int) -> None:
        super().__init__()
        for i in range(depth):
            self.add_module(f"block{stage}-{i}", XBlock(cin if i == 0 else cout, cout, 2 if i == 0 else 1))


class RegNetStyle(nn.Module):
    """torchvision's RegNet layout: stem, trunk_output.block1.block1-0..., avgpool, fc."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        stages = [(f"block{i + 1}", AnyStage(cin, cout, depth, i + 1)) for i, (cin, cout, depth) in enumerate([(8, 8, 1), (8, 16, 2)])]
        self.trunk_output = nn.Sequential()
        for name, stage in stages:
            self.trunk_output.add_module(name, stage)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.trunk_output(self.stem(x))
        x = self.avgpool(x)
        x = x.flatten(start_dim=1)
        return self.fc(x)


class EfficientNetStyle(nn.Module):
    """The EfficientNet-PyTorch package's names: _conv_stem, _bn0, _blocks, _conv_head, _fc."""

    def __init__(self) -> None:
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 8, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(8)
        self._blocks = nn.ModuleList([nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8)) for _ in range(2)])
        self._conv_head = nn.Conv2d(8, 16, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(16)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(0.2)
        self._fc = nn.Linear(16, 5)
        self._swish = nn.SiLU()

    def forward(self, inputs):
        x = self._swish(self._bn0(self._conv_stem(inputs)))
        for block in self._blocks:
            x = self._swish(block(x)) + x
        x = self._swish(self._bn1(self._conv_head(x)))
        x = self._avg_pooling(x).flatten(start_dim=1)
        return self._fc(self._dropout(x))


LONG = "the_first_projection_of_the_encoder_stage_that_reads_the_raw_input_pixels"


class OddNames(nn.Module):
    """Children named by keywords, soft keywords, digits, spaces, non-ASCII text and names over 60 characters."""

    def __init__(self) -> None:
        super().__init__()
        self.add_module("class", nn.Linear(4, 8))
        self.add_module("import", nn.Sequential(nn.ReLU(), nn.Linear(8, 8)))
        self.match = nn.LayerNorm(8)
        self.add_module(LONG, nn.Linear(8, 8))
        self.heads = nn.ModuleDict({"lambda": nn.Linear(8, 6), "big head": nn.Linear(6, 6), "größe": nn.Linear(6, 3)})

    def forward(self, x):
        x = getattr(self, "import")(getattr(self, "class")(x))
        x = getattr(self, LONG)(self.match(x))
        return self.heads["größe"](self.heads["big head"](self.heads["lambda"](x)))


# ----- the DCGAN tutorial --------------------------------------------------------------------------
class DCGANGenerator(nn.Module):
    def __init__(self, nz: int = 16, ngf: int = 4, nc: int = 3) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class DCGANDiscriminator(nn.Module):
    def __init__(self, nc: int = 3, ndf: int = 4) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


# ----- refusals ------------------------------------------------------------------------------------
class Rolling(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return torch.roll(self.conv(x), 1, dims=2) + torch.flip(x, dims=[3])


class Summing(nn.Module):
    def forward(self, x):
        return torch.cumsum(torch.roll(x, 2, dims=3), dim=1)


class Flipping(nn.Module):
    def forward(self, x):
        return torch.flip(torch.roll(x, -1, dims=2), dims=[2])


class ManyUnsupported(nn.Module):
    """Operations no helper maps (roll, flip, cumsum), spread over three block classes and the model itself."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(Rolling(), Rolling(), Summing(), Flipping(), Rolling())
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        return self.head(torch.cumsum(self.features(x), dim=2))


class OneCulprit(nn.Module):
    """Every unsupported operation is inside one class (as timm's BatchNormAct2d once was)."""

    def __init__(self) -> None:
        super().__init__()
        self.stages = nn.Sequential(*[nn.Sequential(nn.Conv2d(4, 4, 1), Rolling()) for _ in range(4)])

    def forward(self, x):
        return self.stages(x)


# ----- token ids -----------------------------------------------------------------------------------
class TokenClassifier(nn.Module):
    """Token ids (int64) in, through an embedding, mean over the sequence, a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, tokens):
        return self.head(self.embed(tokens))
