"""Work off the GUI thread that never makes the window wait: `Pacer` and `BackgroundJob`.

Python threads share one lock (the GIL), and PySide gives it up on every call into Qt. A busy worker
therefore makes each of those calls wait its turn (5 ms a time): a step of the graph that takes 21 ms
idle took 705 ms while training ran. `Pacer` fixes that from the worker's side: the worker runs in
slices of SLICE_SECONDS and then waits until the GUI thread's event loop has come round once (a queued
signal), so whatever the user asked for (a step, a click) runs first, without a rival for the GIL.
An idle window grants the next slice at once, so a lone run loses little speed.

    job = BackgroundJob(lambda progress, should_stop: work(...), parent=window)
    job.progressed.connect(bar.setValue); job.finished.connect(show); job.failed.connect(say)
    job.start(); ...; job.cancel()

The worker is a Python thread, not a QThread: deleting the window (and the job with it) during a run
cannot abort the interpreter with "QThread: Destroyed while thread is still running"; the run is told
to stop and ends on its own.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

SLICE_SECONDS = 0.008       # a worker runs this long, then lets the GUI thread have a turn
GRANT_WAIT_SECONDS = 0.25   # no answer from the GUI thread (it is blocked, or gone): carry on anyway

_live_threads: set[threading.Thread] = set()


def join_all(timeout: float = 10.0) -> None:
    """Wait for every background thread (at quit: none may still run numpy while Python shuts down)."""
    end = time.monotonic() + timeout
    for thread in list(_live_threads):
        thread.join(max(0.0, end - time.monotonic()))


class Pacer(QObject):
    """Made on the GUI thread; `checkpoint()` is called by the worker between small pieces of work."""

    _ask = Signal()

    def __init__(self, cancel: threading.Event, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = cancel
        self._granted = threading.Event()
        self._slice_start = time.monotonic()
        self.paced = True                       # False: never wait (a caller blocks the GUI thread on us)
        self._ask.connect(self._grant, Qt.QueuedConnection)

    def checkpoint(self) -> None:
        """In the worker: after SLICE_SECONDS of work, wait for the GUI thread to have had its turn."""
        if not self.paced or time.monotonic() - self._slice_start < SLICE_SECONDS:
            return
        self._granted.clear()
        try:
            self._ask.emit()
        except RuntimeError:                    # the C++ side is gone (the window was deleted): carry on
            self.paced = False
            return
        end = time.monotonic() + GRANT_WAIT_SECONDS
        while not self._granted.wait(0.02):
            if self._cancel.is_set() or not self.paced or time.monotonic() > end:
                break
        self._slice_start = time.monotonic()

    @Slot()
    def _grant(self) -> None:
        self._granted.set()


class BackgroundJob(QObject):
    """fn(progress(done, total), should_stop() -> bool) on a worker thread; results come back as signals
    on the GUI thread. progress() also paces the worker (see the module docstring)."""

    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    _done = Signal(object, str)

    def __init__(self, fn: Callable, parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self._pacer = Pacer(self._cancel, self)
        self._thread: threading.Thread | None = None
        self._last_progress = 0.0
        self._done.connect(self._on_done, Qt.QueuedConnection)
        cancel = self._cancel
        self.destroyed.connect(lambda *_: cancel.set())   # deleted mid-run: the worker stops by itself
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chainview-background", daemon=True)
        _live_threads.add(self._thread)
        self._thread.start()

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, seconds: float = 30.0) -> bool:
        """Block until the worker has ended (its result is then delivered by the event loop); True if it has."""
        if self._thread is None:
            return True
        self._pacer.paced = False
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def _progress(self, done: int, total: int) -> None:
        self._pacer.checkpoint()
        now = time.monotonic()
        if now - self._last_progress > 0.05 or done == total:
            self._last_progress = now
            try:
                self.progressed.emit(done, total)
            except RuntimeError:
                self._cancel.set()

    def _run(self) -> None:
        try:
            result, error = self._fn(self._progress, self._cancel.is_set), ""
        except MemoryError:
            result, error = None, "not enough memory for this"
        except Exception as err:                 # a bug must not end the thread silently
            result, error = None, getattr(err, "message", None) or f"{type(err).__name__}: {err}"
        try:
            self._done.emit(result, error)
        except RuntimeError:                     # the job was deleted meanwhile: nobody to tell
            pass
        finally:
            _live_threads.discard(threading.current_thread())

    @Slot(object, str)
    def _on_done(self, result, error: str) -> None:
        if error:
            self.failed.emit(error)
        else:
            self.finished.emit(result)
