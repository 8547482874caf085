"""QUndoCommand wrapper around one core edit: the only bridge between QUndoStack and the model."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from designer.core.edits import Edit, SetParams

_MERGE_PARAMS = 1


class EditCommand(QUndoCommand):
    """Applies/reverts one core ``Edit`` through the document. The first redo is a no-op because
    ``Document.apply`` has already applied the edit (so a refused edit never reaches the stack).
    Consecutive parameter edits with ``mergeable`` set that change the same parameters of the same node
    (typing 1, 2, 8 into kernel_size) become one undo step; the key is the data, not the step's text."""

    def __init__(self, document, edit: Edit, mergeable: bool = False) -> None:
        super().__init__(edit.text)
        self._document = document
        self.edit = edit
        # Made after the edit was applied, so the edit knows what it changed.
        self._merge_key = (edit.node_id, edit.changed_names()) if mergeable and isinstance(edit, SetParams) else None
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._document.run_edit(self.edit.apply)

    def undo(self) -> None:
        self._document.run_edit(self.edit.revert)

    def id(self) -> int:
        return _MERGE_PARAMS if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or self._merge_key is None or other._merge_key != self._merge_key:
            return False
        if not self._merge_key[1]:
            return False
        self.edit.params = other.edit.params
        return True
