"""Keeps a window's undo stack within the memory budget and says how far back undo goes.

After every change to the stack (deferred to the event loop, so never inside a push), the nets it
keeps are counted and the oldest steps dropped past the budget (gui/editing/commands.trim_undo; the budget is
core.budget's, 256 MB by default). `label` reads "Undo goes back 12 steps" and, once steps were
dropped, "(older steps dropped to stay within 256 MB)".
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel

from chainview.core.budget import budget, size_text

from .commands import held_bytes, trim_undo

BIG_NET_BYTES = 16 * 2 ** 20     # a step of a net this big costs far more than a collection (~50 ms)


class UndoBudget(QObject):
    def __init__(self, stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.stack = stack
        self.dropped = 0
        self.label = QLabel()
        self.label.setObjectName("undo_reach")
        self.label.setWordWrap(True)
        self._busy = False
        self._pending = False
        stack.indexChanged.connect(self._schedule)
        self._say()

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.stack) and shiboken6.isValid(self.label)

    def _schedule(self, *_):
        if self._busy or not self._alive():    # also while the window and its stack are being destroyed
            return
        self._say()
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.trim)

    def trim(self) -> int:
        """Drop what is over the budget now; how many steps were dropped."""
        self._pending = False
        if not self._alive():
            return 0                          # the window went before the event loop came round
        self._busy = True
        try:
            dropped = trim_undo(self.stack, budget()[0])
        finally:
            self._busy = False
        self.dropped += dropped
        self._say()
        self._collect_if_big()
        return dropped

    def _collect_if_big(self) -> None:
        """Old nets and their evaluations sit in reference cycles that only Python's cyclic collector
        frees, and numpy arrays do not count towards running it: after 20 SGD steps on 64 MB of weights
        1.5 GB was waiting for it (0.5 GB once collected). With a big net, collect now."""
        count = self.stack.count()
        if count and held_bytes([self.stack.command(count - 1)]) > BIG_NET_BYTES:
            gc.collect()

    def held(self) -> int:
        return held_bytes(self.stack.command(i) for i in range(self.stack.count()))

    def _say(self) -> None:
        n = self.stack.index()
        text = "Nothing to undo" if n == 0 else f"Undo goes back {n} step{'s' if n != 1 else ''}"
        if self.dropped:
            text += f" (older steps dropped to stay within {size_text(budget()[0])})"
        self.label.setText(text)
