"""Model Designer: design PyTorch networks as a graph and see every tensor size as you edit."""

__version__ = "0.1.0"
