"""What the app remembers between runs (QSettings): recent files, window geometry and dock layout, the theme.

QSettings() uses the organization and application names set on the QApplication and the default
format, so tests can redirect everything to a temporary folder with ``QSettings.setPath``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "ModelDesigner"
APPLICATION = "Model Designer"
MAX_RECENT = 10

_RECENT = "files/recent"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_SNAP = "view/snap_to_grid"
_THEME = "view/theme"
_TOUR = "help/tour_offered"
THEMES = ("system", "light", "dark")
# Bump when the docks change, so an old saved layout cannot hide a new dock.
LAYOUT_VERSION = 1


def recent_files() -> list[str]:
    value = QSettings().value(_RECENT, [])
    if isinstance(value, str):  # QSettings gives a bare string for a one-item list in INI files
        value = [value]
    return [p for p in value if isinstance(p, str) and p][:MAX_RECENT] if isinstance(value, list) else []


def add_recent_file(path: str) -> list[str]:
    path = os.path.abspath(path)
    files = [path] + [p for p in recent_files() if p != path]
    QSettings().setValue(_RECENT, files[:MAX_RECENT])
    return files[:MAX_RECENT]


def remove_recent_file(path: str) -> list[str]:
    files = [p for p in recent_files() if p != path]
    QSettings().setValue(_RECENT, files)
    return files


def clear_recent_files() -> None:
    QSettings().setValue(_RECENT, [])


def window_layout() -> tuple[QByteArray | None, QByteArray | None]:
    """Saved (geometry, dock state), each None when absent or unreadable."""
    settings = QSettings()
    geometry, state = settings.value(_GEOMETRY), settings.value(_STATE)
    return (
        geometry if isinstance(geometry, QByteArray) else None,
        state if isinstance(state, QByteArray) else None,
    )


def save_window_layout(geometry: QByteArray, state: QByteArray) -> None:
    settings = QSettings()
    settings.setValue(_GEOMETRY, geometry)
    settings.setValue(_STATE, state)


def snap_to_grid() -> bool:
    return QSettings().value(_SNAP, False, type=bool)


def set_snap_to_grid(on: bool) -> None:
    QSettings().setValue(_SNAP, on)


def theme_choice() -> str:
    """``system``, ``light`` or ``dark``: what View ▸ Theme was last set to (``system`` at first)."""
    value = QSettings().value(_THEME, "system")
    return value if value in THEMES else "system"


def set_theme_choice(choice: str) -> None:
    if choice in THEMES:
        QSettings().setValue(_THEME, choice)


def tour_offered() -> bool:
    """Whether the first-start offer of the Getting Started tour has been used or dismissed."""
    return QSettings().value(_TOUR, False, type=bool)


def set_tour_offered() -> None:
    QSettings().setValue(_TOUR, True)
