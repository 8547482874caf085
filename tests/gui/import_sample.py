"""Small PyTorch models for the import dialog's tests (loaded by path, as a user's file would be)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """Needs arguments, so the dialog does not offer it."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class SmallNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = Block(3, 8)
        self.layer1 = nn.Sequential(Block(8, 16), nn.MaxPool2d(2))
        self.head = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        return self.head(torch.flatten(x, 1))


class Summed(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(x).cumsum(1)


def make_pair():
    """A factory function: two inputs, added."""
    return Pair()


class Pair(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(5, 4)
        self.b = nn.Linear(3, 4)

    def forward(self, x, y):
        return self.a(x) + self.b(y)
