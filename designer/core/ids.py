"""Node ids: the one place that says how a new node's id is made.

A new layer gets its type's stem and the first number nobody uses (``conv3``); a pasted or replacing
node keeps its old id's stem the same way. The importer keeps the names PyTorch gave (``layer1.0.conv1``)
and only makes a taken one unique with a suffix (``conv_2``): names people recognise beat numbering.
"""

from __future__ import annotations

import re
from collections.abc import Container


def id_stem(type_name: str) -> str:
    """The base of a new node's id: ``Conv2d`` → ``conv``, ``BatchNorm1d`` → ``batchnorm``, ``ReLU`` → ``relu``."""
    return re.sub(r"\d+d$", "", type_name).lower() or type_name.lower()


def fresh_id(base: str, taken: Container[str]) -> str:
    """``base``'s stem (letters and digits, lower case, without its trailing number) and the first free number."""
    stem = "".join(ch for ch in base.lower() if ch.isalnum()).rstrip("0123456789") or "node"
    i = 1
    while f"{stem}{i}" in taken:
        i += 1
    return f"{stem}{i}"


def unique_name(base: str, taken: Container[str]) -> str:
    """``base`` itself when free, else ``base_2``, ``base_3``, ... (the importer keeps torch's names so)."""
    name, i = base, 2
    while name in taken:
        name = f"{base}_{i}"
        i += 1
    return name
