"""Presenter mode (View ▸ Present, F5; Esc leaves): for a screen share.

The graph takes the whole window (panels, toolbars, status bar and menu bar hide; every shortcut
still works) and the current step floats as a large card in a corner: the equation, its shape
algebra and small matrices in the operand colours the canvas lights. The camera keeps that corner
clear (GraphView.covered). The card can be dragged anywhere; C makes it compact (the equation
only) and back. On the first step a line says "press → for the next step".

"Sharing at 1280×720" (on by default, remembered): the text floor applies to the window as seen
when a 1920×1080 screen is shared scaled down to 1280×720, so labels are 1.5× the floor on screen.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QToolBar, QVBoxLayout

from chainview.core.symbols import pretty, rich

from ..canvas import camera
from ..canvas.text import denoise, fmt
from ..theme import operand_color, readable
from ..numbering import step_tag, step_words

CARD_PX = 22            # the card's text at 1.0x and a 1280×720 share (× larger text × the share factor)
MAX_CELLS = 4           # a matrix on the card shows at most 4 × 4 entries


def _matrix_html(a, color: str, px: int) -> str:
    a = denoise(np.atleast_2d(np.asarray(a, dtype=float)))
    r, c = a.shape
    rows = range(min(r, MAX_CELLS))
    cols = range(min(c, MAX_CELLS))
    cells = "".join(
        "<tr>" + "".join(f"<td align='right' style='padding: 0 {px // 3}px'>{fmt(a[i, j])}</td>" for j in cols)
        + ("<td>…</td>" if c > MAX_CELLS else "") + "</tr>" for i in rows)
    if r > MAX_CELLS:
        cells += "<tr><td align='center'>⋮</td></tr>"
    return (f"<table border='1' cellspacing='0' cellpadding='2' style='color: {color};"   # the UI's sans: OCR reads its 0s
            f" border-color: {color}; border-style: solid; border-collapse: collapse'>{cells}</table>")


class PresenterCard(QFrame):
    """The floating card of the current step; a child of the graph view (not of its viewport, which
    scrolls its children with the picture)."""

    MARGIN = 16

    def __init__(self, view, theme, session):
        super().__init__(view)
        self.setObjectName("presenter_card")
        self.view, self.theme, self.session = view, theme, session
        self.compact = False
        self.scale = 1.0
        self._drag: QPoint | None = None
        self._moved = False
        self._shrinking = self._squeezed = False     # refresh() is trying smaller text / the compact card
        self.label = QLabel(self)
        self.label.setObjectName("presenter_card_text")
        self.label.setTextFormat(Qt.RichText)
        self.label.setWordWrap(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.addWidget(self.label)
        self.setCursor(Qt.OpenHandCursor)
        self.setToolTip("Drag to move; C: compact ⇄ full")

    def px(self) -> int:
        return max(10, round(CARD_PX * self.scale))

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.refresh()

    def set_theme(self, theme) -> None:
        self.theme = theme
        self.refresh()

    def toggle_compact(self) -> None:
        self.compact = not self.compact
        self.refresh()

    def text(self) -> str:
        return self.label.text()

    def refresh(self) -> None:
        t, s = self.theme, self.session
        px = self.px()
        bg = t.surface
        ink = readable(t.text, bg).name()
        muted = readable(t.muted, bg).name()
        step = s.current
        parts = []
        if step is None:
            first = s.steps[0] if s.steps else None
            parts.append(f"<div style='color:{muted}'>Start: nothing computed yet</div>")
            if first is not None:
                parts.append(f"<div style='font-size:{round(px * 1.2)}px'><b>{html.escape(pretty(first.equation))}</b></div>")
            parts.append(f"<div style='color:{ink}'>press <b>→</b> for the first step</div>")
        else:
            phase_c = readable(t.grad if step.phase == "backward" else t.kinds["A"], bg).name()
            phase, where = step_words(step.index, s.forward_length, len(s.steps))
            parts.append(f"<div style='color:{muted}'><span style='color:{phase_c}'>"
                         f"{step_tag(step.index, s.forward_length)} · {phase}</span> {where}</div>")
            parts.append(f"<div style='font-size:{round(px * 1.25)}px; color:{ink}'><b>"
                         f"{html.escape(pretty(step.equation))}</b></div>")
            if not self.compact:
                r, c = step.result_shape
                parts.append(f"<div style='color:{ink}'>{html.escape(pretty(step.title))}: {r} x {c}"
                             f" &nbsp;&nbsp; shapes {html.escape(step.shapes.replace('->', '→'))}</div>")
                parts.append(self._numbers(step, ink, px))
            if step.index == 0:
                parts.append(f"<div style='color:{ink}'>press <b>→</b> for the next step</div>")
        self.label.setText(f"<div style='font-size:{px}px; color:{ink}'>" + "".join(parts) + "</div>")
        f = QFont(self.font())
        f.setPixelSize(px)
        self.label.setFont(f)
        # wider than its share of the view: smaller text (never under the floor), else the equation only
        room = self.max_width()
        floor = camera.FLOOR_PX * max(self.scale, 1.0)
        if self.label.sizeHint().width() + 36 > room:
            if px * 0.85 >= floor and not self._shrinking:
                self._shrinking = True
                saved = self.scale
                try:
                    self.scale = self.scale * 0.85
                    self.refresh()
                finally:
                    self.scale = saved
                    self._shrinking = False
                return
            if not self.compact and not self._squeezed:
                self._squeezed = True
                try:
                    self.compact = True
                    self.refresh()
                finally:
                    self.compact = False
                    self._squeezed = False
                return
        self.adjustSize()
        self.reposition()
        self.update()

    def max_width(self) -> int:
        return max(240, int(self.view.width() * 0.6))

    def _numbers(self, step, ink: str, px: int) -> str:
        """operand · operand = result, small matrices in the operand colours (at most 4 × 4 each)."""
        s, t = self.session, self.theme
        ev = s.evaluation
        bg = t.surface
        cells = []
        joins = list(step.joiners) + [None]          # None: after the last operand comes "=", not "·"
        for op, join in zip(step.operands, joins):
            a = None
            if op.shape[0] * op.shape[1] <= 64:     # a big one is named only (a 2048-unit Jacobian is never made)
                try:
                    if op.kind == "jacobian":
                        a = s.jacobian(*op.ref).dense()
                    else:
                        a = (ev.grads if op.kind == "grad" else ev.values)[op.ref]
                except (KeyError, ValueError, MemoryError):
                    a = None
            if a is not None and op.transposed:
                a = np.asarray(a).T
            if a is not None and a.shape != tuple(op.shape) and a.ndim == 2:
                k = s.example
                if op.shape[1] == 1 and a.shape[1] > k:
                    a = a[:, k:k + 1]
                elif op.shape[0] == 1 and a.shape[0] > k:
                    a = a[k:k + 1, :]
            color = readable(operand_color(t, op.kind), bg).name()
            name = f"<div style='color:{color}'>{rich(op.name)}</div>"
            body = _matrix_html(a, color, px) if a is not None and np.asarray(a).size <= 64 else ""
            cells.append(f"<td valign='middle'>{name}{body}</td>")
            sep = None if join is None else {"": "·", " + ": "+", ", ": ","}.get(join, join.strip())
            if sep:
                cells.append(f"<td valign='middle'>&nbsp;{sep}&nbsp;</td>")
        res_c = readable(t.grad if step.phase == "backward" else t.text, bg).name()
        cells.append("<td valign='middle'>&nbsp;=&nbsp;</td>")
        value = np.asarray(step.value)
        if value.ndim == 2 and tuple(step.result_shape) != value.shape and step.result_shape[1] == 1 \
                and value.shape[1] > s.example:
            value = value[:, s.example:s.example + 1]       # a batch's backward: the shown example's column
        cells.append(f"<td valign='middle'><div style='color:{res_c}'>{rich(step.title)}</div>"
                     f"{_matrix_html(value, res_c, px)}</td>")
        return "<table cellspacing='4'><tr>" + "".join(cells) + "</tr></table>"

    # ------------------------------------------------------------ place
    def reposition(self) -> None:
        """Top-right corner unless dragged; never outside the view; tell the camera what it covers."""
        v = self.view
        m = self.MARGIN
        self.setMaximumWidth(self.max_width())
        self.adjustSize()
        if not self._moved:
            self.move(v.width() - self.width() - m, m)
        else:
            x = min(max(self.x(), 0), max(0, v.width() - self.width()))
            y = min(max(self.y(), 0), max(0, v.height() - self.height()))
            self.move(x, y)
        if not self.isHidden():
            v.covered = QRectF(self.geometry()).adjusted(-m, -m, m, m)

    def paintEvent(self, event):  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 14, 14)
        bg = QColor(self.theme.surface)
        p.fillPath(path, bg)
        p.setPen(QPen(self.theme.edge, 1.5))
        p.drawPath(path)

    def mousePressEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton:
            self._drag = event.position().toPoint()
            self.setCursor(Qt.ClosedHandCursor)
            event.accept()

    def mouseMoveEvent(self, event):  # noqa: N802
        if self._drag is not None:
            self._moved = True
            self.move(self.mapToParent(event.position().toPoint() - self._drag))
            self.reposition()

    def mouseReleaseEvent(self, event):  # noqa: N802
        self._drag = None
        self.setCursor(Qt.OpenHandCursor)
        self.view.frame_current(animate=True)      # the card moved: keep its new corner clear


class Presenter(QObject):
    """Enters and leaves presenter mode for a MainWindow."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = False
        self.card: PresenterCard | None = None
        self._hidden: list = []
        self.present_action = QAction("&Present", window, checkable=True)
        self.present_action.setObjectName("present")
        self.present_action.setShortcut(QKeySequence("F5"))
        self.present_action.setShortcutContext(Qt.WindowShortcut)
        self.present_action.setToolTip("Presenter mode: the graph fills the window, the step floats as a card (F5; Esc leaves)")
        self.present_action.toggled.connect(self.set_active)
        window.addAction(self.present_action)
        self.share_action = QAction("Sharing at &1280×720", window, checkable=True)
        self.share_action.setObjectName("share_720")
        self.share_action.setChecked(window.settings.share_720)
        self.share_action.setToolTip("Presenting: text stays readable when the screen is shared scaled down to 1280×720")
        self.share_action.toggled.connect(self._share_toggled)
        self.leave_action = QAction("Leave presenter mode", window)
        self.leave_action.setObjectName("leave_present")
        self.leave_action.triggered.connect(lambda: self.set_active(False))
        self.compact_action = QAction("Compact card", window)
        self.compact_action.setObjectName("compact_card")
        self.compact_action.setShortcut(QKeySequence("C"))
        self.compact_action.setShortcutContext(Qt.WindowShortcut)
        self.compact_action.setEnabled(False)
        self.compact_action.triggered.connect(lambda: self.card is not None and self.card.toggle_compact())
        window.addAction(self.compact_action)
        self._esc_keys = []

    # ------------------------------------------------------------ on / off
    def set_active(self, on: bool) -> None:
        on = bool(on)
        if on == self.active:
            return
        self.active = on
        if self.present_action.isChecked() != on:
            self.present_action.setChecked(on)
        w = self.window
        if on:
            self._hidden = [x for x in (*w.findChildren(QDockWidget), *w.findChildren(QToolBar),
                                        w.statusBar(), w.menuBar())
                            if x.isVisible() or (not w.isVisible() and not x.isHidden())]
            for x in self._hidden:
                x.hide()
            if w.key_hint is not None:
                w.key_hint.hide()
            # Esc leaves (it clears the selection otherwise): the same key, handed over while presenting
            self._esc_keys = w.clear_selection_action.shortcuts()
            w.clear_selection_action.setShortcuts([])
            self.leave_action.setShortcut(QKeySequence("Esc"))
            self.leave_action.setShortcutContext(Qt.WindowShortcut)
            w.addAction(self.leave_action)
            self.compact_action.setEnabled(True)
            self.card = PresenterCard(w.view, w.theme, w.session)
            w.session.position_changed.connect(self._on_position)
            w.installEventFilter(self)
            self._apply_scale()
            self.card.show()
            self.card.refresh()
        else:
            w.removeEventFilter(self)
            try:
                w.session.position_changed.disconnect(self._on_position)
            except (RuntimeError, TypeError, ValueError):
                pass
            for x in self._hidden:
                x.show()
            self._hidden = []
            w.clear_selection_action.setShortcuts(self._esc_keys)
            w.removeAction(self.leave_action)
            self.compact_action.setEnabled(False)
            if self.card is not None:
                self.card.hide()
                self.card.deleteLater()
                self.card = None
            w.view.covered = None
            w.view.share_factor = 1.0
        w.view._paused = False
        if w.isVisible():
            w.view.frame_current(animate=False) or w.view.fit()

    def _on_position(self, old: int, new: int) -> None:
        if self.card is not None:
            self.card.refresh()

    def _share_toggled(self, on: bool) -> None:
        self.window.settings.share_720 = bool(on)
        if self.active:
            self._apply_scale()
            self.window.view.frame_current(animate=False)

    def _apply_scale(self) -> None:
        """The floor and the card's text for the window's size (shared at 1280×720 or not)."""
        w = self.window
        factor = camera.share_factor(w.width(), w.height()) if self.share_action.isChecked() else 1.0
        w.view.share_factor = factor
        if self.card is not None:
            self.card.set_scale(factor * w.font_scale)

    def set_theme(self, theme) -> None:
        if self.card is not None:
            self.card.set_theme(theme)

    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self.window and event.type() == QEvent.Resize and self.active:
            self._apply_scale()
            if self.card is not None:
                self.card.reposition()
        return False
