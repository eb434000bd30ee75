"""The view on the graph canvas: pan (drag on empty space, wheel), zoom (Ctrl+wheel around the cursor,
Ctrl+=/Ctrl+-/Ctrl+0) and fit (Ctrl+9 or F). Clicks on items still select (the scene handles them).

The actions are attributes so a main window can put them in its View menu and toolbar:
zoom_in_action, zoom_out_action, reset_zoom_action, fit_action.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from .graph_scene import GraphScene, _weak_slot

MIN_ZOOM = 0.03
MAX_ZOOM = 8.0
STEP = 1.25
FIT_MARGIN = 40          # pixels of background around the graph after fit (> the scene rect's margin)
FIT_MAX_ZOOM = 2.0       # a tiny net is not blown up past this by fit


class GraphView(QGraphicsView):
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
        self.fit_action = action("&Fit Graph", ["Ctrl+9"], "zoom-fit-best", self.fit, "Fit the whole graph")
        # plain F fits too, but only while the canvas has focus (it must not steal F from text fields)
        self._fit_key = QShortcut(QKeySequence("F"), self, self.fit, context=Qt.WidgetWithChildrenShortcut)

        self._bounds = scene.items_bounds()
        self.follow_current = True     # scroll so the node of each new step is in view (a zoomed-in big net)
        self._follow = _weak_slot(self, "_on_position_changed")
        scene.session.position_changed.connect(self._follow)
        scene.rebuilt.connect(self._on_rebuilt)
        scene.layout_updated.connect(self._on_layout_updated)
        self._auto_fit = True          # until the person zooms: refit when the view or the layout changes
        self._relayout = _weak_slot(self, "_on_layout_switched")
        scene.session.layout_changed.connect(self._relayout)
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
        self._auto_fit = False
        self._zoom_by(STEP, anchor_under_mouse=False)

    def zoom_out(self) -> None:
        self._auto_fit = False
        self._zoom_by(1 / STEP, anchor_under_mouse=False)

    def reset_zoom(self) -> None:
        """100%: one scene unit per pixel, keeping the centre of the view where it was."""
        self._auto_fit = False
        center = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(center)

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
        self.resetTransform()
        self.scale(z, z)
        self.centerOn(bounds.center())
        self._fitted = True
        self._auto_fit = True
        self._bounds = bounds

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ControlModifier:
            delta = event.angleDelta().y() or event.angleDelta().x()
            if delta:
                self._auto_fit = False
                self._zoom_by(1.0015 ** delta, anchor_under_mouse=True)
            event.accept()
            return
        super().wheelEvent(event)

    # ---------------------------------------------------------- following the scene
    def _apply_background(self) -> None:
        scene = self.scene()
        if scene is not None:
            self.setBackgroundBrush(scene.backgroundBrush())

    def _on_rebuilt(self) -> None:
        self._apply_background()
        self._bounds = self.scene().items_bounds()
        if self.isVisible():
            QTimer.singleShot(0, self.fit)
        else:
            self._fitted = False

    def _on_layout_updated(self) -> None:
        """Items moved (font scale, layout switch): keep the zoom, and keep the same part of the graph in
        the middle of the view, so larger text really is larger on screen."""
        old, new = self._bounds, self.scene().items_bounds()
        if old is not None and not old.isEmpty() and not new.isEmpty():
            c = self.mapToScene(self.viewport().rect().center())
            fx = (c.x() - old.left()) / old.width()
            fy = (c.y() - old.top()) / old.height()
            self.centerOn(new.left() + fx * new.width(), new.top() + fy * new.height())
        self._bounds = new

    def _on_layout_switched(self, layout: str) -> None:
        """Numerator layout makes labels wider: still the whole graph, unless the person has zoomed."""
        if self._auto_fit and self.isVisible():
            self.fit()

    def _on_position_changed(self, old: int, new: int) -> None:
        cur = self.scene().session.current if self.follow_current else None
        if cur is not None:
            self._show_rect(self.scene().node_item(cur.node).sceneBoundingRect())

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
        self.scene().session.position_changed.disconnect(self._follow)
        self.scene().session.layout_changed.disconnect(self._relayout)

    def set_theme(self, theme) -> None:
        """Convenience: the scene's colours and this view's background together."""
        self.scene().set_theme(theme)
        self._apply_background()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            QTimer.singleShot(0, self.fit)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if (self._auto_fit or not self._fitted) and self.isVisible():
            self.fit()      # a docked editor or a smaller window: the graph still fits
