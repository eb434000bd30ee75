"""Panels that give way: below 1366 px of window width the side panels (inspector, editor, training, ...)
share ONE tabbed column on the right, at most SIDE_SHARE of the width, so the graph keeps the rest
(≥ 55% at 1024×768 with any panel open); wide again, each goes back to where it was.

Which panels are open is remembered per window size class ("wide" ≥ 1366, "medium" ≥ 1000, "small"),
so a laptop never reopens the layout a big monitor had, one that would leave no graph. Narrow
windows also get a compact toolbar: icons with tooltips, no label without its input.

    PanelManager(window)     # once the window's docks exist (after the editing tools)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

WIDE = 1366             # px: below it, side panels tab together instead of squeezing the graph
NARROW = 1000           # px: below it, the training toolbar gets a row of its own
SIDE_SHARE = 0.40       # the most of the window's width the side column may take when tabbed
SIDE_AREAS = (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea)


def size_class(width: int) -> str:
    return "wide" if width >= WIDE else ("medium" if width >= NARROW else "small")


class PanelManager(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._home: dict[str, Qt.DockWidgetArea] = {}     # a dock's area before it was tabbed away
        self._class: str | None = None
        self._busy = False
        self._compact: bool | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.arrange)

    # ------------------------------------------------------------ what there is
    def side_docks(self) -> list[QDockWidget]:
        """Docks at the left or right (not the step strip), the inspector first."""
        w = self.window
        # the window's own list (add_dock keeps it): findChildren would wrap every widget of the window
        docks = [d for d in w.docks
                 if d is not w.steps_dock and not d.isFloating()
                 and (w.dockWidgetArea(d) in SIDE_AREAS or d.objectName() in self._home)]
        docks.sort(key=lambda d: d is not w.inspector_dock)
        return docks

    def _watch(self, dock: QDockWidget) -> None:
        if not dock.property("panel_manager_watched"):
            dock.setProperty("panel_manager_watched", True)
            dock.visibilityChanged.connect(self._on_visibility)

    @property
    def narrow(self) -> bool:
        return self.window.width() < WIDE

    # ------------------------------------------------------------ events
    def window_resized(self) -> None:
        """From MainWindow.resizeEvent: arrange once the resizing settles (the docks are watched from the
        first arrange() on)."""
        if not self._busy:
            self._timer.start()

    def _on_visibility(self, visible: bool) -> None:
        if visible and not self._busy and self.narrow:
            self._timer.start()

    # ------------------------------------------------------------ the rules
    def arrange(self) -> None:
        """Apply the rules for the window's current width (idempotent; cheap)."""
        w = self.window
        if self._busy:
            return
        self._busy = True
        try:
            for dock in self.side_docks():
                self._watch(dock)
            cls = size_class(w.width())
            if cls != self._class:
                first = self._class is None
                if not first:
                    self.save_state(self._class)
                self._class = cls
                self.restore_state(cls, remembered_only=first)
            if self.narrow:
                self._tab_together()
            else:
                self._send_home()
            self._compact_toolbar(self.narrow)
        finally:
            self._busy = False

    def _tab_together(self) -> None:
        w = self.window
        docks = self.side_docks()
        if not docks:
            return
        anchor = docks[0]
        if w.dockWidgetArea(anchor) != Qt.RightDockWidgetArea:
            self._home.setdefault(anchor.objectName(), w.dockWidgetArea(anchor))
            w.addDockWidget(Qt.RightDockWidgetArea, anchor)
        shown = [d for d in docks if not d.isHidden()]
        for dock in docks[1:]:
            if dock.isHidden():
                continue
            if w.dockWidgetArea(dock) != Qt.RightDockWidgetArea:
                self._home.setdefault(dock.objectName(), w.dockWidgetArea(dock))
            if dock not in w.tabifiedDockWidgets(anchor):
                was_hidden = anchor.isHidden()
                w.tabifyDockWidget(anchor, dock)
                if was_hidden:
                    anchor.hide()
                dock.raise_()
        cap = int(w.width() * SIDE_SHARE)
        for dock in docks:
            dock.setMaximumWidth(cap)
        if shown:
            w.resizeDocks([shown[0]], [min(cap, max(shown[0].sizeHint().width(), int(w.width() * 0.3)))],
                          Qt.Horizontal)

    def _send_home(self) -> None:
        w = self.window
        for dock in self.side_docks():
            dock.setMaximumWidth(16777215)
            area = self._home.pop(dock.objectName(), None)
            if area is not None and area != w.dockWidgetArea(dock):
                hidden = dock.isHidden()
                w.addDockWidget(area, dock)
                dock.setVisible(not hidden)

    # ------------------------------------------------------------ memory per size class
    def save_state(self, cls: str) -> None:
        self.window.settings.set_panels(cls, [d.objectName() for d in self.side_docks() if not d.isHidden()])

    def save_current(self) -> None:
        """Remember the panels of the window's size class now (the window is closing)."""
        self.save_state(size_class(self.window.width()))

    def restore_state(self, cls: str, remembered_only: bool = False) -> None:
        shown = self.window.settings.panels(cls)
        if shown is None:
            if cls != "wide" and not remembered_only:                     # never remembered here: the canvas and the inspector
                for dock in self.side_docks():
                    if dock is not self.window.inspector_dock and not dock.isHidden():
                        dock.hide()
            return
        for dock in self.side_docks():
            dock.setVisible(dock.objectName() in shown)

    # ------------------------------------------------------------ toolbar
    def _compact_toolbar(self, compact: bool) -> None:
        w = self.window
        very = w.width() < NARROW
        key = (compact, very)
        if key == self._compact:
            return
        self._compact = key
        for name, button in w.tool_buttons.items():
            if name in ("previous", "next", "finish_forward"):
                button.setToolButtonStyle(Qt.ToolButtonIconOnly if compact else Qt.ToolButtonTextBesideIcon)
        w.set_compact_labels(compact)
        tools = w.editing_tools
        if tools is not None:
            bar = tools.toolbar
            # the η label and its box travel as one: the label goes, the box says η itself
            tools.lr_label_action.setVisible(not compact)
            tools.lr_spin.setPrefix("η " if compact else "")
            w.removeToolBarBreak(bar)
            if very:
                w.insertToolBarBreak(bar)     # one row each: never two overflow menus side by side
