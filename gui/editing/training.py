"""SGD from the GUI: one step at a time, or a run of many on a worker thread that never freezes the window.

`TrainingController.step(lr)` and a finished `train(lr, steps)` each become ONE undo step
("SGD step (η = 0.01)", "Train 200 steps (η = 0.01)"). A run calls core.training.train on a
QThread; progress is reported at most every PROGRESS_SECONDS. Cancelling keeps what was
trained so far (one undo step "Train 37 of 200 steps (η = 0.01), cancelled"). If the net
was changed while a run went on (undo, opening a file), the run's result is not applied,
and `finished` says so in TrainResult.stopped.

The worker runs in small slices and lets the GUI thread go first between them (gui/background.py's
Pacer), so stepping stays as quick while training runs as when idle. A running QThread is kept in
`_RUNNING` until it ends, so deleting the window (and this controller) mid-run only cancels the run;
Qt would otherwise abort the interpreter ("QThread: Destroyed while thread is still running").
Opening another net (`forget`) abandons a run: it is cancelled and nothing of it is shown.

`last_update()` keeps, for every weight node, the last SGD step's before / gradient / after
(after = before − η·gradient), for the inspector and for `UpdateView`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, QTimer, Qt, Signal, Slot
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from chainview.core import Net, NetError, Session, TrainResult, evaluate, sgd_step, train
from chainview.core.symbols import node_symbol, pretty

from .commands import SetNetCommand
from ..background import Pacer
from ..bind import follow
from ..inspector.matrix_model import MatrixModel
from .tables import MatrixTable
from ..theme import Theme

PROGRESS_SECONDS = 0.03
_RUNNING: dict[int, tuple] = {}   # id(thread) -> (thread, worker, cancel): alive until the thread has ended


def _forget_ended() -> None:
    for key, (thread, _, _) in list(_RUNNING.items()):
        if not shiboken6.isValid(thread) or thread.isFinished():
            del _RUNNING[key]


def stop_all_runs(timeout_ms: int = 30000) -> None:
    """Cancel and join every run still going, whoever started it (at quit and at interpreter exit)."""
    for thread, _, cancel in list(_RUNNING.values()):
        cancel.set()
        if shiboken6.isValid(thread):
            thread.wait(timeout_ms)
    _RUNNING.clear()


import atexit  # noqa: E402  (next to what it registers)
atexit.register(stop_all_runs)


@dataclass(frozen=True)
class Update:
    """One SGD step: node id -> before, dL/d(node), after, with after = before − lr · gradient."""
    lr: float
    before: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    after: dict[str, np.ndarray]
    loss_before: float
    loss_after: float
    net: Net              # the net the step produced
    text: str             # "SGD step (η = 0.01)" or "last of 200 steps (η = 0.01)"

    def nodes(self) -> list[str]:
        return list(self.before)


def _update(before_net: Net, after_net: Net, lr: float, text: str, loss_after: float | None = None,
            ev=None) -> Update:
    """`ev` is before_net's evaluation when the caller has it; it holds the gradient the step used
    (evaluation is deterministic, so evaluating again gives the same numbers)."""
    ev = ev if ev is not None else evaluate(before_net)
    before = before_net.weights()
    loss_after = evaluate(after_net).loss if loss_after is None else loss_after
    return Update(lr, before, {k: ev.grads[k] for k in before}, after_net.weights(), ev.loss, loss_after,
                  after_net, text)


def eta(lr: float) -> str:
    return f"η = {lr:g}"


class _Worker(QObject):
    """Runs core.training.train on a QThread; reports progress throttled, then `done`."""

    progress = Signal(int, int, float)
    losses = Signal(list)              # losses since the last report, for a live plot
    done = Signal(object)              # (TrainResult, Update | None)
    failed = Signal(str)

    def __init__(self, net: Net, lr: float, steps: int, cancel: threading.Event, pacer: Pacer | None = None):
        super().__init__()
        self.net, self.lr, self.steps, self._cancel = net, lr, steps, cancel
        self.pacer = pacer
        self._pending: list[float] = []
        self._last = 0.0

    def _on_step(self, i: int, loss: float) -> None:
        if self.pacer is not None:
            self.pacer.checkpoint()          # the GUI thread goes first: stepping stays quick
        self._pending.append(loss)
        now = time.monotonic()
        if i == self.steps or now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self._flush(i, loss)

    def _flush(self, i: int, loss: float) -> None:
        if self._pending:
            self.losses.emit(self._pending)
            self._pending = []
        self.progress.emit(i, self.steps, loss)

    @Slot()
    def run(self) -> None:
        try:
            payload = self._train()
        except NetError as err:
            self.failed.emit(err.message)
            return
        except Exception as err:               # a bug must not end the thread silently
            self.failed.emit(f"training failed: {err!r}")
            return
        self.done.emit(payload)

    def _train(self) -> tuple[TrainResult, Update | None]:
        lr, steps, stop = self.lr, self.steps, self._cancel.is_set
        if steps <= 1:
            result = train(self.net, lr, steps, on_step=self._on_step, should_stop=stop)
            update = None
            if len(result.losses) == 2 and not result.stopped:
                update = _update(self.net, result.net, lr, f"SGD step ({eta(lr)})", result.losses[-1])
            return result, update
        # all but the last step in one go; the last one apart, so its before / gradient / after are kept
        first = train(self.net, lr, steps - 1, on_step=self._on_step, should_stop=stop)
        if first.stopped:
            return first, None
        last = train(first.net, lr, 1, on_step=lambda i, loss: self._on_step(steps, loss), should_stop=stop)
        result = TrainResult(last.net, first.losses[:-1] + last.losses, last.stopped)
        if last.stopped:
            return result, None
        return result, _update(first.net, last.net, lr, f"last of {steps} steps ({eta(lr)})", last.losses[-1])


class TrainingController(QObject):
    """SGD steps and training runs on a session, each one undo step on `undo_stack`."""

    progress = Signal(int, int, float)     # steps done, steps asked, loss before that step
    losses_added = Signal(list)            # losses as a run reports them (throttled), for a live plot
    started = Signal(int)                  # a run of this many steps began
    finished = Signal(object)              # TrainResult of a run (applied unless .stopped says otherwise)
    failed = Signal(str)                   # a run or step refused by core (one line)
    running_changed = Signal(bool)
    stepped = Signal(object)               # Update of a single SGD step
    update_changed = Signal(object)        # last_update() changed

    def __init__(self, session: Session, undo_stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.undo_stack = session, undo_stack
        self._update: Update | None = None
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._cancel = threading.Event()
        self._start_net: Net | None = None
        self._lr = 0.0
        self._steps = 0
        self._outcome = None                  # (TrainResult, Update | None) or a failure message
        self._abandoned = False               # another net was opened: show nothing of this run
        self._pacer: Pacer | None = None
        self.last_result: TrainResult | None = None
        app = QCoreApplication.instance()
        if app is not None:                   # a QThread must never outlive its run: join it on quit
            app.aboutToQuit.connect(self.shutdown)
            app.aboutToQuit.connect(stop_all_runs)
        cancel = self._cancel
        self.destroyed.connect(lambda *_: cancel.set())   # deleted mid-run: the run ends by itself

    # ---- state
    def last_update(self) -> Update | None:
        """Before / gradient / after of the last SGD step done here (a single step or a run's last)."""
        return self._update

    def is_running(self) -> bool:
        return self._thread is not None

    # ---- one step
    def step(self, lr: float) -> str | None:
        """One SGD step on the whole batch, pushed as "SGD step (η = …)"; the refusal message or None."""
        if self.is_running():
            return "training is running: wait for it or cancel it first"
        before, ev = self.session.net, self.session.evaluation
        try:
            after = sgd_step(before, lr)
        except NetError as err:
            self.failed.emit(err.message)
            return err.message
        text = f"SGD step ({eta(lr)})"
        self.undo_stack.push(SetNetCommand(self.session, before, after, text))
        update = _update(before, after, lr, text, self.session.evaluation.loss, ev)
        self._set_update(update)
        self.stepped.emit(update)
        return None

    def forget(self) -> None:
        """Another net was opened: its history is not this one's; a running run is cancelled and abandoned."""
        if self._thread is not None:
            self._abandoned = True
            self._cancel.set()
        if self._update is not None:
            self._update = None
            self.update_changed.emit(None)

    def _set_update(self, update: Update | None) -> None:
        self._update = update
        self.update_changed.emit(update)

    # ---- a run
    def train(self, lr: float, steps: int) -> bool:
        """Start `steps` SGD steps on a worker thread; False when a run is already going."""
        if self.is_running():
            return False
        _forget_ended()
        self._cancel = threading.Event()      # a run of its own: an abandoned one may still be ending
        cancel = self._cancel
        self.destroyed.connect(lambda *_: cancel.set())
        self._abandoned = False
        self._start_net, self._lr, self._steps = self.session.net, lr, steps
        thread = QThread()
        thread.setObjectName("chainview-training")
        self._pacer = Pacer(self._cancel, self)
        worker = _Worker(self._start_net, lr, steps, self._cancel, self._pacer)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress, Qt.QueuedConnection)
        worker.losses.connect(self._on_losses, Qt.QueuedConnection)
        worker.done.connect(self._on_done, Qt.QueuedConnection)
        worker.failed.connect(self._on_failed, Qt.QueuedConnection)
        for signal in (worker.done, worker.failed):
            signal.connect(thread.quit, Qt.DirectConnection)    # at once, so shutdown() can wait() for it
        thread.finished.connect(self._on_thread_finished, Qt.QueuedConnection)
        self._outcome = None
        self._thread, self._worker = thread, worker
        _RUNNING[id(thread)] = (thread, worker, self._cancel)
        self.running_changed.emit(True)
        self.started.emit(steps)
        thread.start()
        return True

    @Slot()
    def cancel(self) -> None:
        """Stop a run after the step in progress; what was trained so far is kept."""
        self._cancel.set()

    def wait(self, ms: int = 30000) -> bool:
        """Block until the worker thread has ended (for shutting down); True when it has."""
        if self._pacer is not None:
            self._pacer.paced = False         # the GUI thread blocks here: the worker must not wait for it
        return self._thread.wait(ms) if self._thread is not None else True

    @Slot()
    def shutdown(self) -> None:
        """Cancel and join a run; call before the window goes away (done on close and on quit)."""
        if self._thread is not None:
            self.cancel()
            if self._pacer is not None:
                self._pacer.paced = False
            self._thread.wait()

    def _on_progress(self, i: int, total: int, loss: float) -> None:
        if not self._abandoned:
            self.progress.emit(i, total, loss)

    def _on_losses(self, losses: list) -> None:
        if not self._abandoned:
            self.losses_added.emit(losses)

    def _on_done(self, payload) -> None:
        self._outcome = payload

    def _on_failed(self, message: str) -> None:
        self._outcome = message

    def _on_thread_finished(self) -> None:
        """The worker has ended: apply its result (one undo step), then tell the world."""
        thread, worker, outcome = self._thread, self._worker, self._outcome
        self._thread = self._worker = self._outcome = None
        if thread is not None:
            _RUNNING.pop(id(thread), None)
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self.running_changed.emit(False)
        if self._abandoned:                   # another net was opened meanwhile: nothing of this run is shown
            self._abandoned = False
            self._start_net = None
            return
        if isinstance(outcome, str) or outcome is None:
            self.failed.emit(outcome or "training ended without a result")
            return
        result, update = outcome
        start = self._start_net
        self._start_net = None
        done = max(len(result.losses) - 1, 0)
        if result.net is not start:
            if self.session.net is start:
                cut = f"Train {done} of {self._steps} steps" if done < self._steps else f"Train {done} steps"
                text = f"{cut} ({eta(self._lr)})" + (", cancelled" if result.stopped == "cancelled" else "")
                self.undo_stack.push(SetNetCommand(self.session, start, result.net, text))
                self._set_update(update)   # None for a cancelled run: an older single step is not "the last"
            else:
                result.stopped = ("the net was changed while training ran (undo, an edit or a file); "
                                  "the trained net was not applied")
        self.last_result = result
        self.finished.emit(result)


class _ShutdownFilter(QObject):
    """Stops a run once its window has really closed (the close may still be refused by a save question,
    so this looks just after the close event, not during it)."""

    def __init__(self, controller: TrainingController, window: QWidget):
        super().__init__(window)
        self.controller, self.window = controller, window

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Close:
            if self.window.testAttribute(Qt.WA_DeleteOnClose):
                self._stop()                       # it is about to be deleted with the controller
            else:
                QTimer.singleShot(0, self._after_close)
        return False

    def _after_close(self) -> None:
        if shiboken6.isValid(self.window) and not self.window.isVisible():
            self._stop()

    def _stop(self) -> None:
        if shiboken6.isValid(self.controller):
            self.controller.shutdown()


def join_on_close(controller: TrainingController, window: QWidget) -> None:
    window.installEventFilter(_ShutdownFilter(controller, window))


class UpdateView(QWidget):
    """For one weight node, the last SGD step entry by entry: before, the gradient and after, side by side.

    One row per entry (W¹[1, 2], ...), so it reads the same in a narrow dock for any shape.
    """

    COLUMNS = ("before", "grad", "after")

    def __init__(self, controller: TrainingController, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.theme = controller, theme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.node_combo = QComboBox()
        self.node_combo.setToolTip("The weight node whose last update is shown (follows the canvas selection)")
        self.node_combo.currentIndexChanged.connect(lambda _: self._show())
        top.addWidget(QLabel("Last update of"))
        top.addWidget(self.node_combo)
        top.addStretch(1)
        layout.addLayout(top)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        # 6 digits: a small step changes the 4th digit or later
        self.model = MatrixModel(parent=self, theme=theme, precision=6, colored=False)
        self.table = MatrixTable(self.model, max_rows=8, sample="−0.0983684", stretch=True)
        layout.addWidget(self.table)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self._headers = ("before", "gradient", "after")
        controller.update_changed.connect(lambda _: self.refresh())
        follow(self, (controller.session.net_changed, self._refresh_note),
               (controller.session.selection_changed, self._follow_selection))
        self.refresh()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.model.set_theme(theme)
        self.refresh()

    def set_node(self, node: str) -> None:
        index = self.node_combo.findData(node)
        if index >= 0:
            self.node_combo.setCurrentIndex(index)

    def node(self) -> str | None:
        return self.node_combo.currentData()

    def columns(self) -> dict[str, np.ndarray]:
        """The shown node's before / grad / after, in its own shape."""
        update, node = self.controller.last_update(), self.node()
        if update is None or node is None:
            return {}
        return {"before": update.before[node], "grad": update.grads[node], "after": update.after[node]}

    def _follow_selection(self, selection) -> None:
        if isinstance(selection, str):
            self.set_node(selection)

    def refresh(self) -> None:
        update = self.controller.last_update()
        current = self.node()
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        for node in (update.nodes() if update else []):
            self.node_combo.addItem(pretty(node_symbol(node)), node)
        if current is not None:
            self.node_combo.setCurrentIndex(max(self.node_combo.findData(current), 0))
        self.node_combo.blockSignals(False)
        self._show()

    def _show(self) -> None:
        update, node = self.controller.last_update(), self.node()
        muted = f"color: {self.theme.muted.name()};"
        self.caption.setStyleSheet(muted)
        self.note.setStyleSheet(muted)
        has = update is not None and node is not None
        self.table.setVisible(has)
        self.node_combo.setEnabled(has)
        if not has:
            self.model.set_matrix(np.zeros((0, 3)), None, self._headers)
            self.caption.setText("No SGD step yet: press SGD step (Ctrl+T) or train.")
            self.note.setText("")
            return
        symbol = pretty(node_symbol(node))
        self.caption.setText(f"{update.text}: loss {update.loss_before:.5g} → {update.loss_after:.5g}\n"
                             f"after = before − {update.lr:g} · dL/d{symbol}")
        self._headers = ("before", f"dL/d{symbol}", "after")
        before = update.before[node]
        rows, cols = before.shape
        entries = [f"{symbol}[{i + 1},{j + 1}]" if cols > 1 else f"{symbol}[{i + 1}]"
                   for i in range(rows) for j in range(cols)]
        table = np.column_stack([update.before[node].ravel(), update.grads[node].ravel(), update.after[node].ravel()])
        self.model.set_matrix(table, entries, self._headers)
        self.table.fit_size()
        self._refresh_note()

    def _refresh_note(self) -> None:
        update = self.controller.last_update()
        if update is None:
            return
        stale = update.net is not self.controller.session.net
        self.note.setText("The net has changed since this step (an edit, undo or a file)." if stale else "")
