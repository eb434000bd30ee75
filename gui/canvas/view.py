"""The view on the graph canvas: pan (drag on empty space, wheel), zoom (Ctrl+wheel around the cursor,
Ctrl+=/Ctrl+-/Ctrl+0) and fit (Ctrl+9 or F). Clicks on items still select (the scene handles them).

The actions are attributes so a main window can put them in its View menu and toolbar:
zoom_in_action, zoom_out_action, reset_zoom_action, fit_action.

Following (on by default, `follow`): each step frames its result, operands and edges with every label
at least 14 px high on screen (gui/canvas/camera.py), moving in ≤ 250 ms (`animate`, off with
`reduce_motion`). A zoom or a pan by hand pauses it until the next step; Ctrl+9 fits everything
(and pauses too). `text_floor_scale` and `share_factor` raise the floor (larger text, presenting
to a share shown at 1280×720); `covered` is a viewport rect (the presenter's card) kept clear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QShortcut, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QVariantAnimation

from . import camera
from ..bind import follow
from .scene import GraphScene

MIN_ZOOM = 0.03
MAX_ZOOM = 8.0
STEP = 1.25
FIT_MARGIN = 40          # pixels of background around the graph after fit (> the scene rect's margin)
FIT_MAX_ZOOM = 2.0       # a tiny net is not blown up past this by fit


class GraphView(QGraphicsView):
    camera_moved = Signal()          # the part of the scene in view changed (the minimap redraws its frame)

    def __init__(self, scene: GraphScene, parent=None):
        super().__init__(scene, parent)
        # a viewport made here, so viewport() hands back a widget Python already knows: Qt's own would
        # make PySide look its type up, building the Python enums of dozens of widget classes (~5 ms)
        self.setViewport(QWidget())
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.DontSavePainterState, True)
        self.setFrameShape(QFrame.NoFrame)
        # no scroll bars: the camera frames the step and the minimap shows where it is (drag and wheel still pan)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("Computation graph")
        self._fitted = False

        def action(text, shortcuts, icon, slot, tip):
            a = QAction(QIcon.fromTheme(icon), text, self)
            a.setShortcuts([QKeySequence(k) for k in shortcuts])
            a.setToolTip(f"{tip} ({' or '.join(QKeySequence(k).toString(QKeySequence.NativeText) for k in shortcuts)})")
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        # not Ctrl++ (QKeySequence.ZoomIn): on X11, Ctrl+Shift+= ("Larger text") arrives as Ctrl+Shift++
        # and Qt also matches it to Ctrl++, so neither action fired ("Ambiguous shortcut overload")
        self.zoom_in_action = action("Zoom &In", ["Ctrl+="], "zoom-in", self.zoom_in,
                                     "Zoom in")
        self.zoom_out_action = action("Zoom &Out", [QKeySequence.ZoomOut, "Ctrl+-"], "zoom-out", self.zoom_out,
                                      "Zoom out")
        self.reset_zoom_action = action("&Actual Size", ["Ctrl+0"], "zoom-original", self.reset_zoom,
                                        "Zoom to 100%")
        self.fit_action = action("&Fit Graph", ["Ctrl+9"], "zoom-fit-best", self.fit_all, "Fit the whole graph")
        # plain F fits too, but only while the canvas has focus (it must not steal F from text fields)
        self._fit_key = QShortcut(QKeySequence("F"), self, self.fit_all, context=Qt.WidgetWithChildrenShortcut)

        self._bounds = scene.items_bounds()
        self.follow_current = True     # follow off: still scroll so the node of each new step is in view
        self.follow = True             # frame each step with its labels at the floor (camera.py)
        self.animate = True            # move the camera in ANIMATION_MS (off in a render)
        self.reduce_motion = False     # a setting: no camera animation
        self.text_floor_scale = 1.0    # "Larger text" raises the floor with the text
        self.share_factor = 1.0        # presenting a big window shared at 1280×720: a higher floor
        self.covered: QRectF | None = None    # a viewport rect the camera keeps clear (the presenter's card)
        self._paused = False           # a zoom or pan by hand: no reframing until the next step
        self._animation: QVariantAnimation | None = None    # made on the first animated move (start-up time)
        self._anim_from = self._anim_to = None
        from .minimap import Minimap
        self.minimap = Minimap(self)   # the overview in a corner, while part of the graph is out of view
        scene.rebuilt.connect(self._on_rebuilt)
        scene.items_moved.connect(self._on_items_moved)
        self._auto_fit = True          # until the person zooms: refit when the view or the layout changes
        # a layout switch reaches this view once, as the scene's items_moved("convention") once the items moved
        self._binding = follow(self, (scene.session.position_changed, "_on_position_changed"))
        self._apply_background()

    # ---------------------------------------------------------- zoom
    @property
    def zoom_factor(self) -> float:
        return self.transform().m11()

    def _zoom_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        z = self.zoom_factor
        factor = max(MIN_ZOOM / z, min(MAX_ZOOM / z, factor))
        if abs(factor - 1.0) < 1e-9:
            return
        old = self.transformationAnchor()
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(old)

    def zoom_in(self) -> None:
        self._by_hand()
        self._zoom_by(STEP, anchor_under_mouse=False)

    def zoom_out(self) -> None:
        self._by_hand()
        self._zoom_by(1 / STEP, anchor_under_mouse=False)

    def reset_zoom(self) -> None:
        """100%: one scene unit per pixel, keeping the centre of the view where it was."""
        self._by_hand()
        center = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(center)

    @property
    def _anim(self) -> QVariantAnimation:
        if self._animation is None:
            from PySide6.QtCore import QEasingCurve, QVariantAnimation   # their Python types: on the first move
            a = self._animation = QVariantAnimation(self)
            a.setDuration(camera.ANIMATION_MS)
            a.setEasingCurve(QEasingCurve(QEasingCurve.OutCubic))
            a.setStartValue(0.0)
            a.setEndValue(1.0)
            a.valueChanged.connect(self._animate_to)
        return self._animation

    @property
    def animating(self) -> bool:
        return self._animation is not None and self._animation.state() == self._animation.State.Running

    def _stop_animation(self) -> None:
        if self._animation is not None:
            self._animation.stop()

    def _by_hand(self) -> None:
        """The person took the camera: no refitting, no following until the next step."""
        self._auto_fit = False
        self._paused = True
        self._stop_animation()

    def fit_all(self) -> None:
        """Ctrl+9 / F: the whole graph, until the next step."""
        self._paused = True
        self._stop_animation()
        self.fit()

    # ---------------------------------------------------------- following the step
    @property
    def following(self) -> bool:
        """The camera frames the current step now (on, not paused by hand, and a step to frame)."""
        return self.follow and not self._paused and self.scene() is not None and \
            self.scene().session.current is not None

    def label_floor(self) -> float:
        """Screen pixels every label of the current step is kept at or above."""
        return camera.floor_px(self.text_floor_scale, self.share_factor)

    def available_rect(self, content: QRectF | None = None) -> QRectF:
        """The viewport less the presenter's card and any shown child marked camera_keep_clear (the key hint)."""
        rect = camera.free_rect(QRectF(self.viewport().rect()), self.covered, content)
        for child in self.children():
            if child.isWidgetType() and child.property("camera_keep_clear") and child.isVisible():
                rect = camera.free_rect(rect, QRectF(child.geometry()), content)
        return rect

    def frame_current(self, animate: bool = False) -> bool:
        """Frame the current step (or, when the whole graph fits above the floor, the whole graph).
        False when there is nothing to frame."""
        scene = self.scene()
        step = scene.session.current if scene is not None else None
        if step is None:
            return False
        items = camera.step_items(scene, step)
        if not items:
            return False
        zmin = camera.min_zoom(items, self.label_floor())
        rect = camera.items_rect(items)
        avail = self.available_rect(QRectF(0, 0, rect.width() * zmin, rect.height() * zmin))
        bounds = self._bounds if self._bounds is not None and not self._bounds.isEmpty() else None
        if bounds is not None and self.covered is None:
            whole = min((avail.width() - 2 * FIT_MARGIN) / bounds.width(),
                        (avail.height() - 2 * FIT_MARGIN) / bounds.height(), FIT_MAX_ZOOM)
            if whole >= zmin:                      # everything readable at once: a still camera
                target = (whole, bounds.center())
                return self._go(target, avail, animate)
        zoom, centre = camera.frame(rect, items[0].sceneBoundingRect(), avail, zmin, MAX_ZOOM)
        return self._go((zoom, centre), avail, animate)

    def _go(self, target, avail: QRectF, animate: bool) -> bool:
        zoom, centre = target
        # the point to put in the middle of the viewport, so `centre` lands in the middle of `avail`
        vp = QRectF(self.viewport().rect())
        offset = (vp.center() - avail.center()) / zoom
        dest = (zoom, centre + offset)
        here = self.mapToScene(self.viewport().rect().center())
        if abs(self.zoom_factor / zoom - 1) < 1e-3 and abs(here.x() - dest[1].x()) < 1 and abs(here.y() - dest[1].y()) < 1:
            self._stop_animation()
            return True                        # already there: no move, no repaint
        if animate and self.animate and not self.reduce_motion and self.isVisible() \
                and (self._animation is None or self._anim.state() != self._anim.State.Running):
            self._anim_from = (self.zoom_factor, self.mapToScene(self.viewport().rect().center()))
            self._anim_to = dest
            self._anim.start()
        else:
            self._stop_animation()
            self._place(*dest)
        return True

    def _animate_to(self, t) -> None:
        if self._anim_from is None or self._anim_to is None:
            return
        (z0, c0), (z1, c1) = self._anim_from, self._anim_to
        t = float(t)
        self._place(z0 * (z1 / z0) ** t, c0 + (c1 - c0) * t)

    def _place(self, zoom: float, centre: QPointF) -> None:
        """Scale to `zoom` and put scene point `centre` in the middle of the viewport (scrolling allowed
        past the graph's edge, so a node at the edge can be centred too)."""
        vp = self.viewport().rect()
        hx, hy = vp.width() / 2 / zoom + 1, vp.height() / 2 / zoom + 1
        want = QRectF(centre.x() - hx, centre.y() - hy, 2 * hx, 2 * hy)
        if not self.sceneRect().contains(want):
            # grown with room to spare, so the next steps only scroll (a scroll repaints the uncovered strip,
            # a new scene rect or transform the whole viewport)
            self.setSceneRect(self.scene().sceneRect().united(want.adjusted(-hx, -hy, hx, hy)))
        if abs(self.transform().m11() - zoom) > 1e-9 or abs(self.transform().m22() - zoom) > 1e-9:
            self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(centre)
        self._fitted = True
        self.camera_moved.emit()

    def fit(self) -> None:
        """The whole graph in view with a margin (never zoomed in past FIT_MAX_ZOOM)."""
        scene = self.scene()
        if scene is None:
            return
        bounds = scene.items_bounds()
        if bounds.isEmpty():
            return
        # the viewport without scroll bars: once fitted the graph needs none (the scene rect's margin is
        # smaller than FIT_MARGIN), even if some show now, at another zoom, until the next layout pass
        vp = self.maximumViewportSize()
        if vp.width() <= 2 * FIT_MARGIN or vp.height() <= 2 * FIT_MARGIN:
            return
        sx = (vp.width() - 2 * FIT_MARGIN) / bounds.width()
        sy = (vp.height() - 2 * FIT_MARGIN) / bounds.height()
        z = max(MIN_ZOOM, min(sx, sy, FIT_MAX_ZOOM))
        self.setSceneRect(QRectF())          # the scene's own rect again (following may have widened it)
        self.resetTransform()
        self.scale(z, z)
        self.centerOn(bounds.center())
        self._fitted = True
        self._auto_fit = True
        self._bounds = bounds
        self.camera_moved.emit()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ControlModifier:
            delta = event.angleDelta().y() or event.angleDelta().x()
            if delta:
                self._by_hand()
                self._zoom_by(1.0015 ** delta, anchor_under_mouse=True)
            event.accept()
            return
        self._paused = True
        self._stop_animation()
        super().wheelEvent(event)
        self.camera_moved.emit()

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.LeftButton and self.dragMode() == QGraphicsView.ScrollHandDrag \
                and self.scene() is not None and self.scene()._empty_press is not None:
            self._paused = True              # a pan by hand
            self._stop_animation()
        super().mouseMoveEvent(event)
        if event.buttons():
            self.camera_moved.emit()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.camera_moved.emit()

    # ---------------------------------------------------------- following the scene
    def _apply_background(self) -> None:
        scene = self.scene()
        if scene is not None:
            self.setBackgroundBrush(scene.backgroundBrush())

    def _on_rebuilt(self) -> None:
        self._apply_background()
        self._bounds = self.scene().items_bounds()
        self._paused = False
        if self.isVisible():
            QTimer.singleShot(0, self._fit_or_frame)
        else:
            self._fitted = False

    def _on_items_moved(self, why: str = "font") -> None:
        """Items moved. Larger text ("font"): keep the zoom, and keep the same part of the graph in the
        middle of the view, so larger text really is larger on screen. A layout switch ("convention") makes
        labels wider: still the whole graph as well, unless the person has zoomed."""
        old, new = self._bounds, self.scene().items_bounds()
        if self.following and self.isVisible():
            self._bounds = new
            self.frame_current(animate=False)     # larger text: the same step, at the new floor
            return
        if old is not None and not old.isEmpty() and not new.isEmpty():
            c = self.mapToScene(self.viewport().rect().center())
            fx = (c.x() - old.left()) / old.width()
            fy = (c.y() - old.top()) / old.height()
            self.centerOn(new.left() + fx * new.width(), new.top() + fy * new.height())
        self._bounds = new
        if why == "convention" and self._auto_fit and self.isVisible():
            self.fit()

    def _on_position_changed(self, old: int, new: int) -> None:
        self._paused = False
        self.minimap.on_step()
        if self.follow and self.isVisible():
            if self.frame_current(animate=abs(new - old) == 1):
                return
            if self._auto_fit:               # back at the start: the whole graph again
                self.fit()
            return
        cur = self.scene().session.current if self.follow_current else None
        if cur is not None:
            self._show_rect(self.scene().node_item(cur.node).sceneBoundingRect())

    def _fit_or_frame(self) -> None:
        if not (self.follow and self.frame_current(animate=False)):
            self.fit()

    def show_selection(self) -> None:
        """Scroll the selected node or edge label into view: one selected by keyboard may be off screen on a
        zoomed-in graph (one clicked is in view already, and must not move under the mouse)."""
        selection = self.scene().session.selection
        if selection is None:
            return
        scene = self.scene()
        item = scene.node_item(selection) if isinstance(selection, str) else scene.edge_item(*selection).label
        self._show_rect(item.sceneBoundingRect())

    def _show_rect(self, rect) -> None:
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if not visible.contains(rect):
            self.ensureVisible(rect, 80, 60)

    def detach(self) -> None:
        """Stop following the session (the view is being replaced)."""
        self._binding.release()

    def set_theme(self, theme) -> None:
        """Convenience: the scene's colours and this view's background together."""
        self.scene().set_theme(theme)
        self._apply_background()
        self.minimap.invalidate()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            QTimer.singleShot(0, self._fit_or_frame)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.isVisible():
            return
        if self.following:
            self.frame_current(animate=False)     # a docked editor or a smaller window: the step stays framed
        elif self._auto_fit or not self._fitted:
            self.fit()      # a docked editor or a smaller window: the graph still fits
