"""The statistics panel and blocks: an instance's bar adds up the layers inside, the totals say what each
block costs, and double-clicking an instance's bar looks inside it, the plots following the canvas."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.app import _window
from designer.core import project
from designer.core.stats import compute_stats
from tests.core import block_designs as bd
from tests.gui import app_support
from tests.gui.app_support import close_quietly

app_env = app_support.app_env  # fixture


def double_click(widget, point) -> None:
    """What a mouse sends for a double-click: press, release, double-click, release (QTest.mouseDClick sends
    a second press as well, which pyqtgraph reads as a single click)."""
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(widget, left, none, point)
    spot = QPointF(point)
    event = QMouseEvent(QEvent.Type.MouseButtonDblClick, spot, widget.mapToGlobal(spot), left, left, none)
    QApplication.sendEvent(widget, event)
    QTest.mouseRelease(widget, left, none, point)


@pytest.fixture
def window(app_env, qtbot):
    window = _window(project.loads(bd.text(bd.resnet18(size=64))), None, persist=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    close_quietly(window)


def test_instance_bars_add_up_their_layers_and_double_click_looks_inside(window, qtbot):
    panel = window.show_statistics()
    QApplication.processEvents()
    panel.refresh()
    series = panel.series
    assert series.instances() == {"layer1", "layer2_0", "layer2_1", "layer3_0", "layer3_1", "layer4_0", "layer4_1"}
    tip = panel.totals_label.toolTip()
    assert "BasicBlock (4 uses): " in tip and "DownBlock (3 uses): " in tip
    index = series.index("layer2_0")
    instance_params = series.params[index]
    assert "a block: the layers inside added up" in series.hover_text(index)
    double_click(panel.plots.viewport(), panel.column_center(index))
    QApplication.processEvents()
    navigator = window.navigator
    assert navigator.depth == 1 and navigator.path() == ["layer2_0 (DownBlock)"]
    panel.refresh()
    assert panel.document is navigator.current_document()
    assert panel.totals_label.text().startswith("Inside layer2_0 (DownBlock): ")
    inner = panel.series
    assert "down_conv" in inner.ids and "layer2_0" not in inner.ids
    assert sum(inner.params) == instance_params  # the instance's bar is the sum of the bars inside
    facts = compute_stats(panel.document.graph, panel.document.engine)
    assert inner.macs[inner.index("conv1")] == facts.nodes["conv1"].macs > 0
    navigator.leave_to(0)
    QApplication.processEvents()
    panel.refresh()
    assert panel.document is window.document and not panel.totals_label.text().startswith("Inside")
    assert panel.series.index("layer2_0") == index
