"""Undo for edits of the net: since a Net is immutable, undo only has to remember two nets.

Every change a person makes in the editor, every SGD step and every training run goes
through `apply_edit`, so each is one entry on the window's QUndoStack and re-runs the pass
via `Session.set_net` (which keeps the step position where it still exists).
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from chainview.core import Net, NetError, Session

MERGE_SECONDS = 1.5   # consecutive edits with the same merge key this close together are one undo step
_MERGE_ID = 0x6e6574   # any id other than -1 makes Qt ask mergeWith


class SetNetCommand(QUndoCommand):
    """Replace the session's net: redo sets `new`, undo sets `old`."""

    def __init__(self, session: Session, old: Net, new: Net, text: str, *, merge_key: str | None = None,
                 parent: QUndoCommand | None = None):
        super().__init__(text, parent)
        self.session, self.old, self.new = session, old, new
        self.merge_key = merge_key
        self._stamp = time.monotonic()

    def redo(self) -> None:
        self.session.set_net(self.new)

    def undo(self) -> None:
        self.session.set_net(self.old)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Arrow clicks on a spin box (same key, quick succession) collapse into one step."""
        if (not isinstance(other, SetNetCommand) or other.merge_key != self.merge_key
                or other.old is not self.new or other._stamp - self._stamp > MERGE_SECONDS):
            return False
        self.new, self._stamp = other.new, other._stamp
        self.setText(other.text())
        self.setObsolete(self.new is self.old)
        return True


def apply_edit(session: Session, undo_stack: QUndoStack, make_net: Callable[[Net], Net], text: str, *,
               merge_key: str | None = None) -> str | None:
    """Build the new net from the current one and push it as one undo step.

    Returns None on success (or when `make_net` returns the same net: nothing to do), or the
    one-line NetError message when the edit is refused, in which case nothing changed.
    """
    old = session.net
    try:
        new = make_net(old)
    except NetError as err:
        return err.message
    if new is old:
        return None
    undo_stack.push(SetNetCommand(session, old, new, text, merge_key=merge_key))
    return None
