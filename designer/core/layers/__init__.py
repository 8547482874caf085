"""Shape rules, one module per family of layers; each module lists its specs in ``SPECS``."""
