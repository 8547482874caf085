"""Start-up: the QApplication, the theme, the first design, the main window, or a screenshot and exit.

``run_app(file, screenshot)`` is what ``model-designer [FILE] [--screenshot OUT.png]`` calls. Without a
file the built-in default example opens (as an unsaved copy). With ``--screenshot`` the window is laid
out at 1280×800, the graph fitted, and a PNG of the whole window written; that works without a display
(the offscreen platform is chosen when there is none). Nothing here imports torch or pyqtgraph.
An interactive start also keeps recovery snapshots of unsaved work and first offers what a crashed or
killed session left behind (``designer.document.recovery``, ``designer.widgets.recovery_prompt``).
"""

from __future__ import annotations

import os
import sys

SCREENSHOT_SIZE = (1280, 800)
EXIT_OK, EXIT_BAD_INPUT = 0, 2  # as in cli.common (the app is below the CLI, so it cannot import them)


# Qt platforms that draw without a window system (nothing to connect to), and what the others need.
_WINDOWLESS_PLATFORMS = ("offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")
_PLATFORM_DISPLAY = {"xcb": ("DISPLAY",), "wayland": ("WAYLAND_DISPLAY",)}

NO_DISPLAY = (
    "model-designer: there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
    "to save a picture of a design without one, run 'model-designer FILE --screenshot OUT.png', or start the "
    "app on a virtual X server (xvfb-run model-designer) or with QT_QPA_PLATFORM=offscreen."
)


def _has_display() -> bool:
    """Whether some Qt platform this environment asks for can open a window (decided before Qt starts)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    requested = [p.split(":")[0].strip().lower() for p in os.environ.get("QT_QPA_PLATFORM", "").split(";")]
    requested = [p for p in requested if p] or ["xcb", "wayland"]
    for platform in requested:
        if platform in _WINDOWLESS_PLATFORMS:
            return True
        needs = next((env for prefix, env in _PLATFORM_DISPLAY.items() if platform.startswith(prefix)), None)
        if needs is None or any(os.environ.get(name) for name in needs):
            return True  # a platform we do not know: let Qt try it
    return False


def _quiet_offscreen_noise() -> None:
    """The offscreen platform warns about window-size hints it cannot pass on; harmless, so dropped."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _application():
    from PySide6.QtWidgets import QApplication

    from designer.widgets import icons, settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationDisplayName(settings.APPLICATION)
    app.setWindowIcon(icons.app_icon())
    return app


def _first_design(file: str | None):
    """(graph, path, problem): the file's design, or the default example; ``problem`` is the loader's sentence."""
    from designer.core import examples, project
    from designer.core.graph import Graph

    if file is None:
        try:
            return examples.load_example(examples.DEFAULT_EXAMPLE), None, None
        except (KeyError, OSError, project.ProjectError):  # a broken install still opens, empty
            return Graph(), None, None
    try:
        return project.load(file), os.path.abspath(file), None
    except project.ProjectError as exc:
        return None, None, str(exc)


def run_app(file: str | None, screenshot: str | None) -> int:
    if not _has_display():
        if not screenshot:
            print(NO_DISPLAY, file=sys.stderr)
            return EXIT_BAD_INPUT
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        _quiet_offscreen_noise()
    app = _application()
    from designer.widgets import theme

    theme.apply(app)
    graph, path, problem = _first_design(file)
    if screenshot:
        if problem is not None:
            print(f"model-designer: {problem}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return _screenshot(app, graph, path, screenshot)
    return _interactive(app, graph, path, problem, file)


def _window(graph, path, persist: bool):
    from PySide6.QtCore import Qt

    from designer.document.document import Document
    from designer.widgets.lazy_dock import DockSpec
    from designer.widgets.main_window import MainWindow

    stats = DockSpec("Statistics", "StatsDock", Qt.DockWidgetArea.BottomDockWidgetArea, _stats_panel, "ProblemsDock")
    document = Document(graph, path)
    window = MainWindow(document, persist=persist, extra_docks=[stats])
    document.setParent(window)
    return window


def _stats_panel(window):
    """The statistics panel (pyqtgraph), built when its dock is first shown; plots sit beside widgets."""
    from designer.plots.stats_dock import StatsPanel

    panel = StatsPanel(window.document, window.view)
    navigator = window.navigator
    panel.node_activated.connect(lambda node_id: panel.view.center_on_node(node_id))
    panel.enter_requested.connect(navigator.enter)
    # The plots follow the canvas into an instance: the costs of that one use, layer by layer.
    navigator.level_changed.connect(
        lambda _depth: panel.show_level(navigator.current_document(), navigator.current_view(), navigator.path())
    )
    return panel


def _screenshot(app, graph, path, out: str) -> int:
    from PySide6.QtCore import QSize, Qt

    from designer.widgets.crash import CrashHandler

    handler = CrashHandler(interactive=False)
    handler.install()
    try:
        window = _window(graph, path, persist=False)
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        app.processEvents()
        window.view.fit_all()
        app.processEvents()
        image = window.grab()
        size = QSize(*SCREENSHOT_SIZE)
        if image.size() != size:  # a high-density screen: keep the documented picture size
            image = image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        if not image.save(out, "PNG"):
            print(f"model-designer: cannot write the screenshot to {out}", file=sys.stderr)
            return EXIT_BAD_INPUT
        window.close()
        return EXIT_OK
    finally:
        handler.uninstall()


def _interactive(app, graph, path, problem: str | None, file: str | None) -> int:
    from PySide6.QtCore import QTimer

    from designer.core.graph import Graph
    from designer.document.recovery import Session
    from designer.widgets import theme
    from designer.widgets.crash import CrashHandler
    from designer.widgets.recovery_prompt import offer_recovery

    recovery = Session()
    window = _window(graph if graph is not None else Graph(), path, persist=True)
    windows = [window]  # windows opened for restored designs live as long as the first one
    _keep_recovered(window, recovery)
    handler = CrashHandler(window)
    handler.install()
    recovery.write_failed.connect(lambda text: window.statusBar().showMessage(text, 15_000))
    theme.follow_system(app, lambda _dark: _restyle(windows))
    window.show()
    QTimer.singleShot(0, window.view.fit_all)  # once the window has its real size
    if problem is not None:
        QTimer.singleShot(0, lambda: window.files.show_open_failure(file or "", problem, at_start=True))
    QTimer.singleShot(0, lambda: offer_recovery(recovery, window, lambda s: _restore_target(windows, s, recovery)))
    try:
        return app.exec()
    finally:
        handler.uninstall()
        recovery.close()


def _keep_recovered(window, recovery) -> None:
    """Snapshot the window's design while it has unsaved changes; a closed window's snapshot goes."""
    from functools import partial

    recovery.watch(window.document)
    window.closed.connect(partial(recovery.forget, window.document))


def _restyle(windows: list) -> None:
    for window in windows:
        window.restyle()


def _restore_target(windows: list, snapshot, recovery):
    """The document a recovered design goes into: the first window's while it holds nothing of the
    user's own (an untouched example, or the same file unchanged), else a new window's."""
    from PySide6.QtCore import QPoint

    from designer.core.graph import Graph

    first = windows[0].document
    if not first.modified and first.path in (None, snapshot.original_path):
        return first
    window = _window(Graph(), None, persist=True)
    window.move(windows[0].pos() + QPoint(32, 32) * len(windows))
    windows.append(window)
    _keep_recovered(window, recovery)
    window.show()
    return window.document
