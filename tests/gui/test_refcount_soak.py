"""Guard against PySide6 releases that leak or drop references to None/True on Python callbacks.

PySide6 6.12.0 on Python 3.11 dropped a reference to None on every slot call, Signal.emit and
itemChange notification, and the interpreter aborted after a few thousand signals (pyproject.toml
excludes that release). A future release with the same defect must fail here, not on users.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, QPointF, Signal  # noqa: E402
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene  # noqa: E402


class _Emitter(QObject):
    fired = Signal(int)


class _MovingItem(QGraphicsRectItem):
    def itemChange(self, change, value):
        return super().itemChange(change, value)


def _refcounts():
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def test_signals_and_item_changes_keep_refcounts_stable(qapp):
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(lambda value: seen.append(value) if value % 10_000 == 0 else None)
    scene = QGraphicsScene()
    item = _MovingItem(0, 0, 10, 10)
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
    scene.addItem(item)
    before = _refcounts()
    for i in range(100_000):
        emitter.fired.emit(i)
        item.setPos(QPointF(i % 500, i % 300))
    after = _refcounts()
    assert len(seen) == 10
    # A healthy binding gives back every reference; allow a little slack for interpreter caches.
    drift = [abs(b - a) for a, b in zip(before, after)]
    assert max(drift) < 1_000, f"refcounts of None/True/False drifted by {drift} over 100,000 callbacks"
