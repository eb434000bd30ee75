"""Predict before reveal in the window (View ▸ Predict before reveal, Ctrl+P; remembered per net file).

    install_predict(window) -> PredictMode     once per window (gui/teaching/install.py calls it)

The window is gui/window/main_window.MainWindow; its parts used here are typed attributes of that
class: session, settings, theme, path, name, inspector and inspector_dock, scene, view, step_list,
view_menu, reset_action, step_label, loss_label, statusBar(), and predict_mode / predict_action,
which this module sets.

core.predict judges and keeps the round; this module wires it to the window: the question card at
the top of the inspector, the result shown as "?" on the canvas and in the inspector until answered
(their `conceal` hooks), ✓ / ✗ on the step chips (the delegate's `marks` hook), the score in the
status bar, Home for a fresh round, and the focus moved so that type, Enter, → is the whole flow.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from chainview.core.symbols import pretty
from chainview.gui.shortcuts import key_sequences


# core.predict's kinds, in its order (the module itself is imported when predict mode is first switched on:
# start-up does not need it)
SHAPE, JACOBIAN, NUMBER = KINDS = ("shape", "jacobian", "number")
KIND_LABELS = {SHAPE: "&Shape of the result", JACOBIAN: "Which &Jacobian, diagonal or full (backward steps)",
               NUMBER: "One &number, to 2 significant digits (small steps)"}
PLACEHOLDERS = {SHAPE: "e.g. 3x2", JACOBIAN: "1, 2, 3 or 4", NUMBER: "2 significant digits, e.g. 0.35"}
HINTS = {SHAPE: "rows × columns · Enter checks · Esc reveals",
         JACOBIAN: "1 to 4 · Enter checks · Esc reveals",
         NUMBER: "to 2 significant digits · Enter checks · Esc reveals"}


class PredictMode(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.predictor: Predictor | None = None
        self.kinds: tuple[str, ...] = (SHAPE,)
        self._file_key = self.file_key()

        self.action = QAction("&Predict before reveal", window)
        self.action.setObjectName("predict")
        self.action.setCheckable(True)
        self.action.setShortcuts(key_sequences("predict"))
        self.action.setShortcutContext(Qt.WindowShortcut)
        self.action.setStatusTip("Each step's result stays hidden until you predict it")
        self.action.setToolTip("Predict before reveal  (Ctrl+P)")
        self.action.toggled.connect(self.set_enabled)
        window.addAction(self.action)
        window.predict_action = self.action
        self.kind_actions = {}
        for kind in KINDS:
            act = QAction(KIND_LABELS[kind], window)
            act.setObjectName(f"predict_kind_{kind}")
            act.setCheckable(True)
            act.setChecked(kind in self.kinds)
            act.toggled.connect(self._kinds_toggled)
            self.kind_actions[kind] = act
        window.view_menu.addSeparator()
        window.view_menu.addAction(self.action)
        self.kinds_menu = window.view_menu.addMenu("Prediction &questions")
        self.kinds_menu.addActions(list(self.kind_actions.values()))

        self.card = None                # made when predict mode is first switched on: start-up needs none of it
        self.score_label = QLabel()
        self.score_label.setObjectName("score_label")
        self.score_label.setAccessibleName("Prediction score")
        self.score_label.hide()
        window.statusBar().addPermanentWidget(self.score_label)

        window.reset_action.triggered.connect(self.new_round)      # Home: after the session went back to the start
        self._links = [(self.session.position_changed, self._on_position),
                       (self.session.layout_changed, self._sync_later),
                       (self.session.net_changed, self._sync_later),
                       (self.session.example_changed, self._sync_later)]
        for signal, slot in self._links:
            signal.connect(slot)
        self._state = {"predictor": None}       # for the teardown, which must not touch this (dead) QObject
        window.destroyed.connect(functools.partial(_teardown, self._links, self._state))
        window.windowTitleChanged.connect(self._on_title)
        if window.settings.predict_for(self._file_key):
            self.action.setChecked(True)

    # ---- the per-file flag
    def file_key(self) -> str:
        w = self.window
        return w.path if w.path else f"example:{w.name}"

    def _on_title(self, *_):
        key = self.file_key()
        if key != self._file_key:          # another net file was opened: its own setting
            self._file_key = key
            self.action.setChecked(self.window.settings.predict_for(key))

    # ---- on / off
    @property
    def enabled(self) -> bool:
        return self.predictor is not None

    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if self.action.isChecked() != on:
            self.action.setChecked(on)          # comes back here through toggled
            return
        w = self.window
        if on:
            self._ensure_card()
        if on and self.predictor is None:
            from chainview.core.predict import Predictor
            self.predictor = Predictor(self.session, self.kinds)
            self.predictor.changed.connect(self._on_changed)
            self.predictor.blocked.connect(self._on_blocked)
            conceal = self.predictor.hides
        elif not on and self.predictor is not None:
            self.predictor.detach()
            self.predictor = None
            conceal = None
        else:
            return
        self._state["predictor"] = self.predictor
        w.inspector.conceal = conceal
        w.inspector.conceal_jacobians = JACOBIAN in self.kinds
        w.scene.conceal = conceal
        delegate = w.step_list.itemDelegate()
        delegate.marks = self.predictor.mark if on else None
        delegate.conceal = (lambda row: self.predictor is not None and self.predictor.hides(self.session.steps[row])
                            ) if on else None
        self.card.setVisible(on)
        self.score_label.setVisible(on)
        if on:                               # the question lives in the inspector: bring it forward
            w.inspector_dock.show()
            w.inspector_dock.raise_()
        w.settings.set_predict_for(self._file_key, on)
        w.statusBar().showMessage("Predict before reveal: on — each result stays hidden until you answer" if on
                                  else "Predict before reveal: off", 4000)
        self._refresh_views()
        self.sync()

    def _ensure_card(self) -> QuestionCard:
        if self.card is None:
            from .question_card import QuestionCard
            w = self.window
            card = self.card = QuestionCard(w.theme, w.inspector.font(), theme_source=lambda: self.window.theme,
                                            font_source=lambda: self.window.inspector.font())
            card.kinds_menu.addActions(list(self.kind_actions.values()))
            card.hide()
            card.submitted.connect(self.submit)
            card.reveal_requested.connect(self.reveal)
            card.jump_requested.connect(lambda k: self.session.jump(k + 1))
            w.inspector.insert_card(card, 0)
        return self.card

    def _kinds_toggled(self, *_):
        kinds = tuple(k for k in KINDS if self.kind_actions[k].isChecked())
        if not kinds:                        # at least one kind: the shape stays
            self.kind_actions[SHAPE].setChecked(True)
            return
        self.kinds = kinds
        self.window.inspector.conceal_jacobians = JACOBIAN in kinds
        if self.predictor is not None:
            self.predictor.set_kinds(kinds)
            self._refresh_views()
            self.sync()

    # ---- answering
    def submit(self, text: str) -> None:
        from chainview.core.predict import AnswerError
        p = self.predictor
        if p is None:
            return
        try:
            verdict = p.submit(text)
        except AnswerError as err:
            self.card.set_verdict(str(err), False)
            self.card.field.selectAll()
            return
        self._after(verdict)

    def reveal(self) -> None:
        if self.predictor is not None:
            self._after(self.predictor.reveal())

    def _after(self, verdict) -> None:
        if not verdict.ok and not verdict.explanation:      # wrong: try again in place
            self.card.set_verdict(verdict.message, False)
            self.card.hint.setText("Type again and press Enter, or press Esc to see the answer")
            self.card.field.selectAll()
            self.card.field.setFocus(Qt.OtherFocusReason)
            return
        self._refresh_views()
        self.sync()                                           # the outcome and why, from the round's record
        if not self.predictor.pending():
            self.window.view.setFocus(Qt.OtherFocusReason)    # so → goes on
        else:                                                 # the next question of the same step
            self.card.explanation.setText(verdict.message + " — " + verdict.explanation)
            self.card.explanation.show()

    def new_round(self) -> None:
        if self.predictor is not None:
            self.predictor.new_round()
            self.window.statusBar().showMessage("A fresh round: every step will be asked again", 3000)

    # ---- following the session and the round
    def _on_position(self, old: int, new: int) -> None:
        if self.predictor is not None:
            self.sync()
            self.window.inspector.scroll.verticalScrollBar().setValue(0)    # the question in sight

    def _sync_later(self, *_):
        if self.predictor is not None:
            self.sync()

    def _on_changed(self, index) -> None:
        self.window.step_list.viewport().update()
        self._update_score()

    def _on_blocked(self, old: int) -> None:
        self.card.set_verdict("Answer first: type it and press Enter (Esc reveals the answer)", False)
        self.card.field.setFocus(Qt.OtherFocusReason)

    def _refresh_views(self) -> None:
        w = self.window
        w.inspector.refresh()
        w.scene.refresh_current()
        w.step_list.viewport().update()

    def _update_score(self) -> None:
        if self.predictor is not None:
            self.score_label.setText(self.predictor.score_text())

    def sync(self) -> None:
        """Show the round's state: the question, the verdict, the summary, the score, the hidden status texts."""
        p, s, card = self.predictor, self.session, self.card
        if p is None:
            return
        self._update_score()
        step = s.current
        n = len(s.steps)
        header = f"Predict · step {step.index + 1} of {n}" if step is not None else f"Predict · {n} steps"
        if step is not None and not p.pending():
            self.window._update_position()  # answered: the status line and the loss label show the numbers again
        if p.finished() and p.records:
            missed = p.missed()
            card.show_summary("Predict · the round is over", f"{p.score_text()}.",
                              [(k, f"{k + 1}. {pretty(s.steps[k].title)}  ✗") for k in missed])
            if missed:
                card.prompt.setText(card.prompt.text() + f" Missed: {len(missed)}")
            return
        if step is None:
            card.show_idle(header, "Press → for the first step, then predict its result.")
            return
        r = p.record(step.index)
        if r is None:
            card.show_idle(header, f"{pretty(step.title)} was not asked in this round. Press → to go on.")
            return
        q = r.current
        if q is not None:
            k = r.at + 1
            if len(r.questions) > 1:
                header += f" · question {k} of {len(r.questions)}"
            card.ask(header, q.prompt, q.choices, PLACEHOLDERS[q.kind], "Type your answer: " + HINTS[q.kind])
            self._hide_status(step)
            if self.window.isActiveWindow() or self.window.isVisible():
                card.field.setFocus(Qt.OtherFocusReason)
            return
        lines = []
        for question, outcome in zip(r.questions, r.outcomes):
            word = {"right": "✓ Right", "retried": "✓ Right on a second try", "revealed": "✗ Revealed"}[outcome]
            lines.append((outcome == "right", f"{word}: {question.answer_text}"))
        card.show_done(header, r.questions[0].prompt, lines, r.questions[0].explanation,
                       "→ goes on · ← goes back (nothing is asked again) · Home starts a fresh round")

    def _hide_status(self, step) -> None:
        """The status line and the loss label would give the answer away: '?' there too."""
        w = self.window
        w.step_label.setText(f"{pretty(step.equation)}     {step.shapes.rsplit('->', 1)[0]}-> ?")
        if step.node == "L":
            w.loss_label.setText("L = ?")



def install_predict(window) -> PredictMode:
    """The window's PredictMode (window.predict_mode), made on the first call."""
    if window.predict_mode is None:
        window.predict_mode = PredictMode(window)
    return window.predict_mode


def _teardown(links, state, *_):
    """The window is gone; the session may live on (tests, render): stop listening to it."""
    for signal, slot in links:
        signal.disconnect(slot)
    if state.get("predictor") is not None:
        state["predictor"].detach()
