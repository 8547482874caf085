"""Help ▸ Getting Started: a short guided tour on the DCGAN example, ending with the user's first exported file.

A small panel beside the design walks through five steps. Each step says what to look at or do, offers a
button that does it (or shows it), and ticks itself off when the document shows it is done, whichever way
the user did it. Nothing here changes the design except through the document, so every step undoes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer.core.edits import SetParams

EXAMPLE = "dcgan_generator"
EXAMPLE_NAME = "DCGAN generator"
LOOK_AT = "up2"  # the layer whose size the tour explains
BREAK = "up3"  # the layer the tour breaks, then fixes
BROKEN_IN_CHANNELS = 100


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    button: str
    act: Callable[[object], None]  # window → None: does or shows the step
    done: Callable[[object], bool]  # window → whether the step is done


def _has_example(window) -> bool:
    graph = window.document.graph
    return graph.name == EXAMPLE_NAME and LOOK_AT in graph and BREAK in graph


def _break(window) -> None:
    graph = window.document.graph
    if BREAK in graph:
        params = {**graph.node(BREAK).params, "in_channels": BROKEN_IN_CHANNELS}
        window.document.apply(SetParams(BREAK, params, text=f"Change in_channels of '{BREAK}'"))
        _show(window, BREAK)


def _show(window, node_id: str) -> None:
    if node_id in window.document.graph:
        window.document.select([node_id])
        window.view.center_on_node(node_id)


STEPS: tuple[Step, ...] = (
    Step(
        "Open the DCGAN generator",
        "A DCGAN generator turns 100 random numbers into a 64×64 colour image. Open it from "
        "File ▸ New from Example ▸ DCGAN generator, or with the button.",
        "Open It",
        lambda w: w.files.new_from_example(EXAMPLE),
        _has_example,
    ),
    Step(
        "Read a size",
        "Every edge shows the tensor it carries: 64×512×4×4 is N=64 samples, C=512 channels, H=4 rows and "
        f"W=4 columns. Click the layer '{LOOK_AT}': the Inspector shows how its H and W were worked out, with "
        "your numbers in the formula.",
        "Show Me",
        lambda w: _show(w, LOOK_AT),
        lambda w: _has_example(w) and w.document.selection == [LOOK_AT],
    ),
    Step(
        "Make a mistake",
        f"Set in_channels of '{BREAK}' to {BROKEN_IN_CHANNELS} in the Inspector: the layer turns red, the "
        "sentence says why, and the layers after it wait.",
        "Do It",
        _break,
        lambda w: BREAK in w.document.graph and w.document.engine.result(BREAK).error is not None,
    ),
    Step(
        "Fix it in one click",
        "The Inspector offers the repair as a button (so do the Problems panel and the red badge on the "
        "layer). Press “Fix: Set in_channels to 256”. Ctrl+Z would bring the mistake back.",
        "Show Me",
        lambda w: _show(w, BREAK),
        lambda w: _has_example(w) and not w.document.engine.problems(),
    ),
    Step(
        "Export your first file",
        "File ▸ Export to PyTorch… shows the design as a runnable Python file. Save it, then run it with "
        "python to see the output size it prints.",
        "Export…",
        lambda w: w.export_code(),
        lambda w: bool(w.exported_paths),
    ),
)


class Tour(QDialog):
    """The tour's panel: one step at a time, a button that does it, Back and Next."""

    def __init__(self, window) -> None:
        super().__init__(window, Qt.WindowType.Tool)
        self.window_ = window
        self.setWindowTitle("Getting Started")
        self.index = 0
        self.counter = QLabel(self)
        self.counter.setEnabled(False)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.act_button = QPushButton(self)
        self.act_button.clicked.connect(lambda: STEPS[self.index].act(self.window_))
        self.back = QPushButton("Back", self)
        self.back.clicked.connect(lambda: self.go(self.index - 1))
        self.next = QPushButton("Next", self)
        self.next.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.act_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(340)
        self.resize(380, 240)
        document = window.document
        for signal in (document.shapes_changed, document.selection_changed, document.reset_done, window.code_exported):
            signal.connect(self.update_state)
        self.go(0)

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(STEPS) - 1))
        step = STEPS[self.index]
        self.counter.setText(f"Step {self.index + 1} of {len(STEPS)}")
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.act_button.setText(step.button)
        self.back.setEnabled(self.index > 0)
        self.update_state()

    def _next(self) -> None:
        if self.index == len(STEPS) - 1:
            self.close()
        else:
            self.go(self.index + 1)

    def done_now(self) -> bool:
        return STEPS[self.index].done(self.window_)

    def update_state(self, *_args) -> None:
        done = self.done_now()
        last = self.index == len(STEPS) - 1
        if done and last:
            path = self.window_.exported_paths[-1]
            self.status.setText(f"✓ Your first exported file: <b>{path}</b><br>Run <code>python {path}</code> to try it.")
        elif done:
            self.status.setText("✓ Done. Press Next.")
        elif self.index > 0 and not _has_example(self.window_) and self.index < 4:
            self.status.setText("This step needs the DCGAN generator: go Back to step 1 to open it.")
        else:
            self.status.setText("")
        self.next.setText("Finish" if last else "Next")
        self.next.setDefault(done)


def place_beside(tour: QWidget, window: QWidget) -> None:
    """Bottom right of the canvas, clear of the Inspector: the design stays visible."""
    geometry = window.geometry()
    tour.move(geometry.right() - tour.width() - 340, geometry.bottom() - tour.height() - 80)
