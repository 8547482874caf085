"""One typed editor per parameter kind, chosen by ``Kind.editor``; values are validated as the user types.

Every editor shows a value with ``set_value`` (silently) and emits ``value_edited(value)`` only for a
value its kind accepts; while the text is not such a value it turns red, says why through
``problem_changed`` and emits nothing, so nothing invalid ever reaches the model. Sizes that are
well-typed but wrong for the tensor (a kernel larger than the input) are the engine's to explain.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.core import params as kinds
from designer.core.layers.common import spatial_labels
from designer.core.shapes import BATCH_SYMBOL, DIM_MEANINGS, dim_names
from designer.widgets import icons

INT_LIMIT = 2**31 - 1  # what a QSpinBox holds; larger integers get the text editor
FLOAT_LIMIT = 1e15
_INVALID_TINT = "#e5484d"


class ParamEditor(QWidget):
    """Base of all editors: the signals, the red state and the shared bookkeeping."""

    value_edited = Signal(object)
    problem_changed = Signal(str)  # "" when the typed text is a valid value again

    def __init__(self, kind: kinds.Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._quiet = 0
        self.problem = ""
        self.help = ""  # what the parameter does: the tooltip whenever no problem is shown

    def set_help(self, text: str) -> None:
        """Say what the parameter does on the editor and on each of its fields."""
        self.help = text
        if not self.problem:
            self.setToolTip(text)
        self._help_fields(text)

    def _help_fields(self, text: str) -> None:
        for field in self.findChildren(QLineEdit) + self.findChildren(QAbstractSpinBox):
            field.setToolTip(text)

    def set_value(self, value: Any) -> None:
        self._quiet += 1
        try:
            self._show(value)
        finally:
            self._quiet -= 1
        self._set_problem("")

    def value(self) -> Any:
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        """Called by subclasses when the user changed something: emit the value or flag it."""
        if self._quiet:
            return
        try:
            value = self.value()
        except ValueError as exc:
            self._set_problem(str(exc))
            return
        if not self.kind.accepts(value):
            self._set_problem(f"must be {self.kind.describe()}")
            return
        self._set_problem("")
        self.value_edited.emit(value)

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            for field in self.findChildren(QLineEdit) + self.findChildren(QAbstractSpinBox):
                mark_invalid(field, bool(text))
            self.setToolTip(text or self.help)
            self.problem_changed.emit(text)


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Tint a field red (its base blends towards red, so it reads in light and dark palettes alike)."""
    if invalid:
        palette = widget.palette()
        base = palette.color(QPalette.ColorRole.Base)
        red = QColor(_INVALID_TINT)
        tint = QColor(
            (base.red() * 2 + red.red()) // 3, (base.green() * 2 + red.green()) // 3, (base.blue() * 2 + red.blue()) // 3
        )
        palette.setColor(QPalette.ColorRole.Base, tint)
        widget.setPalette(palette)
    else:
        widget.setPalette(QPalette())
    widget.setProperty("invalid", invalid)


# ----- single values ---------------------------------------------------------------------------------
class _SpinBox(QSpinBox):
    """A spin box that reports typed text it cannot accept (QSpinBox silently keeps the old value)."""

    def __init__(self, lo: int, hi: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(lo, hi)
        self.setKeyboardTracking(True)
        self.setAccelerated(True)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)

    def acceptable(self) -> bool:
        return self.lineEdit().hasAcceptableInput()

    # Qt sizes a spin box for its widest value (2147483647): far wider than sizes ever are, which pushed
    # the Inspector's fields past its edge in a small window. Seven digits' room; longer values scroll.
    def minimumSizeHint(self) -> QSize:
        return self._capped(super().minimumSizeHint())

    def sizeHint(self) -> QSize:
        return self._capped(super().sizeHint())

    def _capped(self, hint: QSize) -> QSize:
        room = self.fontMetrics().horizontalAdvance("−0000000") + 28
        return QSize(min(hint.width(), room), hint.height())


def _int_range(kind: kinds.Kind, value: Any) -> tuple[int, int]:
    lo = getattr(kind, "minimum", None)
    lo = -INT_LIMIT if lo is None else lo
    if kinds.is_int(value):
        lo = min(lo, value)
    return lo, INT_LIMIT


class IntEditor(ParamEditor):
    def __init__(self, kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.spin = _SpinBox(*_int_range(kind, value), parent=self)
        _single(self, self.spin)
        self.spin.valueChanged.connect(lambda _v: self._changed())
        self.spin.lineEdit().textEdited.connect(lambda _t: self._check_text())
        self.spin.editingFinished.connect(lambda: self._set_problem(""))
        self.set_value(value)

    def _check_text(self) -> None:
        if not self.spin.acceptable():
            lo = self.spin.minimum()
            self._set_problem(f"must be a whole number of at least {lo}" if lo > -INT_LIMIT else "must be a whole number")
        else:
            self._set_problem("")

    def _show(self, value: Any) -> None:
        self.spin.setValue(int(value))

    def value(self) -> Any:
        return self.spin.value()


class _FloatSpinBox(QDoubleSpinBox):
    """Shows numbers compactly (``1e-05``, ``0.1``) and accepts scientific notation while typing."""

    def __init__(self, lo: float, hi: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(lo, hi)
        self.setKeyboardTracking(True)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)

    def textFromValue(self, value: float) -> str:
        return format_float(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        if stripped and not re.fullmatch(r"[0-9eE.+\-]*", stripped):
            return QValidator.State.Invalid, text, pos
        try:
            number = float(stripped)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if not math.isfinite(number) or not self.minimum() <= number <= self.maximum():
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return format_float(self.value())


def format_float(value: float) -> str:
    text = f"{value:.10g}"
    return text if any(c in text for c in ".e") or "inf" in text or "nan" in text else text + ".0"


class FloatEditor(ParamEditor):
    def __init__(self, kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        lo = getattr(kind, "minimum", None)
        hi = getattr(kind, "maximum", None)
        lo = -FLOAT_LIMIT if lo is None else lo
        hi = FLOAT_LIMIT if hi is None else hi
        if kinds.is_real(value):
            lo, hi = min(lo, value), max(hi, value)
        self.spin = _FloatSpinBox(lo, hi, self)
        _single(self, self.spin)
        self.spin.valueChanged.connect(lambda _v: self._changed())
        self.spin.lineEdit().textEdited.connect(lambda _t: self._check_text())
        self.spin.editingFinished.connect(lambda: self._set_problem(""))
        self.set_value(value)

    def _check_text(self) -> None:
        if not self.spin.lineEdit().hasAcceptableInput():
            lo, hi = format_float(self.spin.minimum()), format_float(self.spin.maximum())
            self._set_problem(f"must be a number from {lo} to {hi}")
        else:
            self._set_problem("")

    def _show(self, value: Any) -> None:
        self.spin.setValue(float(value))

    def value(self) -> Any:
        return self.spin.value()


class BoolEditor(ParamEditor):
    def __init__(self, kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.box = QCheckBox(self)
        _single(self, self.box)
        self.box.toggled.connect(lambda _v: self._changed())
        self.set_value(value)

    def _show(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def value(self) -> Any:
        return self.box.isChecked()


class ChoiceEditor(ParamEditor):
    def __init__(self, kind: kinds.Choice, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.combo = QComboBox(self)
        self.combo.addItems(list(kind.values))
        _single(self, self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.set_value(value)

    def _show(self, value: Any) -> None:
        self.combo.setCurrentText(str(value))

    def value(self) -> Any:
        return self.combo.currentText()


class TextEditor(ParamEditor):
    """Any kind as text: comma-separated numbers (``3, 5``, ``None``), or JSON for anything else."""

    def __init__(self, kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText(kind.describe())
        _single(self, self.field)
        self.field.textEdited.connect(lambda _t: self._changed())
        self.field.editingFinished.connect(self._tidy)
        self.set_value(value)

    def _show(self, value: Any) -> None:
        self.field.setText(format_value(value))

    def value(self) -> Any:
        return parse_value(self.field.text(), self.kind)

    def _tidy(self) -> None:
        """On leaving the field, a valid value is shown in its canonical form."""
        try:
            value = self.value()
        except ValueError:
            return
        if self.kind.accepts(value) and format_value(value) != self.field.text():
            self._quiet += 1
            self.field.setText(format_value(value))
            self._quiet -= 1


def format_value(value: Any) -> str:
    if isinstance(value, list) and all(v is None or kinds.is_real(v) for v in value):
        return ", ".join("None" if v is None else str(v) for v in value)
    if value is None or kinds.is_real(value):
        return "None" if value is None else str(value)
    return json.dumps(value)


_TOKEN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_value(text: str, kind: kinds.Kind) -> Any:
    """The value typed as numbers (``3``, ``3, 5``, ``None``) or as JSON; the kind picks scalar or list."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"must be {kind.describe()}")
    tokens = [t for t in re.split(r"[,\s]+", stripped.strip("[]() ")) if t]
    numbers: list[Any] = []
    for token in tokens:
        if token.lower() in ("none", "null"):
            numbers.append(None)
        elif _TOKEN.match(token):
            number = float(token)
            numbers.append(int(token) if re.fullmatch(r"[+-]?\d+", token) else number)
        else:
            numbers = []
            break
    if numbers:
        candidates = ([numbers[0]] if len(numbers) == 1 else []) + [numbers]
        for candidate in candidates:
            if kind.accepts(candidate):
                return candidate
        return candidates[-1]
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        raise ValueError(f"must be {kind.describe()}") from None


# ----- composite values ------------------------------------------------------------------------------
class IntOrIntsEditor(ParamEditor):
    """One spin box per spatial dimension (``H``, ``W``) and a toggle that keeps them all equal."""

    def __init__(self, kind: kinds.IntOrInts, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.count = kind.count
        lo, hi = _int_range(kind, value if kinds.is_int(value) else min(value, default=0))
        labels = spatial_labels(kind.count)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.spins: list[_SpinBox] = []
        self.labels: list[QLabel] = []
        for label in labels:
            tag = QLabel(label, self)
            tag.setToolTip(DIM_MEANINGS.get(label, ""))
            tag.setEnabled(False)  # drawn in the disabled text colour: a quiet axis tag
            spin = _SpinBox(lo, hi, self)
            spin.valueChanged.connect(self._spin_changed)
            spin.lineEdit().textEdited.connect(lambda _t, s=spin: self._check_text(s))
            spin.editingFinished.connect(lambda: self._set_problem(""))
            layout.addWidget(tag)
            layout.addWidget(spin, 1)
            self.labels.append(tag)
            self.spins.append(spin)
        self.same = QToolButton(self)
        self.same.setIcon(icons.icon("link", self.palette().color(QPalette.ColorRole.ButtonText).name()))
        self.same.setCheckable(True)
        self.same.setAutoRaise(True)
        self.same.setToolTip("Same for all dimensions: one number for " + ", ".join(labels))
        self.same.setVisible(kind.count > 1)
        self.same.toggled.connect(self._same_toggled)
        layout.addWidget(self.same)
        self.set_value(value)

    def _help_fields(self, text: str) -> None:
        # Each box says what the parameter does, then which axis it is for (never only the axis's meaning).
        for spin, tag in zip(self.spins, self.labels):
            axis = tag.text()
            meaning = DIM_MEANINGS.get(axis, "").split(":")[0]
            spin.setToolTip(f"{text}<br><i>This box: along {axis}" + (f" ({meaning})" if meaning else "") + "</i>")

    def _show(self, value: Any) -> None:
        values = [value] * self.count if kinds.is_int(value) else list(value)
        for spin, v in zip(self.spins, values):
            spin.setValue(v)
        self.same.setChecked(kinds.is_int(value))
        self._arrange()

    def _arrange(self) -> None:
        same = self.same.isChecked() or self.count == 1
        for i, (spin, tag) in enumerate(zip(self.spins, self.labels)):
            spin.setVisible(i == 0 or not same)
            tag.setVisible(not same)

    def value(self) -> Any:
        if self.same.isChecked() or self.count == 1:
            return self.spins[0].value()
        return [s.value() for s in self.spins]

    def _spin_changed(self, _v: int) -> None:
        if self.same.isChecked():
            self._quiet += 1
            for spin in self.spins[1:]:
                spin.setValue(self.spins[0].value())
            self._quiet -= 1
        self._changed()

    def _check_text(self, spin: _SpinBox) -> None:
        if not spin.acceptable():
            self._set_problem(f"must be a whole number of at least {spin.minimum()}")
        else:
            self._set_problem("")

    def _same_toggled(self, on: bool) -> None:
        if on and not self._quiet:
            self._quiet += 1
            for spin in self.spins[1:]:
                spin.setValue(self.spins[0].value())
            self._quiet -= 1
        self._arrange()
        self._changed()


class ShapeEditor(ParamEditor):
    """An Input's shape: a dimension count, then one named field per dim (N batch, C channels, H, W...).

    Beside the batch, "any batch (N)" leaves it open: the first entry becomes "N" and its field reads N
    (the number it held comes back when the box is cleared).
    """

    def __init__(self, kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(3)
        self.rank = _SpinBox(1, 8, self)
        self.rank.setSuffix(" dims")
        self.rank.setToolTip("How many dimensions the tensor has (4 for a batch of images: N, C, H, W)")
        self.rank.valueChanged.connect(self._rank_changed)
        self.grid.addWidget(self.rank, 0, 1)
        self.any_batch = QCheckBox("any batch (N)", self)
        self.any_batch.setToolTip(
            "Leave the batch size open: sizes read N (N×512×4×4) and the design must work for every batch size. "
            "Costs are then shown per sample."
        )
        self.any_batch.toggled.connect(self._batch_toggled)
        self.grid.addWidget(self.any_batch, 1, 2)
        self._batch = 1  # the number the batch field holds while the batch is open
        self.spins: list[_SpinBox] = []
        self.names: list[QLabel] = []
        self.meanings: list[QLabel] = []
        self.set_value(value)

    def _show(self, value: Any) -> None:
        values = list(value) if isinstance(value, list) else [1]
        self.rank.setValue(len(values))
        self._build(values)

    def _build(self, values: list[int | str]) -> None:
        open_batch = values[0] == BATCH_SYMBOL
        if open_batch:
            values = [self._batch, *values[1:]]
        else:
            self._batch = values[0]
        while len(self.spins) > len(values):
            for widget in (self.spins.pop(), self.names.pop(), self.meanings.pop()):
                widget.deleteLater()
        while len(self.spins) < len(values):
            row = len(self.spins) + 1
            name, meaning = QLabel(self), QLabel(self)
            meaning.setEnabled(False)
            spin = _SpinBox(1, INT_LIMIT, self)
            spin.valueChanged.connect(lambda _v: self._changed())
            spin.lineEdit().textEdited.connect(lambda _t, s=spin: self._check_text(s))
            spin.editingFinished.connect(lambda: self._set_problem(""))
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(spin, row, 1)
            self.grid.addWidget(meaning, row, 2)
            self.spins.append(spin)
            self.names.append(name)
            self.meanings.append(meaning)
        labels = dim_names(len(values))
        for spin, name, meaning, label, v in zip(self.spins, self.names, self.meanings, labels, values):
            spin.setMinimum(min(1, v))
            spin.setValue(v)
            name.setText(label)
            words = DIM_MEANINGS.get(label, "")
            meaning.setText(words.split(":")[0])
            for widget in (name, spin, meaning):
                widget.setToolTip(f"{label}: {words}" if words else label)
        # The box stands in for the batch's meaning; a 1-D tensor has no batch (unless a file opened one).
        offered = len(values) >= 2 or open_batch
        self.any_batch.setVisible(offered)
        self.meanings[0].setVisible(not offered)
        self.any_batch.setChecked(open_batch)
        self._show_batch(open_batch)
        self.grid.setColumnStretch(1, 1)

    def _show_batch(self, open_batch: bool) -> None:
        """The batch field reads N (and cannot be typed in) while the batch is open."""
        spin = self.spins[0]
        spin.setSpecialValueText(BATCH_SYMBOL if open_batch else "")
        spin.setMinimum(0 if open_batch else 1)
        spin.setValue(0 if open_batch else self._batch)
        spin.setEnabled(not open_batch)

    def _batch_toggled(self, on: bool) -> None:
        if self._quiet:
            return
        self._quiet += 1
        if on:
            self._batch = self.spins[0].value()
        self._show_batch(on)
        self._quiet -= 1
        self._changed()

    def _rank_changed(self, rank: int) -> None:
        if self._quiet:
            return
        values = self.value()
        filler = values[-1] if values[-1] != BATCH_SYMBOL else self._batch
        values = values[:rank] + [filler] * (rank - len(values))
        self._quiet += 1
        self._build(values)
        self._quiet -= 1
        self._changed()

    def _check_text(self, spin: _SpinBox) -> None:
        if not spin.acceptable():
            self._set_problem("every size must be a whole number of at least 1")
        else:
            self._set_problem("")

    def value(self) -> Any:
        values: list[int | str] = [s.value() for s in self.spins]
        if self.any_batch.isChecked():
            values[0] = BATCH_SYMBOL
        return values


class AnyOfEditor(ParamEditor):
    """Alternatives (conv padding: number(s), 'same' or 'valid'): a mode box, then the chosen mode's editor."""

    def __init__(self, kind: kinds.AnyOf, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.mode = QComboBox(self)
        self.stack = QStackedWidget(self)
        self._modes: list[tuple[kinds.Kind, Any]] = []  # (sub-kind, fixed value or _EDITED)
        self._editors: list[ParamEditor | None] = []
        for sub in kind.kinds:
            if isinstance(sub, kinds.Choice):
                for choice in sub.values:
                    self._add_mode(repr(choice), sub, choice, None)
            else:
                editor = make_editor(sub, value if sub.accepts(value) else placeholder(sub), self)
                editor.value_edited.connect(lambda _v: self._changed())
                editor.problem_changed.connect(self._set_problem)
                self._add_mode(_mode_name(sub), sub, _EDITED, editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.mode)
        layout.addWidget(self.stack)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.set_value(value)

    def _add_mode(self, title: str, sub: kinds.Kind, fixed: Any, editor: ParamEditor | None) -> None:
        self.mode.addItem(title)
        self._modes.append((sub, fixed))
        self._editors.append(editor)
        self.stack.addWidget(editor if editor is not None else QWidget(self))

    def _show(self, value: Any) -> None:
        for i, ((sub, fixed), editor) in enumerate(zip(self._modes, self._editors)):
            if (fixed is _EDITED and sub.accepts(value)) or (fixed is not _EDITED and fixed == value):
                if editor is not None:
                    editor.set_value(value)
                self.mode.setCurrentIndex(i)
                self._mode_changed(i)
                return

    def _mode_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.stack.setVisible(self._editors[index] is not None)
        self._changed()

    def value(self) -> Any:
        index = self.mode.currentIndex()
        _sub, fixed = self._modes[index]
        editor = self._editors[index]
        return editor.value() if editor is not None else fixed


_EDITED = object()


def _mode_name(kind: kinds.Kind) -> str:
    if isinstance(kind, kinds.IntOrInts):
        return "number" if kind.count == 1 else "numbers"
    return {"int": "number", "float": "number", "bool": "on/off"}.get(kind.editor, "value")


class OptionalEditor(ParamEditor):
    """``None`` or a value: the inner editor beside a "None" checkbox that disables it."""

    def __init__(self, kind: kinds.Optional, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(kind, parent)
        self.inner = make_editor(kind.inner, value if value is not None else placeholder(kind.inner), self)
        self.inner.value_edited.connect(lambda _v: self._changed())
        self.inner.problem_changed.connect(self._set_problem)
        self.none = QCheckBox("None", self)
        self.none.setToolTip("No value: torch decides (see the parameter's help)")
        self.none.toggled.connect(self._none_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.inner, 1)
        layout.addWidget(self.none)
        self.set_value(value)

    def _show(self, value: Any) -> None:
        if value is not None:
            self.inner.set_value(value)
        self.none.setChecked(value is None)
        self.inner.setEnabled(value is not None)

    def _none_toggled(self, on: bool) -> None:
        self.inner.setEnabled(not on)
        self._changed()

    def value(self) -> Any:
        return None if self.none.isChecked() else self.inner.value()


# ----- choosing an editor --------------------------------------------------------------------------
def placeholder(kind: kinds.Kind) -> Any:
    """A sensible first value when a field appears empty (an optional switched from None)."""
    if isinstance(kind, kinds.Optional):
        return None
    if isinstance(kind, kinds.AnyOf):
        return placeholder(kind.kinds[0])
    if isinstance(kind, kinds.Choice):
        return kind.values[0]
    if isinstance(kind, kinds.Boolean):
        return False
    if isinstance(kind, kinds.Real):
        return float(kind.minimum) if kind.minimum is not None and kind.minimum > 0 else 1.0
    if isinstance(kind, kinds.Shape):
        return [1, 3, 32, 32]
    if isinstance(kind, kinds.Ints):
        return [1] * max(kind.min_len, 1)
    minimum = getattr(kind, "minimum", None)
    return max(1, minimum) if minimum is not None else 1


def make_editor(kind: kinds.Kind, value: Any, parent: QWidget | None = None) -> ParamEditor:
    """The editor for ``kind`` showing ``value``; text when the value does not fit the typed widget."""
    if isinstance(kind, kinds.Optional):
        return OptionalEditor(kind, value, parent)
    if isinstance(kind, kinds.AnyOf) and kind.accepts(value):
        return AnyOfEditor(kind, value, parent)
    if not kind.accepts(value):
        return TextEditor(kind, value, parent)
    if isinstance(kind, kinds.Boolean):
        return BoolEditor(kind, value, parent)
    if isinstance(kind, kinds.Choice):
        return ChoiceEditor(kind, value, parent)
    if isinstance(kind, kinds.Integer) and abs(value) <= INT_LIMIT:
        return IntEditor(kind, value, parent)
    if isinstance(kind, kinds.Real) and abs(value) <= FLOAT_LIMIT:
        return FloatEditor(kind, value, parent)
    if isinstance(kind, kinds.IntOrInts) and all(abs(v) <= INT_LIMIT for v in _as_list(value)):
        return IntOrIntsEditor(kind, value, parent)
    if isinstance(kind, kinds.Shape) and all(1 <= v <= INT_LIMIT for v in value if v != BATCH_SYMBOL):
        return ShapeEditor(kind, value, parent)
    return TextEditor(kind, value, parent)


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list) else [value]


def _single(editor: QWidget, child: QWidget) -> None:
    layout = QHBoxLayout(editor)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(child)
    editor.setFocusProxy(child)
    if isinstance(child, QCheckBox):
        layout.setAlignment(child, Qt.AlignmentFlag.AlignLeft)
