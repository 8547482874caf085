"""The canvas's block commands: Group into Block (Ctrl+G), Ungroup (Ctrl+Shift+G) and Make Unique.

Each builds its one edit with ``core.grouping`` and applies it through the document as one undo step; a
refusal becomes a sentence on the editor's ``status_message``. Grouping and Make Unique first ask for the
new block's name in a small dialog (:class:`BlockNameDialog`), prefilled with a proposal and checked as
it is typed; the dialog is opened window-modal and the command runs when it is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QMenu, QVBoxLayout, QWidget

from designer.core import blocks, grouping
from designer.core.edits import DefineBlock

if TYPE_CHECKING:
    from designer.canvas.editing import CanvasEditor

INSIDE = "Group, Ungroup and Make Unique work on the design itself: go back out (Esc) to use them."


class BlockNameDialog(QDialog):
    """Asks for a new block's name: ``summary`` says what will happen, ``check`` says what is wrong with a name."""

    def __init__(self, parent: QWidget, title: str, summary: str, proposal: str, check: Callable[[str], str | None]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("BlockNameDialog")
        self._check = check
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.name_edit = QLineEdit(proposal, self)
        self.name_edit.selectAll()
        self.name_edit.setToolTip("The block's name, also its class name in the exported code: a Python identifier")
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        # Room for two lines kept from the start, so a sentence appearing never squeezes the others.
        self.problem.setMinimumHeight(2 * self.problem.fontMetrics().lineSpacing())
        self.problem.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Block name (its class name in the exported code):", self))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate(proposal)
        self.setMinimumWidth(420)

    def name(self) -> str:
        return self.name_edit.text().strip()

    def _validate(self, _text: str = "") -> None:
        problem = self._check(self.name())
        self.problem.setText(_capitalised(problem) if problem else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def accept(self) -> None:
        if self._check(self.name()) is None:
            super().accept()


class BlockCommands(QObject):
    """Group, Ungroup and Make Unique for the canvas of ``editor`` (a ``CanvasEditor``)."""

    def __init__(self, editor: CanvasEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.dialog: BlockNameDialog | None = None  # the name dialog while it is open
        view = editor.view
        specs = [
            ("group", "Group into Block…", "Ctrl+G", self.group_selection,
             "Make the selected layers one block: a single card here, defined once and reusable"),
            ("ungroup", "Ungroup", "Ctrl+Shift+G", self.ungroup_selection,
             "Put the layers of the selected block instances back in their place"),
            ("make_unique", "Make Unique…", None, self.make_unique_selected,
             "Give this instance its own copy of its block, so that changing it leaves the other uses alone"),
        ]
        for name, text, key, slot, tip in specs:
            action = QAction(text, view)
            if key:
                action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            view.addAction(action)
            editor.actions[name] = action
        editor.document.selection_changed.connect(self.update_enabled)
        editor.document.graph_changed.connect(self.update_enabled)
        self.update_enabled()

    @property
    def _graph(self):
        return self.editor.document.graph

    def _inside(self) -> bool:
        """Whether this canvas shows the inside of an instance, where the block commands do not work: then it
        says so."""
        inside = self.editor.document.inside is not None
        if inside:
            self.editor.status_message.emit(INSIDE)
        return inside

    def update_enabled(self, *_args) -> None:
        if self.editor.document.inside is not None:
            for name in ("group", "ungroup", "make_unique"):
                self.editor.actions[name].setEnabled(False)
            return
        selected = [n for n in self.editor.document.selection if n in self._graph]
        layers = [n for n in selected if self._graph.node(n).type_name not in grouping.OUTSIDE]
        instances = blocks.instances_among(self._graph, selected)
        actions = self.editor.actions
        actions["group"].setEnabled(bool(layers))
        actions["ungroup"].setEnabled(bool(instances))
        actions["make_unique"].setEnabled(len(instances) == 1)

    def add_to_menu(self, menu: QMenu, node_id: str) -> None:
        """The block commands that fit the right-clicked layer ``node_id`` (and the selection it is part of)."""
        actions = self.editor.actions
        menu.addAction(actions["group"])
        if blocks.instances_among(self._graph, [node_id]):
            menu.addAction(actions["ungroup"])
            menu.addAction(actions["make_unique"])

    # ----- commands -------------------------------------------------------------------------------------
    def group_selection(self, name: str | None = None) -> BlockNameDialog | None:
        """Group the selected layers; without ``name`` the name dialog opens (returned) and grouping waits for it."""
        if self._inside():
            return None
        graph = self._graph
        chosen = self.editor.scene.selected_node_ids()
        shown = {n: (round(item.x()), round(item.y())) for n, item in self.editor.scene.nodes.items() if n in chosen}
        proposal = grouping.propose_name(graph, chosen)
        if name is not None:
            self._group(chosen, name, shown)
            return None
        try:  # what is wrong with the layers is said before a name is asked for
            plan, made = grouping.group_edit(graph, chosen, proposal, shown)
        except grouping.GroupError as exc:
            self._refuse("Cannot group", exc)
            return None
        block = next(e.block for e in plan.edits if isinstance(e, DefineBlock))
        return self._ask("Group into Block", _group_summary(block, len(made)), proposal,
                         lambda chosen_name: self._group(chosen, chosen_name, shown))

    def _group(self, chosen: list[str], name: str, shown: dict) -> None:
        try:
            edit, made = grouping.group_edit(self._graph, chosen, name, shown)
        except grouping.GroupError as exc:
            self._refuse("Cannot group", exc)
            return
        if self.editor.apply(edit):
            self.editor.scene.set_selection(made)
            uses = f"{len(made)} instances" if len(made) > 1 else f"'{made[0]}'"
            self.editor.status_message.emit(f"Grouped into the block {name} ({uses}); double-click to look inside, Ctrl+Z undoes.")

    def ungroup_selection(self) -> list[str]:
        """Put the selected instances' layers in their place (one undo step); returns the new layers' ids."""
        if self._inside():
            return []
        instances = blocks.instances_among(self._graph, self.editor.scene.selected_node_ids())
        if not instances:
            self.editor.status_message.emit("Select a block instance to ungroup.")
            return []
        names = {self._graph.node(n).type_name for n in instances}
        try:
            edit, made = grouping.ungroup_all_edit(self._graph, instances)
        except grouping.GroupError as exc:
            self._refuse("Cannot ungroup", exc)
            return []
        if not self.editor.apply(edit):
            return []
        self.editor.scene.set_selection(made)
        gone = sorted(n for n in names if n not in self._graph.blocks)
        dropped = f"; the block {', '.join(gone)} is no longer used and left the design" if gone else ""
        self.editor.status_message.emit(f"Ungrouped into {len(made)} layers{dropped}.")
        return made

    def make_unique_selected(self, name: str | None = None) -> BlockNameDialog | None:
        """Give the one selected instance its own copy of its block; without ``name`` the dialog asks."""
        if self._inside():
            return None
        instances = blocks.instances_among(self._graph, self.editor.scene.selected_node_ids())
        if len(instances) != 1:
            self.editor.status_message.emit("Select one block instance to make unique.")
            return None
        node_id = instances[0]
        if name is not None:
            self._make_unique(node_id, name)
            return None
        node = self._graph.node(node_id)
        summary = (f"'{node.label}' gets its own copy of the block {node.type_name}: changing the copy leaves the "
                   "other uses alone.")
        return self._ask("Make Unique", summary, grouping.free_name(self._graph, node.type_name),
                         lambda chosen_name: self._make_unique(node_id, chosen_name))

    def _make_unique(self, node_id: str, name: str) -> None:
        try:
            edit, name = grouping.make_unique_edit(self._graph, node_id, name)
        except grouping.GroupError as exc:
            self._refuse("Cannot make it unique", exc)
            return
        if self.editor.apply(edit):
            self.editor.scene.set_selection([node_id])
            self.editor.status_message.emit(f"'{node_id}' now uses its own block, {name}.")

    # ----- helpers ----------------------------------------------------------------------------------------
    def _ask(self, title: str, summary: str, proposal: str, done: Callable[[str], None]) -> BlockNameDialog:
        if self.dialog is not None:
            self.dialog.reject()
        dialog = BlockNameDialog(self.editor.view.window(), title, summary, proposal,
                                 lambda name: grouping.name_problem(self._graph, name))
        dialog.accepted.connect(lambda: done(dialog.name()))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self, dialog: BlockNameDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _refuse(self, what: str, exc: Exception) -> None:
        self.editor.status_message.emit(f"{what}: {str(exc).rstrip('.')}.")


def _group_summary(block: blocks.BlockDef, instances: int) -> str:
    layers = sum(1 for n in block.graph.nodes() if n.type_name not in grouping.OUTSIDE)
    ins = len(block.inputs())
    inside = f"{layers} layer{'s' if layers != 1 else ''}, {ins} input{'s' if ins != 1 else ''} and one output"
    if instances == 1:
        return f"The selected layers become one card: a block of {inside}, defined once and reusable."
    arguments = (f"; what differs between them becomes its arguments: {', '.join(block.arguments)}"
                 if block.arguments else "")
    return f"The {instances} selected groups are built alike: they become {instances} cards of one block of {inside}{arguments}."


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
