"""Light and dark for the whole window: the Fusion style with a QPalette matching the canvas colours.

The scheme is what View ▸ Theme chose (System, Light or Dark, remembered in the settings); System
follows ``QStyleHints.colorScheme``. ``MODEL_DESIGNER_SCHEME`` = ``light`` or ``dark`` overrides the saved
choice at start-up (tests and screenshots set it). The canvas style module owns the canvas colours;
this module derives the widgets' palette from them so panels and canvas read as one surface.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from designer.canvas import style
from designer.widgets import settings

SCHEME_ENV = "MODEL_DESIGNER_SCHEME"


def _override() -> str:
    override = os.environ.get(SCHEME_ENV, "").strip().lower()
    return override if override in ("light", "dark") else ""


def wanted_dark() -> bool:
    """The scheme to use now: the override if set, else the saved choice, else the system's (unknown: light)."""
    choice = _override() or settings.theme_choice()
    if choice in ("light", "dark"):
        return choice == "dark"
    return style.system_is_dark()


def choose(app: QApplication, choice: str, remember: bool = True) -> bool:
    """Switch to ``choice`` (``system``, ``light`` or ``dark``) now, and remember it; returns whether it is dark."""
    if remember:
        settings.set_theme_choice(choice)
    dark = style.system_is_dark() if choice == "system" else choice == "dark"
    return apply(app, dark)


def palette(dark: bool) -> QPalette:
    """The widgets' palette for one scheme."""
    canvas = style.dark() if dark else style.light()
    c = QColor
    if dark:
        window, base, alt, text, button = c("#25272b"), c("#1f2024"), c("#2a2c31"), c("#e4e6ea"), c("#30333a")
        mid, dim, light, shadow = c("#3b3e45"), c("#7f8792"), c("#3a3d44"), c("#121316")
    else:
        window, base, alt, text, button = c("#eef0f3"), c("#ffffff"), c("#f6f7f9"), c("#1d2127"), c("#f7f8fa")
        mid, dim, light, shadow = c("#c9ced6"), c("#8a929d"), c("#ffffff"), c("#9aa1ab")
    p = QPalette()
    roles = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, roles.Window, window)
        p.setColor(group, roles.WindowText, text)
        p.setColor(group, roles.Base, base)
        p.setColor(group, roles.AlternateBase, alt)
        p.setColor(group, roles.Text, text)
        p.setColor(group, roles.Button, button)
        p.setColor(group, roles.ButtonText, text)
        p.setColor(group, roles.BrightText, canvas.error)
        p.setColor(group, roles.ToolTipBase, alt if dark else c("#ffffff"))
        p.setColor(group, roles.ToolTipText, text)
        p.setColor(group, roles.PlaceholderText, dim)
        p.setColor(group, roles.Highlight, canvas.selection)
        p.setColor(group, roles.HighlightedText, c("#ffffff") if not dark else c("#0d1117"))
        p.setColor(group, roles.Link, canvas.selection)
        p.setColor(group, roles.Mid, mid)
        p.setColor(group, roles.Midlight, light)
        p.setColor(group, roles.Light, light)
        p.setColor(group, roles.Dark, shadow)
        p.setColor(group, roles.Shadow, shadow)
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, dim)
    for role, color in ((roles.Window, window), (roles.Base, window), (roles.Button, button), (roles.Highlight, mid)):
        p.setColor(disabled, role, color)
    p.setColor(disabled, roles.HighlightedText, dim)
    p.setColor(QPalette.ColorGroup.Inactive, roles.Highlight, canvas.selection.darker(115) if dark else canvas.selection)
    return p


def apply(app: QApplication, dark: bool | None = None) -> bool:
    """Style ``app`` for ``dark`` (default: ``wanted_dark()``); also switches the canvas. Returns the scheme used."""
    dark = wanted_dark() if dark is None else dark
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    app.setPalette(palette(dark))
    style.set_dark(dark)
    return dark


def follow_system(app: QApplication, changed) -> None:
    """Re-apply when the system scheme changes (not while overridden); ``changed(dark)`` lets views repaint."""

    def on_change(_scheme: Qt.ColorScheme) -> None:
        if not _override() and settings.theme_choice() == "system":
            changed(apply(app))

    app.styleHints().colorSchemeChanged.connect(on_change)
