"""Normalization layers: BatchNorm, InstanceNorm, GroupNorm, LayerNorm, LocalResponseNorm."""

SPECS: list = []
