"""QUndoCommand wrapper around one core edit: the only bridge between QUndoStack and the model."""

from __future__ import annotations

import time

from PySide6.QtGui import QUndoCommand

from designer.core.edits import Edit, EditBlock, SetParams

_MERGE_PARAMS = 1
MERGE_PAUSE = 1.0  # seconds: typing merges into one step only while the keys follow each other this closely


class EditCommand(QUndoCommand):
    """Applies/reverts one core ``Edit`` through the document. The first redo is a no-op because
    ``Document.apply`` has already applied the edit (so a refused edit never reaches the stack).
    Consecutive parameter edits with ``mergeable`` set that change the same parameters of the same node
    (typing 1, 2, 8 into kernel_size; inside a block, of the same inner node of the same block) become one
    undo step (the key is the data, not the step's text), as long as each follows the last within
    ``MERGE_PAUSE`` and does not bring the parameters back to what they were before the step
    (512 → 128 → 512 stays two steps, so the state in between can be revisited)."""

    def __init__(self, document, edit: Edit, mergeable: bool = False) -> None:
        super().__init__(edit.text)
        self._document = document
        self.edit = edit
        # Made after the edit was applied, so the edit knows what it changed. A change made inside a block
        # merges with the next one of the same parameters of the same inner node of the same block.
        self._params, block = (edit.edit, edit.block) if isinstance(edit, EditBlock) else (edit, None)
        typed = mergeable and isinstance(self._params, SetParams)
        self._merge_key = (block, self._params.node_id, self._params.changed_names()) if typed else None
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
        return _MERGE_PARAMS if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or self._merge_key is None or other._merge_key != self._merge_key:
            return False
        if not self._merge_key[2]:
            return False
        mine, theirs = self._params, other._params
        if other._last_change - self._last_change > MERGE_PAUSE:
            return False
        if theirs.params == mine.params_before:
            return False
        mine.params = theirs.params
        self._last_change = other._last_change
        return True
