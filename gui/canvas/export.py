"""Pictures of the graph for slides and handouts: PNG at 2x, and SVG.

    export_png(scene, "graph.png", scale=2.0)           -> QImage written (2x the scene's size)
    export_png(scene, "graph.png", background=None)     transparent
    export_svg(scene, "graph.svg")

Both draw the scene's items (not the window), with a small margin, and raise OSError with a
one-line message when the file cannot be written. QtSvg is imported only when an SVG is made.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from PySide6.QtCore import QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from ..png import check_target, write_png

_THEMED = object()     # "use the scene's own background"


def scene_rect(scene, margin: float = 16.0) -> QRectF:
    """What to draw: the scene's items (its own items_bounds() when it has one) plus a margin."""
    rect = scene.items_bounds() if hasattr(scene, "items_bounds") else scene.itemsBoundingRect()
    if rect is None or rect.isEmpty():
        rect = scene.sceneRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 100, 100)
    return QRectF(rect).marginsAdded(QMarginsF(margin, margin, margin, margin))


def _background(scene, background):
    if background is _THEMED:
        brush = scene.backgroundBrush()
        if brush.style() != Qt.NoBrush:
            return brush.color()
        theme = getattr(scene, "theme", None)
        return QColor(theme.background) if theme is not None and hasattr(theme, "background") else QColor("white")
    return None if background is None else QColor(background)


@contextmanager
def _drawn_fresh(scene):
    """Items draw themselves, not their pixmap caches: vectors and text in an SVG, sharp pixels at 2x.

    The scene's own background is left out too (the caller paints it, or leaves it transparent).
    """
    cached = [(item, item.cacheMode()) for item in scene.items() if item.cacheMode() != QGraphicsItem.NoCache]
    old = scene.backgroundBrush()
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.NoCache)
    scene.setBackgroundBrush(Qt.NoBrush)
    try:
        yield
    finally:
        scene.setBackgroundBrush(old)
        for item, mode in cached:
            item.setCacheMode(mode)


def render_image(scene, scale: float = 2.0, background=_THEMED, margin: float = 16.0) -> QImage:
    """The scene as an image of scale x its size in scene units (device pixel ratio 1)."""
    source = scene_rect(scene, margin)
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    color = _background(scene, background)
    image.fill(color if color is not None else QColor(0, 0, 0, 0))
    painter = QPainter(image)
    try:
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        with _drawn_fresh(scene):
            scene.render(painter, QRectF(0, 0, size.width(), size.height()), source, Qt.KeepAspectRatio)
    finally:
        painter.end()
    return image


def export_png(scene, path, scale: float = 2.0, background=_THEMED) -> QImage:
    """Write the graph as a PNG, `scale` pixels per scene unit (2.0: sharp on slides and 4K screens).

    background: a colour, None for transparent, or (default) the theme's background.
    """
    path = os.fspath(path)
    if not scale or scale <= 0:
        raise ValueError("scale must be positive")
    check_target(path)                 # before any drawing: a bad path is one line
    image = render_image(scene, scale, background)
    write_png(image, path)
    return image


def export_svg(scene, path, title: str = "chainview graph", background=_THEMED) -> QRectF:
    """Write the graph as SVG (text stays text, so it scales without blur). Returns the drawn rect."""
    from PySide6.QtSvg import QSvgGenerator   # in PySide6-Essentials; loaded only here

    path = os.fspath(path)
    check_target(path)                 # before any drawing: a bad path is one line
    source = scene_rect(scene)
    w, h = max(1, round(source.width())), max(1, round(source.height()))
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRectF(0, 0, w, h))
    gen.setTitle(title)
    gen.setDescription("Made with chainview (MIT 6.390 conventions)")
    painter = QPainter()
    if not painter.begin(gen):
        raise OSError(f"cannot write {path}: is the folder writable?")
    try:
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        color = _background(scene, background)
        if color is not None:
            painter.fillRect(QRectF(0, 0, w, h), color)
        with _drawn_fresh(scene):
            scene.render(painter, QRectF(0, 0, w, h), source, Qt.KeepAspectRatio)
    finally:
        painter.end()
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise OSError(f"cannot write {path}: is the folder writable?")
    return QRectF(0, 0, w, h)
