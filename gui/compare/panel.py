"""The Compare page: what is compared and when it last ran (with Stop), every step ✓/✗, and for the
chosen step theirs, expected and the difference side by side, each with its shape, and the diagnosis
(or their exception's line).

It shows what a CompareController reports and follows the session's selection (a node picks its
first differing step); picking a step selects its node and moves the stepper there.
"""

from __future__ import annotations

import os
import time

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from chainview.core.symbols import pretty

from ..inspector.matrix_view import MatrixView
from ..theme import LIGHT, Theme

MARKS = {"ok": "✓", "differs": "✗", "not_checked": "·"}


def parse_lr(text: str) -> float | None:
    """The learning-rate field: empty is None (the update is not checked); else a positive number, or a
    ValueError whose text says what to type."""
    text = text.strip()
    if not text:
        return None
    try:
        lr = float(text)
    except ValueError:
        lr = float("nan")
    if not (lr > 0 and np.isfinite(lr)):
        raise ValueError(f"the learning rate must be a positive number, e.g. 0.01 (empty: no SGD step); got {text!r}")
    return lr


def row_text(row) -> str:
    words = {"not_checked": "not checked"}.get(row.status, row.kind or "")
    if row.kind == "exception" and "NotImplementedError" in row.message:
        words = "not implemented"
    return f"{MARKS[row.status]}  {row.title}  ({row.phase})" + (f" — {words}" if words else "")


class ComparePanel(QWidget):
    row_chosen = Signal(object)          # a Row the person picked (the window selects its node and step)
    template_wanted = Signal()           # "Start from the template…": the tools ask where to save it

    def __init__(self, controller, session, theme: Theme = LIGHT, parent=None):
        super().__init__(parent)
        self.setObjectName("compare_panel")
        self.setWindowTitle("Compare")
        self.controller, self.session, self.theme = controller, session, theme
        self._rows = []
        self._updating = False

        self.status_label = QLabel()
        self.status_label.setObjectName("compare_status")
        self.status_label.setWordWrap(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("compare_stop")
        self.stop_button.setToolTip("Stop comparing: the file is no longer watched and the ✓/✗ go")
        self.stop_button.clicked.connect(lambda: controller.stop())
        self.rerun_button = QPushButton("Run again")
        self.rerun_button.setObjectName("compare_rerun")
        self.rerun_button.clicked.connect(controller.rerun)
        self.template_button = QPushButton("Start from the template…")
        self.template_button.setObjectName("compare_template")
        self.template_button.setToolTip("Save the module template (Linear, Tanh, ..., NLL with NotImplementedError "
                                        "bodies) where you like and compare with it while you fill it in")
        self.template_button.clicked.connect(self.template_wanted)
        # the learning rate their sgd_step is checked with; empty: the update is not checked
        self.lr_label = QLabel("SGD lr")
        self.lr_field = QLineEdit()
        self.lr_field.setObjectName("compare_lr")
        self.lr_field.setPlaceholderText("none")
        self.lr_field.setMaximumWidth(self.lr_field.fontMetrics().horizontalAdvance("0.00001") + 24)
        self.lr_field.setToolTip("Learning rate to check your sgd_step with (e.g. 0.01), as `chainview compare "
                                 "--lr`; empty: the update is not checked. Kept while this window is open")
        self.lr_label.setBuddy(self.lr_field)
        self.lr_field.editingFinished.connect(self._lr_edited)
        head = QHBoxLayout()
        head.addWidget(self.status_label, 1)
        head.addWidget(self.lr_label)
        head.addWidget(self.lr_field)
        head.addWidget(self.template_button)
        head.addWidget(self.rerun_button)
        head.addWidget(self.stop_button)

        self.summary = QLabel()
        self.summary.setObjectName("compare_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.list = QListWidget()
        self.list.setObjectName("compare_rows")
        self.list.setFocusPolicy(Qt.ClickFocus)
        self.list.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.list.currentRowChanged.connect(self._row_changed)

        self.detail_title = QLabel()
        self.detail_title.setObjectName("compare_detail_title")
        f = self.detail_title.font()
        f.setBold(True)
        self.detail_title.setFont(f)
        self.diagnosis = QLabel()
        self.diagnosis.setObjectName("compare_diagnosis")
        self.diagnosis.setWordWrap(True)
        self.diagnosis.setTextFormat(Qt.PlainText)
        self.diagnosis.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.source_line = QLabel()
        self.source_line.setObjectName("compare_source")
        self.source_line.setTextFormat(Qt.PlainText)
        self.source_line.setFont(QFont("monospace"))
        self.source_line.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.views = {k: MatrixView(theme=theme, compact=True, max_rows=8) for k in ("yours", "expected", "difference")}
        # the three matrices side by side at their natural width, scrolled sideways in a narrow dock
        self.matrices = QWidget()
        mats = QHBoxLayout(self.matrices)
        mats.setContentsMargins(0, 0, 0, 0)
        for view in self.views.values():
            mats.addWidget(view, 0, Qt.AlignTop)
        mats.addStretch(1)
        self.matrix_scroll = QScrollArea()
        self.matrix_scroll.setWidget(self.matrices)
        self.matrix_scroll.setFrameShape(QScrollArea.NoFrame)
        self.matrix_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.detail_title)
        lay.addWidget(self.diagnosis)
        lay.addWidget(self.source_line)
        lay.addWidget(self.matrix_scroll, 1)

        controller.state_changed.connect(self.refresh_status)
        controller.finished.connect(self.show_report)
        controller.failed.connect(self.show_failure)
        self.refresh_status()
        self.show_report(None)

    def _lr_edited(self) -> None:
        try:
            lr = parse_lr(self.lr_field.text())
        except ValueError as err:
            self.lr_field.setStyleSheet(f"QLineEdit {{ border: 2px solid {self.theme.bad.name()}; }}")
            self.summary.setText(str(err))
            return
        self.lr_field.setStyleSheet("")
        self.controller.set_lr(lr)

    # ---- what the controller says
    def refresh_status(self) -> None:
        c = self.controller
        if not self.lr_field.hasFocus() and not self.lr_field.styleSheet():   # set elsewhere (--lr): show it
            self.lr_field.setText(f"{c.lr:g}" if c.lr is not None else "")
        if not c.active:
            self.status_label.setText("Not comparing. File ▸ Compare with my code… picks your module file.")
        else:
            name = os.path.basename(c.path)
            when = time.strftime("%H:%M:%S", time.localtime(c.last_run)) if c.last_run else "not yet"
            state = "running…" if c.running else f"last run {when}"
            lr = f", with an SGD step at lr {c.lr:g}" if c.lr is not None else ""
            self.status_label.setText(f"Comparing {name} with this net{lr} — {state}; re-runs when you save it")
        self.stop_button.setVisible(c.active)
        self.rerun_button.setVisible(c.active)
        self.template_button.setVisible(not c.active)

    def show_failure(self, message: str) -> None:
        self.show_report(None)
        self.summary.setText(f"chainview cannot run the comparison: {message}")

    def show_report(self, report) -> None:
        self._rows = list(report.rows) if report is not None else []
        self._updating = True
        self.list.clear()
        if report is not None and report.load_error is not None:
            self._rows.insert(0, report.load_error)
        for row in self._rows:
            item = QListWidgetItem(row_text(row))
            item.setForeground(self.theme.bad if row.status == "differs" else
                               self.theme.ok if row.status == "ok" else self.theme.muted)
            self.list.addItem(item)
        self._updating = False
        if report is None:
            self.summary.setText("")
            self._show_row(None)
            return
        first = report.first
        if first is None:
            conv = f" (softmax + NLL: {report.convention})" if report.convention else ""
            self.summary.setText(f"✓ everything agrees{conv}" if not report.stopped else "stopped")
            self._show_row(None)
        else:
            where = "loading your file" if first.node is None else f"{first.title} ({first.phase})"
            self.summary.setText(f"✗ first difference: {where}: {first.kind}")
            self.choose(first)

    # ---- one row
    def choose(self, row) -> None:
        """Show this row (without telling the window: it is already there)."""
        if row in self._rows:
            self._updating = True
            self.list.setCurrentRow(self._rows.index(row))
            self._updating = False
        self._show_row(row)

    def show_node(self, node) -> None:
        """The session selected `node`: show its first difference, else its first checked step."""
        mine = [r for r in self._rows if r.node == node]
        if mine:
            self.choose(next((r for r in mine if r.status == "differs"), mine[0]))

    def current_row(self):
        i = self.list.currentRow()
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def _row_changed(self, i: int) -> None:
        if self._updating or not 0 <= i < len(self._rows):
            return
        row = self._rows[i]
        self._show_row(row)
        self.row_chosen.emit(row)

    def _show_row(self, row) -> None:
        for view in self.views.values():
            view.setVisible(False)
        if row is None:
            self.detail_title.setText("")
            self.diagnosis.setText("")
            self.source_line.setText("")
            return
        self.detail_title.setText(pretty(row_text(row)))
        words = {"ok": "agrees", "not_checked": row.message or "not checked"}
        self.diagnosis.setText(pretty(row.message) if row.status == "differs" else words.get(row.status, ""))
        self.source_line.setText(f"    {row.source}" if row.source else "")
        self.source_line.setVisible(bool(row.source))
        yours, expected = row.yours, row.expected
        if row.phase == "update":
            names = ("your step W_new − W_old", "expected step −lr · dL/dW")
        else:
            names = ("yours", "expected")
        shown = [("yours", yours, names[0]), ("expected", expected, names[1])]
        if yours is not None and expected is not None and np.shape(yours) == np.shape(expected):
            with np.errstate(all="ignore"):
                shown.append(("difference", np.asarray(yours) - np.asarray(expected), "yours − expected"))
        for key, arr, title in shown:
            if arr is None:
                continue
            a = np.asarray(arr, dtype=float)
            if a.ndim > 2:
                continue
            view = self.views[key]
            view.set_matrix(a.reshape(1, 1) if a.ndim == 0 else a, title=title)
            view.setVisible(True)
        self.matrices.adjustSize()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for view in self.views.values():
            view.set_theme(theme)
        self.show_report(self.controller.report)

    def text(self) -> str:
        """Everything on show as plain text (tests)."""
        return "\n".join([self.status_label.text(), self.summary.text(), self.detail_title.text(),
                          self.diagnosis.text(), self.source_line.text()])
