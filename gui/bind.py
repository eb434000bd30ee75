"""The one way a Qt object follows the session's (Qt-free) signals and stops when it goes.

    self._binding = follow(self, (session.net_changed, self._on_net), (session.position_changed, "_moved"))

(Orange's `qconnect`, in spirit.) The session usually outlives the widgets that show it (tests,
`render`, a scene replaced on File ▸ Open), and a core `Signal` holds its callbacks strongly, so:
- a slot that is the receiver's own method (or its name) holds the receiver weakly;
- every slot does nothing once the receiver's C++ side is gone (shiboken6.isValid);
- all of them are disconnected when the receiver is destroyed, or at once by `release()`.
"""

from __future__ import annotations

import weakref
from typing import Callable

import shiboken6
from PySide6.QtCore import QObject


def _guarded(receiver: QObject, slot: Callable | str) -> Callable:
    """`slot` as a callback that holds `receiver` weakly where it can and does nothing once it is gone."""
    if isinstance(slot, str):
        slot = getattr(receiver, slot)
    if getattr(slot, "__self__", None) is receiver and hasattr(slot, "__func__"):   # its own method
        method = weakref.WeakMethod(slot)

        def call(*args):
            bound = method()
            if bound is not None and shiboken6.isValid(bound.__self__):
                bound(*args)
        call.__name__ = f"weak_{slot.__name__}"
        return call
    ref = weakref.ref(receiver)

    def call(*args):
        alive = ref()
        if alive is not None and shiboken6.isValid(alive):
            slot(*args)
    call.__name__ = f"while_alive_{getattr(slot, '__name__', 'slot')}"
    return call


class Binding:
    """The links `follow` made; `release()` cuts them before the receiver goes (a replaced scene)."""

    def __init__(self, links: list) -> None:
        self._links = links

    def release(self) -> None:
        links, self._links = self._links, []
        for signal, callback in links:
            signal.disconnect(callback)


def follow(receiver: QObject, *pairs: tuple) -> Binding:
    """Connect each (core signal, slot) for `receiver`; a slot is a callable or a method name."""
    links = [(signal, _guarded(receiver, slot)) for signal, slot in pairs]
    for signal, callback in links:
        signal.connect(callback)
    binding = Binding(links)
    # the session may outlive the receiver: stop following when its C++ side goes
    receiver.destroyed.connect(lambda *_: binding.release())
    return binding


class Coalescer:
    """Heavy work (a scene rebuild, an inspector refresh) done at most twice per event-loop turn, however
    many session changes ask for it in that turn: the first request runs at once, every later one in the
    same turn only marks the work dirty, and a single-shot zero timer runs it once more at the end of
    the turn, with the latest state.

        self._rebuild_soon = Coalescer(self, self.rebuild)
        ...  self._rebuild_soon.request()          # in each slot that needs the work

    What it buys: opening a file is select(None) + set_net + reset + set_example, four signals a view
    would rebuild for; a monkey test (tests/test_monkey.py) fires eight actions between two event-loop
    turns. Both now cost one rebuild, plus one at the end of the turn. Running the first request at once
    keeps a view up to date straight after one change (what a person sees, and what most tests read);
    `flush()` does the pending work now, for a reader that must see the latest state in the same turn.
    Keyword flags (force=True) are or-ed together until the work runs.
    """

    def __init__(self, owner: QObject, work: Callable, *, enabled: bool = True) -> None:
        from PySide6.QtCore import QTimer
        self.enabled = enabled               # off: every request runs the work at once
        self._work = work
        self._flags: dict = {}
        self._dirty = False
        self._timer = QTimer(owner)          # dies with its owner: no callback into a deleted widget
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)

    @property
    def pending(self) -> bool:
        """Requested and not done yet (a slot may skip what the pending work will redo anyway)."""
        return self._dirty

    def request(self, **flags) -> None:
        if not shiboken6.isValid(self._timer):     # its owner is being destroyed: nothing left to update
            return
        for key, value in flags.items():
            self._flags[key] = self._flags.get(key, False) or value
        if self._timer.isActive() and self.enabled:     # not the first request of this turn: once, at its end
            self._dirty = True
            return
        if self.enabled:
            self._timer.start()              # opens the turn's window; the work runs now
        self._dirty = True
        self.flush()

    def flush(self) -> None:
        if self._dirty:
            self._dirty = False
            flags, self._flags = self._flags, {}
            self._work(**flags)
