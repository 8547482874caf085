"""The restore prompt shown at start when earlier sessions left unsaved work: Restore, Discard or Later each.

``RecoveryPrompt`` only collects the choices (one row per recovered design, Restore preselected where the
copy can be read); ``offer_recovery`` shows it and carries them out through the recovery session. Closing
the prompt any way but Continue means Later for every design, so nothing is deleted without a choice.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from designer.document.document import Document
from designer.document.recovery import Session, Snapshot

_VISIBLE_ROWS = 4  # more rows scroll


class Choice(enum.Enum):
    RESTORE = "Restore"
    DISCARD = "Discard"
    LATER = "Later"


_TIPS = {
    Choice.RESTORE: "Open the design with its unsaved changes",
    Choice.DISCARD: "Delete this recovered copy for good",
    Choice.LATER: "Keep the copy and ask again at the next start",
}


def when(saved_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """``today at 14:32``, ``yesterday at 09:05`` or ``3 May 2025 at 17:40`` in local time."""
    now = now or datetime.datetime.now().astimezone()
    local = saved_at.astimezone(now.tzinfo)
    clock = local.strftime("%H:%M")
    days = (now.date() - local.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    return f"{local.day} {local.strftime('%b %Y')} at {clock}"


class RecoveryPrompt(QDialog):
    """One row per recovered design with its name, file, time and the three choices."""

    def __init__(self, snapshots: Sequence[Snapshot], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover Unsaved Work")
        self.setObjectName("RecoveryPrompt")
        self.snapshots = list(snapshots)
        self._groups: list[QButtonGroup] = []

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        count = len(self.snapshots)
        headline = QLabel(
            "<b>Model Designer did not close properly last time.</b><br>"
            + ("This design had" if count == 1 else f"These {count} designs had")
            + " changes that were not saved. Choose what to do with each:",
            self,
        )
        headline.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(headline, 1)

        rows = QWidget(self)
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        rows_layout.setSpacing(8)
        for snapshot in self.snapshots:
            rows_layout.addWidget(self._row(snapshot, rows))
        rows_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(rows)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # All rows show without scrolling up to a few; beyond that the list scrolls.
        row_height = rows.sizeHint().height() / max(count, 1)
        scroll.setMinimumHeight(round(min(count, _VISIBLE_ROWS) * row_height))

        note = QLabel("Discard deletes the recovered copy for good. Later keeps it and asks again next time.", self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        buttons = QDialogButtonBox(self)
        buttons.addButton("Decide Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.continue_button = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(600)

    def _row(self, snapshot: Snapshot, parent: QWidget) -> QFrame:
        frame = QFrame(parent)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(16)
        name = QLabel(snapshot.display_name, frame)
        name.setTextFormat(Qt.TextFormat.PlainText)
        bold = name.font()
        bold.setBold(True)
        name.setFont(bold)
        stamp = QLabel(f"changes from {when(snapshot.saved_at)}", frame)
        stamp.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        readable = snapshot.graph is not None
        where = snapshot.original_path or (
            "never saved: Restore opens it as a new, untitled design" if readable else "never saved"
        )
        detail = QLabel(where, frame)
        detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        detail.setToolTip(snapshot.original_path or "")
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail.setWordWrap(True)
        grid.addWidget(name, 0, 0)
        grid.addWidget(stamp, 0, 1)
        grid.addWidget(detail, 1, 0, 1, 2)
        line = 2
        if snapshot.problem is not None:
            problem = QLabel(f"This copy cannot be read: {snapshot.problem}", frame)
            problem.setWordWrap(True)
            grid.addWidget(problem, line, 0, 1, 2)
            line += 1
        choices = QHBoxLayout()
        group = QButtonGroup(frame)
        for choice in Choice:
            button = QRadioButton(choice.value, frame)
            button.setToolTip(_TIPS[choice])
            button.setObjectName(choice.name.lower())
            group.addButton(button)
            choices.addWidget(button)
        choices.addStretch(1)
        grid.addLayout(choices, line, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._groups.append(group)
        self._button(len(self._groups) - 1, Choice.RESTORE).setEnabled(readable)
        self._button(len(self._groups) - 1, Choice.RESTORE if readable else Choice.LATER).setChecked(True)
        return frame

    def _button(self, row: int, choice: Choice) -> QRadioButton:
        return next(b for b in self._groups[row].buttons() if b.text() == choice.value)

    def set_choice(self, snapshot: Snapshot, choice: Choice) -> None:
        button = self._button(self.snapshots.index(snapshot), choice)
        if button.isEnabled():
            button.setChecked(True)

    def choices(self) -> list[tuple[Snapshot, Choice]]:
        """What the user chose for each design; everything Later unless the prompt was accepted."""
        if self.result() != QDialog.DialogCode.Accepted:
            return [(s, Choice.LATER) for s in self.snapshots]
        return [(s, Choice(group.checkedButton().text())) for s, group in zip(self.snapshots, self._groups)]


def offer_recovery(session: Session, parent: QWidget | None, target: Callable[[Snapshot], Document]) -> int:
    """Ask about every recovered design and carry out the answers; returns how many were restored.

    ``target(snapshot)`` gives the document a restored design goes into (the app opens windows as needed).
    """
    snapshots = session.recovered()
    restored = 0
    try:
        if not snapshots:
            return 0
        prompt = RecoveryPrompt(snapshots, parent)
        prompt.exec()
        for snapshot, choice in prompt.choices():
            if choice is Choice.RESTORE and session.restore(snapshot, target(snapshot)):
                restored += 1
            elif choice is Choice.DISCARD:
                session.discard(snapshot)
    finally:
        session.release_stale()
    return restored
