"""The window's actions, menus and toolbar, with standard shortcuts (QKeySequence) wherever one exists.

Canvas commands are the canvas's own actions (editing: ``view.editor.actions``; zoom and grid:
``view.canvas_actions``), active while the canvas has focus so that text fields keep their keys; the window adds file, undo and dock actions.
Undo and Redo come from the undo stack, so the menu says what they will do ("Undo Move 3 Nodes").
"""

from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QToolBar

from designer.core import examples
from designer.widgets import icons, settings, theme
from designer.widgets.files import example_title
from designer.widgets.lens import lens_action
from designer.widgets.solver_dialog import open_solver

_KEYS = QKeySequence.StandardKey


class Actions(QObject):
    """Builds and keeps every action of ``window`` (a MainWindow); ``retint()`` after a scheme change."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        files, view, stack = window.files, window.view, window.document.undo_stack
        canvas = {**view.canvas_actions, **view.editor.actions}

        self.new = self._action("&New", files.new, _KEYS.New, "new", "Start an empty design")
        self.open = self._action("&Open…", files.open_dialog, _KEYS.Open, "open", "Open a design from a file")
        self.save = self._action("&Save", files.save, _KEYS.Save, "save", "Save the design")
        self.save_as = self._action("Save &As…", files.save_as, _KEYS.SaveAs, None, "Save the design to another file")
        self.revert = self._action("&Revert", files.revert, None, None, "Drop the changes since the last save")
        self.export = self._action(
            "&Export to PyTorch…", window.export_code, "Ctrl+E", "export", "Show the design as runnable PyTorch code"
        )
        self.import_model = self._action(
            "&Import from PyTorch…", self._import_model, None, None, "Open a PyTorch model from a .py file as a new design"
        )
        self.export_onnx = self._action(
            "Export to O&NNX…", self._export_onnx, None, None, "Save the design as an ONNX model for deployment tools"
        )
        self.export_image = self._action(
            "Export &Image…", self._export_image, None, None, "Save the design (or the selection) as an SVG, PNG or PDF diagram"
        )
        self.quit = self._action("&Quit", window.close, _KEYS.Quit, None, "Close the window")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo = stack.createUndoAction(window, "&Undo")
        self.undo.setShortcuts(QKeySequence.keyBindings(_KEYS.Undo))
        self.redo = stack.createRedoAction(window, "&Redo")
        # Ctrl+Y and Ctrl+Shift+Z on every platform, whichever of them the platform itself lists first.
        redo_keys = QKeySequence.keyBindings(_KEYS.Redo) + [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")]
        self.redo.setShortcuts(list(dict.fromkeys(redo_keys)))
        for action in (self.undo, self.redo):
            window.addAction(action)

        self.cut, self.copy, self.paste = canvas["cut"], canvas["copy"], canvas["paste"]
        self.duplicate, self.delete = canvas["duplicate"], canvas["delete"]
        self.select_all, self.rename, self.quick_add = canvas["select_all"], canvas["rename"], canvas["quick_add"]
        self.group, self.ungroup, self.make_unique = canvas["group"], canvas["ungroup"], canvas["make_unique"]
        self.expand_in_place = canvas["expand_in_place"]
        self.zoom_in, self.zoom_out = canvas["zoom_in"], canvas["zoom_out"]
        self.zoom_reset, self.fit_all = canvas["zoom_reset"], canvas["fit_all"]
        self.auto_layout, self.snap, self.grid = canvas["auto_layout"], canvas["snap_to_grid"], canvas["show_grid"]
        self.auto_layout_lr = canvas["auto_layout_lr"]
        self.auto_layout.setStatusTip("Arrange the layers top to bottom, as papers draw networks (one undo step)")
        self.auto_layout_lr.setStatusTip("Arrange the layers left to right (one undo step)")
        self.snap.setChecked(settings.snap_to_grid() if window.persist else False)
        if window.persist:
            self.snap.toggled.connect(settings.set_snap_to_grid)
        self.tour = self._action(
            "&Getting Started…", window.show_tour, None, None, "A short guided tour: from the DCGAN example to your first exported file"
        )
        self.glossary = self._action(
            "&Shapes and Parameters…", window.show_glossary, None, None, "What N, C, H, W and stride, padding, dilation… mean"
        )
        self.reset_layout = self._action(
            "&Reset Layout", window.reset_layout, None, None, "Put every panel back in its place at its first size"
        )
        self.about = self._action("&About Model Designer", window.about, None, None, "Version and credits")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.lens = lens_action(window.scene, window)
        self.minimap = canvas["show_minimap"]
        self.solve = self._action(
            "&Solve for a Size…",
            self._open_solver,
            None,
            None,
            "Find kernel, stride and padding that give the size you want, or the input size a design needs",
        )
        view.editor.node_menu_actions.append(self.solve)
        self.check = self._action(
            "&Check with PyTorch",
            self._check_with_torch,
            None,
            None,
            "Run the design in your installed torch and compare every node's size and parameters with the designer's",
        )

        self._icons = {
            self.new: "new", self.open: "open", self.save: "save", self.export: "export",
            self.undo: "undo", self.redo: "redo", self.zoom_in: "zoom-in", self.zoom_out: "zoom-out",
            self.fit_all: "zoom-fit", self.zoom_reset: "zoom-reset", self.auto_layout: "layout",
            self.delete: "delete", self.duplicate: "duplicate",
        }  # fmt: skip
        self.retint()
        self.torch_check = None  # made on first use: it imports torch's runner
        self._build_menus()
        self._build_toolbar()

        document = window.document
        # Bound methods (not lambdas) on document signals: Qt disconnects them when this object dies.
        for signal in (document.modified_changed, document.path_changed, document.selection_changed, document.reset_done):
            signal.connect(self.update_enabled)
        window.navigator.level_changed.connect(self.update_enabled)
        files.recent_changed.connect(self._fill_recent)
        self.update_enabled()

    def _action(self, text: str, slot, key, icon: str | None, tip: str) -> QAction:
        action = QAction(text, self.window)
        if isinstance(key, str):
            action.setShortcut(QKeySequence(key))
        elif key is not None:
            action.setShortcuts(QKeySequence.keyBindings(key))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    # ----- menus and toolbar ------------------------------------------------------------------------
    def _open_solver(self) -> None:
        selection = self.window.document.selection
        open_solver(self.window.document, selection[0] if len(selection) == 1 else None, self.window)

    # The importer and ONNX modules load on first use, keeping start-up lean (torch loads later still).
    def _import_model(self) -> None:
        from designer.widgets.import_dialog import import_into

        import_into(self.window.files)

    def _check_with_torch(self) -> None:
        from designer.widgets.torch_check_run import TorchCheck

        if self.torch_check is None:
            self.torch_check = TorchCheck(self.window)
        self.torch_check.start()

    def _export_image(self) -> None:
        from designer.widgets.export_image import export_image_dialog

        export_image_dialog(self.window)

    def _export_onnx(self) -> None:
        from designer.widgets.onnx_dialog import export_onnx_dialog

        export_onnx_dialog(self.window)

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.new)
        self.examples_menu = file.addMenu("New from &Example")
        for name in examples.example_names():
            action = self.examples_menu.addAction(example_title(name))
            action.triggered.connect(partial(self._open_example, name))
        file.addAction(self.open)
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        file.addAction(self.import_model)
        file.addSeparator()
        file.addActions([self.save, self.save_as, self.revert])
        file.addSeparator()
        file.addActions([self.export, self.export_onnx, self.export_image])
        file.addSeparator()
        file.addAction(self.quit)

        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.cut, self.copy, self.paste, self.duplicate, self.delete])
        edit.addSeparator()
        edit.addActions([self.select_all, self.rename, self.quick_add])
        edit.addAction(self.solve)
        edit.addSeparator()
        edit.addActions([self.group, self.ungroup, self.make_unique])

        view = bar.addMenu("&View")
        view.addActions([self.zoom_in, self.zoom_out, self.zoom_reset, self.fit_all])
        view.addSeparator()
        view.addActions([self.auto_layout, self.auto_layout_lr, self.snap, self.grid])
        view.addAction(self.lens)
        view.addAction(self.minimap)
        view.addAction(self.expand_in_place)
        view.addSeparator()
        self.theme_menu = view.addMenu("&Theme")
        self.theme_actions = {}
        group = QActionGroup(self.window)
        current = settings.theme_choice() if self.window.persist else "system"
        for choice in settings.THEMES:
            action = self.theme_menu.addAction(choice.capitalize())
            action.setCheckable(True)
            action.setChecked(choice == current)
            action.setStatusTip({"system": "Follow the system's light or dark setting"}.get(choice, f"Always {choice}"))
            action.triggered.connect(partial(self._choose_theme, choice))
            group.addAction(action)
            self.theme_actions[choice] = action
        panels = view.addMenu("&Panels")
        for dock in self.window.docks:
            panels.addAction(dock.toggleViewAction())
        view.addAction(self.reset_layout)

        design = bar.addMenu("&Design")
        design.addAction(self.check)

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.tour, self.glossary])
        help_menu.addSeparator()
        help_menu.addAction(self.about)
        self.menus = {"file": file, "edit": edit, "view": view, "design": design, "help": help_menu}

    def _build_toolbar(self) -> None:
        bar = QToolBar("Toolbar", self.window)
        bar.setObjectName("MainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addActions([self.new, self.open, self.save])
        bar.addSeparator()
        bar.addActions([self.undo, self.redo])
        bar.addSeparator()
        bar.addActions([self.duplicate, self.delete])
        bar.addSeparator()
        bar.addActions([self.zoom_out, self.zoom_in, self.zoom_reset, self.fit_all, self.auto_layout])
        bar.addSeparator()
        bar.addAction(self.export)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
        for action in bar.actions():
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            label = action.text().replace("&", "").rstrip("…")
            if shortcut and shortcut not in action.toolTip():
                action.setToolTip(f"{label} ({shortcut})")

    def _fill_recent(self) -> None:
        menu: QMenu = self.recent_menu
        menu.clear()
        files = settings.recent_files() if self.window.persist else []
        for i, path in enumerate(files):
            action = menu.addAction(f"&{i + 1} {os.path.basename(path)}" if i < 9 else os.path.basename(path))
            action.setStatusTip(path)
            action.setToolTip(path)
            action.triggered.connect(partial(self._open_recent, path))
        if files:
            menu.addSeparator()
            menu.addAction("Clear Menu", self._clear_recent)
        else:
            menu.addAction("No recent files").setEnabled(False)

    def _choose_theme(self, choice: str, _checked: bool = False) -> None:
        from designer.widgets.main_window import MainWindow  # the window module imports this one

        theme.choose(QApplication.instance(), choice, remember=self.window.persist)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.actions.theme_actions[choice].setChecked(True)
                widget.restyle()

    def _open_example(self, name: str, _checked: bool = False) -> None:
        self.window.files.new_from_example(name)

    def _open_recent(self, path: str, _checked: bool = False) -> None:
        self.window.files.open_path(path)

    def _clear_recent(self) -> None:
        settings.clear_recent_files()
        self._fill_recent()

    # ----- state -----------------------------------------------------------------------------------
    def update_enabled(self, *_args) -> None:
        document = self.window.document
        # The edit actions act on the design's canvas; inside an instance its own canvas has them (keys,
        # right-click menu), so the window's are off there rather than acting on a design out of sight.
        outside = self.window.navigator.depth == 0
        selected = outside and bool(document.selection)
        self.revert.setEnabled(bool(document.path) and document.modified)
        for action in (self.cut, self.copy, self.duplicate):
            action.setEnabled(selected)
        self.rename.setEnabled(outside and len(document.selection) == 1)
        # Delete stays enabled: it also removes selected edges, which are not part of the node selection.
        for action in (self.paste, self.delete, self.select_all, self.quick_add, self.auto_layout, self.auto_layout_lr):
            action.setEnabled(outside)

    def retint(self) -> None:
        """Draw the icons in the palette's text colour (after a light/dark switch)."""
        color = self.window.palette().color(QPalette.ColorRole.ButtonText).name()
        for action, name in self._icons.items():
            action.setIcon(icons.icon(name, color))
