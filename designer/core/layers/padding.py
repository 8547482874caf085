"""Padding layers: Zero/Constant/Reflection/Replication/CircularPad 1d/2d/3d."""

SPECS: list = []
