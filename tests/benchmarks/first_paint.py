"""Time from a fresh interpreter to the first painted main window (the default example, offscreen).

Run: ``python tests/benchmarks/first_paint.py [--runs 5]``. Each run is a new process that notes the
clock when Python starts the script, builds the app as ``run_app`` does, and stops at the first paint
event of the canvas viewport; it also reports whether torch or pyqtgraph were imported (they must not be).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

_CHILD = r"""
import time
start = time.perf_counter()
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject, QTimer
from designer import app as appmod

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not hasattr(self, "at"):
            self.at = time.perf_counter()
            QTimer.singleShot(0, application.quit)
        return False

application = appmod._application()
from designer.widgets import theme
theme.apply(application)
graph, path, _ = appmod._first_design(None)
window = appmod._window(graph, path, persist=False)
probe = FirstPaint()
window.view.viewport().installEventFilter(probe)
window.resize(*appmod.SCREENSHOT_SIZE)
window.show()
QTimer.singleShot(10000, application.quit)
application.exec()
heavy = [m for m in ("torch", "pyqtgraph") if m in sys.modules]
print(json.dumps({"seconds": probe.at - start, "heavy": heavy}))
"""


def measure() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=120)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = [measure() for _ in range(args.runs)]
    times = [r["seconds"] for r in results]
    heavy = sorted({m for r in results for m in r["heavy"]})
    print(
        f"first painted window: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {len(times)} runs; "
        f"heavy modules imported: {heavy or 'none'}"
    )


if __name__ == "__main__":
    main()
