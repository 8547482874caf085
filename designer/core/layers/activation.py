"""Activations and other element-wise layers (ReLU … Softmax, Identity): the shape passes through."""

SPECS: list = []
