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
