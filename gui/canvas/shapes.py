"""Each node kind's outline (A rounded, Z square, W leaning, W0 a capsule, Y an ellipse, L an octagon)
and where its sides are, so edges meet the outline. Pure geometry in item coordinates."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPolygonF

def shape_path(kind: str, w: float, h: float, scale: float) -> QPainterPath:
    """The outline of a node of this kind, centred on (0, 0): each kind has its own shape."""
    path = QPainterPath()
    x, y = -w / 2, -h / 2
    if kind == "A":                       # rounded rectangle
        path.addRoundedRect(QRectF(x, y, w, h), 16 * scale, 16 * scale)
    elif kind == "Z":                     # plain rectangle, sharp corners
        path.addRect(QRectF(x, y, w, h))
    elif kind == "W":                     # parallelogram leaning right
        s = slant(h)
        path.addPolygon(QPolygonF([QPointF(x + s, y), QPointF(x + w, y), QPointF(x + w - s, y + h),
                                   QPointF(x, y + h), QPointF(x + s, y)]))
    elif kind == "W0":                    # capsule (stadium)
        path.addRoundedRect(QRectF(x, y, w, h), h / 2, h / 2)
    elif kind == "Y":                     # ellipse
        path.addEllipse(QRectF(x, y, w, h))
    else:                                 # L: octagon
        c = octagon_cut(w, h)
        path.addPolygon(QPolygonF([QPointF(x + c, y), QPointF(x + w - c, y), QPointF(x + w, y + c),
                                   QPointF(x + w, y + h - c), QPointF(x + w - c, y + h), QPointF(x + c, y + h),
                                   QPointF(x, y + h - c), QPointF(x, y + c), QPointF(x + c, y)]))
    path.closeSubpath()
    return path


def slant(h: float) -> float:
    return h * 0.32


def octagon_cut(w: float, h: float) -> float:
    return min(w, h) * 0.29


def side_x(kind: str, w: float, h: float, y: float, right: bool) -> float:
    """Where the left (or right) side of a node's outline is at height y (centre-relative)."""
    half = w / 2
    if kind == "W":
        s = slant(h)
        # top edge runs (x+s .. x+w), bottom (x .. x+w-s): the sides lean right
        off = s * (0.5 - y / h)          # 0 at the bottom, s at the top
        return (half - s + off) if right else (-half + off)
    if kind == "W0":
        r = h / 2
        dx = r - math.sqrt(max(r * r - y * y, 0.0))
        return (half - dx) if right else (-half + dx)
    if kind == "Y":
        t = max(0.0, 1.0 - (2 * y / h) ** 2)
        return half * math.sqrt(t) * (1 if right else -1)
    if kind == "L":
        c = octagon_cut(w, h)
        over = abs(y) - (h / 2 - c)
        dx = max(0.0, over)
        return (half - dx) if right else (-half + dx)
    return half if right else -half
