"""The inspector's own widgets: a painted card, a wrapping row of matrices, and the small helpers they need.

No session, no pages: these are the bricks the pages (node_page, edge_page, step_page) build with.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QWidget

from ..theme import Theme
from .text import plain


def scaled_font(base: QFont, scale: float = 1.0, bold: bool = False) -> QFont:
    """`base` scaled (point or pixel sized) and bold or not: never smaller than what the user chose."""
    f = QFont(base)
    if scale != 1.0:
        if f.pointSizeF() > 0:
            f.setPointSizeF(f.pointSizeF() * scale)
        else:
            f.setPixelSize(round(f.pixelSize() * scale))
    f.setBold(bold)
    return f


# ---------------------------------------------------------------- a wrapping row (matrices with · = + between)
class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width runs out; each row centred vertically."""

    def __init__(self, parent=None, spacing: int = 8):
        super().__init__(parent)
        self._items: list = []
        self._spacing = spacing
        # (width, height) of the last heightForWidth: Qt asks for it many times a layout pass (~45 times on
        # the first frame), and the answer changes only when an item does, which invalidates the layout
        self._hfw: tuple[int, int] | None = None

    def addItem(self, item):
        self._items.append(item)
        self._hfw = None

    def invalidate(self):
        self._hfw = None
        super().invalidate()

    def count(self):
        return len(self._items)

    def itemAt(self, index):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index):
        self._hfw = None
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        if self._hfw is None or self._hfw[0] != width:
            self._hfw = (width, self._arrange(QRect(0, 0, width, 0), apply=False))
        return self._hfw[1]

    def setGeometry(self, rect):
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self):
        return self.minimumSize()

    def minimumSize(self):
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows, row, x = [], [], 0
        items = self._items
        for k, item in enumerate(items):
            w = item.sizeHint().width()
            need = w
            if _glued(item) and k + 1 < len(items):  # a "·" or "=" starts the line of what follows it
                need += self._spacing + items[k + 1].sizeHint().width()
            if row and x + need > r.width() and not _glued(items[k - 1]):
                rows.append(row)
                row, x = [], 0
            row.append(item)
            x += w + self._spacing
        if row:
            rows.append(row)
        y = r.y()
        for row in rows:
            h = max(self._item_height(it, r.width()) for it in row)
            x = r.x()
            for it in row:
                w = min(it.sizeHint().width(), r.width())
                ih = self._item_height(it, w)
                if apply:
                    it.setGeometry(QRect(QPoint(x, y + (h - ih) // 2), QSize(w, ih)))
                x += w + self._spacing
            y += h + self._spacing
        return y - rect.y() - (self._spacing if rows else 0) + m.bottom()

    @staticmethod
    def _item_height(item, width: int) -> int:
        if item.hasHeightForWidth():
            return item.heightForWidth(width)
        return item.sizeHint().height()


def card_text(card: QWidget) -> str:
    return "\n".join(plain(lab.text()) for lab in card.findChildren(QLabel)
                     if lab.text() and not_hidden(lab, card))


def not_hidden(widget: QWidget, ancestor: QWidget) -> bool:
    """Not hidden on purpose (a caption turned off), up to `ancestor`; a widget only waiting to be shown counts."""
    w = widget
    while w is not None and w is not ancestor:
        if w.isHidden() and w.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
            return False
        w = w.parentWidget()
    return True


def _glued(item) -> bool:
    w = item.widget() if item is not None else None
    return bool(w is not None and w.property("flowGlue"))


class Card(QFrame):
    """A rounded panel (surface colour, thin border) painted directly."""

    def __init__(self, theme: Theme, fill: QColor | None = None, border: QColor | None = None, parent=None):
        super().__init__(parent)
        self._fill, self._border = fill, border
        self.set_colors(theme)

    def set_colors(self, theme: Theme) -> None:
        self._fill_c = QColor(self._fill or theme.surface)
        b = QColor(self._border or theme.muted)
        b.setAlphaF(0.6 if self._border is not None else 0.35)
        self._border_c = b
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._fill_c)
        p.drawRoundedRect(r, 8, 8)                    # the fill without antialiasing: fast for a big card
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(self._border_c, 1))             # the outline with it: smooth corners
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(r, 8, 8)


def set_text_color(widget: QWidget, color: QColor) -> None:
    p = widget.palette()
    p.setColor(QPalette.ColorRole.WindowText, color)
    p.setColor(QPalette.ColorRole.Text, color)
    widget.setPalette(p)


def delete_item(item) -> None:
    w = item.widget()
    if w is not None:
        w.hide()
        w.setParent(None)
        w.deleteLater()
        return
    sub = item.layout()
    if sub is not None:
        while sub.count():
            delete_item(sub.takeAt(0))
        sub.deleteLater()

