"""Colours, pens, fonts and level-of-detail thresholds of the canvas, for a light and a dark scheme.

Items read the one current :class:`Style` (``current()``); the view switches it when the system
colour scheme changes (``follow_system()``) and repaints. Fonts use pixel sizes so the canvas looks
the same at any screen scaling: the view's zoom is the only scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QPen

from designer.canvas import geometry, palette

# Level of detail (the view's scale): below DETAIL nodes are plain boxes and edges plain lines;
# edge labels need LABEL to be readable; below OVERVIEW the view draws the whole graph in a few batched calls.
DETAIL_LOD = 0.45
OVERVIEW_LOD = 0.2
# Edge size labels: the product's headline, so large and bold in the sans font (tesseract read 14 of 14
# sizes in bold DejaVu Sans at 10 px, but 4 of 14 in the monospace font, whose × is tiny), and drawn
# only where they come out at least LEGIBLE_PX high on screen.
LABEL_PX = geometry.LABEL_PX
LEGIBLE_PX = 10
LABEL_LOD = LEGIBLE_PX / LABEL_PX


def labels_legible(lod: float) -> bool:
    """Whether size labels drawn at this scale come out at least LEGIBLE_PX high (a rounding's slack:
    Fit may choose exactly LABEL_LOD, and the painter's level of detail is a square root of it squared)."""
    return lod >= LABEL_LOD - 1e-6

_CATEGORY_LIGHT, _CATEGORY_DARK = palette.CATEGORY_LIGHT, palette.CATEGORY_DARK


@dataclass
class Style:
    """Everything the canvas paints with, for one scheme."""

    dark: bool
    background: QColor
    grid_minor: QColor
    grid_major: QColor
    node_fill: QColor
    node_border: QColor
    title_text: QColor
    type_text: QColor
    summary_text: QColor
    port_fill: QColor
    port_border: QColor
    port_valid: QColor
    port_invalid: QColor
    edge: QColor
    edge_dead: QColor
    label_fill: QColor
    label_border: QColor
    label_text: QColor
    selection: QColor
    error: QColor
    error_fill: QColor
    warning: QColor
    badge_text: QColor
    shadow: QColor
    categories: dict[str, QColor] = field(default_factory=dict)
    title_font: QFont = field(default_factory=QFont)
    type_font: QFont = field(default_factory=QFont)
    summary_font: QFont = field(default_factory=QFont)
    label_font: QFont = field(default_factory=QFont)
    port_font: QFont = field(default_factory=QFont)
    badge_font: QFont = field(default_factory=QFont)
    overview_font: QFont = field(default_factory=QFont)

    def __post_init__(self) -> None:
        self.title_metrics = QFontMetricsF(self.title_font)
        self.type_metrics = QFontMetricsF(self.type_font)
        self.summary_metrics = QFontMetricsF(self.summary_font)
        self.label_metrics = QFontMetricsF(self.label_font)
        self.overview_metrics = QFontMetricsF(self.overview_font)
        self._label_widths: dict[str, float] = {}
        self._fitted: dict[tuple[str, str, float], str] = {}
        self.edge_pen = _pen(self.edge, 1.6)
        self.edge_dead_pen = _pen(self.edge_dead, 1.4, Qt.PenStyle.DashLine)
        self.edge_selected_pen = _pen(self.selection, 2.4)
        self.overview_edge_pen = _pen(self.edge, 0)  # cosmetic: one pixel at any zoom
        self.node_border_pen = _pen(self.node_border, 1.0)
        self.selection_pen = _pen(self.selection, 2.4)
        self.error_pen = _pen(self.error, 2.0)
        self.port_pen = _pen(self.port_border, 1.4)
        self.label_pen = _pen(self.label_border, 1.0)
        self.node_brush = QBrush(self.node_fill)
        self.error_brush = QBrush(self.error_fill)

    def category(self, name: str) -> QColor:
        return self.categories.get(name, self.categories["Graph"])

    def label_width(self, text: str) -> float:
        """Width of an edge label's text; shapes repeat a lot, so widths are remembered."""
        width = self._label_widths.get(text)
        if width is None:
            width = self._label_widths[text] = self.label_metrics.horizontalAdvance(text)
        return width


    def fitted(self, which: str, text: str, width: float) -> str:
        """``text`` in the ``which`` font ("title", "type", "summary", "overview"), elided to ``width``; remembered,
        since type names and summaries repeat across thousands of nodes."""
        key = (which, text, width)
        fitted = self._fitted.get(key)
        if fitted is None:
            metrics: QFontMetricsF = getattr(self, f"{which}_metrics")
            fitted = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            if len(self._fitted) < 50_000:
                self._fitted[key] = fitted
        return fitted


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if width == 0:
        pen.setCosmetic(True)
    return pen


def _font(pixels: float, bold: bool = False, mono: bool = False) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if mono else QFont(QGuiApplication.font())
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # the same shapes at every zoom
    return font


def _fonts() -> dict[str, QFont]:
    return {
        "title_font": _font(12.5, bold=True),
        "type_font": _font(11),
        "summary_font": _font(11, mono=True),
        "label_font": _font(LABEL_PX, bold=True),  # measured: bold sans reads best (× too)
        "port_font": _font(9),
        "badge_font": _font(11, bold=True),
        # Zoomed out, one big line (the node's name) stays readable where three small ones would not.
        "overview_font": _font(20, bold=True),
    }


def light() -> Style:
    c = QColor
    return Style(
        dark=False,
        background=c("#f4f5f7"),
        grid_minor=c("#e9ebef"),
        grid_major=c("#e1e4e9"),
        node_fill=c("#ffffff"),
        node_border=c("#c5cbd3"),
        title_text=c("#1d2127"),
        type_text=c("#6b7480"),
        summary_text=c("#37404b"),
        port_fill=c("#ffffff"),
        port_border=c("#7d8794"),
        port_valid=c("#2f9e44"),
        port_invalid=c("#d6dae0"),
        edge=c("#8c96a3"),
        edge_dead=c("#c0c6ce"),
        label_fill=c("#ffffff"),
        label_border=c("#c9cfd6"),
        label_text=c("#111418"),
        selection=c("#1c7ed6"),
        error=c("#e03131"),
        error_fill=c("#fff4f4"),
        warning=c("#e8890c"),
        badge_text=c("#ffffff"),
        shadow=QColor(20, 30, 45, 28),
        categories={k: c(v) for k, v in _CATEGORY_LIGHT.items()},
        **_fonts(),
    )


def dark() -> Style:
    c = QColor
    return Style(
        dark=True,
        background=c("#1c1d21"),
        grid_minor=c("#232428"),
        grid_major=c("#2b2d32"),
        node_fill=c("#2a2c31"),
        node_border=c("#41444b"),
        title_text=c("#eceef1"),
        type_text=c("#9aa2ad"),
        summary_text=c("#c9ced5"),
        port_fill=c("#2a2c31"),
        port_border=c("#8b939e"),
        port_valid=c("#51cf66"),
        port_invalid=c("#3a3d43"),
        edge=c("#7c8591"),
        edge_dead=c("#4b4f57"),
        label_fill=c("#25272b"),
        label_border=c("#4d525a"),
        label_text=c("#f1f3f5"),
        selection=c("#4dabf7"),
        error=c("#ff6b6b"),
        error_fill=c("#3b2427"),
        warning=c("#ffa94d"),
        badge_text=c("#1c1d21"),
        shadow=QColor(0, 0, 0, 90),
        categories={k: c(v) for k, v in _CATEGORY_DARK.items()},
        **_fonts(),
    )


_current: Style | None = None


def current() -> Style:
    global _current
    if _current is None:
        _current = dark() if system_is_dark() else light()
    return _current


def set_dark(is_dark: bool) -> Style:
    """Switch the scheme (the caller repaints)."""
    global _current
    _current = dark() if is_dark else light()
    return _current


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark
