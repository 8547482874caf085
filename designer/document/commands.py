"""QUndoCommand wrapper around one core edit: the only bridge between QUndoStack and the model."""

from __future__ import annotations

import time

from PySide6.QtGui import QUndoCommand

from designer.core.edits import Edit, SetParams

_MERGE_PARAMS = 1
MERGE_PAUSE = 1.0  # seconds: typing merges into one step only while the keys follow each other this closely


class EditCommand(QUndoCommand):
    """Applies/reverts one core ``Edit`` through the document. The first redo is a no-op because
    ``Document.apply`` has already applied the edit (so a refused edit never reaches the stack).
    Consecutive parameter edits of one node with ``mergeable`` set and the same text (the inspector
    names the parameter: "Change kernel_size") become one undo step, as long as each follows the last
    within ``MERGE_PAUSE`` and does not bring the parameters back to what they were before the step
    (512 → 128 → 512 stays two steps, so the state in between can be revisited)."""

    def __init__(self, document, edit: Edit, mergeable: bool = False) -> None:
        super().__init__(edit.text)
        self._document = document
        self.edit = edit
        self._mergeable = mergeable and isinstance(edit, SetParams)
        self._applied = True
        self._last_change = time.monotonic()

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._document.run_edit(self.edit.apply)

    def undo(self) -> None:
        self._document.run_edit(self.edit.revert)

    def id(self) -> int:
        return _MERGE_PARAMS if self._mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or not other._mergeable or not self._mergeable:
            return False
        mine, theirs = self.edit, other.edit
        if not (isinstance(mine, SetParams) and isinstance(theirs, SetParams)) or mine.node_id != theirs.node_id:
            return False
        if mine.text != theirs.text:  # "Change stride" after "Change kernel_size" is a step of its own
            return False
        if other._last_change - self._last_change > MERGE_PAUSE:
            return False
        if theirs.params == mine.params_before:
            return False
        mine.params = theirs.params
        self._last_change = other._last_change
        return True
