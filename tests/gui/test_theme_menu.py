"""View ▸ Theme: System, Light and Dark switch the whole window now and are remembered."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from designer.canvas import style
from designer.widgets import settings, theme
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env = app_support.app_env  # fixture


def _window_is_dark(window) -> bool:
    return window.palette().color(QPalette.ColorRole.Window).lightness() < 128


def test_the_theme_menu_switches_now_and_is_remembered(app_env, qtbot, monkeypatch):
    monkeypatch.delenv(theme.SCHEME_ENV, raising=False)
    window = make_window(qtbot, small_graph())
    try:
        menu = window.actions.theme_menu
        assert [a.text() for a in menu.actions()] == ["System", "Light", "Dark"]
        assert window.actions.theme_actions["system"].isChecked()
        window.actions.theme_actions["dark"].trigger()
        QApplication.processEvents()
        assert style.current().dark and _window_is_dark(window)
        assert settings.theme_choice() == "dark" and theme.wanted_dark()
        window.actions.theme_actions["light"].trigger()
        QApplication.processEvents()
        assert not style.current().dark and not _window_is_dark(window)
        assert settings.theme_choice() == "light" and not theme.wanted_dark()
        assert window.actions.theme_actions["light"].isChecked()
        assert not window.actions.theme_actions["dark"].isChecked()
    finally:
        close_quietly(window)
        theme.apply(QApplication.instance(), False)


def test_a_new_window_starts_with_the_remembered_choice_checked(app_env, qtbot, monkeypatch):
    monkeypatch.delenv(theme.SCHEME_ENV, raising=False)
    settings.set_theme_choice("dark")
    assert theme.wanted_dark()
    window = make_window(qtbot, small_graph())
    try:
        assert window.actions.theme_actions["dark"].isChecked()
    finally:
        close_quietly(window)
    settings.set_theme_choice("system")
    monkeypatch.setattr(style, "system_is_dark", lambda: False)
    assert not theme.wanted_dark()
    monkeypatch.setenv(theme.SCHEME_ENV, "dark")  # screenshots and tests override the saved choice
    assert theme.wanted_dark()
