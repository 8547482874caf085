"""One open design: the core graph, its shape engine, the undo stack, the file path and clean state.

Views observe it through Qt signals and change it only through ``apply(edit)``. Shapes are derived:
the document alone refreshes the engine, once after every edit, undo or redo, and then announces one
``graph_changed`` carrying the graph's events and the changed results together (a ``DesignChange``), so
a listener that asks the engine anything reads the final results.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from designer.core import disk, project, repairs
from designer.core.change import DesignChange
from designer.core.edits import Compound, Edit, SetParams
from designer.core.engine import Changes, ShapeEngine
from designer.core.graph import Graph, GraphEvent, NodeMoved
from designer.core.shapes import Fix
from designer.document.commands import EditCommand

FIX_DELAY_MS = 120


@dataclass(frozen=True)
class Inside:
    """What a document showing the copy of a block inside an instance does instead of editing the copy."""

    forward: Callable[[Edit, bool], None]  # makes ``(edit, mergeable)`` an edit of the block's definition
    per_use: Callable[[str], dict[str, str]]  # node id → its params that belong to each use, with why


class Document(QObject):
    """The controller every widget shares. Signals are past tense and fire after the change."""

    graph_changed = Signal(DesignChange)  # after an edit, undo or redo and the engine's refresh
    reset_done = Signal()  # the whole graph was replaced (new, open, revert): rebuild views
    selection_changed = Signal(list)  # node ids now selected
    path_changed = Signal(str)
    modified_changed = Signal(bool)
    fixes_changed = Signal()  # the one-click fixes were worked out again after edits (see ``known_fixes``)

    def __init__(self, graph: Graph | None = None, path: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # A bound method, not a lambda: Qt drops it when the document is destroyed, before the stack's
        # destructor clears it and emits cleanChanged into a half-deleted document.
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.graph: Graph = Graph()
        self.engine: ShapeEngine = ShapeEngine(self.graph)
        self._events: list[GraphEvent] = []  # of the edit running now, announced when it ends
        self._editing = 0
        self.graph.subscribe(self._forward_event)
        self.path: str | None = None
        self.disk_stamp: disk.FileStamp | None = None  # the open file as last read or written here
        self.inside: Inside | None = None  # set when the document shows the copy of a block inside an instance
        self.busy = False  # a big edit is being applied in steps: nothing may replace the design meanwhile
        self._selection: list[str] = []
        self._fixes: dict[str, list[Fix]] | None = None  # verified fixes of every node in error, until the next edit
        # Working fixes out tries them on a copy of the design (about 0.4 s at 2,500 layers), so it waits
        # for a pause in editing rather than following every keystroke.
        self._fix_timer = QTimer(self)
        self._fix_timer.setSingleShot(True)
        self._fix_timer.setInterval(FIX_DELAY_MS)
        self._fix_timer.timeout.connect(self._work_out_fixes)
        self.reset(graph if graph is not None else Graph(), path)

    # ----- whole-document operations -------------------------------------------------------------
    def reset(self, graph: Graph, path: str | None = None, keep_selection: bool = False) -> None:
        """Replace the design (new, open, revert): fresh engine, empty undo history, clean state.

        ``keep_selection`` keeps the selected nodes that ``graph`` still has: a document showing a copy
        derived from another design (inside a block instance) shows the copy derived again so."""
        self.graph.unsubscribe(self._forward_event)
        self.engine.close()
        if path is not None:  # before anyone listens: naming an opened design is no edit
            graph.name = project.name_following_file(graph.name, path)
        self.graph = graph
        self.engine = ShapeEngine(graph)
        self._events = []
        self._fixes = None
        self._fix_timer.start()
        graph.subscribe(self._forward_event)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._selection = [n for n in self._selection if n in graph] if keep_selection else []
        self.path = path
        self.disk_stamp = disk.stamp(path) if path else None
        self.reset_done.emit()
        self.path_changed.emit(path or "")
        self.modified_changed.emit(False)

    def open(self, path: str) -> None:
        """Load ``path`` into this document; raises ``project.ProjectError`` and changes nothing on failure."""
        graph = project.load(path)
        self.reset(graph, os.path.abspath(path))

    def save(self, path: str | None = None) -> None:
        """Save atomically to ``path`` (default: the current one); raises ``project.ProjectError``.

        A design without a name of its own takes the file's (``my_gan.json`` names it ``my_gan``)."""
        target = path or self.path
        if not target:
            raise project.ProjectError("the design has no file yet; choose where to save it")
        name, before = project.name_following_file(self.graph.name, target, self.path), self.graph.name
        if name != before:
            self.graph.set_name(name)
        try:
            project.save(self.graph, target)
        except project.ProjectError:
            if name != before:
                self.graph.set_name(before)
            raise
        self.disk_stamp = disk.stamp(target)
        if os.path.abspath(target) != self.path:
            self.path = os.path.abspath(target)
            self.path_changed.emit(self.path)
        self.undo_stack.setClean()

    def changed_on_disk(self) -> bool:
        """True when the open file no longer holds what this document last read or wrote there."""
        return bool(self.path) and disk.changed(self.disk_stamp, self.path)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        return os.path.basename(self.path) if self.path else "Untitled"

    # ----- edits ---------------------------------------------------------------------------------
    def apply(self, edit: Edit, mergeable: bool = False) -> None:
        """Apply ``edit`` and record it as one undo step.

        Raises the model's ``GraphError`` if the edit is refused; then nothing changed and nothing
        was recorded. ``mergeable`` parameter edits of the same node merge into one step (typing).
        """
        if self.inside is not None:
            self.inside.forward(edit, mergeable)
            return
        self.run_edit(edit.apply)
        self.undo_stack.push(EditCommand(self, edit, mergeable))

    def apply_in_steps(self, edit: Compound, step: Callable[[int, int], bool], chunk: int = 250) -> bool:
        """Apply a big ``edit`` ``chunk`` edits at a time, calling ``step(done, total)`` after each chunk
        (to show progress and let events through); ``step`` returning False cancels. Returns True when the
        edit is applied and recorded as one undo step; after a cancel or a refusal (which is re-raised)
        the design is exactly as before and nothing is recorded.

        The engine keeps up after every chunk, but ``graph_changed`` fires once at the end with all the
        events and all that changed: the views and panels redo their work once, not once per chunk."""
        total = len(edit.edits)
        if self.inside is not None:  # a block's inside is small: the definition takes it in one go
            self.inside.forward(edit, False)
            step(total, total)
            return True
        shapes = Changes()
        self.busy = True
        self._editing += 1
        try:
            while True:
                try:
                    finished = edit.apply_next(self.graph, chunk)
                finally:  # a refusal has reverted what was applied; the engine follows either way
                    _add(shapes, self.engine.refresh())
                if finished:
                    break
                if not step(edit.applied, total):
                    edit.revert_applied(self.graph)
                    _add(shapes, self.engine.refresh())
                    return False
        finally:
            self.busy = False
            self._editing -= 1
            if not self._editing:
                self._announce(shapes)
        step(total, total)
        self.undo_stack.push(EditCommand(self, edit))
        return True

    def run_edit(self, action: Callable[[Graph], None]) -> None:
        """Run one model change, then one shape pass and one announcement (commands redo and undo so)."""
        self._editing += 1
        try:
            action(self.graph)
        finally:
            self._editing -= 1
            if not self._editing:
                self._announce()

    def _announce(self, earlier: Changes | None = None) -> None:
        """Refresh the engine, then tell the views once: the events since the last announcement and
        every result that changed (``earlier``: changes of refreshes made meanwhile)."""
        shapes = self.engine.refresh()
        if earlier is not None:
            shapes = Changes(earlier.nodes | shapes.nodes, earlier.edges | shapes.edges)
        events, self._events = tuple(self._events), []
        live = [n for n in self._selection if n in self.graph]
        if live != self._selection:
            self.select(live)
        if events or shapes:
            self.graph_changed.emit(DesignChange(events, shapes))

    def _forward_event(self, event: GraphEvent) -> None:
        if not isinstance(event, NodeMoved):
            self._fixes = None
            self._fix_timer.start()
        self._events.append(event)
        if not self._editing:  # a change made outside ``run_edit`` is announced at once
            self._announce()

    # ----- one-click fixes -----------------------------------------------------------------------
    def fixes(self, node_id: str) -> list[Fix]:
        """The verified fixes for ``node_id``'s error, recommended first (worked out now if need be, once
        per edit for all nodes): what a menu the user just opened shows."""
        if self._fixes is None:
            self._fixes = repairs.offered_fixes(self.graph, self.engine)
        return self._fixes.get(node_id, [])

    def known_fixes(self, node_id: str) -> list[Fix]:
        """The fixes if already worked out since the last edit, else none yet (``fixes_changed`` follows):
        what panels that refresh on every edit show."""
        return self._fixes.get(node_id, []) if self._fixes is not None else []

    def _work_out_fixes(self) -> None:
        if self._fixes is None:
            self.fixes("")
            self.fixes_changed.emit()

    def apply_fix(self, fix: Fix) -> None:
        """Apply ``fix`` as one undo step named by its label."""
        params = repairs.apply_params(self.graph.node(fix.node).params, fix)
        self.apply(SetParams(fix.node, params, text=fix.label))

    # ----- selection (shared by canvas, inspector, problems list and plots) -----------------------
    @property
    def selection(self) -> list[str]:
        return list(self._selection)

    def select(self, node_ids: list[str]) -> None:
        if node_ids != self._selection:
            self._selection = list(node_ids)
            self.selection_changed.emit(list(node_ids))


def _add(total: Changes, more: Changes) -> None:
    total.nodes |= more.nodes
    total.edges |= more.edges
