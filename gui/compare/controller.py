"""Compare with my code, live: run the person's module file beside the engine, again whenever they save it.

    controller = CompareController(session)
    controller.start("hw.py")       # runs now, then on every save and every edit of the net
    controller.set_lr(0.01)         # also check their sgd_step (None: not), and run again
    controller.report               # the last CompareReport (core/compare.py), or None
    controller.stop()               # one click: the run ends, the file is no longer watched

The run (a child process, see core/compare_runner.py) is waited on in a Python thread, so the GUI
never blocks; its report comes back through a queued Qt signal. QFileSystemWatcher follows the
file; editors that save by writing a new file and renaming it over the old one drop the watch, so
the folder is watched too and the file is watched again when it reappears. Saves are coalesced
(a short delay) and a run still going when the next save lands is stopped and replaced.
"""

from __future__ import annotations

import os
import threading
import time

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from chainview.core.compare import CompareError, report_from_outcome, start_modules
from chainview.core.errors import NetError

from ..bind import follow

RERUN_DELAY_MS = 150      # a save often arrives as several writes: wait for the last one
KEEP = object()           # start(path) without lr=: the learning rate stays what it was


class CompareController(QObject):
    started = Signal()                 # a run began
    finished = Signal(object)          # CompareReport
    failed = Signal(str)               # chainview cannot run it (exit 2 of the CLI): one line
    state_changed = Signal()           # active / running / last run changed: the status line redraws
    _delivered = Signal(object, object)   # (run id, report or message) from the worker thread

    def __init__(self, session, parent: QObject | None = None, *, timeout: float = 10.0):
        super().__init__(parent)
        self.session = session
        self.timeout = timeout
        self.lr: float | None = None
        self.path: str | None = None
        self.report = None
        self.error = ""
        self.last_run: float | None = None         # time.time() of the last finished run
        self.runs = 0                              # finished runs (tests wait on it)
        self._run = None
        self._run_id = 0
        self._thread: threading.Thread | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._file_changed)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RERUN_DELAY_MS)
        self._timer.timeout.connect(self.rerun)
        self._delivered.connect(self._on_delivered)
        self._mtime = None
        follow(self, (session.net_changed, "_net_changed"))    # the session may outlive this controller

    # ---- public
    @property
    def active(self) -> bool:
        """Comparing (a file is chosen and watched), whether or not a run is going right now."""
        return self.path is not None

    @property
    def running(self) -> bool:
        """A run is going (its report has not arrived yet)."""
        return self._run is not None

    def start(self, path, *, lr=KEEP) -> None:
        """Compare with `path` from now on: run it now and on every save. lr: the learning rate their
        sgd_step is checked with (None: the update is not checked); left out, it stays as it was."""
        self.stop(clear=False)
        self.path = os.path.abspath(os.fspath(path))
        if lr is not KEEP:
            self.lr = lr
        self.report, self.error = None, ""
        self._watch()
        self.rerun()

    def rerun(self) -> None:
        """Run the comparison again now (a save, an edit of the net, or by hand)."""
        if self.path is None:
            return
        self._cancel_run()
        self._run_id += 1
        run_id, net = self._run_id, self.session.net
        try:
            self._run = start_modules(net, self.path, lr=self.lr, timeout=self.timeout)
        except NetError as err:
            self._run = None
            self._deliver_now(run_id, err.message)
            return
        run, lr = self._run, self.lr
        signal = self._delivered

        def work():
            try:
                outcome = run.wait()
                result = report_from_outcome(net, run.modules, outcome, lr=lr, timeout=run.timeout)
            except CompareError as err:
                result = err.message
            except Exception as err:  # a bug of ours: one line, never a dead thread
                result = f"internal error ({type(err).__name__}: {err}); please report it"
            if shiboken6.isValid(self):
                signal.emit(run_id, result)

        self._thread = threading.Thread(target=work, name="chainview-compare", daemon=True)
        self._thread.start()
        self.started.emit()
        self.state_changed.emit()

    def set_lr(self, lr: float | None) -> None:
        """A new learning rate (None: do not check the update); kept for this window, and run again now."""
        if lr == self.lr:
            return
        self.lr = lr
        self.state_changed.emit()
        if self.path is not None:
            self.rerun()

    def stop(self, *, clear: bool = True) -> None:
        """End the run and stop watching; with clear, forget the report (the badges go)."""
        self._timer.stop()
        self._cancel_run()
        self._run_id += 1                            # a run still finishing is ignored
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
        self.path = None
        if clear:
            self.report, self.error = None, ""
            self.finished.emit(None)
        self.state_changed.emit()

    def shutdown(self) -> None:
        """The window is going: end the run and wait for its thread (a moment: the child is killed)."""
        self.stop(clear=False)
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    # ---- internals
    def _cancel_run(self) -> None:
        if self._run is not None:
            self._run.stop()
            self._run = None

    def _deliver_now(self, run_id, result) -> None:
        QTimer.singleShot(0, lambda: self._on_delivered(run_id, result))

    def _on_delivered(self, run_id, result) -> None:
        if run_id != self._run_id:
            return                                   # an older run, replaced or stopped
        self._run = None
        self.last_run = time.time()
        self.runs += 1
        if isinstance(result, str):
            self.report, self.error = None, result
            self.failed.emit(result)
        else:
            self.report, self.error = result, ""
            self.finished.emit(result)
        self.state_changed.emit()

    def _watch(self) -> None:
        folder = os.path.dirname(self.path)
        if os.path.exists(self.path) and self.path not in self._watcher.files():
            self._watcher.addPath(self.path)
        if os.path.isdir(folder) and folder not in self._watcher.directories():
            self._watcher.addPath(folder)
        self._mtime = self._stamp()

    def _stamp(self):
        try:
            st = os.stat(self.path)
            return st.st_mtime_ns, st.st_size, st.st_ino
        except OSError:
            return None

    def _file_changed(self, path: str) -> None:
        if self.path is None:
            return
        self._watch()                                # a replace-on-save drops the watch: take it up again
        self._mtime = self._stamp()
        self._timer.start()

    def _folder_changed(self, _folder: str) -> None:
        """Something in their folder changed: if it is their file, by a rename over it, run again."""
        if self.path is None:
            return
        stamp = self._stamp()
        if stamp != self._mtime:
            self._watch()
            self._mtime = stamp
            if stamp is not None:
                self._timer.start()

    def _net_changed(self) -> None:
        if self.path is not None:
            self._timer.start()
