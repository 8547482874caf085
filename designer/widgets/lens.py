"""The NCHW lens toggle: a checkable action that shows the canvas's sizes channels-last (N×H×W×C).

Only the labels change (``core.layout_lens``); the design and the exported code stay PyTorch's order.
The main window adds the action to its View menu.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from designer.core.layout_lens import CHANNELS_FIRST, CHANNELS_LAST, NOTE


def lens_action(scene, parent: QObject) -> QAction:
    """A checkable "Channels Last" action bound to ``scene`` (a GraphScene): checked shows N×H×W×C."""
    action = QAction("Show Sizes Channels-&Last (N×H×W×C)", parent)
    action.setCheckable(True)
    action.setChecked(scene.lens == CHANNELS_LAST)
    action.setToolTip(NOTE)
    action.setStatusTip("Show sizes in TensorFlow/Keras order (N×H×W×C); the design stays PyTorch's N×C×H×W")
    action.toggled.connect(lambda on: scene.set_lens(CHANNELS_LAST if on else CHANNELS_FIRST))
    return action
