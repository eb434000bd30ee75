"""The gradient check from the GUI, within the work budget: quick ones at once, long ones in the background.

Before it starts the check is priced (core.budget.check_plan, from the net's shape alone):
  * under BACKGROUND_SECONDS: run at once, as before;
  * longer: on a worker thread, with a progress bar and Cancel in the status bar (Esc cancels too),
    the window staying usable;
  * over the budget: not run as is; a random subset of entries of every node and edge is checked
    instead (PyTorch's fast gradcheck does the same), and the summary says so and why.
A report that comes back after the net or the example changed is dropped, with one line saying so.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from chainview.core.budget import BACKGROUND_SECONDS, check_plan, time_text
from chainview.core.gradcheck import CheckCancelled, check_gradients

from ..background import BackgroundJob


class CheckProgress(QWidget):
    """'Gradient check [=====   ] Cancel' in the status bar while a check runs."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Gradient check")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Fixed)
        self.cancel_button.setToolTip("Stop the gradient check (Esc)")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        for w in (self.label, self.bar, self.cancel_button):
            lay.addWidget(w)
        self.hide()


class CheckRunner(QObject):
    """Runs the gradient check of `window.session` for EditingTools (Ctrl+G)."""

    done = Signal(str)             # the one-line summary (or why there is none)

    def __init__(self, window, summarise, status):
        super().__init__(window)
        self.window, self._summarise, self._status = window, summarise, status
        self.job: BackgroundJob | None = None
        self.progress = CheckProgress()
        self.progress.cancel_clicked.connect(self.cancel)
        window.statusBar().addPermanentWidget(self.progress)
        self._esc = QShortcut(QKeySequence(Qt.Key_Escape), window)
        self._esc.setContext(Qt.WindowShortcut)
        self._esc.setEnabled(False)
        self._esc.activated.connect(self.cancel)

    def is_running(self) -> bool:
        return self.job is not None

    def run(self) -> str:
        s = self.window.session
        if self.job is not None:
            return "gradient check: already running (Cancel or Esc stops it)"
        plan = check_plan(s.net)
        if plan.estimate.seconds < BACKGROUND_SECONDS and not plan.sampled:
            return self._finish(s.run_check())
        ev, example, limit = s.evaluation, s.example, plan.limit

        def work(progress, should_stop):
            try:
                report = check_gradients(ev, example=example, limit=limit, progress=progress, should_stop=should_stop)
            except CheckCancelled:
                return None
            if plan.sampled:
                report.sampled = f"{plan.why}; checked {limit} random entr{'y' if limit == 1 else 'ies'} of each"
            return report

        job = BackgroundJob(work, self)
        job.progressed.connect(self._on_progress)
        job.finished.connect(lambda report: self._on_finished(report, ev, example))
        job.failed.connect(self._on_failed)
        self.job = job
        self.progress.bar.setRange(0, 0)
        self.progress.show()
        self._esc.setEnabled(True)
        text = (f"gradient check running{' on a random sample' if plan.sampled else ''} "
                f"(about {time_text(plan.estimate.seconds)}) — Esc or Cancel stops it")
        self.progress.setToolTip(plan.why or text)
        self._status(text)
        job.start()
        return text

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def wait(self, seconds: float = 60.0) -> bool:
        return self.job.wait(seconds) if self.job is not None else True

    def _end(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        self.progress.hide()
        self._esc.setEnabled(False)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.bar.setRange(0, total)
        self.progress.bar.setValue(done)

    def _on_finished(self, report, ev, example) -> None:
        self._end()
        s = self.window.session
        if report is None:
            self._say("gradient check cancelled")
        elif s.evaluation is not ev or s.example != example:
            self._say("gradient check: the net changed while it ran, so its marks were dropped; press Ctrl+G again")
        else:
            s.show_check(report)
            self._finish(report)

    def _on_failed(self, message: str) -> None:
        self._end()
        self._say(f"gradient check failed: {message}")

    def _say(self, text: str) -> None:
        self._status(text)
        self.done.emit(text)

    def _finish(self, report) -> str:
        text = self._summarise(report)
        self._say(text)
        return text
