"""The first-run hint: a small card on the canvas with the keys that step through the net.

    hint = KeyHint(window.view, window.theme, window.settings)
    hint.popup()             # shown (not focused: the stepping keys keep working)
    hint.dismiss()           # "Got it", ✕ or Esc on the card: hidden, settings.hint_dismissed = True
    hint.set_theme(DARK)     # follows the window's theme

MainWindow shows it on the first run only (settings.hint_dismissed unset, and not in
`chainview render`); Help ▸ Show key hints brings it back.

The card is a child of the graph view, laid over the view's viewport in its bottom-right corner
(in chainview's layout the loss is vertically centred on the right, so that corner is the
emptiest). It is not a child of the viewport itself: QGraphicsView scrolls the viewport's
children along with the picture when the canvas is panned.

It paints itself from the theme instead of using a style sheet: a widget with a style sheet
stops following the application font, and the card must grow with View ▸ Larger text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (QAbstractScrollArea, QApplication, QFrame, QGraphicsDropShadowEffect, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from ..shortcuts import SHORTCUTS
from ..theme import Theme

# (action name in SHORTCUTS, what it does), two pairs a row
KEYS = (("next", "Next step"), ("previous", "Back"),
        ("reset", "Start"), ("run_to_end", "To the end"),
        ("finish_forward", "Finish the forward pass"), ("shortcuts", "All shortcuts"),
        ("select_next", "Select the next item"), ("select_previous", "Previous item"))
CLICK_TEXT = "Click a node or an edge to inspect it."
_ARROWS = {"Right": "→", "Left": "←", "Up": "↑", "Down": "↓"}


def key_text(name: str) -> str:
    """The first key of an action as a key cap shows it: 'Right' -> '→', 'Shift+Right' -> 'Shift + →'."""
    keys = SHORTCUTS.get(name, ())
    if not keys:
        return ""
    text = QKeySequence(keys[0]).toString(QKeySequence.NativeText) or keys[0]
    parts = [_ARROWS.get(p, p) for p in text.split("+")] if len(text) > 1 else [text]
    return " + ".join(parts)


def _bold(font: QFont) -> QFont:
    f = QFont(font)
    f.setBold(True)
    return f


class _KeyCap(QWidget):
    """A key as printed on a keyboard: a rounded box, a little deeper at the bottom."""

    def __init__(self, text: str, card: "KeyHint"):
        super().__init__(card)
        self.text, self.card = text, card
        self.setObjectName("key_hint_cap")
        self.setAccessibleName(text)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = QFontMetrics(_bold(self.font()))
        pad = max(5, fm.height() // 3)
        return QSize(max(fm.horizontalAdvance(self.text) + 2 * pad, round(fm.height() * 1.5)), fm.height() + 5)

    def paintEvent(self, event):  # noqa: N802
        t = self.card.theme
        dark = t.name == "dark"
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        edge = QColor(t.muted)
        edge.setAlpha(170)
        p.setPen(Qt.NoPen)
        p.setBrush(edge)
        p.drawRoundedRect(r, 4, 4)                          # the deeper bottom edge shows under the face
        p.setBrush(t.surface.lighter(135) if dark else t.background)
        p.setPen(QPen(edge, 1.0))
        p.drawRoundedRect(r.adjusted(0, 0, 0, -1.5), 4, 4)
        p.setPen(t.text)
        p.setFont(_bold(self.font()))
        p.drawText(self.rect().adjusted(0, 0, 0, -2), Qt.AlignCenter, self.text)
        p.end()


class _PrimaryButton(QPushButton):
    """"Got it": filled with the theme's accent, white bold text, a ring when it has the focus."""

    def __init__(self, text: str, card: "KeyHint"):
        super().__init__(text, card)
        self.card = card
        self.setAutoDefault(False)
        self.setCursor(Qt.PointingHandCursor)
        self.setAttribute(Qt.WA_Hover, True)

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = QFontMetrics(_bold(self.font()))
        return QSize(fm.horizontalAdvance(self.text()) + 2 * max(12, fm.height()), round(fm.height() * 1.75))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, event):  # noqa: N802
        t = self.card.theme
        fill = QColor(t.selection)
        if self.isDown():
            fill = fill.darker(120)
        elif self.underMouse():
            fill = fill.lighter(112) if t.name == "dark" else fill.darker(110)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QPen(t.text, 2.0) if self.hasFocus() else Qt.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(r, 5, 5)
        p.setPen(QColor("#ffffff"))
        p.setFont(_bold(self.font()))
        p.drawText(self.rect(), Qt.AlignCenter, self.text())
        p.end()


class KeyHint(QFrame):
    """The card. `dismissed` is emitted when the person closes it (the flag is stored already)."""

    dismissed = Signal()

    def __init__(self, view: QAbstractScrollArea, theme: Theme, settings=None):
        super().__init__(view)
        self.view = view
        self.settings = settings
        self.theme = theme
        self.setObjectName("key_hint")
        self.setProperty("camera_keep_clear", True)    # the canvas frames the step beside it, not under it
        self.setAccessibleName("Key hints")
        self.setAccessibleDescription("The keys that step through the net; Got it closes this for good")
        self.setFrameShape(QFrame.NoFrame)
        # clicking the card may focus it (so Esc reaches it), but showing it never takes the focus
        self.setFocusPolicy(Qt.ClickFocus)
        self.setCursor(Qt.ArrowCursor)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 8, 6, 10)
        outer.setSpacing(6)

        head = QHBoxLayout()
        head.setSpacing(6)
        self.title = QLabel("<b>Step through the net with the keys</b>")
        self.title.setObjectName("key_hint_title")
        self.title.setTextFormat(Qt.RichText)
        head.addWidget(self.title, 1)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("key_hint_close")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setCursor(Qt.PointingHandCursor)
        self.close_button.setToolTip("Close the key hints (Help ▸ Show key hints brings them back)")
        self.close_button.setAccessibleName("Close the key hints")
        self.close_button.clicked.connect(self.dismiss)
        head.addWidget(self.close_button, 0, Qt.AlignTop)
        outer.addLayout(head)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 10, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(5)
        self.key_labels: dict[str, _KeyCap] = {}
        self.text_labels: list[QLabel] = []
        for i, (name, text) in enumerate(KEYS):
            row, col = divmod(i, 2)
            cap = _KeyCap(key_text(name), self)
            label = QLabel(text, self)
            label.setObjectName("key_hint_text")
            grid.addWidget(cap, row, col * 3, Qt.AlignLeft | Qt.AlignVCenter)
            grid.addWidget(label, row, col * 3 + 1)
            self.key_labels[name] = cap
            self.text_labels.append(label)
        grid.setColumnMinimumWidth(2, 10)
        grid.setColumnStretch(4, 1)
        outer.addLayout(grid)

        foot = QHBoxLayout()
        foot.setContentsMargins(0, 2, 10, 0)
        self.click_label = QLabel(CLICK_TEXT, self)
        self.click_label.setObjectName("key_hint_muted")
        foot.addWidget(self.click_label, 1)
        foot.addSpacing(12)
        self.ok_button = _PrimaryButton("Got it", self)
        self.ok_button.setObjectName("key_hint_ok")
        self.ok_button.setAccessibleName("Got it: close the key hints")
        self.ok_button.clicked.connect(self.dismiss)
        foot.addWidget(self.ok_button)
        outer.addLayout(foot)

        # the buttons are reachable with Tab, but a click on them leaves the focus where it was
        for button in (self.close_button, self.ok_button):
            button.setFocusPolicy(Qt.TabFocus)
            button.installEventFilter(self)

        self._shadow = QGraphicsDropShadowEffect(self)
        self._shadow.setOffset(0, 2)
        self._shadow.setBlurRadius(18)
        self.setGraphicsEffect(self._shadow)

        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)     # follow the viewport's size
        self.set_theme(theme)
        self.hide()

    # ---------------------------------------------------------------- showing and closing
    def popup(self) -> None:
        """Show the card (again) in its corner; the focus stays where it is."""
        self.reposition()
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        """Hide the card and remember that: it does not come back on the next run."""
        focus = QApplication.focusWidget()
        had_focus = focus is self or self.isAncestorOf(focus)
        self.hide()
        if had_focus:
            self.view.setFocus(Qt.OtherFocusReason)
        if self.settings is not None:
            self.settings.hint_dismissed = True
            self.settings.sync()
        self.dismissed.emit()

    def margin(self) -> int:
        return max(10, round(self.fontMetrics().height() * 0.75))

    def reposition(self) -> None:
        """Bottom-right corner of the viewport, a margin in (left/top edge kept on screen)."""
        area = self._viewport.geometry()
        size = self.sizeHint()
        m = self.margin()
        width = min(size.width(), max(1, area.width() - 2 * m))
        self.resize(width, size.height())
        x = max(area.left() + m, area.right() + 1 - m - width)
        y = max(area.top() + m, area.bottom() + 1 - m - size.height())
        self.move(QPoint(x, y))

    # ---------------------------------------------------------------- theme
    def set_theme(self, theme: Theme) -> None:
        self.theme = t = theme
        pal = QPalette(self.palette())
        for group in (QPalette.Active, QPalette.Inactive):
            pal.setColor(group, QPalette.Window, t.surface)
            pal.setColor(group, QPalette.WindowText, t.text)
            pal.setColor(group, QPalette.Text, t.text)
            pal.setColor(group, QPalette.ButtonText, t.muted)
            pal.setColor(group, QPalette.Button, t.surface)
        self.setPalette(pal)
        muted = QPalette(pal)
        for group in (QPalette.Active, QPalette.Inactive):
            muted.setColor(group, QPalette.WindowText, t.muted)
            muted.setColor(group, QPalette.Text, t.muted)
        self.click_label.setPalette(muted)
        self._shadow.setColor(QColor(0, 0, 0, 150 if t.name == "dark" else 55))
        self.update()
        for child in self.findChildren(QWidget):
            child.update()

    def paintEvent(self, event):  # noqa: N802
        t = self.theme
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = 8.0
        border = QColor(t.edge)
        border.setAlpha(120 if t.name == "dark" else 95)
        p.setPen(QPen(border, 1.0))
        p.setBrush(t.surface)
        p.drawRoundedRect(r, radius, radius)
        # the accent along the left edge, inside the rounded corners
        clip = QPainterPath()
        clip.addRoundedRect(r, radius, radius)
        p.setClipPath(clip)
        p.setPen(Qt.NoPen)
        p.setBrush(t.selection)
        p.drawRect(QRectF(r.left(), r.top(), 4, r.height()))
        p.end()

    # ---------------------------------------------------------------- events
    def eventFilter(self, obj, event):  # noqa: N802
        t = event.type()
        if obj is self._viewport:
            if t in (QEvent.Resize, QEvent.Show) and not self.isHidden():
                self.reposition()
        elif t == QEvent.ShortcutOverride and event.key() == Qt.Key_Escape:
            event.accept()          # Esc on a button of the card closes the card, not the selection
            return True
        elif t == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self.dismiss()
            return True
        return False

    def event(self, event):
        t = event.type()
        if t == QEvent.ShortcutOverride and event.key() == Qt.Key_Escape:
            event.accept()          # the window's Esc (clear the selection) waits: the card has the focus
            return True
        result = super().event(event)
        if t in (QEvent.FontChange, QEvent.LayoutRequest) and not self.isHidden():
            self.reposition()       # larger text: a larger card, still in its corner
        return result

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self.dismiss()
            event.accept()
            return
        super().keyPressEvent(event)

    # clicks on the card stay on the card (the canvas under it would start a drag or clear the selection)
    def mousePressEvent(self, event):  # noqa: N802
        event.accept()

    def mouseReleaseEvent(self, event):  # noqa: N802
        event.accept()

    def mouseDoubleClickEvent(self, event):  # noqa: N802
        event.accept()
