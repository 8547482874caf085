"""The statistics panel: per-layer bars of parameters, multiply-adds or activation memory, and the size ladder.

Both plots run along the execution order and share their x axis, one column per layer. The bars take
the canvas's category colours; the ladder draws the spatial size (positions: H·W, L or D·H·W, left axis)
and the channels (right axis) of every layer's output. Hovering a column says what the layer costs,
clicking one selects and centres the node, and selecting a node outlines its column. Every edit updates
the same plot items (``setOpts``/``setData``), coalesced into one refresh per event-loop turn, and only
while the panel is visible. This module imports pyqtgraph, so the main window imports it lazily.
"""

from __future__ import annotations

import math
import os

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QFontMetricsF, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.plots.series import METRIC_TITLES, METRICS, Series, build, totals_text

_BAR_WIDTH = 0.7
_HIT_HALF_WIDTH = 0.5  # a click anywhere in a layer's column picks it, even where its bar is tiny
_LABEL_CHARS = 14
_LEFT_AXIS_WIDTH = 62
_RIGHT_AXIS_WIDTH = 48
_TITLE_HEIGHT = 17
_TICK_GAP = 22  # pixels between value labels at least, so a short plot never stacks them
EXPORT_TARGETS = {"bars": "Bars", "ladder": "Size ladder", "both": "Both plots"}


LOG_FLOOR = -0.5  # where bars start on a log axis: below 10⁰, so a value of 1 still shows as a bar


def _log(values, on: bool) -> list[float]:
    """Bar tops as drawn: log10 on a log axis; a zero has no bar (it is marked at the baseline instead)."""
    if not on:
        return [float(v) for v in values]
    return [math.log10(v) if v and v > 0 else LOG_FLOOR for v in values]


def _ladder_values(values, on: bool) -> list[float]:
    """Ladder points; NaN where there is no size, so the line breaks there instead of dropping to zero."""
    out = []
    for v in values:
        if v is None or (on and v <= 0):
            out.append(math.nan)
        else:
            out.append(math.log10(v) if on else float(v))
    return out


def _value_range(values, log: bool) -> tuple[float, float]:
    """The ladder's y range: from zero on a linear axis (a flat line stays flat, not magnified noise),
    from the smallest power of ten below the values on a log axis."""
    known = [v for v in values if v is not None and v > 0]
    if not known:
        return (0.0, 1.0)
    if log:
        low, high = math.floor(math.log10(min(known))), math.log10(max(known))
        return (float(low), max(high, low + 1.0))
    return (0.0, float(max(known)))


def _spatial_title(shapes) -> str:
    """Names what the ladder's spatial line counts: L, H·W or D·H·W (by the design's most common rank)."""
    ranks = [len(s) - 2 for s in shapes if s is not None and len(s) >= 3]
    if not ranks:
        return "positions"
    common = max(set(ranks), key=ranks.count)
    return {1: "length (L)", 2: "positions (H·W)", 3: "positions (D·H·W)"}.get(common, "positions")


def _elide(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


class LayerAxis(pg.AxisItem):
    """A bottom axis naming the layer under each column, thinned so no two names overlap.

    The selected layer is always named (its neighbours' names make room), so every name can be read:
    select the layer, or hover its column."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.setStyle(hideOverlappingLabels=False)  # the last name may reach into the margin beyond the axis
        self.labels: list[str] = []
        self.selected: int | None = None
        self._step = 1
        self._widest = 0.0

    def set_selected(self, index: int | None) -> None:
        if index != self.selected:
            self.selected = index
            self.picture = None
            self.update()

    def set_labels(self, labels: list[str]) -> None:
        self.labels = [_elide(t) for t in labels]
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        self._widest = max((metrics.horizontalAdvance(t) for t in self.labels), default=0.0)
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        count = len(self.labels)
        first, last = max(0, math.ceil(minVal)), min(count - 1, math.floor(maxVal))
        if count == 0 or last < first:
            return []
        pixels_per_layer = size / max(maxVal - minVal, 1e-9)
        self._step = max(1, math.ceil((self._widest + 12) / max(pixels_per_layer, 1e-9)))
        every = list(range(first, last + 1))
        major = [i for i in every if i % self._step == 0]
        if self.selected is not None and first <= self.selected <= last and self._step > 1:
            major = sorted([i for i in major if abs(i - self.selected) >= self._step] + [self.selected])
        return [(self._step, major)] + ([(1, every)] if self._step > 1 else [])

    def tickStrings(self, values, scale, spacing):
        if spacing == 1 and self._step > 1:
            return [""] * len(values)  # the thin ticks between named ones (never the selected one's name twice)
        return [self.labels[int(round(v))] if 0 <= int(round(v)) < len(self.labels) else "" for v in values]


def short_number(value: float) -> str:
    """``2 M``, ``1.5 k``, ``40``: a tick label that stays short at any magnitude."""
    for size, suffix in ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


class CountAxis(pg.AxisItem):
    """A value axis with short labels (``2 M``), on a log axis only at the powers of ten.

    Only the major ticks are labelled, and only as many as fit with room between them, so a short plot
    (a small window's dock) shows 0 and one or two values rather than labels on top of each other."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.setStyle(maxTickLevel=0, maxTextLevel=0)

    def tickSpacing(self, minVal, maxVal, size):
        """pyqtgraph's spacing, widened until labels are at least ``_TICK_GAP`` pixels apart."""
        levels = super().tickSpacing(minVal, maxVal, size)
        span = maxVal - minVal
        if span <= 0 or size <= 0:
            return levels
        per_unit = size / span
        roomy = [(spacing, offset) for spacing, offset in levels if spacing * per_unit >= _TICK_GAP]
        if roomy:
            return roomy[:1]
        wanted = _TICK_GAP / per_unit
        power = 10 ** math.floor(math.log10(wanted))
        spacing = next(power * m for m in (1, 2, 5, 10) if power * m >= wanted)
        return [(spacing, 0)]

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return [short_number(v * scale) for v in values]
        return [short_number(10 ** round(v)) if abs(v - round(v)) < 1e-6 else "" for v in values]


class _ElidedLabel(QLabel):
    """One line that ends in … when the panel is narrow; the whole text is its tooltip's first line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setMinimumWidth(50)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def text(self) -> str:
        return self.full_text

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(self.width(), 50)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()


class StatsPanel(QWidget):
    """Plots of ``document``'s costs; ``view`` (a GraphView, optional) is centred on clicked layers."""

    node_activated = Signal(str)  # a bar was clicked: the node is selected, callers may want to show it
    enter_requested = Signal(str)  # a block instance's bar was double-clicked: look inside it

    def __init__(self, document, view=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.view = view
        self.scope: list[str] = []  # the instances looked into, outermost first (empty: the whole design)
        self.current_metric = "params"
        self.log_scale = False
        self.series: Series | None = None
        self._dirty = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._build_controls()
        self._build_plots()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.check_label)
        layout.addLayout(self._controls)
        layout.addWidget(self.legend)
        layout.addWidget(self.plots, 1)
        self.setMinimumHeight(220)
        self._watch(document, True)
        self.restyle()
        self.refresh()

    def _watch(self, document, on: bool) -> None:
        pairs = ((document.graph_changed, self.schedule_refresh), (document.reset_done, self.schedule_refresh),
                 (document.selection_changed, self._show_selection))
        for signal, slot in pairs:
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def show_level(self, document, view, scope: list[str]) -> None:
        """Plot ``document`` (the design, or the instance the canvas looks into: ``scope`` names the path)."""
        if document is not self.document:
            self._watch(self.document, False)
            self._watch(document, True)
            self.document, self.view = document, view
        self.scope = list(scope)
        self.schedule_refresh()

    # ----- building -------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        font = self.legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.legend.setFont(font)
        self.check_label = QLabel(self)  # Design ▸ Check with PyTorch's outcome, once one ran
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_label.hide()
        self.totals_label = _ElidedLabel(self)
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.metric_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        row = QHBoxLayout()
        row.setSpacing(2)
        for metric in METRICS:
            button = QToolButton(self)
            button.setText(METRIC_TITLES[metric])
            button.setCheckable(True)
            button.setChecked(metric == self.current_metric)
            button.setAutoRaise(False)
            button.clicked.connect(lambda _checked=False, m=metric: self.set_metric(m))
            group.addButton(button)
            row.addWidget(button)
            self.metric_buttons[metric] = button
        row.addSpacing(10)
        self.log_box = QCheckBox("Log scale", self)
        self.log_box.setToolTip("Show the values on a logarithmic axis, so small layers stay visible next to big ones")
        self.log_box.toggled.connect(self.set_log_scale)
        row.addWidget(self.log_box)
        row.addStretch(1)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export")
        self.export_button.setToolTip("Save a plot as a PNG image or an SVG drawing")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for target, title in EXPORT_TARGETS.items():
            menu.addAction(f"{title}…", lambda t=target: self._export_dialog(t))
        self.export_button.setMenu(menu)
        row.addWidget(self.export_button)
        self._controls = row

    def _build_plots(self) -> None:
        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.ci.setContentsMargins(4, 4, 4, 4)
        self.plots.ci.setSpacing(2)
        self.bar_axis = LayerAxis()
        self.bar_axis.setStyle(showValues=False)  # the ladder below names the columns
        self.bar_axis.setHeight(6)
        self.bar_plot = self.plots.addPlot(row=0, col=0, axisItems={"bottom": self.bar_axis, "left": CountAxis("left")})
        self.bars = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH)
        self.bar_plot.addItem(self.bars)
        self.error_marks = pg.ScatterPlotItem(symbol="x", size=9)
        self.bar_plot.addItem(self.error_marks)
        # On a log axis (which has no 0) a layer whose value is 0 gets an open ring on the baseline, no bar.
        self.zero_marks = pg.ScatterPlotItem(symbol="o", size=7)
        self.bar_plot.addItem(self.zero_marks)
        self.ladder_axis = LayerAxis()
        self.ladder_plot = self.plots.addPlot(
            row=1, col=0, axisItems={"bottom": self.ladder_axis, "left": CountAxis("left"), "right": CountAxis("right")}
        )
        self.ladder_plot.setXLink(self.bar_plot)
        self.spatial_line = pg.PlotDataItem(connect="finite", symbol="o", symbolSize=6)
        self.ladder_plot.addItem(self.spatial_line)
        # Channels get their own axis on the right: a second view box over the plot's own, a child of the
        # plot so that exporters (which walk the item tree) include it, kept on the same rectangle.
        self.channel_box = pg.ViewBox()
        self.channel_box.setParentItem(self.ladder_plot)
        self.ladder_plot.getViewBox().sigResized.connect(self._fit_channel_box)
        self.ladder_plot.showAxis("right")
        self.ladder_plot.getAxis("right").linkToView(self.channel_box)
        self.channel_box.setXLink(self.ladder_plot)
        self.channel_line = pg.PlotDataItem(connect="finite", symbol="s", symbolSize=6)
        self.channel_box.addItem(self.channel_line)
        self.selection_bands = []
        for plot in (self.bar_plot, self.ladder_plot):
            band = pg.LinearRegionItem(movable=False)
            band.setZValue(-10)
            band.setVisible(False)
            plot.addItem(band, ignoreBounds=True)
            self.selection_bands.append(band)
        # Equal axis widths on both plots, so the shared columns line up exactly.
        self.bar_plot.showAxis("right")
        self.bar_plot.getAxis("right").setStyle(showValues=False)
        for plot in (self.bar_plot, self.ladder_plot):
            plot.getAxis("left").setWidth(_LEFT_AXIS_WIDTH)
            plot.getAxis("right").setWidth(_RIGHT_AXIS_WIDTH)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getViewBox().setDefaultPadding(0.02)
        self.channel_box.setMouseEnabled(x=False, y=False)
        self.channel_box.setMenuEnabled(False)
        self.plots.ci.layout.setRowStretchFactor(0, 3)
        self.plots.ci.layout.setRowStretchFactor(1, 2)
        self.plots.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plots.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def bar_tops(self) -> list[float]:
        """Where each bar ends, in the plot's units (log10 of the value on a log axis)."""
        y0, heights = self.bars.opts["y0"], self.bars.opts["height"]
        return [float(a + h) for a, h in zip(y0, heights)]

    def _fit_channel_box(self) -> None:
        self.channel_box.setGeometry(self.ladder_plot.getViewBox().geometry())

    # ----- looks -------------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Re-read the canvas palette (after a light/dark switch) and repaint."""
        s = style.current()
        self.plots.setBackground(s.node_fill)
        for plot in (self.bar_plot, self.ladder_plot):
            for name in ("left", "bottom", "right"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(s.node_border))
                axis.setTextPen(pg.mkPen(s.summary_text))
        self._spatial_color = s.category("Convolution")
        self._channel_color = s.category("Normalization")
        self.spatial_line.setPen(pg.mkPen(self._spatial_color, width=2))
        self.spatial_line.setSymbolBrush(self._spatial_color)
        self.spatial_line.setSymbolPen(pg.mkPen(s.node_fill))
        self.channel_line.setPen(pg.mkPen(self._channel_color, width=2, style=Qt.PenStyle.DashLine))
        self.channel_line.setSymbolBrush(self._channel_color)
        self.channel_line.setSymbolPen(pg.mkPen(s.node_fill))
        self.error_marks.setPen(pg.mkPen(s.error, width=2))
        self.error_marks.setBrush(pg.mkBrush(s.error))
        self.zero_marks.setPen(pg.mkPen(s.summary_text, width=1.5))
        self.zero_marks.setBrush(pg.mkBrush(s.node_fill))
        band_color = QColor(s.selection)
        band_color.setAlpha(45)
        for band in self.selection_bands:
            band.setBrush(pg.mkBrush(band_color))
            for line in band.lines:
                line.setPen(pg.mkPen(None))
        self.bar_plot.getAxis("right").setPen(pg.mkPen(s.node_fill))
        accent = s.selection.name()
        self.setStyleSheet(
            f"QToolButton {{ border: 1px solid {s.node_border.name()}; border-radius: 3px; padding: 2px 7px; }}"
            f"QToolButton:checked {{ background: {accent}; color: {s.node_fill.name()}; border-color: {accent}; }}"
        )
        self._update_axis_title()
        if self.series is not None:
            self._draw()

    def _update_axis_title(self) -> None:
        """Each plot says what it shows in a short title; the legend of both plots' colours sits in a
        wrapping line above them (no rotated axis titles, which collide at the dock's default height)."""
        s = style.current()
        title = f"{METRIC_TITLES[self.current_metric]} per layer" + (" (bytes)" if self.current_metric == "memory" else "")
        if self.log_scale:
            title += ", log scale"
        self.bar_plot.setTitle(f"<b>{title}</b>", size="8pt", color=s.summary_text.name(), justify="left")
        self.ladder_plot.setTitle("<b>Sizes along the network</b>", size="8pt", color=s.summary_text.name(), justify="left")
        for plot in (self.bar_plot, self.ladder_plot):  # pyqtgraph reserves 30 px for a title; one line needs less
            plot.titleLabel.setMaximumHeight(_TITLE_HEIGHT)
            plot.layout.setRowFixedHeight(0, _TITLE_HEIGHT)
        swatch = "<span style='color:{}'>{}</span>&nbsp;{}"
        items = []
        if self.series is not None:
            items += [swatch.format(s.category(c).name(), "■", c) for c in dict.fromkeys(self.series.categories)]
        spatial = _spatial_title(self.series.shapes) if self.series is not None else "positions"
        items.append(swatch.format(self._spatial_color.name(), "●", f"{spatial}, left axis"))
        items.append(swatch.format(self._channel_color.name(), "■ ╌", "channels or features, right axis"))
        if self.log_scale:
            items.append("○&nbsp;zero (a log axis has no 0)")
        self.legend.setText(" &nbsp; ".join(items))

    def plot_titles(self) -> tuple[str, str]:
        """The two plots' titles as shown (HTML)."""
        return self.bar_plot.titleLabel.text, self.ladder_plot.titleLabel.text

    def legend_text(self) -> str:
        return self.legend.text()

    def _bar_colors(self, series: Series) -> tuple[list, list]:
        s = style.current()
        selected = set(self.document.selection)
        brushes, pens = [], []
        for node_id, category, status in zip(series.ids, series.categories, series.statuses):
            color = QColor(s.category(category))
            if status != "ok":
                color.setAlpha(90)
            brushes.append(pg.mkBrush(color))
            if node_id in selected:
                pens.append(pg.mkPen(s.selection, width=3))
            else:
                pens.append(pg.mkPen(color.darker(125), width=1))
        return brushes, pens

    # ----- data -----------------------------------------------------------------------------------------
    def show_check(self, text: str, ok: bool) -> None:
        """Say what the last check with PyTorch found; a disagreement reads in the error colour."""
        self.check_label.setText(text)
        color = style.current().error.name() if not ok else self.palette().color(self.foregroundRole()).name()
        self.check_label.setStyleSheet(f"color: {color};")
        self.check_label.show()

    def schedule_refresh(self, *_args) -> None:
        """Coalesce the signals of one edit (graph event, shapes, selection) into one refresh."""
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def refresh(self) -> None:
        """Recompute the statistics and update the existing plot items."""
        self._dirty = False
        self.series = build(self.document.graph, self.document.engine)
        totals = totals_text(self.series)
        if self.scope:  # looking into an instance: the numbers of that one use
            totals = f"Inside {' › '.join(self.scope)}: {totals}"
        self.totals_label.setText(totals)
        training = self.series.stats.total.formulas.get("training_memory", "")
        tip = f"{totals}\n\nTraining memory: {training}"
        if self.series.blocks:
            tip += "\n\nPer block (double-click a block's bar to look inside):\n" + "\n".join(
                b.describe() for b in self.series.blocks)
        self.totals_label.setToolTip(tip)
        labels = list(self.series.labels)
        self.bar_axis.set_labels(labels)
        self.ladder_axis.set_labels(labels)
        self._draw()

    def _draw(self) -> None:
        series = self.series
        n = len(series)
        xs = list(range(n))
        values = series.values(self.current_metric)
        tops = _log(values, self.log_scale)
        floor = LOG_FLOOR if self.log_scale else 0.0
        brushes, pens = self._bar_colors(series)
        self.bars.setOpts(
            x=xs, y0=[floor] * n, height=[t - floor for t in tops], width=_BAR_WIDTH, brushes=brushes, pens=pens
        )
        errors = [i for i, status in enumerate(series.statuses) if status != "ok"]
        self.error_marks.setData(x=errors, y=[floor] * len(errors))
        zeros = [i for i, (v, ok) in enumerate(zip(values, series.statuses)) if self.log_scale and ok == "ok" and not v]
        self.zero_marks.setData(x=zeros, y=[floor] * len(zeros))
        self.spatial_line.setData(xs, _ladder_values(series.spatial, self.log_scale))
        self.channel_line.setData(xs, _ladder_values(series.channels, self.log_scale))
        for axis in (
            self.bar_plot.getAxis("left"),
            self.ladder_plot.getAxis("left"),
            self.ladder_plot.getAxis("right"),
        ):
            axis.setLogMode(self.log_scale)
        top = max(tops, default=floor)
        self.bar_plot.setYRange(floor, top if top > floor + 0.5 else floor + 1.0, padding=0.05)
        self.bar_plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        self.ladder_plot.setYRange(*_value_range(series.spatial, self.log_scale), padding=0.08)
        self.channel_box.setYRange(*_value_range(series.channels, self.log_scale), padding=0.08)
        self._update_axis_title()
        self._show_selection(self.document.selection)

    def _show_selection(self, node_ids: list[str]) -> None:
        if self.series is None:
            return
        index = self.series.index(node_ids[0]) if len(node_ids) == 1 else None
        self.ladder_axis.set_selected(index)
        for band in self.selection_bands:
            band.setVisible(index is not None)
            if index is not None:
                band.setRegion((index - 0.5, index + 0.5))
        _, pens = self._bar_colors(self.series)
        self.bars.setOpts(pens=pens)

    # ----- user input --------------------------------------------------------------------------------
    def set_metric(self, metric: str) -> None:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; one of {', '.join(METRICS)}")
        self.current_metric = metric
        self.metric_buttons[metric].setChecked(True)
        self._update_axis_title()
        if self.series is not None:
            self._draw()

    def set_log_scale(self, on: bool) -> None:
        self.log_scale = bool(on)
        self._update_axis_title()
        if self.log_box.isChecked() != self.log_scale:
            self.log_box.setChecked(self.log_scale)
        if self.series is not None:
            self._draw()

    def index_at(self, scene_pos: QPointF) -> int | None:
        """The layer whose column is under a point of the plots' scene, or None."""
        if self.series is None:
            return None
        for plot in (self.bar_plot, self.ladder_plot):
            box = plot.getViewBox()
            if box.sceneBoundingRect().contains(scene_pos):
                x = box.mapSceneToView(scene_pos).x()
                i = round(x)
                if 0 <= i < len(self.series) and abs(x - i) <= _HIT_HALF_WIDTH:
                    return i
        return None

    def column_center(self, index: int, plot: str = "bars") -> QPoint:
        """The middle of a layer's column, in the plots widget's coordinates."""
        item = self.bar_plot if plot == "bars" else self.ladder_plot
        box = item.getViewBox()
        y = box.viewRange()[1]
        scene = box.mapViewToScene(QPointF(index, (y[0] + y[1]) / 2))
        return self.plots.mapFromScene(scene)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        index = self.index_at(scene_pos)
        if index is None:
            QToolTip.hideText()
            return
        QToolTip.showText(QCursor.pos(), self.series.hover_text(index), self.plots)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        index = self.index_at(event.scenePos())
        if index is None:
            return
        node_id = self.series.ids[index]
        if event.double():
            if node_id in self.series.instances():
                self.enter_requested.emit(node_id)
            return
        self.document.select([node_id])
        if self.view is not None:
            self.view.center_on_node(node_id)
        self.node_activated.emit(node_id)

    # ----- export ----------------------------------------------------------------------------------------
    def export_plot(self, path: str, target: str = "bars") -> None:
        """Write a plot to ``path``: SVG for ``.svg``, else a PNG image. Raises OSError when it cannot."""
        if self._dirty:
            self.refresh()
        item = {"bars": self.bar_plot, "ladder": self.ladder_plot, "both": self.plots.ci}[target]
        if path.lower().endswith(".svg"):
            self._export_svg(item, path)
        else:
            exporter = ImageExporter(item)
            # Twice the on-screen size reads well in slides and papers; the exporter wants whole pixels.
            exporter.parameters()["width"] = int(max(item.sceneBoundingRect().width(), 100) * 2)
            if not exporter.export(path):
                raise OSError(f"could not write the image to {path}")
        if not os.path.exists(path):
            raise OSError(f"could not write {path}")

    def _export_svg(self, item, path: str) -> None:
        """Qt's own SVG writer over the plot's part of the scene. pyqtgraph's SVG exporter rewrites the
        clip paths Qt 6.11 writes and fails on them ("not enough values to unpack"); these plots never
        draw outside their view boxes, so they need no clipping."""
        source = item.sceneBoundingRect()
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(source.size().toSize())
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setResolution(self.logicalDpiX())  # pyqtgraph sizes some parts in device pixels
        generator.setTitle(f"{self.document.graph.name}: {METRIC_TITLES[self.current_metric]}")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"could not write {path}")
        try:
            painter.fillRect(QRectF(0, 0, source.width(), source.height()), style.current().node_fill)
            self.plots.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            painter.end()

    def _export_dialog(self, target: str) -> None:
        name = f"{self.document.graph.name or 'design'} {EXPORT_TARGETS[target].lower()}.png".replace("/", "-")
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Export {EXPORT_TARGETS[target]}", name, "PNG image (*.png);;SVG drawing (*.svg)"
        )
        if not path:
            return
        if not os.path.splitext(path)[1]:
            path += ".svg" if "svg" in chosen else ".png"
        try:
            self.export_plot(path, target)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"The plot could not be saved: {exc}. Choose another folder.")

    # ----- Qt overrides ----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()
