"""The inspector: the selected node's name, a typed editor per parameter, and its explanation.

Each accepted change becomes one ``SetParams`` applied with ``mergeable=True``, so typing ``1``, ``2``,
``8`` into a field is one undo step; a reset and a rename are one step each. The inspector follows the
document: undo, redo and edits made elsewhere update the fields without rebuilding them. Inside a block
instance it follows that level's document (``set_document``), whose edits change the block's definition;
the params that belong to each use (an argument's, an Input's size) are shown but not editable there.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.canvas import style
from designer.core.builders import replacement_edit
from designer.core.change import DesignChange
from designer.core.edits import Rename, SetParams
from designer.core.errors import GraphError, LimitError
from designer.core.shapes import batch_is_open, format_value, sentence
from designer.core.spec import ParamSpec
from designer.document.document import Document
from designer.widgets import icons
from designer.widgets.explanation import (
    Colors,
    alternatives,
    design_summary_html,
    explanation_html,
)
from designer.widgets.param_editors import ParamEditor, make_editor


class _Row:
    """One parameter's label, editor and reset button."""

    def __init__(self, param: ParamSpec, label: QLabel, editor: ParamEditor, reset: QToolButton) -> None:
        self.param, self.label, self.editor, self.reset = param, label, editor, reset


class Inspector(QScrollArea):
    """Shows and edits the one selected node; says what to do when none or several are selected."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_id: str | None = None
        self.rows: dict[str, _Row] = {}
        self._several = 0
        self._explain_timer = QTimer(self)
        self._explain_timer.setSingleShot(True)
        self._explain_timer.setInterval(0)
        self._explain_timer.timeout.connect(self._refresh_explanation_now)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)

        self.placeholder = _wrapped_label(body)
        self.placeholder.setTextFormat(Qt.TextFormat.RichText)
        self.title = QLabel(body)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.description = _wrapped_label(body)
        self.description.setEnabled(False)
        self.name = QLineEdit(body)
        self.name.setClearButtonEnabled(True)
        self.name.setToolTip("The name shown on the node and used in exported code (empty: the id)")
        self.name.editingFinished.connect(self._rename)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.name, self._revert_name, context=Qt.ShortcutContext.WidgetShortcut)
        name_row = QFormLayout()
        name_row.setContentsMargins(0, 4, 0, 0)
        name_row.addRow("Name", self.name)
        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(8)
        self.form.setVerticalSpacing(5)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        name_row.setLabelAlignment(self.form.labelAlignment())
        self.message = _wrapped_label(body)
        self.fix_box = QWidget(body)  # one button per verified fix of the node's error, recommended first
        self.fix_box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.fix_layout = QVBoxLayout(self.fix_box)
        self.fix_layout.setContentsMargins(0, 2, 0, 2)
        self.fix_layout.setSpacing(3)
        self.fix_buttons: list[QPushButton] = []
        self.explanation = _wrapped_label(body)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.explanation.setOpenExternalLinks(False)
        self.explanation.linkActivated.connect(self._link)
        self.rule = QFrame(body)
        self.rule.setFrameShape(QFrame.Shape.HLine)
        self.rule.setFrameShadow(QFrame.Shadow.Plain)
        self.rule.setEnabled(False)

        layout.addWidget(self.placeholder)
        layout.addWidget(self.title)
        layout.addWidget(self.description)
        layout.addLayout(name_row)
        layout.addWidget(self.fix_box)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.rule)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        self._node_widgets = (self.title, self.description, self.name, name_row.labelForField(self.name), self.rule)

        self._follow(document, True)
        self.show_selection()

    def set_document(self, document: Document) -> None:
        """Show and edit the nodes of ``document`` from now on (the canvas went inside an instance or out)."""
        if document is self.document:
            return
        self._follow(self.document, False)
        self.document = document
        self._follow(document, True)
        self.show_selection()

    def _follow(self, document: Document, on: bool) -> None:
        pairs = ((document.selection_changed, self.show_selection), (document.reset_done, self._after_reset),
                 (document.graph_changed, self._on_change), (document.fixes_changed, self._update_fixes))
        for signal, slot in pairs:
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    # ----- what is shown --------------------------------------------------------------------------
    def show_selection(self, *_args) -> None:
        ids = [n for n in self.document.selection if n in self.document.graph]
        node_id = ids[0] if len(ids) == 1 else None
        if node_id != self.node_id or node_id is None:
            self._build(node_id, len(ids))
        self.refresh_explanation()

    def _after_reset(self) -> None:
        """A new graph: the node shown is shown again, in place, when it is still there and selected, as
        it is when a block's inside is derived again after an edit (the field being typed in stays)."""
        graph = self.document.graph
        same = self.node_id in graph and self.document.selection == [self.node_id]
        if same and graph.node(self.node_id).type_name == self.title.text():
            node = graph.node(self.node_id)
            self._show_values(node)
            if self.name.text() != (node.name or ""):
                self.name.setText(node.name or "")
            self.refresh_explanation()
        else:
            self._build(None, 0)
            self.show_selection()

    def _build(self, node_id: str | None, count: int) -> None:
        self.node_id = node_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows = {}
        self.message.clear()
        self.message.hide()
        for widget in self._node_widgets:
            widget.setVisible(node_id is not None)
        self._update_fixes()
        self.placeholder.setVisible(node_id is None)
        if node_id is None:
            self._several = count
            return
        node = self.document.graph.node(node_id)
        spec = self.document.graph.spec(node.type_name)
        self.title.setText(f"{spec.type_name}")
        self.title.setToolTip(spec.signature())
        self.description.setText(f"{spec.category} · {spec.description}")
        self.name.setPlaceholderText(node.id)
        self.name.setText(node.name or "")
        for param in spec.params:
            self._add_row(param, node.params.get(param.name, None if param.required else param.default))
        self._update_markers()
        self._fit_width()

    def _fit_width(self) -> None:
        """Never narrower than the fields need, so nothing runs off the panel in a small window (the
        dock grows instead; sentences and fix buttons wrap or shorten, so an error never widens it)."""
        body = self.widget()
        body.layout().activate()
        self.setMinimumWidth(body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width())

    def _add_row(self, param: ParamSpec, value: Any) -> None:
        body = self.widget()
        label = QLabel(param.name, body)
        label.setToolTip(_param_tooltip(param))
        editor = make_editor(param.kind, value, body)
        editor.set_help(_param_tooltip(param))
        editor.value_edited.connect(lambda v, name=param.name: self._apply(name, v))
        editor.problem_changed.connect(lambda text, name=param.name: self._show_problem(name, text))
        reset = QToolButton(body)
        reset.setIcon(icons.icon("reset", self.palette().color(QPalette.ColorRole.ButtonText).name()))
        reset.setAutoRaise(True)
        reset.setToolTip(
            "Required: no default" if param.required else f"Reset {param.name} to torch's default ({param.default!r})"
        )
        reset.clicked.connect(lambda _checked=False, name=param.name: self.reset(name))
        field = QWidget(body)
        row = QHBoxLayout(field)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(editor, 1)
        row.addWidget(reset, 0, Qt.AlignmentFlag.AlignTop)
        label.setBuddy(editor)
        self.form.addRow(label, field)
        self.rows[param.name] = _Row(param, label, editor, reset)

    def refresh_explanation(self, *_args) -> None:
        """Redraw the explanation (or the design summary) once per event-loop turn, however many edits."""
        self._explain_timer.start()

    def _refresh_explanation_now(self) -> None:
        if self.node_id is None or self.node_id not in self.document.graph:
            self.explanation.clear()
            if self._several > 1:
                self.placeholder.setText(f"{self._several} layers are selected. Select one to see and edit its parameters.")
            else:
                self.placeholder.setText(design_summary_html(self.document.graph, self.document.engine, _colors(self)))
            return
        self.explanation.setText(explanation_html(self.document.graph, self.document.engine, self.node_id, _colors(self)))
        self._update_markers()
        self._update_fixes()

    def _update_fixes(self) -> None:
        """A button per fix the document offers for the node's error; none when it has no error."""
        fixes = self.document.known_fixes(self.node_id) if self.node_id is not None else []
        for button in self.fix_buttons:
            button.deleteLater()
        self.fix_buttons = []
        for index, fix in enumerate(fixes):
            button = QPushButton(("Fix: " if index == 0 else "Or: ") + fix.label, self.fix_box)
            # Ignored width: a long label is cut rather than widening the panel when an error appears.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"{fix.label} (one undo step)")
            button.setDefault(index == 0)
            button.clicked.connect(lambda _checked=False, f=fix: self.document.apply_fix(f))
            self.fix_layout.addWidget(button)
            self.fix_buttons.append(button)
        self.fix_box.setVisible(bool(fixes))

    def _update_markers(self) -> None:
        """Reset buttons only where a value was given; the parameter the engine blames in red."""
        if self.node_id is None:
            return
        node = self.document.graph.node(self.node_id)
        error = self.document.engine.result(self.node_id).error
        blamed = error.param if error is not None else None
        inside = self.document.inside
        per_use = inside.per_use(self.node_id) if inside is not None else {}  # inside a block: set by each use
        for name, row in self.rows.items():
            row.editor.setEnabled(name not in per_use)
            row.editor.set_help(per_use.get(name) or _param_tooltip(row.param))
            row.reset.setEnabled(not row.param.required and name in node.params and name not in per_use)
            font = row.label.font()
            font.setBold(name == blamed)
            row.label.setFont(font)
            palette = QPalette()
            if name == blamed:
                palette.setColor(QPalette.ColorRole.WindowText, style.current().error)
            row.label.setPalette(palette)
            row.label.setToolTip(error.sentence() if name == blamed else per_use.get(name) or _param_tooltip(row.param))

    def _show_problem(self, name: str, text: str) -> None:
        if text:
            self.message.setText(f"<span style='color:{style.current().error.name()}'>{html.escape(name)} {html.escape(text)}; "
                                 f"the last valid value stays in place.</span>")
            self.message.show()
        elif self.message.isVisible():
            self.message.hide()

    # ----- edits ----------------------------------------------------------------------------------
    def _apply(self, name: str, value: Any) -> None:
        if self.node_id is None:
            return
        node = self.document.graph.node(self.node_id)
        params = dict(node.params)
        params[name] = value
        if params == node.params:
            return
        text, mergeable = _step(name, node.params.get(name), value)
        try:
            self.document.apply(SetParams(self.node_id, params, text=text), mergeable=mergeable)
        except LimitError as exc:  # its sentence does not repeat the parameter's name
            self._show_problem(f"{name}:", str(exc))
        except GraphError as exc:
            self._show_problem(name, str(exc))

    def _link(self, href: str) -> None:
        kind, _, index = href.partition(":")
        if kind == "alternative" and index.isdigit():
            self.apply_alternative(int(index))

    def apply_alternative(self, index: int) -> None:
        """Put the explanation's ``index``-th suggested alternative in place of the node (one undo step)."""
        if self.node_id is None:
            return
        graph, engine = self.document.graph, self.document.engine
        choices = alternatives(graph, engine, self.node_id)
        if index >= len(choices):
            return
        edit, keep = replacement_edit(graph, self.node_id, choices[index])
        try:
            self.document.apply(edit)
        except GraphError as exc:
            self._show_problem("the alternative", f"could not be applied: {exc}")
            return
        self.document.select([keep])

    def reset(self, name: str) -> None:
        """Drop the given value so torch's default applies (one undo step)."""
        if self.node_id is None:
            return
        node = self.document.graph.node(self.node_id)
        if name not in node.params:
            return
        params = {k: v for k, v in node.params.items() if k != name}
        self.document.apply(SetParams(self.node_id, params, text=f"Reset {name}"))

    def _rename(self) -> None:
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        name = self.name.text().strip() or None
        if name != node.name:
            try:
                self.document.apply(Rename(self.node_id, name, text=f"Rename to '{name or node.id}'"))
            except GraphError as exc:  # a name beyond the limits: said here, the old name stays
                self._show_problem("Name:", str(exc))
                self.name.setText(node.name or "")

    def _revert_name(self) -> None:
        if self.node_id is not None:
            self.name.setText(self.document.graph.node(self.node_id).name or "")
            self.name.selectAll()

    # ----- following the document ------------------------------------------------------------------
    def _on_change(self, change: DesignChange) -> None:
        if change.shapes:
            self.refresh_explanation()
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        if self.node_id in change.params_changed:
            self._show_values(node)
        if self.node_id in change.renamed and self.name.text() != (node.name or ""):
            # Also while the field has focus (an undo from the menu), or leaving it would rename back.
            self.name.setText(node.name or "")

    def _show_values(self, node) -> None:
        """The fields say ``node``'s params now (an undo, an edit elsewhere), untouched where they do."""
        for name, row in self.rows.items():
            value = node.params.get(name, None if row.param.required else row.param.default)
            if _shown_value(row.editor) != value:
                try:
                    row.editor.set_value(value)
                except (TypeError, ValueError):
                    self._build(self.node_id, 1)  # the value no longer fits its editor's form
                    return
        self._update_markers()


def _step(name: str, old: Any, new: Any) -> tuple[str, bool]:
    """The undo step's text, and whether it may merge with the edit before (typing does; a switch does not)."""
    if name == "shape" and isinstance(old, list) and isinstance(new, list) and old and new:
        was, now = batch_is_open(old), batch_is_open(new)
        if now and not was:
            return "Leave the Batch Open (N)", False
        if was and not now:
            return f"Fix the Batch at {new[0]}", False
    return f"Change {name}", True


def _shown_value(editor: ParamEditor) -> Any:
    try:
        return editor.value()
    except ValueError:
        return None


def _param_tooltip(param: ParamSpec) -> str:
    """What the parameter does in one sentence, its default and the values it takes."""
    default = "required" if param.required else f"default {format_value(param.default)}"
    return (
        f"<b>{html.escape(param.name)}</b>: {html.escape(sentence(param.help))}<br>"
        f"<i>{html.escape(param.kind.describe())}; {html.escape(default)}</i>"
    )


def _wrapped_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def _colors(widget: QWidget) -> Colors:
    current = style.current()
    palette = widget.palette()
    return Colors(
        text=palette.color(QPalette.ColorRole.Text).name(),
        dim=palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name(),
        error=current.error.name(),
        warning=current.warning.name(),
        code_bg=palette.color(QPalette.ColorRole.AlternateBase).name(),
    )
