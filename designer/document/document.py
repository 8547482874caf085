"""One open design: the core graph, its shape engine, the undo stack, the file path and clean state.

Views observe it through Qt signals and change it only through ``apply(edit)``. Shapes are derived:
after every edit, undo or redo the engine refreshes once and ``shapes_changed`` says what changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from designer.core import project, repairs
from designer.core.edits import Edit, SetParams
from designer.core.engine import Changes, ShapeEngine
from designer.core.graph import Graph, GraphEvent, NodeMoved
from designer.core.shapes import Fix
from designer.document.commands import EditCommand


class Document(QObject):
    """The controller every widget shares. Signals are past tense and fire after the change."""

    graph_changed = Signal(object)  # a core GraphEvent (node/edge added or removed, params, name, position)
    shapes_changed = Signal(object)  # a core engine Changes: nodes and edges whose result changed
    reset_done = Signal()  # the whole graph was replaced (new, open, revert): rebuild views
    selection_changed = Signal(list)  # node ids now selected
    path_changed = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self, graph: Graph | None = None, path: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # A bound method, not a lambda: Qt drops it when the document is destroyed, before the stack's
        # destructor clears it and emits cleanChanged into a half-deleted document.
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.graph: Graph = Graph()
        self.engine: ShapeEngine = ShapeEngine(self.graph)
        self.graph.subscribe(self._forward_event)
        self.path: str | None = None
        self._selection: list[str] = []
        self._fixes: dict[str, list[Fix]] | None = None  # verified fixes of every node in error, until the next edit
        self.reset(graph if graph is not None else Graph(), path)

    # ----- whole-document operations -------------------------------------------------------------
    def reset(self, graph: Graph, path: str | None = None) -> None:
        """Replace the design (new, open, revert): fresh engine, empty undo history, clean state."""
        self.graph.unsubscribe(self._forward_event)
        self.engine.close()
        if path is not None:  # before anyone listens: naming an opened design is no edit
            graph.name = project.name_following_file(graph.name, path)
        self.graph = graph
        self.engine = ShapeEngine(graph)
        self._fixes = None
        graph.subscribe(self._forward_event)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._selection = []
        self.path = path
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
        if os.path.abspath(target) != self.path:
            self.path = os.path.abspath(target)
            self.path_changed.emit(self.path)
        self.undo_stack.setClean()

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
        self.run_edit(edit.apply)
        self.undo_stack.push(EditCommand(self, edit, mergeable))

    def run_edit(self, action: Callable[[Graph], None]) -> None:
        """Run one model change and then one shape pass (used by commands for redo and undo)."""
        try:
            action(self.graph)
        finally:
            self._refresh()

    def _refresh(self) -> None:
        changes: Changes = self.engine.refresh()
        live = [n for n in self._selection if n in self.graph]
        if live != self._selection:
            self.select(live)
        if changes:
            self.shapes_changed.emit(changes)

    def _forward_event(self, event: GraphEvent) -> None:
        if not isinstance(event, NodeMoved):
            self._fixes = None
        self.graph_changed.emit(event)

    # ----- one-click fixes -----------------------------------------------------------------------
    def fixes(self, node_id: str) -> list[Fix]:
        """The verified fixes for ``node_id``'s error, recommended first (worked out once per edit for all nodes)."""
        if self._fixes is None:
            self._fixes = repairs.offered_fixes(self.graph, self.engine)
        return self._fixes.get(node_id, [])

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
