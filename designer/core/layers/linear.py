"""Linear, Flatten and Unflatten: the layers that change how features are laid out."""

SPECS: list = []
