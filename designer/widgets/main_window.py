"""The main window: the canvas in the centre, docks around it, menus, toolbar and the status bar.

It wires the pieces together and owns no facts: the document holds the design, the canvas draws it,
the docks observe it. File commands live in ``files``, actions and menus in ``actions``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QToolButton,
    QUndoView,
    QWidget,
)

from designer import __version__
from designer.canvas import style
from designer.canvas.scene import GraphScene
from designer.canvas.view import GraphView
from designer.core import stats
from designer.core.change import DesignChange
from designer.core.shapes import format_count
from designer.document.document import Document
from designer.widgets import icons, settings
from designer.widgets.actions import Actions
from designer.widgets.block_navigator import BlockNavigator
from designer.widgets.files import FileOps
from designer.widgets.inspector import Inspector
from designer.widgets.lazy_dock import DockSpec, LazyDock
from designer.widgets.palette import Palette
from designer.widgets.problems import ProblemsList

APP_NAME = "Model Designer"
COSTS_AT_ONCE = 1000  # designs up to this many nodes get their costs in the same event-loop turn
COSTS_DELAY_MS = 300


class MainWindow(QMainWindow):
    """One window over one document. ``persist`` False keeps settings untouched (screenshots, tests)."""

    closed = Signal()  # the window closed for good: its changes were saved or discarded
    code_exported = Signal(str)  # the path a PyTorch file was just saved to

    def __init__(
        self,
        document: Document | None = None,
        persist: bool = True,
        extra_docks: Sequence[DockSpec] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.persist = persist
        self.document = document or Document(parent=self)
        self.glossary = None  # Help windows, made on first use
        self.tour = None
        self.exported_paths: list[str] = []
        self.setObjectName("MainWindow")
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.GroupedDragging
        )
        # Side panels run the full height; the problems list sits under the canvas only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene)
        self.navigator = BlockNavigator(self.document, self.view, self)
        self.setCentralWidget(self.navigator)
        self.files = FileOps(self, self.document)

        self.palette_panel = Palette(self)
        self.inspector = Inspector(self.document, self)
        self.problems = ProblemsList(self.document, self)
        self.history = QUndoView(self.document.undo_stack, self)
        self.history.setEmptyLabel("Opened")
        self.palette_dock = self._dock("Layers", "PaletteDock", self.palette_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock(
            "Inspector", "InspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.problems_dock = self._dock("Problems", "ProblemsDock", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.history_dock = self._dock("History", "HistoryDock", self.history, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.palette_dock, self.history_dock)
        self.palette_dock.raise_()
        self.view.explain_requested.connect(lambda _node_id: (self.inspector_dock.show(), self.inspector_dock.raise_()))
        overlap = DockSpec("Overlap", "OverlapDock", Qt.DockWidgetArea.RightDockWidgetArea, _overlap_view, "InspectorDock")
        self.lazy_docks = [self._lazy_dock(spec) for spec in (overlap, *extra_docks)]
        self.docks = [self.palette_dock, self.inspector_dock, self.problems_dock, self.history_dock, *self.lazy_docks]
        self._size_docks()
        self._first_layout = self.saveState(settings.LAYOUT_VERSION)  # what View ▸ Reset Layout goes back to

        self.actions = Actions(self)
        self._build_status_bar()
        self.tour_offer: QWidget | None = None
        if persist and not settings.tour_offered():
            self._offer_tour()

        self.palette_panel.add_requested.connect(self.add_layer_at_centre)
        self.problems.node_activated.connect(self.view.center_on_node)
        self.files.message.connect(self._show_message)
        self.navigator.status_message.connect(self._show_message)
        self.navigator.level_changed.connect(self._follow_level)
        self.view.status_message.connect(self._show_message)  # every refused gesture says why
        self.document.modified_changed.connect(self.setWindowModified)
        self.document.path_changed.connect(self._update_title)
        self.document.reset_done.connect(self._after_reset)
        self.document.graph_changed.connect(self._on_change)
        self._totals_timer = QTimer(self)
        self._totals_timer.setSingleShot(True)
        self._totals_timer.setInterval(0)
        self._totals_timer.timeout.connect(self.update_totals)
        # Costs walk every layer (about 60 ms at 5,000 nodes), so big designs get them once editing pauses.
        self._costs_timer = QTimer(self)
        self._costs_timer.setSingleShot(True)
        self._costs_timer.timeout.connect(self.update_costs)
        self._list_blocks()
        self._update_title()
        self.update_totals()
        self.update_costs()
        self.resize(1280, 800)
        if persist:
            self.restore_layout()

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _size_docks(self) -> None:
        self.resizeDocks([self.palette_dock, self.inspector_dock], [210, 310], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [120], Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        """View ▸ Reset Layout: every panel back in its place, docked and shown as at first, at its first size."""
        for dock in self.docks:
            dock.setFloating(False)
        self.restoreState(self._first_layout, settings.LAYOUT_VERSION)
        self._size_docks()

    def show_statistics(self) -> QWidget | None:
        """Show and raise the statistics panel (built now if it never was); None when this window has none."""
        dock = self.findChild(LazyDock, "StatsDock")
        if dock is None:
            return None
        dock.show()
        dock.raise_()
        return dock.build()

    def _lazy_dock(self, spec: DockSpec) -> LazyDock:
        dock = LazyDock(spec, self)
        self.addDockWidget(spec.area, dock)
        partner = self.findChild(QDockWidget, spec.tab_with) if spec.tab_with else None
        if partner is not None:
            self.tabifyDockWidget(partner, dock)
            partner.raise_()
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.totals_label = QLabel(self)
        self.costs_label = QLabel(self)
        self.costs_label.setToolTip("Multiply-adds of one forward pass, and the memory the layers' outputs take (float32)")
        self.errors_label = QLabel(self)
        for label in (self.totals_label, self.costs_label, self.errors_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

    # ----- live state ------------------------------------------------------------------------------
    def _update_title(self, *_args) -> None:
        # A design never saved (a new one, an example) is called by its own name until it has a file.
        name = self.document.display_name() if self.document.path else self.document.graph.name or "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowFilePath(self.document.path or "")
        self.setWindowModified(self.document.modified)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)

    def _list_blocks(self) -> None:
        graph = self.document.graph
        self.palette_panel.set_blocks([graph.spec(name) for name in graph.blocks])

    def _after_reset(self) -> None:
        self._list_blocks()
        self._update_title()
        self.update_totals()
        self._schedule_totals()
        # The new design is shown whole once the view has its final size.
        QTimer.singleShot(0, self.view, self.view.fit_all)

    def _on_change(self, change: DesignChange) -> None:
        if change.blocks_changed:
            self._list_blocks()
        if change.shapes or change.added or change.removed or change.renamed:
            self._schedule_totals()

    def _schedule_totals(self, *_args) -> None:
        self._totals_timer.start()
        self._costs_timer.start(0 if len(self.document.graph) <= COSTS_AT_ONCE else COSTS_DELAY_MS)

    def totals(self) -> tuple[int, int, int]:
        """(layers, parameters, errors): layers count every node but the graph's inputs and outputs."""
        graph, engine = self.document.graph, self.document.engine
        layers = sum(1 for node in graph.nodes() if graph.spec(node.type_name).kind not in ("input", "output"))
        return layers, engine.total_params(), len(engine.problems())

    def update_costs(self) -> None:
        facts = stats.compute_stats(self.document.graph, self.document.engine)
        totals = facts.total
        each = " per sample" if facts.per_sample else ""  # an open batch N: costs are worked out at N = 1
        self.costs_label.setText(
            f"{stats.format_big(totals.macs)} multiply-adds · {stats.format_bytes(totals.activation_bytes)} activations{each}"
        )

    def update_totals(self) -> None:
        layers, params, errors = self.totals()
        self.totals_label.setText(
            f"{layers} layer{'s' if layers != 1 else ''} · {format_count(params)} parameter{'s' if params != 1 else ''}"
        )
        if errors:
            color = style.current().error.name()
            self.errors_label.setText(f"<span style='color:{color}'>● {errors} error{'s' if errors != 1 else ''}</span>")
        else:
            self.errors_label.setText("no errors")
        self.errors_label.setToolTip("See the Problems panel" if errors else "Every layer has a size")

    def restyle(self) -> None:
        """After a light/dark switch: icons, canvas, and the panels that embed colours in their text."""
        self.actions.retint()
        self.view.restyle()
        self.palette_panel.restyle()
        for dock in self.lazy_docks:
            if dock.content is not None and hasattr(dock.content, "restyle"):
                dock.content.restyle()
        self.inspector.refresh_explanation()
        self.problems.refresh()
        self.update_totals()

    # ----- actions used by menus, toolbar and docks -------------------------------------------------
    def _follow_level(self, _depth: int) -> None:
        """The inspector shows the nodes of the level the canvas shows (inside an instance: the block's)."""
        self.inspector.set_document(self.navigator.current_document())

    def add_layer_at_centre(self, type_name: str) -> None:
        view = self.navigator.current_view()  # inside an instance, the layer joins the block's definition
        centre = view.mapToScene(view.viewport().rect().center())
        view.editor.add_node_at(type_name, QPointF(centre))
        view.setFocus()

    def select_all(self) -> None:
        self.document.select(self.document.graph.node_ids())

    def export_code(self) -> None:
        from designer.widgets.export_dialog import ExportDialog

        base = os.path.splitext(self.document.path)[0] + ".py" if self.document.path else ""
        dialog = ExportDialog(self.document.graph, base, self)
        dialog.saved.connect(self._exported)
        dialog.exec()

    def _exported(self, path: str) -> None:
        self.exported_paths.append(path)
        self.code_exported.emit(path)

    def show_tour(self) -> None:
        """Help ▸ Getting Started: the guided tour's panel beside the design."""
        from designer.widgets.tour import Tour, place_beside

        self._dismiss_tour_offer()
        if self.tour is None:
            self.tour = Tour(self)
            place_beside(self.tour, self)
        self.tour.show()
        self.tour.raise_()

    def _offer_tour(self) -> None:
        """First start: a quiet button in the status bar, gone once used or dismissed."""
        self.tour_offer = QWidget(self)
        row = QHBoxLayout(self.tour_offer)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(2)
        start = QPushButton("New here? Getting Started", self.tour_offer)
        start.setFlat(True)
        start.setToolTip("A short guided tour: from the DCGAN example to your first exported file (Help ▸ Getting Started)")
        start.clicked.connect(self.show_tour)
        dismiss = QToolButton(self.tour_offer)
        dismiss.setText("×")
        dismiss.setAutoRaise(True)
        dismiss.setToolTip("Hide this; the tour stays in the Help menu")
        dismiss.clicked.connect(self._dismiss_tour_offer)
        row.addWidget(start)
        row.addWidget(dismiss)
        self.statusBar().addWidget(self.tour_offer)

    def _dismiss_tour_offer(self) -> None:
        if self.tour_offer is not None:
            self.tour_offer.deleteLater()
            self.tour_offer = None
            if self.persist:
                settings.set_tour_offered()

    def show_glossary(self, term: str = "") -> None:
        """Help ▸ Shapes and Parameters, one window kept for the session (beside the design, not over it)."""
        from designer.widgets.help_glossary import GlossaryDialog

        if self.glossary is None:
            self.glossary = GlossaryDialog(self)
        self.glossary.show()
        self.glossary.raise_()
        if term:
            self.glossary.show_term(term)

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Design PyTorch networks as a graph of layers, see the exact tensor size on every edge "
            "as you edit, and export runnable PyTorch code.</p>"
            "<p>Sizes are worked out by the same rules torch applies, checked against torch itself.</p>",
        )

    # ----- window state -----------------------------------------------------------------------------
    def restore_layout(self) -> None:
        geometry, state = settings.window_layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, settings.LAYOUT_VERSION)

    def save_layout(self) -> None:
        settings.save_window_layout(self.saveGeometry(), self.saveState(settings.LAYOUT_VERSION))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save("closing"):
            event.ignore()
            return
        if self.persist:
            self.save_layout()
        self.files.watch.release()  # the file is no longer open here
        event.accept()
        self.closed.emit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.files.watch.check()  # back from another program that may have changed the file

    # ----- dropping project files on the window ----------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # Open after the drop returns: a modal question inside a drop handler blocks the drag source.
        QTimer.singleShot(0, self, lambda: self.files.open_path(path))


def _dropped_file(event) -> str | None:
    """The first local file in a drop, if any (any name: the loader decides whether it is a design)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and os.path.isfile(url.toLocalFile()):
            return url.toLocalFile()
    return None


def _overlap_view(window: MainWindow) -> QWidget:
    from designer.widgets.overlap_view import OverlapView  # pyqtgraph: only when the dock is opened

    return OverlapView(window.document)
