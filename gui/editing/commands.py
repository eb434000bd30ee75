"""Undo for edits of the net: since a Net is immutable, undo only has to remember two nets.

The nets are kept within a memory budget (`trim_undo`): the oldest steps go first, so a long run of
SGD steps on a big net cannot grow the heap without end (20 steps on 64 MB of weights were 2.9 GB).

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

    replaying = False    # trim_undo re-pushes kept steps: then redo/undo must not touch the session

    def __init__(self, session: Session, old: Net, new: Net, text: str, *, merge_key: str | None = None,
                 parent: QUndoCommand | None = None):
        super().__init__(text, parent)
        self.session, self.old, self.new = session, old, new
        self.merge_key = merge_key
        self._stamp = time.monotonic()

    def redo(self) -> None:
        if not SetNetCommand.replaying:
            self.session.set_net(self.new)

    def undo(self) -> None:
        if not SetNetCommand.replaying:
            self.session.set_net(self.old)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Arrow clicks on a spin box (same key, quick succession) collapse into one step."""
        if (SetNetCommand.replaying or not isinstance(other, SetNetCommand) or other.merge_key != self.merge_key
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


# ---------------------------------------------------------------- the undo stack's memory budget

def _arrays(net: Net):
    yield net.X
    yield net.Y
    for layer in net.layers:
        yield layer.W
        yield layer.W0


def held_bytes(commands) -> int:
    """Bytes of the distinct arrays the nets of `commands` hold (consecutive steps share their nets)."""
    seen: set[int] = set()
    total = 0
    for cmd in commands:
        if not isinstance(cmd, SetNetCommand):   # another kind of command keeps no nets we know of
            continue
        for net in (cmd.old, cmd.new):
            for arr in _arrays(net):
                if id(arr) not in seen:
                    seen.add(id(arr))
                    total += arr.nbytes
    return total


def trim_undo(stack: QUndoStack, budget_bytes: int) -> int:
    """Drop the oldest undo steps until the nets the stack keeps fit `budget_bytes`; how many were dropped.

    The newest step always stays. QUndoStack cannot drop from the bottom, so the steps kept are pushed
    again onto an emptied stack while SetNetCommand does nothing (the session already shows the right
    net), and the index and clean state are put back where they were."""
    commands = [stack.command(i) for i in range(stack.count())]
    if len(commands) < 2 or not all(isinstance(c, SetNetCommand) for c in commands):
        return 0
    keep_from, seen, total = len(commands) - 1, set(), 0
    for i in range(len(commands) - 1, -1, -1):          # newest first: what fits, counted once
        for net in (commands[i].old, commands[i].new):
            for arr in _arrays(net):
                if id(arr) not in seen:
                    seen.add(id(arr))
                    total += arr.nbytes
        if total > budget_bytes and i < len(commands) - 1:
            break
        keep_from = i
    index, clean = stack.index(), stack.cleanIndex()
    keep_from = min(keep_from, index)        # never drop a step that leads to the net on show
    if keep_from <= 0:
        return 0
    new_clean = clean - keep_from if clean >= keep_from else -1
    kept = [SetNetCommand(c.session, c.old, c.new, c.text(), merge_key=c.merge_key) for c in commands[keep_from:]]
    for copy, c in zip(kept, commands[keep_from:]):
        copy._stamp = c._stamp
    SetNetCommand.replaying = True
    try:
        stack.clear()                         # clean at index 0
        for j, cmd in enumerate(kept):
            stack.push(cmd)
            if new_clean == j + 1:
                stack.setClean()
        if new_clean < 0:
            stack.resetClean()                # the saved state was among the dropped steps: unreachable now
        stack.setIndex(index - keep_from)
    finally:
        SetNetCommand.replaying = False
    return keep_from
