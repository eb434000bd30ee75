"""gui/bind.follow: a Qt object follows a core Signal, and stops when it is destroyed or released."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from chainview.core.events import Signal
from chainview.gui.bind import follow


class Listener(QWidget):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_value(self, value):
        self.seen.append(value)


def test_follows_until_the_receiver_is_destroyed(qtbot):
    signal, listener = Signal(), Listener()
    outside = []
    follow(listener, (signal, listener.on_value), (signal, "on_value"), (signal, outside.append))
    signal.emit(1)
    assert listener.seen == [1, 1] and outside == [1]
    listener.deleteLater()
    qtbot.waitUntil(lambda: signal._callbacks == [])      # all three disconnected on `destroyed`
    signal.emit(2)
    assert outside == [1]


def test_release_cuts_the_links_at_once(qtbot):
    signal, listener = Signal(), Listener()
    qtbot.addWidget(listener)
    binding = follow(listener, (signal, listener.on_value))
    binding.release()
    signal.emit(1)
    assert listener.seen == []


def test_a_method_slot_does_not_keep_its_receiver_alive(qtbot):
    import gc
    import weakref
    signal = Signal()
    listener = Listener()
    follow(listener, (signal, "on_value"))
    ref = weakref.ref(listener)
    del listener
    gc.collect()
    signal.emit(1)            # no error: the slot does nothing once the receiver is gone
    assert ref() is None
