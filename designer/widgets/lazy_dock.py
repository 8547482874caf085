"""Docks whose content is built the first time they are shown, so heavy panels cost nothing at start-up.

The statistics and overlap panels draw with pyqtgraph; the app must start without importing it, so
their docks hold a placeholder until the user opens them. ``DockSpec`` describes such a dock for the
main window (the app layer passes the statistics panel in, since widgets may not import plots).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget


@dataclass(frozen=True)
class DockSpec:
    """A lazily built dock: ``factory(window)`` makes its widget; ``tab_with`` names a dock to share tabs with."""

    title: str
    name: str
    area: Qt.DockWidgetArea
    factory: Callable[[QWidget], QWidget]
    tab_with: str | None = None


class LazyDock(QDockWidget):
    def __init__(self, spec: DockSpec, window: QWidget) -> None:
        super().__init__(spec.title, window)
        self.setObjectName(spec.name)
        self._spec = spec
        self._window = window
        self.content: QWidget | None = None
        placeholder = QLabel(f"Opening {spec.title.lower()}…", self)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setEnabled(False)
        self.setWidget(placeholder)
        self.visibilityChanged.connect(self._shown)

    def _shown(self, visible: bool) -> None:
        if visible and self.content is None:
            self.build()

    def build(self) -> QWidget:
        """Make the real content now (also for tests); later calls return the same widget."""
        if self.content is None:
            self.content = self._spec.factory(self._window)
            self.setWidget(self.content)
        return self.content
