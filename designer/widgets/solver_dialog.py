"""The parameter solver dialog: which settings take a layer's input to the size you want, and back again.

"This layer" (for a conv, transposed conv or pool node) lists, best first, every kernel_size, stride,
padding (output_padding, dilation) from ``core.solver.solve`` that gives exactly the wanted output size
per spatial dim; one click sets a row on the node as one undo step. "Whole design" answers the reverse
question with ``core.solver.required_input_sizes``: which input sizes end at a wanted size, and sets one
on the Input node, also as one undo step. The dialog only reads the document and applies edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.core import catalog
from designer.core.edits import SetParams
from designer.core.errors import GraphError
from designer.core.shapes import dim_names, format_shape
from designer.core.solver import SOLVABLE, Bounds, Solution, SolverError, required_input_sizes, solve, spatial_rank

MAX_ROWS = 200
MAX_SIZE = 100_000
_SOLVED_KEYS = ("kernel_size", "stride", "padding", "output_padding", "dilation", "ceil_mode")


def _text(value: Any) -> str:
    return str(list(value)) if isinstance(value, (list, tuple)) else str(value)


def _per_dim(value: Any, rank: int) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank


def can_solve(document, node_id: str | None) -> bool:
    """True for a node the layer solver handles (Conv, ConvTranspose, MaxPool, AvgPool in 1-3 D)."""
    return node_id is not None and node_id in document.graph and document.graph.node(node_id).type_name in SOLVABLE


@dataclass(frozen=True)
class Row:
    """One answer for every spatial dim: per parameter one value, or one per dim where dims differ."""

    values: dict[str, Any]
    even: bool

    def text(self) -> str:
        return ", ".join(f"{k} {_text(v)}" for k, v in self.values.items())


def combine(per_dim: list[list[Solution]]) -> list[Row]:
    """Rows that give every dim its wanted size, ranked as the first dim's answers.

    Dims share kernel_size, stride and dilation (one filter shape); padding and output_padding may differ
    per dim, each dim taking its best answer with that kernel, stride and dilation.
    """
    rows = []
    for first in per_dim[0]:
        chosen = [first]
        for answers in per_dim[1:]:
            same = [
                a
                for a in answers
                if (a.kernel_size, a.stride, a.dilation) == (first.kernel_size, first.stride, first.dilation)
            ]
            match = first if first in same else next(iter(same), None)
            if match is None:
                break
            chosen.append(match)
        else:
            values: dict[str, Any] = {}
            for key in ("kernel_size", "stride", "padding", "output_padding", "dilation"):
                per = [getattr(a, key) for a in chosen]
                if per[0] is None:
                    continue
                values[key] = per[0] if len(set(per)) == 1 else list(per)
            rows.append(Row(values, all(a.even for a in chosen)))
            if len(rows) >= MAX_ROWS:
                break
    return rows


def applied_params(node_params: dict[str, Any], row: Row, type_name: str) -> dict[str, Any]:
    """The node's params with the row's settings; the solver assumes ceil_mode off and no 'same' padding."""
    params = {k: v for k, v in node_params.items() if k not in _SOLVED_KEYS}
    names = {p.name for p in catalog.get(type_name).params}
    params.update({k: v for k, v in row.values.items() if k in names and not (k == "dilation" and v == 1)})
    return params


class LayerSolver(QWidget):
    """The "This layer" page for ``node_id``."""

    def __init__(self, document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_id = node_id
        self.type_name = document.graph.node(node_id).type_name
        self.rank = spatial_rank(self.type_name)
        self.rows: list[Row] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.solve)

        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.addWidget(QLabel("<b>input</b>"), 0, 1)
        grid.addWidget(QLabel("<b>wanted output</b>"), 0, 2)
        names = dim_names(self.rank + 2)[2:]
        self.input_spins: list[QSpinBox] = []
        self.output_spins: list[QSpinBox] = []
        for i, name in enumerate(names):
            grid.addWidget(QLabel(f"{name}"), i + 1, 0)
            for column, spins in ((1, self.input_spins), (2, self.output_spins)):
                spin = QSpinBox(self)
                spin.setRange(1, MAX_SIZE)
                spin.setAccelerated(True)
                spin.valueChanged.connect(self._schedule)
                grid.addWidget(spin, i + 1, column)
                spins.append(spin)
        grid.setColumnStretch(3, 1)
        limits = QHBoxLayout()
        limits.addWidget(QLabel("Search kernel_size up to"))
        self.max_kernel = self._limit_spin(Bounds().max_kernel, 1, 64)
        limits.addWidget(self.max_kernel)
        limits.addWidget(QLabel("and stride up to"))
        self.max_stride = self._limit_spin(Bounds().max_stride, 1, 64)
        limits.addWidget(self.max_stride)
        limits.addStretch(1)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.apply_row(row))
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(grid)
        layout.addLayout(limits)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._columns = self._column_names()
        self.table.setColumnCount(len(self._columns) + 2)
        self.table.setHorizontalHeaderLabels([*self._columns, "overlap", ""])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(self._columns), QHeaderView.ResizeMode.Stretch)
        self._fill_sizes()
        self.solve()

    def _limit_spin(self, value: int, low: int, high: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self._schedule)
        return spin

    def _column_names(self) -> list[str]:
        names = ["kernel_size", "stride", "padding"]
        if self.type_name.startswith("ConvTranspose"):
            names.append("output_padding")
        if not self.type_name.startswith("AvgPool"):
            names.append("dilation")
        return names

    def _schedule(self, *_args) -> None:
        self._timer.start()

    # ----- sizes --------------------------------------------------------------------------------------
    def input_spatial(self) -> tuple[int, ...] | None:
        """The node's input spatial sizes from the engine, or None when it has none yet."""
        graph, engine = self.document.graph, self.document.engine
        source = graph.inputs(self.node_id).get(0)
        shape = engine.shape(source) if source is not None else None
        if shape is None or len(shape) < self.rank + 1:
            return None
        return tuple(shape[-self.rank :])

    def _fill_sizes(self) -> None:
        node = self.document.graph.node(self.node_id)
        result = self.document.engine.result(self.node_id)
        spatial_in = self.input_spatial()
        output = result.shape if result.ok else None
        for spins in (self.input_spins, self.output_spins):
            for spin in spins:
                spin.blockSignals(True)
        for i in range(self.rank):
            known = spatial_in is not None
            self.input_spins[i].setValue(spatial_in[i] if known else max(self.input_spins[i].value(), 32))
            self.input_spins[i].setReadOnly(known)
            self.input_spins[i].setToolTip(
                "From the engine: the size that reaches this layer"
                if known
                else "This layer has no input size yet; type the size you plan to feed it"
            )
            if output is not None:
                self.output_spins[i].setValue(output[-self.rank + i])
            else:
                self.output_spins[i].setValue(self.input_spins[i].value())
        for spins in (self.input_spins, self.output_spins):
            for spin in spins:
                spin.blockSignals(False)
        source = self.document.graph.inputs(self.node_id).get(0)
        shape_in = self.document.engine.result(source).display_shape if source is not None else None
        now_in = f"takes <b>{format_shape(shape_in)}</b>" if shape_in else "has no input size yet"
        now_out = f" and gives <b>{format_shape(result.display_shape)}</b>" if output else ""
        self.header.setText(
            f"{self.type_name} '{node.label}' {now_in}{now_out}. Which settings give the size you want?"
        )

    def sizes(self) -> tuple[list[int], list[int]]:
        return [s.value() for s in self.input_spins], [s.value() for s in self.output_spins]

    def set_wanted(self, sizes: list[int]) -> None:
        """Ask for these output sizes (one per spatial dim) and solve now."""
        for spin, size in zip(self.output_spins, sizes):
            spin.setValue(size)
        self.solve()

    # ----- solving ------------------------------------------------------------------------------------
    def solve(self) -> None:
        self._timer.stop()
        sizes_in, sizes_out = self.sizes()
        bounds = Bounds(self.max_kernel.value(), self.max_stride.value(), Bounds().max_dilation)
        try:
            per_dim = [solve(self.type_name, a, b, bounds) for a, b in zip(sizes_in, sizes_out)]
        except SolverError as exc:
            self._show_rows([], f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        rows = combine(per_dim)
        wanted = "×".join(str(s) for s in sizes_out)
        if not rows:
            text = (
                f"No setting with kernel_size up to {bounds.max_kernel} and stride up to {bounds.max_stride} takes "
                f"{'×'.join(str(s) for s in sizes_in)} to {wanted}. Raise the limits, or use an adaptive pool, "
                f"which reaches any size."
            )
        else:
            more = f" (the first {MAX_ROWS})" if len(rows) >= MAX_ROWS else ""
            text = (
                f"{len(rows)} setting{'s' if len(rows) != 1 else ''}{more} give {wanted}, best first: even overlap, "
                "then small kernels, no output_padding, dilation 1. Click Apply (or double-click a row) to use one."
            )
        self._show_rows(rows, text)

    def _show_rows(self, rows: list[Row], text: str) -> None:
        self.rows = rows
        self.summary.setText(text)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, name in enumerate(self._columns):
                value = row.values.get(name, 1 if name == "dilation" else 0)
                item = QTableWidgetItem(_text(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
            overlap = QTableWidgetItem("even" if row.even else "uneven")
            overlap.setToolTip(
                "Every output position gets the same number of kernel taps"
                if row.even
                else "Neighbouring output positions get different numbers of kernel taps (checkerboard artifacts)"
            )
            self.table.setItem(r, len(self._columns), overlap)
            button = QToolButton(self.table)
            if self._is_current(row):
                button.setText("Current")
                button.setEnabled(False)
                button.setToolTip("The layer has these settings now")
                for c in range(len(self._columns) + 1):
                    font = self.table.item(r, c).font()
                    font.setBold(True)
                    self.table.item(r, c).setFont(font)
            else:
                button.setText("Apply")
                button.setToolTip(f"Set {row.text()} on the layer (one undo step)")
                button.clicked.connect(lambda _checked=False, r=r: self.apply_row(r))
            self.table.setCellWidget(r, len(self._columns) + 1, button)

    def _is_current(self, row: Row) -> bool:
        """Whether the node already has the row's settings (torch's defaults fill what it leaves out)."""
        spec = catalog.get(self.type_name)
        node = self.document.graph.node(self.node_id)
        try:
            now = spec.resolve(node.params)
            wanted = spec.resolve(applied_params(node.params, row, self.type_name))
        except (KeyError, TypeError, ValueError):
            return False
        return all(_per_dim(now[k], self.rank) == _per_dim(wanted[k], self.rank) for k in row.values if k in now)

    def apply_row(self, index: int) -> bool:
        """Set row ``index`` on the node as one undo step; False (with a sentence shown) if refused."""
        row = self.rows[index]
        node = self.document.graph.node(self.node_id)
        params = applied_params(node.params, row, self.type_name)
        try:
            self.document.apply(SetParams(self.node_id, params, text="Apply Solver Settings"))
        except GraphError as exc:
            self.status.setText(f"Not applied: {exc}")
            return False
        result = self.document.engine.result(self.node_id)
        now = format_shape(result.display_shape) if result.ok else "no size"
        self.status.setText(f"Applied {row.text()}: the layer now gives {now}. Undo takes it back.")
        return True

    def refresh(self) -> None:
        """After an outside edit: re-read the sizes (the wanted sizes stay as typed)."""
        wanted = [s.value() for s in self.output_spins]
        self._fill_sizes()
        self.set_wanted(wanted)


class DesignSolver(QWidget):
    """The "Whole design" page: which input sizes make the design end at a wanted size."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.found: list[int] = []
        intro = QLabel(
            "Which input size does this design need to end at a given size? Every size in the range is tried "
            "on a copy of the design; nothing changes until you use one.",
            self,
        )
        intro.setWordWrap(True)
        self.input_combo = QComboBox(self)
        self.end_combo = QComboBox(self)
        self.axis_combo = QComboBox(self)
        self.target = QSpinBox(self)
        self.target.setRange(1, MAX_SIZE)
        self.max_size = QSpinBox(self)
        self.max_size.setRange(1, 4096)
        self.max_size.setValue(256)
        for spin in (self.target, self.max_size):
            spin.setMaximumWidth(140)
        self.find_button = QPushButton("Find Input Sizes", self)
        self.find_button.clicked.connect(self.find)
        form = QFormLayout()
        form.addRow("Input", self.input_combo)
        form.addRow("Ends at", self.end_combo)
        form.addRow("Size of", self.axis_combo)
        form.addRow("Wanted size at the end", self.target)
        form.addRow("Try input sizes 1 to", self.max_size)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.itemDoubleClicked.connect(lambda _item: self.use_selected())
        self.use_button = QPushButton("Set the Input to This Size", self)
        self.use_button.clicked.connect(self.use_selected)
        self.use_button.setEnabled(False)
        self.list.currentRowChanged.connect(lambda row: self.use_button.setEnabled(row >= 0))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignRight)
        self.input_combo.currentIndexChanged.connect(self._fill_axes)
        self.end_combo.currentIndexChanged.connect(self._fill_target)
        self._answered_at = -1  # the undo-stack index the shown answers belong to
        self.refresh()
        self._fill_target()

    def refresh(self) -> None:
        """Re-read the design's inputs and ends; answers found before someone else's edit are dropped."""
        if self.found and self.document.undo_stack.index() != self._answered_at:
            self.found = []
            self.list.clear()
            self.result.setText("The design has changed since the last search; find again.")
        graph, engine = self.document.graph, self.document.engine
        order = engine.order()
        kinds = {n: graph.spec(graph.node(n).type_name).kind for n in order}
        inputs = [n for n in order if kinds[n] == "input"]
        ends = [n for n in order if kinds[n] == "output"] or [n for n in order if not graph.out_edges(n)]
        for combo, ids in ((self.input_combo, inputs), (self.end_combo, ends)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for node_id in ids:
                shape = engine.result(node_id).display_shape
                combo.addItem(f"{graph.node(node_id).label}  ({format_shape(shape) if shape else 'no size'})", node_id)
            if current in ids:
                combo.setCurrentIndex(ids.index(current))
            combo.blockSignals(False)
        self.find_button.setEnabled(bool(inputs and ends))
        self._fill_axes()

    def _input_shape(self) -> list[int] | None:
        node_id = self.input_combo.currentData()
        if node_id is None or node_id not in self.document.graph:
            return None
        return list(self.document.graph.node(node_id).params.get("shape", []))

    def _fill_axes(self, *_args) -> None:
        shape = self._input_shape() or []
        names = dim_names(len(shape))[2:]
        current = self.axis_combo.currentData()
        self.axis_combo.blockSignals(True)
        self.axis_combo.clear()
        if names:
            self.axis_combo.addItem(f"every spatial dim ({'×'.join(names)})", None)
            if len(names) > 1:
                for i, name in enumerate(names):
                    self.axis_combo.addItem(f"{name} only", i)
        index = self.axis_combo.findData(current)
        self.axis_combo.setCurrentIndex(max(index, 0))
        self.axis_combo.blockSignals(False)

    def _fill_target(self, *_args) -> None:
        node_id = self.end_combo.currentData()
        shape = self.document.engine.shape(node_id) if node_id is not None else None
        if shape is not None and len(shape) >= 3:
            self.target.setValue(shape[2])

    def find(self) -> None:
        axis = self.axis_combo.currentData()
        try:
            self.found = required_input_sizes(
                self.document.graph,
                self.document.engine,
                self.target.value(),
                input_id=self.input_combo.currentData(),
                output_id=self.end_combo.currentData(),
                sizes=range(1, self.max_size.value() + 1),
                axis=axis,
            )
        except SolverError as exc:
            self.found = []
            self.result.setText(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            self.list.clear()
            return
        self._answered_at = self.document.undo_stack.index()
        self.list.clear()
        for size in self.found:
            QListWidgetItem(self._shape_text(size), self.list)
        what = self.axis_combo.currentText()
        if self.found:
            self.result.setText(
                f"{len(self.found)} input size{'s' if len(self.found) != 1 else ''} from 1 to {self.max_size.value()} "
                f"end at {self.target.value()} ({what}):"
            )
            self.list.setCurrentRow(0)
        else:
            self.result.setText(
                f"No input size from 1 to {self.max_size.value()} ends at {self.target.value()} ({what}). "
                "Try a larger range, or change a layer's stride or padding."
            )

    def _new_shape(self, size: int) -> list[int]:
        shape = self._input_shape() or []
        axis = self.axis_combo.currentData()
        if axis is None:
            return shape[:2] + [size] * (len(shape) - 2)
        return [*shape[: 2 + axis], size, *shape[3 + axis :]]

    def _shape_text(self, size: int) -> str:
        return f"{size}   (input {format_shape(tuple(self._new_shape(size)))})"

    def use_selected(self) -> bool:
        """Set the chosen size on the Input node as one undo step."""
        row = self.list.currentRow()
        if row < 0 or row >= len(self.found):
            return False
        node_id = self.input_combo.currentData()
        node = self.document.graph.node(node_id)
        shape = self._new_shape(self.found[row])
        try:
            self.document.apply(SetParams(node_id, {**node.params, "shape": shape}, text="Set Input Size"))
        except GraphError as exc:
            self.result.setText(f"Not applied: {exc}")
            return False
        self._answered_at = self.document.undo_stack.index()
        self.result.setText(f"The input '{node.label}' is now {format_shape(tuple(shape))}. Undo takes it back.")
        return True


class SolverDialog(QDialog):
    """The solver for ``node_id`` (when it is a conv, transposed conv or pool) and for the whole design."""

    def __init__(self, document, node_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Solve for a Size")
        self.tabs = QTabWidget(self)
        self.layer_page: LayerSolver | None = None
        if can_solve(document, node_id):
            self.layer_page = LayerSolver(document, node_id, self)
            self.tabs.addTab(self.layer_page, "This Layer")
        self.design_page = DesignSolver(document, self)
        self.tabs.addTab(self.design_page, "Whole Design")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        document.reset_done.connect(self.close)
        document.shapes_changed.connect(self._timer.start)
        document.graph_changed.connect(self._timer.start)

    def refresh(self) -> None:
        """After any edit (an applied row, an undo, a change on the canvas): show the sizes as they are now."""
        page = self.layer_page
        if page is not None and page.node_id not in self.document.graph:
            self.close()  # the layer was deleted (or replaced) under the dialog
            return
        if page is not None:
            page.refresh()
        self.design_page.refresh()


def open_solver(document, node_id: str | None, parent: QWidget | None = None) -> SolverDialog:
    """Show the solver (non-modal, so the canvas stays usable) and return it."""
    dialog = SolverDialog(document, node_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
