"""Pooling: MaxPool, AvgPool, AdaptiveAvgPool and AdaptiveMaxPool in 1, 2 and 3 dimensions."""

SPECS: list = []
