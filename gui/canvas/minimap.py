"""The overview in a corner of the canvas: the whole net small, a frame around what is in view and a dot
on the current step's node. Click or drag in it to look there (following pauses until the next step).

    Minimap(view)        # a child of the GraphView (not of its viewport, which scrolls its children)

It shows only while part of the graph is out of view, and it moves to another corner (or hides) when
it would sit on the current step's items. The net's picture is drawn once per layout or theme and
refreshed a moment after stepping stops, so a step itself costs O(1) here: two rects and a dot.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from . import camera
from ..bind import Coalescer

WIDTH_SHARE = 0.2        # of the view's width
MAX_W, MAX_H = 260, 120
MARGIN = 10


class Minimap(QWidget):
    def __init__(self, view):
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self._pixmap: QPixmap | None = None
        self._dirty = True
        self._map = None            # (scale, offset) from scene to widget coordinates
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("The whole net: click to look there")
        self.setAccessibleName("Overview of the graph")
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(700)
        self._refresh.timeout.connect(self.invalidate)
        # the camera moves many times in one turn while the window is laid out (resize, fit, frame the
        # step): the first move syncs at once, the rest once at the end of the turn (~1% of start-up)
        self._sync_soon = Coalescer(self, self.sync)
        view.camera_moved.connect(self._sync_soon.request)
        scene = view.scene()
        scene.rebuilt.connect(self.invalidate)
        scene.items_moved.connect(self.invalidate)
        self.hide()

    # ------------------------------------------------------------ state
    def invalidate(self) -> None:
        self._dirty = True
        self.sync()

    def on_step(self) -> None:
        """Known values change colour: redraw the picture once stepping pauses."""
        self._refresh.start()
        self.sync()

    def _bounds(self) -> QRectF:
        b = getattr(self.view, "_bounds", None)
        return b if b is not None and not b.isEmpty() else self.view.scene().items_bounds()

    def _size(self) -> tuple[int, int]:
        b = self._bounds()
        w = min(MAX_W, max(120, int(self.view.width() * WIDTH_SHARE)))
        h = min(MAX_H, max(40, int(w * b.height() / max(b.width(), 1.0))))
        return w, h

    def sync(self) -> None:
        """Show when part of the graph is out of view; pick a corner clear of the step; repaint."""
        v = self.view
        if not v.isVisible() or v.scene() is None:
            return
        bounds = self._bounds()
        shown = v.mapToScene(v.viewport().rect()).boundingRect()
        if bounds.isEmpty() or shown.adjusted(-2, -2, 2, 2).contains(bounds):
            self.hide()
            return
        w, h = self._size()
        if (w, h) != (self.width(), self.height()):
            self.resize(w, h)
            self._dirty = True
        keep_clear = []
        step = v.scene().session.current
        if step is not None:
            items = camera.step_items(v.scene(), step)
            if items:
                keep_clear.append(QRectF(v.mapFromScene(camera.items_rect(items)).boundingRect()))
        if getattr(v, "covered", None) is not None:
            keep_clear.append(QRectF(v.covered))
        for child in v.children():        # the first-run key hint, and anything else that asks
            if child is not self and child.isWidgetType() and child.property("camera_keep_clear") \
                    and child.isVisible():
                keep_clear.append(QRectF(child.geometry()))
        W, H = v.width(), v.height()
        corners = [(MARGIN, H - h - MARGIN), (W - w - MARGIN, H - h - MARGIN), (MARGIN, MARGIN),
                   (W - w - MARGIN, MARGIN)]
        for x, y in corners:
            r = QRectF(x, y, w, h)
            if not any(r.intersects(k) for k in keep_clear):
                self.move(int(x), int(y))
                self.show()
                self.raise_()
                self.update()
                return
        self.hide()

    # ------------------------------------------------------------ drawing
    def _render(self) -> None:
        scene = self.view.scene()
        b = self._bounds()
        pix = QPixmap(self.size() * self.devicePixelRatioF())
        pix.setDevicePixelRatio(self.devicePixelRatioF())
        pix.fill(Qt.transparent)
        s = min((self.width() - 8) / b.width(), (self.height() - 8) / b.height())
        ox = (self.width() - b.width() * s) / 2 - b.left() * s
        oy = (self.height() - b.height() * s) / 2 - b.top() * s
        self._map = (s, QPointF(ox, oy))
        # shapes only, no text (unreadable this small, and painting every label would cost a frame)
        p = QPainter(pix)
        p.setRenderHint(QPainter.Antialiasing)
        t = scene.theme
        p.setPen(QPen(t.edge, 1))
        for e in scene.edge_items.values():
            p.drawLine(self.to_widget(e.p0), self.to_widget(e.p1))
        p.setPen(Qt.NoPen)
        for item in scene.node_items.values():
            w, h = getattr(item, "w", None), getattr(item, "h", None)
            r = item.mapRectToScene(QRectF(-w / 2, -h / 2, w, h)) if w and h else item.sceneBoundingRect()
            p.setBrush(t.kinds.get(getattr(item, "kind", ""), t.edge) if getattr(item, "known", True) else t.muted)
            p.drawRect(QRectF(self.to_widget(r.topLeft()), self.to_widget(r.bottomRight())))
        p.end()
        self._pixmap = pix
        self._dirty = False

    def to_widget(self, pt: QPointF) -> QPointF:
        s, o = self._map
        return QPointF(pt.x() * s + o.x(), pt.y() * s + o.y())

    def to_scene(self, pt: QPointF) -> QPointF:
        s, o = self._map
        return QPointF((pt.x() - o.x()) / s, (pt.y() - o.y()) / s)

    def paintEvent(self, event):  # noqa: N802
        if self.view.scene() is None:
            return
        if self._dirty or self._pixmap is None:
            self._render()
        t = self.view.scene().theme
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        bg = QColor(t.surface)
        bg.setAlphaF(0.94)
        p.setPen(QPen(t.edge, 1))
        p.setBrush(bg)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        p.drawPixmap(0, 0, self._pixmap)
        v = self.view
        shown = v.mapToScene(v.viewport().rect()).boundingRect()
        r = QRectF(self.to_widget(shown.topLeft()), self.to_widget(shown.bottomRight()))
        p.setBrush(Qt.NoBrush)
        p.setPen(QPen(t.selection, 2))
        p.drawRect(r.intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1)))
        step = v.scene().session.current
        if step is not None:
            try:
                c = self.to_widget(v.scene().node_item(step.node).sceneBoundingRect().center())
            except KeyError:
                return
            p.setPen(QPen(t.text, 1.5))
            p.setBrush(t.highlight)
            p.drawEllipse(c, 5, 5)

    # ------------------------------------------------------------ input
    def _look_at(self, pos) -> None:
        if self._map is None:
            return
        v = self.view
        v._paused = True               # the person chose where to look: until the next step
        v._anim.stop()
        v._place(v.zoom_factor, self.to_scene(QPointF(pos)))
        self.update()

    def mousePressEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton:
            self._look_at(event.position())
            event.accept()

    def mouseMoveEvent(self, event):  # noqa: N802
        if event.buttons() & Qt.LeftButton:
            self._look_at(event.position())
