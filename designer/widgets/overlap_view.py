"""The overlap view: how many kernel taps of a transposed convolution land on each output position.

For the selected ConvTranspose node, a heat map of ``core.overlap.node_map`` (one row for 1-D, H×W for
2-D, the middle depth slice for 3-D) shows the uneven pattern behind checkerboard artifacts at a glance;
the checkerboard warning and its alternatives (``explain.checkerboard_advice``) sit below, each applied
in one click as one undo step. A slider steps one input position through its scatter: the output
positions its kernel taps reach (``Axis.taps``) are outlined on the map. Nothing here computes a shape:
the input size comes from the engine, the map and the taps from the core. Imports pyqtgraph, so the
main window imports this module when the view is first opened.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.core import catalog
from designer.core.builders import replacement_edit
from designer.core.errors import GraphError
from designer.core.explain import checkerboard_advice, checkerboard_warning
from designer.core.layers.common import expand
from designer.core.overlap import Axis, interior_pattern, node_axes, node_map
from designer.core.shapes import format_shape
from designer.core.spec import SPREADS

MAX_NUMBERED_CELLS = 256  # write the count in each cell up to 16×16; beyond that the colours speak
STEP_INTERVAL_MS = 450


def is_transposed_conv(document, node_id: str | None) -> bool:
    return (
        node_id is not None
        and node_id in document.graph
        and catalog.exists(type_name := document.graph.node(node_id).type_name)
        and catalog.get(type_name).window == SPREADS
    )


def _span(positions: list[int]) -> str:
    if not positions:
        return "none"
    return str(positions[0]) if len(positions) == 1 else f"{min(positions)}–{max(positions)}"


class OverlapView(QWidget):
    """Shows ``node_id`` (or, with ``follow_selection``, the one selected transposed conv) of ``document``."""

    def __init__(self, document, follow_selection: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.follow_selection = follow_selection
        self.node_id: str | None = None
        self.axes: list[Axis] = []
        self.counts = np.zeros((0, 0), dtype=int)
        self.alternatives = []
        self.alternative_buttons: list[QPushButton] = []
        self._numbers: list[pg.TextItem] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._player = QTimer(self)
        self._player.setInterval(STEP_INTERVAL_MS)
        self._player.timeout.connect(self._step)

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self._build_plots()
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.valueChanged.connect(self._show_scatter)
        self.play_button = QPushButton("Play", self)
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._play)
        self.step_label = QLabel(self)
        self.step_label.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alternatives_box = QVBoxLayout()
        self.alternatives_box.setSpacing(4)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        step_row = QHBoxLayout()
        step_row.addWidget(QLabel("Input position", self))
        step_row.addWidget(self.slider, 1)
        step_row.addWidget(self.play_button)
        self.details = QWidget(self)
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.addWidget(self.plots, 1)
        details.addLayout(step_row)
        details.addWidget(self.step_label)
        details.addWidget(self.warning)
        details.addLayout(self.alternatives_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.status)
        self.setMinimumSize(280, 300)

        document.graph_changed.connect(self._schedule)
        document.reset_done.connect(self._schedule)
        document.selection_changed.connect(self._on_selection)
        self.restyle()
        if follow_selection:
            self._on_selection(document.selection)
        else:
            self.refresh()

    def _build_plots(self) -> None:
        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.input_plot = self.plots.addPlot(row=0, col=0, title="input")
        self.input_image = pg.ImageItem(axisOrder="row-major")
        self.input_plot.addItem(self.input_image)
        self.input_marker = pg.ScatterPlotItem(symbol="s", size=1, pxMode=False)
        self.input_plot.addItem(self.input_marker)
        self.output_plot = self.plots.addPlot(row=0, col=1, title="output: kernel taps per position")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.output_plot.addItem(self.image)
        self.footprint = pg.ScatterPlotItem(symbol="s", size=1, pxMode=False)
        self.footprint.setZValue(10)
        self.output_plot.addItem(self.footprint)
        # Under the map rather than beside it: docks are narrower than they are tall.
        self.colorbar = pg.ColorBarItem(
            colorMap=pg.colormap.get("viridis"), interactive=False, width=12, orientation="horizontal"
        )
        self.colorbar.setImageItem(self.image)
        self.colorbar.getAxis("bottom").setStyle(hideOverlappingLabels=False)  # keep the end counts
        self.plots.addItem(self.colorbar, row=1, col=1)
        for plot in (self.input_plot, self.output_plot):
            plot.setAspectLocked(True)
            plot.invertY(True)  # row 0 at the top, as images are read
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self.input_plot.hideAxis("left")
        self.input_plot.hideAxis("bottom")
        self.plots.ci.layout.setColumnStretchFactor(0, 1)
        self.plots.ci.layout.setColumnStretchFactor(1, 3)

    # ----- looks ---------------------------------------------------------------------------------------
    def restyle(self) -> None:
        s = style.current()
        self.plots.setBackground(s.node_fill)
        for plot in (self.input_plot, self.output_plot, self.colorbar):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(s.node_border))
                axis.setTextPen(pg.mkPen(s.summary_text))
        for plot, text in ((self.input_plot, "input"), (self.output_plot, "output: kernel taps per position")):
            plot.setTitle(text, color=s.summary_text.name(), size="10pt")
        # Alternate shades so single input positions can be told apart.
        shades = (s.grid_minor, s.grid_major.darker(112) if not s.dark else s.grid_major.lighter(140))
        self.input_image.setLookupTable(np.array([[c.red(), c.green(), c.blue()] for c in shades], dtype=np.ubyte))
        self.input_marker.setPen(pg.mkPen(s.selection, width=2))
        self.input_marker.setBrush(pg.mkBrush(s.selection))
        self.footprint.setPen(pg.mkPen(s.error if s.dark else s.error.darker(110), width=3))
        self.footprint.setBrush(pg.mkBrush(None))
        self.refresh()

    # ----- which node ---------------------------------------------------------------------------------
    def _on_selection(self, node_ids: list[str]) -> None:
        if not self.follow_selection:
            return
        chosen = node_ids[0] if len(node_ids) == 1 else None
        if chosen != self.node_id:
            self.set_node(chosen)

    def set_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        self.slider.setValue(0)
        self.refresh()

    def _schedule(self, *_args) -> None:
        self._timer.start()

    # ----- drawing --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._timer.stop()
        if not is_transposed_conv(self.document, self.node_id):
            self._show_nothing(
                "Select a transposed convolution (ConvTranspose1d, 2d or 3d) to see how its kernel taps overlap "
                "in the output."
            )
            return
        graph, engine = self.document.graph, self.document.engine
        node = graph.node(self.node_id)
        result = engine.result(self.node_id)
        source = graph.inputs(self.node_id).get(0)
        shape_in = engine.shape(source) if source is not None else None
        rank = catalog.get(node.type_name).rank
        if not result.ok or shape_in is None:
            self._show_nothing(
                f"{node.type_name} '{node.label}' has no size yet: {result.message() or 'connect its input'}."
            )
            return
        params = catalog.get(node.type_name).resolve(node.params)
        self.axes = node_axes(params, shape_in[-rank:])
        self.counts = np.array(node_map(params, shape_in[-rank:]), dtype=int)
        self.details.setVisible(True)
        settings = ", ".join(
            f"{name} {_plain(params[name])}"
            for name in ("kernel_size", "stride", "padding", "dilation", "output_padding")
        )
        slice_note = " (the middle depth slice)" if rank == 3 else ""
        self.title.setText(
            f"<b>{node.type_name} '{node.label}'</b>: {settings}<br>{format_shape(tuple(shape_in[-rank:]))} → "
            f"{format_shape(tuple(result.shape[-rank:]))}{slice_note}"
        )
        self._draw_map()
        self._draw_input()
        count = self._input_count()
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(count - 1, 0))
        self.slider.setValue(min(self.slider.value(), max(count - 1, 0)))
        self.slider.blockSignals(False)
        self._show_scatter(self.slider.value())
        self._show_advice(node, params, rank)

    def _show_nothing(self, text: str) -> None:
        self.play_button.setChecked(False)
        self.axes = []
        self.counts = np.zeros((0, 0), dtype=int)
        self.alternatives = []
        self.details.setVisible(False)
        self.title.setText(text)
        self._clear_alternatives()

    def _draw_map(self) -> None:
        counts = self.counts
        low, high = (int(counts.min()), int(counts.max())) if counts.size else (0, 1)
        self.image.setImage(counts.astype(float), autoLevels=False)
        self.colorbar.setLevels((low - 0.5, high + 0.5) if low == high else (low, high))
        step = max(1, (high - low) // 8)
        self.colorbar.getAxis("bottom").setTicks([[(v, str(v)) for v in range(low, high + 1, step)], []])
        # Cell (row, column) is centred on its integer coordinates, so the axes number rows and columns.
        self.image.setRect(-0.5, -0.5, counts.shape[1], counts.shape[0])
        for item in self._numbers:
            self.output_plot.removeItem(item)
        self._numbers = []
        if counts.size <= MAX_NUMBERED_CELLS:
            # The digits take the map's extremes' contrast: dark on the bright end of viridis, light elsewhere.
            for (h, w), value in np.ndenumerate(counts):
                bright = high > low and (value - low) / (high - low) > 0.6
                text = pg.TextItem(str(value), color="#1d2127" if bright else "#ffffff", anchor=(0.5, 0.5))
                text.setPos(w, h)
                self.output_plot.addItem(text)
                self._numbers.append(text)
        self.output_plot.setRange(
            xRange=(-0.5, counts.shape[1] - 0.5), yRange=(-0.5, counts.shape[0] - 0.5), padding=0.02
        )

    def _input_grid(self) -> tuple[int, int]:
        """(rows, columns) of the input positions the slider walks: H×W, or 1×L for 1-D."""
        if len(self.axes) == 1:
            return 1, self.axes[0].size_in
        return self.axes[-2].size_in, self.axes[-1].size_in

    def _input_count(self) -> int:
        rows, cols = self._input_grid()
        return rows * cols

    def _draw_input(self) -> None:
        rows, cols = self._input_grid()
        self.input_image.setImage(np.indices((rows, cols)).sum(axis=0) % 2, levels=(0, 1))
        self.input_image.setRect(-0.5, -0.5, cols, rows)
        self.input_plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0.02)

    def scatter(self, index: int) -> tuple[tuple[int, int], list[tuple[int, int]]]:
        """Input position ``index`` (row-major) and the output cells (row, column) its kernel taps reach."""
        rows, cols = self._input_grid()
        r, c = divmod(index, cols)
        if len(self.axes) == 1:
            return (0, c), [(0, o) for _, o in self.axes[0].taps(c)]
        along_h = [o for _, o in self.axes[-2].taps(r)]
        along_w = [o for _, o in self.axes[-1].taps(c)]
        return (r, c), [(h, w) for h in along_h for w in along_w]

    def _show_scatter(self, index: int) -> None:
        if not self.axes:
            return
        (r, c), cells = self.scatter(index)
        self.input_marker.setData(x=[c], y=[r])
        self.footprint.setData(x=[w for _, w in cells], y=[h for h, _ in cells])
        kernel = [a.kernel for a in self.axes[-2:]] if len(self.axes) > 1 else [self.axes[0].kernel]
        total = 1
        for k in kernel:
            total *= k
        if len(self.axes) == 1:
            where = f"Input position {c} adds its {kernel[0]} kernel taps to outputs {_span([w for _, w in cells])}"
        else:
            rows_hit = sorted({h for h, _ in cells})
            cols_hit = sorted({w for _, w in cells})
            where = (
                f"Input pixel (row {r}, column {c}) adds its {'×'.join(str(k) for k in kernel)} kernel to output rows "
                f"{_span(rows_hit)}, columns {_span(cols_hit)}"
            )
        cut = total - len(cells)
        tail = f"; {cut} of its {total} taps fall outside the output (cut by padding)." if cut else "."
        self.step_label.setText(where + tail)

    def _show_advice(self, node, params, rank: int) -> None:
        s = style.current()
        message = checkerboard_warning(node.type_name, node.params)
        self._clear_alternatives()
        if message is None:
            kernel, stride, dilation = (expand(params[k], rank) for k in ("kernel_size", "stride", "dilation"))
            taps = [interior_pattern(k, st, d)[0] for k, st, d in zip(kernel, stride, dilation)]
            total = 1
            for t in taps:
                total *= t
            self.warning.setText(
                f"<span style='color:{s.port_valid.name()}'>✔ Even overlap:</span> away from the borders every output "
                f"position receives {total} kernel tap{'s' if total != 1 else ''}, so no checkerboard pattern."
            )
            self.alternatives = []
            return
        self.warning.setText(f"<span style='color:{s.warning.name()}'><b>⚠</b> {html.escape(message)}</span>")
        advice = checkerboard_advice(self.document.graph, self.document.engine, self.node_id)
        self.alternatives = list(advice.alternatives) if advice else []
        for i, alternative in enumerate(self.alternatives):
            row = QWidget(self)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"• {alternative.title}", row)
            text.setWordWrap(True)
            button = QPushButton("Apply", row)
            button.setToolTip("Use this instead, in one undo step")
            button.clicked.connect(lambda _checked=False, i=i: self.apply_alternative(i))
            line.addWidget(text, 1)
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.alternatives_box.addWidget(row)
            self.alternative_buttons.append(button)

    def _clear_alternatives(self) -> None:
        self.alternative_buttons = []
        while self.alternatives_box.count():
            widget = self.alternatives_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    # ----- actions ----------------------------------------------------------------------------------------
    def apply_alternative(self, index: int) -> bool:
        """Apply alternative ``index`` as one undo step and select the layer that now does the job."""
        alternative = self.alternatives[index]
        edit, selected = replacement_edit(self.document.graph, self.node_id, alternative)
        try:
            self.document.apply(edit)
        except GraphError as exc:
            self.status.setText(f"Not applied: {exc}")
            return False
        self.status.setText(f"Applied: {alternative.title}. Undo takes it back.")
        if not self.follow_selection:
            self.set_node(selected)
        self.document.select([selected])  # a view that follows the selection moves to the new layer here
        self.refresh()
        return True

    def _play(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on:
            self._player.start()
        else:
            self._player.stop()

    def _step(self) -> None:
        if self.slider.maximum() == 0:
            self.play_button.setChecked(False)
            return
        self.slider.setValue((self.slider.value() + 1) % (self.slider.maximum() + 1))

    def hideEvent(self, event) -> None:
        self.play_button.setChecked(False)
        super().hideEvent(event)


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[0]) if len(set(value)) == 1 else str(list(value))
    return str(value)
