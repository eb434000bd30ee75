"""The question card at the top of the inspector: the prompt (the largest text on screen), an answer
field, the verdict with its explanation, and at the end of a round the missed steps to jump to.

Keyboard: type, Enter checks; Esc reveals; after a verdict the focus leaves the field, so → goes on.
The card only shows what gui/teaching/predict_mode.py hands it; it judges nothing itself.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton, QToolButton, QVBoxLayout,
                               QWidget)

from chainview.gui.inspector.widgets import Card

PROMPT_SCALE = 2.3          # the question: the largest text on screen (the inspector heading is 1.45, "·" 2.2)
FIELD_SCALE = 1.7
VERDICT_SCALE = 1.35


def scaled(font: QFont, scale: float, bold: bool = False) -> QFont:
    f = QFont(font)
    if f.pointSizeF() > 0:
        f.setPointSizeF(f.pointSizeF() * scale)
    elif f.pixelSize() > 0:
        f.setPixelSize(round(f.pixelSize() * scale))
    f.setBold(bold)
    return f


class AnswerField(QLineEdit):
    """A line edit whose Esc asks to reveal (instead of clearing the window's selection)."""

    reveal_requested = Signal()

    def event(self, event):
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()          # ours, not the window's "clear the selection"
            return True
        return super().event(event)

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.reveal_requested.emit()
            return
        super().keyPressEvent(event)


class QuestionCard(Card):
    submitted = Signal(str)
    reveal_requested = Signal()
    jump_requested = Signal(int)      # a step index from the end-of-round summary

    def __init__(self, theme, font: QFont, parent=None, theme_source=None, font_source=None):
        super().__init__(theme, parent=parent)
        self._theme_source = theme_source          # the window's theme, read again when the palette changes
        self._font_source = font_source            # the inspector's font, read again when the text size changes
        self.setObjectName("questionCard")
        self._theme = theme
        self._base = QFont(font)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 14)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.header = self._label("", 1.0, name="question_header")
        top.addWidget(self.header, 1)
        self.kinds_button = QToolButton()
        self.kinds_button.setObjectName("question_kinds_button")
        self.kinds_button.setText("Questions ▾")
        self.kinds_button.setToolTip("Which questions to ask: shape (the default), Jacobian, one number")
        self.kinds_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.kinds_button.setAutoRaise(True)
        self.kinds_menu = QMenu(self.kinds_button)
        self.kinds_button.setMenu(self.kinds_menu)
        top.addWidget(self.kinds_button)
        lay.addLayout(top)
        self.prompt = self._label("", PROMPT_SCALE, bold=True, name="question_prompt")
        lay.addWidget(self.prompt)
        self.choices = self._label("", 1.3, name="question_choices")
        lay.addWidget(self.choices)
        self.field = AnswerField()
        self.field.setObjectName("answer_field")
        self.field.setAccessibleName("Your answer")
        self.field.setFont(scaled(self._base, FIELD_SCALE))
        self.field.setMaxLength(40)
        self.field.returnPressed.connect(lambda: self.submitted.emit(self.field.text()))
        self.field.reveal_requested.connect(self.reveal_requested)
        lay.addWidget(self.field)
        self.verdict = self._label("", VERDICT_SCALE, bold=True, name="question_verdict")
        lay.addWidget(self.verdict)
        self.explanation = self._label("", 1.15, name="question_explanation")
        lay.addWidget(self.explanation)
        self.hint = self._label("", 1.0, name="question_hint")
        lay.addWidget(self.hint)
        self.summary = QWidget()
        self.summary.setObjectName("round_summary")
        self._summary_lay = QVBoxLayout(self.summary)
        self._summary_lay.setContentsMargins(0, 0, 0, 0)
        self._summary_lay.setSpacing(4)
        lay.addWidget(self.summary)
        self.summary_buttons: list[QPushButton] = []
        self.set_theme(theme)

    def _label(self, text: str, scale: float, bold: bool = False, name: str = "") -> QLabel:
        lab = QLabel(text)
        lab.setProperty("font_scale", (scale, bold))
        lab.setObjectName(name)
        lab.setWordWrap(True)
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.setFont(scaled(self._base, scale, bold))
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return lab

    def set_theme(self, theme) -> None:
        self._theme = theme
        self.set_colors(theme)
        for lab, color in ((self.header, theme.muted), (self.hint, theme.muted)):
            pal = lab.palette()
            pal.setColor(lab.foregroundRole(), color)
            lab.setPalette(pal)

    def follow_font(self) -> None:
        """View ▸ Larger text: every line of the card grows with the inspector, the question the most."""
        self._base = QFont(self._font_source())
        for lab in self.findChildren(QLabel):
            scale = lab.property("font_scale")
            if scale:
                lab.setFont(scaled(self._base, *scale))
        self.field.setFont(scaled(self._base, FIELD_SCALE))
        for b in self.summary_buttons:
            b.setFont(scaled(self._base, 1.15))

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._font_source is not None:
            QTimer.singleShot(0, self.follow_font)     # the inspector took a new text size (View ▸ Larger text)
        if event.type() == QEvent.Type.PaletteChange and self._theme_source is not None:
            theme = self._theme_source()
            if theme is not self._theme:
                self.set_theme(theme)

    # ---- what to show
    def ask(self, header: str, prompt: str, choices=(), placeholder: str = "", hint: str = "") -> None:
        """A question waiting for its answer: the field is open and empty."""
        self._show(header, prompt, choices)
        self.field.show()
        self.field.setEnabled(True)
        self.field.clear()
        self.field.setPlaceholderText(placeholder)
        self.set_verdict("", None)
        self.hint.setText(hint or "Type your answer · Enter checks · Esc reveals")

    def set_verdict(self, text: str, ok: bool | None, explanation: str = "") -> None:
        color = None if ok is None else (self._theme.ok if ok else self._theme.bad)
        self.verdict.setText(f"<span style='color:{color.name()}'>{html.escape(text)}</span>" if color else
                             html.escape(text))
        self.verdict.setVisible(bool(text))
        self.explanation.setText(html.escape(explanation))
        self.explanation.setVisible(bool(explanation))

    def show_done(self, header: str, prompt: str, lines: list[tuple[bool, str]], explanation: str, hint: str) -> None:
        """An answered step: what was asked, each outcome, why; the field is gone so → goes on."""
        self._show(header, prompt, ())
        self.field.hide()
        text = "<br>".join(f"<span style='color:{(self._theme.ok if ok else self._theme.bad).name()}'>"
                           f"{html.escape(line)}</span>" for ok, line in lines)
        self.verdict.setText(text)
        self.verdict.setVisible(bool(text))
        self.explanation.setText(html.escape(explanation))
        self.explanation.setVisible(bool(explanation))
        self.hint.setText(hint)

    def show_idle(self, header: str, text: str) -> None:
        self._show(header, text, ())
        self.field.hide()
        self.set_verdict("", None)
        self.hint.setText("")

    def show_summary(self, header: str, title: str, missed: list[tuple[int, str]]) -> None:
        """The end of a round: the score and a button per missed step (a click jumps there)."""
        self._show(header, title, ())
        self.field.hide()
        self.set_verdict("", None)
        self.hint.setText("Home starts a fresh round" + (" · click a missed step to go back to it" if missed else ""))
        for index, text in missed:
            b = QPushButton(text)
            b.setObjectName(f"missed_step_{index}")
            b.setFont(scaled(self._base, 1.15))
            b.clicked.connect(lambda _=False, k=index: self.jump_requested.emit(k))
            self._summary_lay.addWidget(b)
            self.summary_buttons.append(b)
        self.summary.setVisible(bool(missed))

    def _show(self, header: str, prompt: str, choices) -> None:
        self._clear_summary()
        self.header.setText(html.escape(header))
        self.prompt.setText(html.escape(prompt))
        self.choices.setText("<br>".join(f"<b>{k}</b>&nbsp;&nbsp;{html.escape(c)}"
                                         for k, c in enumerate(choices, start=1)))
        self.choices.setVisible(bool(choices))

    def _clear_summary(self) -> None:
        for b in self.summary_buttons:
            b.hide()
            b.setParent(None)
            b.deleteLater()
        self.summary_buttons = []
        self.summary.hide()

    def text(self) -> str:
        """Everything on show, plain (tests, accessibility)."""
        from chainview.gui.inspector.text import plain
        parts = [plain(lab.text()) for lab in (self.header, self.prompt, self.choices, self.verdict,
                                                 self.explanation, self.hint) if lab.isVisibleTo(self) and lab.text()]
        parts += [b.text() for b in self.summary_buttons]
        return "\n".join(parts)
