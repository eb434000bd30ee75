"""The schedule as a list: every forward and backward step, done ones plain, future ones muted.

    StepList(session, theme=None)   a QListView; clicking step i does session.jump(i + 1)

The model is a thin view of session.steps (reloaded when the net or the layout changes); it
reads the position for its colours, so stepping is a repaint of two rows, not a rebuild.
The list alone follows the session (one path for each signal) and tells its model.
"""

from __future__ import annotations


from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate, QWidget

from chainview.core.symbols import pretty

from ..bind import follow
from ..theme import fill_rect

StepRole = Qt.UserRole + 1
StateRole = Qt.UserRole + 2      # "done", "current" or "future"
EquationRole = Qt.UserRole + 3
STATE_ROLES = [StateRole, Qt.AccessibleTextRole]   # what a step of the cursor changes: colours, never sizes
# looked up once: the list asks data() a few hundred times a layout, and each `Qt.X` is an enum lookup
_DISPLAY, _TOOLTIP, _ACCESSIBLE = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole


class StepListModel(QAbstractListModel):
    """session.steps as rows; its StepList calls reload() (new steps) and moved() (the cursor moved)."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._steps = list(session.steps)
        self._forward = session.forward_length

    def reload(self) -> None:
        self.beginResetModel()
        self._steps = list(self.session.steps)
        self._forward = self.session.forward_length
        self.endResetModel()

    def moved(self, old: int, new: int) -> None:
        if not self._steps:
            return
        lo, hi = max(0, min(old, new) - 1), min(len(self._steps) - 1, max(old, new))
        self.dataChanged.emit(self.index(lo), self.index(hi), STATE_ROLES)

    # ---- the model
    def rowCount(self, parent=QModelIndex()):  # noqa: N802
        return 0 if parent.isValid() else len(self._steps)

    def state(self, row: int) -> str:
        position = self.session.position
        if row == position - 1:
            return "current"
        return "done" if row < position else "future"

    def number(self, row: int) -> str:
        """'F3' / 'B2': the step's place within its phase, as the phase indicator counts."""
        step = self._steps[row]
        return f"F{row + 1}" if step.phase == "forward" else f"B{row + 1 - self._forward}"

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        row = index.row()
        step = self._steps[row]
        if role == StepRole:
            return step
        if role == EquationRole:
            return pretty(step.equation)
        if role == StateRole:
            return self.state(row)
        if role == _DISPLAY:
            return f"{row + 1}. {pretty(step.title)}"
        if role == _TOOLTIP:
            text = f"{pretty(step.equation)}\n{step.shapes}"
            return text + (f"\n{pretty(step.note)}" if step.note else "")
        if role == _ACCESSIBLE:
            return f"step {row + 1}, {step.phase}, {pretty(step.equation)}, {self.state(row)}"
        return None


class StepDelegate(QStyledItemDelegate):
    """Two lines a step: 'F3  Z¹' in bold, then the equation; a band of colour per phase."""

    def __init__(self, parent=None, theme=None):
        super().__init__(parent)
        self.theme = theme
        # the row under the mouse, kept by the list: reading option.state instead would make PySide
        # build QStyle's Python enum types on the first paint (~7 ms of start-up)
        self.hover_row = -1
        # callable(row) -> "✓" / "✗" / None, or None: gui/teaching marks the steps a learner predicted
        self.marks = None
        # callable(row) -> bool, or None: gui/teaching hides a step's shape algebra (its tooltip) until predicted
        self.conceal = None

    def helpEvent(self, event, view, option, index):  # noqa: N802
        if self.conceal is not None and index.isValid() and self.conceal(index.row()):
            from PySide6.QtWidgets import QToolTip
            QToolTip.showText(event.globalPos(), f"{index.data(EquationRole)}\n(shapes: predict them first)", view)
            return True
        return super().helpEvent(event, view, option, index)

    def _fonts(self, option):
        title = QFont(option.font)
        title.setBold(True)
        eq = QFont(option.font)
        return title, eq

    horizontal = False     # a strip of steps (bottom dock) rather than a column

    def sizeHint(self, option, index):  # noqa: N802
        # a list lays its items out often; the text of a row only changes with the font or the steps.
        # Keyed by the row's text, not its Step: a Step holds its arrays, and a cache of Steps kept every
        # old net alive (384 MB after opening a small example)
        step = index.data(StepRole)
        key = (self.horizontal, option.font.key(), step.title, index.data(EquationRole))
        cache = self.__dict__.setdefault("_sizes", {})
        size = cache.get(key)
        if size is None:
            if len(cache) > 1024:
                cache.clear()
            size = cache[key] = self._size(option, index)
        return QSize(size)

    def _size(self, option, index) -> QSize:
        title, eq = self._fonts(option)
        fm_t, fm_e = QFontMetrics(title), QFontMetrics(eq)
        h = fm_t.height() + fm_e.height()
        pad = max(4, fm_e.height() // 3)
        if not self.horizontal:
            return QSize(200, h + 2 * pad)
        em = fm_e.horizontalAdvance("M")
        text_w = max(fm_t.horizontalAdvance("B00 " + pretty(index.data(StepRole).title) + "  ◀"),
                     fm_e.horizontalAdvance(index.data(EquationRole) or ""))
        bar = max(3, (h + 2 * pad) // 12)
        return QSize(min(max(text_w, 9 * em), 24 * em) + bar + 3 * pad + 2, h + 2 * pad)

    def paint(self, painter, option, index):
        model = index.model()
        row = index.row()
        step = index.data(StepRole)
        state = index.data(StateRole)
        pal = option.palette
        theme = self.theme
        text = pal.color(QPalette.Text)
        muted = theme.muted if theme is not None else pal.color(QPalette.Disabled, QPalette.Text)
        r = option.rect
        painter.save()
        painter.setClipRect(r)
        if state == "current":
            band = QColor(theme.highlight if theme is not None else pal.color(QPalette.Highlight))
            band.setAlphaF(0.30)
            fill_rect(painter, r, band)
        elif row == self.hover_row:
            hover = QColor(text)
            hover.setAlphaF(0.06)
            fill_rect(painter, r, hover)
        # phase band: values in the text colour, gradients in the theme's gradient colour
        accent = QColor(theme.grad if (theme is not None and step.phase == "backward") else
                        (theme.kinds["A"] if theme is not None else pal.color(QPalette.Highlight)))
        if state == "future":
            accent.setAlphaF(0.35)
        bar = max(3, r.height() // 12)
        fill_rect(painter, QRect(r.left(), r.top(), bar, r.height()), accent)
        if self.horizontal:       # a hairline between the chips of the strip
            line = QColor(muted)
            line.setAlphaF(0.3)
            fill_rect(painter, QRect(r.right(), r.top(), 1, r.height()), line)

        title_font, eq_font = self._fonts(option)
        fm_t, fm_e = QFontMetrics(title_font), QFontMetrics(eq_font)
        pad = max(4, fm_e.height() // 3)
        x = r.left() + bar + pad + 2
        w = r.right() - x - pad
        color = muted if state == "future" else text
        painter.setPen(color)
        painter.setFont(title_font)
        number = model.number(row)
        num_w = fm_t.horizontalAdvance("B00 ")
        painter.drawText(QRect(x, r.top() + pad, num_w, fm_t.height()), Qt.AlignLeft | Qt.AlignVCenter, number)
        title = pretty(step.title)
        if state == "current":
            title += "  ◀"
        mark = self.marks(row) if self.marks is not None else None
        room = w - num_w
        if mark:
            mark_w = fm_t.horizontalAdvance(f" {mark}")
            painter.setPen(theme.ok if (theme is not None and mark == "✓") else
                           (theme.bad if theme is not None else color))
            painter.drawText(QRect(r.right() - pad - mark_w, r.top() + pad, mark_w, fm_t.height()),
                             Qt.AlignRight | Qt.AlignVCenter, mark)
            painter.setPen(color)
            room -= mark_w
        painter.drawText(QRect(x + num_w, r.top() + pad, room, fm_t.height()), Qt.AlignLeft | Qt.AlignVCenter,
                         fm_t.elidedText(title, Qt.ElideRight, room))
        painter.setFont(eq_font)
        eq_color = QColor(color)
        if state != "future":
            eq_color = QColor(text) if state == "current" else QColor(muted if theme is None else theme.text)
        painter.setPen(eq_color)
        eq = index.data(EquationRole)
        painter.drawText(QRect(x, r.top() + pad + fm_t.height(), w, fm_e.height()), Qt.AlignLeft | Qt.AlignVCenter,
                         fm_e.elidedText(eq, Qt.ElideRight, w))
        painter.restore()


class _Viewport(QWidget):
    """The strip's viewport, as Qt makes one (the base colour behind the chips), telling the list when the
    mouse leaves it."""

    def __init__(self, on_leave):
        super().__init__()
        self._on_leave = on_leave
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)

    def leaveEvent(self, event):  # noqa: N802
        self._on_leave()
        super().leaveEvent(event)


class StepList(QListView):
    """The schedule; follows the session, and a click (or Enter) jumps there."""

    step_clicked = Signal(int)     # the 0-based step index

    def __init__(self, session, theme=None, parent=None, *, horizontal: bool = False):
        super().__init__(parent)
        self.session = session
        self._scroll_pending = False    # follow_current before the first show: it scrolls once shown
        self._refollow = False          # a resize asked to scroll to the current chip at the next turn
        self.setObjectName("step_list")
        # our own viewport, which tells the list when the mouse leaves it: overriding viewportEvent would
        # put every paint and mouse move of the strip through Python for that one event
        self.setViewport(_Viewport(lambda: self._set_hover(-1)))
        self._model = StepListModel(session, self)
        self.setModel(self._model)
        self._delegate = StepDelegate(self, theme)
        self.setItemDelegate(self._delegate)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setTextElideMode(Qt.ElideRight)
        self._apply_flow(horizontal)
        self.setAccessibleName("Steps")
        self.horizontalScrollBar().valueChanged.connect(self._refresh_hover)
        self.verticalScrollBar().valueChanged.connect(self._refresh_hover)
        self._model.modelReset.connect(self._refresh_hover)
        self.clicked.connect(self._jump_to)
        self.activated.connect(self._jump_to)
        follow(self, (session.position_changed, self._on_position_changed),
               (session.net_changed, self._on_steps_changed), (session.layout_changed, self._on_steps_changed))
        self.follow_current()

    def set_horizontal(self, horizontal: bool) -> None:
        """A strip left to right (under the canvas) or a column (beside it)."""
        if bool(horizontal) == self._delegate.horizontal:
            return
        self._apply_flow(horizontal)
        self.doItemsLayout()
        self.updateGeometry()
        self.follow_current()

    def _apply_flow(self, horizontal: bool) -> None:
        self._delegate.horizontal = bool(horizontal)
        self.setFlow(QListView.LeftToRight if horizontal else QListView.TopToBottom)
        self.setWrapping(False)
        self.setUniformItemSizes(not horizontal)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded if horizontal else Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff if horizontal else Qt.ScrollBarAsNeeded)

    @property
    def horizontal(self) -> bool:
        return self._delegate.horizontal

    def sizeHint(self):  # noqa: N802
        hint = super().sizeHint()
        if self.horizontal and self.model() is not None and self.model().rowCount():
            item = self.sizeHintForRow(0)
            bar = self.horizontalScrollBar().sizeHint().height()
            hint.setHeight(item + bar + 2 * self.frameWidth())
        return hint

    def minimumSizeHint(self):  # noqa: N802
        hint = super().minimumSizeHint()
        if self.horizontal:
            hint.setHeight(self.sizeHint().height())
        return hint

    def set_theme(self, theme) -> None:
        self._delegate.theme = theme
        if self.isVisible():        # hidden: it paints in the new colours when shown
            self.viewport().update()

    def hovered_row(self) -> int:
        """The row under the mouse, -1 for none."""
        return self._delegate.hover_row

    def _refresh_hover(self, *_) -> None:
        """The strip scrolled (a step recentres it) or was rebuilt under a still mouse: the row under it changed."""
        row = -1
        if self.underMouse():   # asked first: viewport() at start-up would cost PySide a type lookup (~5 ms)
            from PySide6.QtGui import QCursor
            viewport = self.viewport()
            if viewport.underMouse():
                row = self.indexAt(viewport.mapFromGlobal(QCursor.pos())).row()
        self._set_hover(row)

    def _set_hover(self, row: int) -> None:
        old = self._delegate.hover_row
        if row != old:
            self._delegate.hover_row = row
            for r in (old, row):
                if r >= 0:
                    self.update(self._model.index(r))

    def dataChanged(self, top_left, bottom_right, roles=()):  # noqa: N802
        """A step changes rows' state (done, current, future): their colours, never their sizes. QListView
        would lay every chip out again for it (300 size hints on a 50-layer net, at every step), so
        those changes go to QAbstractItemView's handler alone, which repaints the rows."""
        if roles and set(roles) <= set(STATE_ROLES):
            QAbstractItemView.dataChanged(self, top_left, bottom_right, roles)
        else:
            super().dataChanged(top_left, bottom_right, roles)

    def mouseMoveEvent(self, event):  # noqa: N802
        super().mouseMoveEvent(event)
        self._set_hover(self.indexAt(event.position().toPoint()).row())

    def _jump_to(self, index) -> None:
        if index.isValid():
            self.step_clicked.emit(index.row())
            self.session.jump(index.row() + 1)

    # ---- the session's signals, each once
    def _on_position_changed(self, old: int, new: int) -> None:
        self._model.moved(old, new)
        self.follow_current()

    def _on_steps_changed(self, *_) -> None:
        """A new net or layout: other steps (titles, shapes), so the rows again."""
        self._model.reload()
        self.follow_current()

    def follow_current(self, *_):
        """Select and show the step just done (or the first one at the start)."""
        pos = self.session.position
        rows = self._model.rowCount()
        if not rows:
            return
        index = self._model.index(max(0, pos - 1))
        sm = self.selectionModel()
        if pos == 0:
            sm.clearSelection()
            sm.setCurrentIndex(index, sm.SelectionFlag.NoUpdate)
        else:
            sm.setCurrentIndex(index, sm.SelectionFlag.ClearAndSelect)
        if not self.isVisible():        # scrolling lays out every item: wait until there is a size to scroll in
            self._scroll_pending = True
            return
        self._scroll_pending = False
        if pos == 0:
            self.scrollToTop()
        else:   # in a strip, the current step sits in the middle: what comes next stays in sight
            self.scrollTo(index, QAbstractItemView.PositionAtCenter if self.horizontal
                          else QAbstractItemView.EnsureVisible)
        # the rows whose state changed repaint through the model's dataChanged

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self._scroll_pending:
            self.follow_current()

    def resizeEvent(self, event):  # noqa: N802
        """A new width (the window, its docks): the current chip back in view, once the chips are laid out
        again. The window sizes its docks after it is shown, which left the current step off the strip."""
        super().resizeEvent(event)
        if self.isVisible() and not self._refollow:
            self._refollow = True
            QTimer.singleShot(0, self._follow_after_resize)

    def _follow_after_resize(self) -> None:
        self._refollow = False
        self.follow_current()

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            # at the next turn, once: the window sets its fonts while it is built (and before it is shown),
            # and laying out every chip for each of those was ~3% of start-up
            self.scheduleDelayedItemsLayout()
