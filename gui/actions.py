"""The window's keyboard shortcuts in one table, and small vector icons painted in the theme's colours.

Shortcuts are window-wide QActions, so they work whichever pane has the focus, the canvas
included (a QGraphicsView would otherwise take the arrow keys to scroll). A text field
still gets its own editing keys: Qt lets a focused widget claim a key first.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

# name -> key sequences, the first is the one menus show
SHORTCUTS: dict[str, tuple[str, ...]] = {
    # Step
    "next": ("Right", "Space", "PgDown"),
    "previous": ("Left", "Backspace", "PgUp"),
    "reset": ("Home",),
    "run_to_end": ("End",),
    "finish_forward": ("Shift+Right",),          # plain F is the canvas's "fit"
    "next_example": ("]",),
    "previous_example": ("[",),
    "clear_selection": ("Esc",),
    # File
    "open": ("Ctrl+O",),
    "save": ("Ctrl+S",),
    "save_as": ("Ctrl+Shift+S",),
    "export_png": ("Ctrl+E",),
    "export_svg": ("Ctrl+Shift+E",),
    "quit": ("Ctrl+Q",),
    # Edit
    "undo": ("Ctrl+Z",),
    "redo": ("Ctrl+Shift+Z", "Ctrl+Y"),
    "copy_csv": ("Ctrl+Shift+C",),
    "copy_latex": ("Ctrl+Alt+C",),
    # View
    "numerator_layout": ("Ctrl+L",),
    "larger_text": ("Ctrl+Shift+=", "Ctrl+Shift++"),      # Ctrl++ / Ctrl+= zoom the canvas
    "smaller_text": ("Ctrl+Shift+-", "Ctrl+_"),
    "reset_text": ("Ctrl+Shift+0", "Ctrl+)"),
    "toggle_theme": ("Ctrl+Shift+T",),
    "full_screen": ("F11",),
    # Help
    "shortcuts": ("F1", "?"),
}


def key_sequences(name: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in SHORTCUTS.get(name, ())]


def shortcut_text(action) -> str:
    """'Right, Space, PgDown' in the platform's spelling."""
    return ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts() if not s.isEmpty())


# ---------------------------------------------------------------- icons

ICONS = ("reset", "previous", "next", "finish_forward", "run_to_end", "theme", "larger_text", "smaller_text")


def make_icon(kind: str, color: QColor) -> QIcon:
    """A crisp icon at every size Qt may ask for (toolbar at 4K included), drawn in `color`."""
    icon = QIcon()
    for size in (16, 20, 24, 32, 40, 48, 64, 96):
        pm = QPixmap(size, size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(size / 24.0, size / 24.0)          # draw on a 24 x 24 grid
        _draw(p, kind, QColor(color))
        p.end()
        icon.addPixmap(pm)
        disabled = QColor(color)
        disabled.setAlphaF(0.35)
        pm2 = QPixmap(size, size)
        pm2.fill(Qt.transparent)
        p = QPainter(pm2)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(size / 24.0, size / 24.0)
        _draw(p, kind, disabled)
        p.end()
        icon.addPixmap(pm2, QIcon.Disabled)
    return icon


def _triangle(p: QPainter, x: float, right: bool, h: float = 14.0, w: float = 10.0) -> None:
    top, bottom, mid = 12 - h / 2, 12 + h / 2, 12.0
    pts = ([QPointF(x, top), QPointF(x + w, mid), QPointF(x, bottom)] if right
           else [QPointF(x + w, top), QPointF(x, mid), QPointF(x + w, bottom)])
    p.drawPolygon(QPolygonF(pts))


def _draw(p: QPainter, kind: str, color: QColor) -> None:
    p.setPen(Qt.NoPen)
    p.setBrush(color)
    if kind == "next":
        _triangle(p, 7, True, 16, 12)
    elif kind == "previous":
        _triangle(p, 5, False, 16, 12)
    elif kind == "run_to_end":
        _triangle(p, 3, True)
        _triangle(p, 11, True)
        p.drawRect(QRectF(19, 5, 2.5, 14))
    elif kind == "reset":
        p.drawRect(QRectF(2.5, 5, 2.5, 14))
        _triangle(p, 5, False)
        _triangle(p, 13, False)
    elif kind == "finish_forward":
        # play to a bar in the middle: "run the forward pass to its end"
        _triangle(p, 4, True)
        p.drawRect(QRectF(15, 5, 2.5, 14))
        pen = QPen(color, 2.0)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawLine(QPointF(20, 7), QPointF(20, 17))
    elif kind == "theme":
        p.setPen(QPen(color, 2.0))
        p.setBrush(Qt.NoBrush)
        p.drawEllipse(QRectF(4, 4, 16, 16))
        p.setPen(Qt.NoPen)
        p.setBrush(color)
        half = QPainterPath()
        half.moveTo(12, 4)
        half.arcTo(QRectF(4, 4, 16, 16), 90, 180)
        half.closeSubpath()
        p.drawPath(half)
    elif kind in ("larger_text", "smaller_text"):
        f = p.font()
        f.setPixelSize(15 if kind == "larger_text" else 11)
        f.setBold(True)
        p.setFont(f)
        p.setPen(color)
        p.drawText(QRectF(0, 2, 16, 20), Qt.AlignCenter, "A")
        p.setPen(QPen(color, 2.0))
        p.drawLine(QPointF(16, 12), QPointF(22, 12))
        if kind == "larger_text":
            p.drawLine(QPointF(19, 9), QPointF(19, 15))
