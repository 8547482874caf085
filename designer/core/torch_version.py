"""Which torch the shape rules follow: the installed one, read from package metadata without importing torch.

Layer rules ask :func:`at_least` about a behaviour that changed between torch releases, naming the
release it changed in (``at_least(REPLICATION_PAD_NEEDS_EVERY_SIZE)``), so "errors where torch would
raise, and nowhere else" holds for the torch the user has. Without torch installed, the rules follow
the newest behaviour known here: what ``pip install torch`` would bring.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import re
from collections.abc import Iterator

Version = tuple[int, int, int]

OLDEST_SUPPORTED: Version = (2, 12, 0)  # pyproject.toml and the README say the same
NEWEST_KNOWN: Version = (2, 14, 1)  # the newest torch the oracle suites have run against

_override: Version | None = None


def parse(text: str) -> Version | None:
    """``'2.14.1+cu130'`` → ``(2, 14, 1)``; None for text that does not start with a release number."""
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


@functools.cache
def installed_text() -> str | None:
    """The installed torch's version as its package states it (``'2.13.0+cpu'``), or None without torch."""
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def installed() -> Version | None:
    text = installed_text()
    return parse(text) if text else None


def followed() -> Version:
    """The torch whose behaviour the rules follow: the installed one, else the newest known."""
    if _override is not None:
        return _override
    return installed() or NEWEST_KNOWN


def at_least(version: Version) -> bool:
    """Whether the followed torch has the behaviour that came with ``version``."""
    return followed() >= version


def show(version: Version) -> str:
    """``(2, 14, 0)`` → ``'torch 2.14'``; a patch release keeps its third number."""
    major, minor, patch = version
    return f"torch {major}.{minor}" + (f".{patch}" if patch else "")


def describe() -> str:
    """``'torch 2.13.0 (installed)'`` or ``'torch 2.14.1 (not installed: the newest behaviour known)'``."""
    if _override is not None:
        return f"{show(_override)} (chosen)"
    text = installed_text()
    if text:
        return f"torch {text} (installed)"
    return f"{show(NEWEST_KNOWN)} (not installed: the newest behaviour known)"


@contextlib.contextmanager
def following(version: Version) -> Iterator[None]:
    """Make the rules follow ``version`` for a while (tests; comparing releases). Not thread-safe."""
    global _override
    before, _override = _override, version
    try:
        yield
    finally:
        _override = before
