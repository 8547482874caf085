"""Design ▸ Check with PyTorch: ``designer.core.torch_check`` run off the GUI thread, with a progress dialog.

The check runs on a snapshot of the design (a JSON round trip), so edits made meanwhile cannot race it.
The result goes to the statistics panel (its "Check with PyTorch" line) and every node torch disagrees
with is marked on the canvas with the reason, until the design changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from designer.core import project
from designer.core.export import ExportError
from designer.core.stats import format_bytes
from designer.core.torch_check import CheckReport, TorchUnavailable, check


class _CheckThread(QThread):
    checked = Signal(object)  # CheckReport
    failed = Signal(str)

    def __init__(self, graph, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = project.loads(project.dumps(graph), graph.name)

    def run(self) -> None:
        try:
            self.checked.emit(check(self.graph))
        except (TorchUnavailable, ExportError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # torch raised where the designer did not expect it: say so, never crash
            self.failed.emit(f"torch stopped the check: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")


def summary(report: CheckReport) -> str:
    """One line for the statistics panel."""
    batch = f", batch N = {report.batch}" if report.batch is not None else ""
    verdict = (
        f"torch agrees with all {len(report.nodes)} nodes"
        if report.agree
        else f"torch disagrees on {len(report.disagreements)} node(s): " + ", ".join(n.id for n in report.disagreements)
    )
    return (
        f"Checked with torch {report.torch} ({report.device}{batch}): {verdict}. Forward {report.forward_ms:.1f} ms, "
        f"backward {report.backward_ms:.1f} ms, peak memory {format_bytes(report.peak_memory_bytes)} "
        f"(estimate for training: {format_bytes(report.estimated_training_memory_bytes)})."
    )


def disagreement(node) -> str:
    if node.shape != node.torch_shape:
        return f"torch gives {node.torch_shape}, the designer says {node.shape}"
    return f"torch counts {node.torch_params:,} parameters, the designer {node.params:,}"


class TorchCheck(QObject):
    """Runs one check at a time for ``window`` (a MainWindow) and shows its outcome."""

    finished = Signal(str)  # the summary line, or the reason the check could not run

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.thread: _CheckThread | None = None
        self.progress: QProgressDialog | None = None
        self.report: CheckReport | None = None

    def start(self) -> None:
        if self.thread is not None:
            return
        self.progress = QProgressDialog("Running the design in PyTorch: one forward and one backward pass…", "", 0, 0, self.window)
        self.progress.setCancelButton(None)
        self.progress.setWindowTitle("Check with PyTorch")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setMinimumWidth(420)
        self.progress.show()
        self.thread = _CheckThread(self.window.document.graph, self)
        self.thread.checked.connect(self._checked)
        self.thread.failed.connect(self._failed)
        self.thread.finished.connect(self._ended)
        self.thread.start()

    def wait(self) -> None:
        """Block until a running check ends (tests; closing the window)."""
        if self.thread is not None:
            self.thread.wait()

    def _checked(self, report: CheckReport) -> None:
        self.report = report
        notes = {n.id: disagreement(n) for n in report.disagreements}
        self.window.scene.mark_torch_disagreements(notes)
        self._show(summary(report), report.agree)

    def _failed(self, message: str) -> None:
        self.report = None
        self._show(f"Check with PyTorch could not run: {message}", False)

    def _show(self, text: str, ok: bool) -> None:
        panel = self.window.show_statistics()
        if panel is not None and hasattr(panel, "show_check"):
            panel.show_check(text, ok)
        self.window.statusBar().showMessage(text, 15000)
        self.finished.emit(text)

    def _ended(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.thread.deleteLater()
        self.thread = None
