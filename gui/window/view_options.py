"""View options of the main window: theme, digits in matrices, text size, full screen and the camera
(follow the step, reduce motion, present) (a part of MainWindow: gui/window/main_window.py)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from .. import theme as themes
from .icons import make_icon
from ..settings import FONT_SCALES

BASE_POINT_SIZE = 10.0       # the smallest base text size; 1.0x of "Text size" is this (or the desktop's, if larger)


def base_point_size() -> float:
    """The application's text size at 1.0x, remembered the first time so scaling never compounds."""
    app = QApplication.instance()
    stored = app.property("chainview_base_point_size")
    if stored:
        return float(stored)
    size = app.font().pointSizeF()
    size = max(BASE_POINT_SIZE, size if size > 0 else BASE_POINT_SIZE)
    app.setProperty("chainview_base_point_size", size)
    return size


def _set_app_font(scale: float) -> QFont:
    app = QApplication.instance()
    font = QFont(app.font())
    font.setPointSizeF(base_point_size() * scale)
    app.setFont(font)
    return font


def _scale_own_font(pane: QWidget, ratio: float) -> None:
    """A pane that set a font of its own (not the app's, which every other pane follows) keeps its proportion."""
    if pane.testAttribute(Qt.WA_SetFont):
        f = QFont(pane.font())
        if f.pointSizeF() > 0:
            f.setPointSizeF(f.pointSizeF() * ratio)
            pane.setFont(f)


class WindowViewOptions:
    """How the window looks; each choice is remembered in the settings."""

    def apply_precision(self, digits: int, *, save: bool = True) -> None:
        """Significant digits in the Inspector's matrices (View ▸ Digits); the tooltips keep every digit."""
        self.inspector.set_precision(digits)
        if digits in self.precision_actions:
            self.precision_actions[digits].setChecked(True)
        if save:
            self.settings.precision = digits

    def apply_theme(self, name: str, *, save: bool = True, initial: bool = False) -> None:
        """'light', 'dark' or 'system': the palette app-wide, the canvas, the inspector and the steps.

        initial: the panes were just built with this theme; only the app-wide parts are set.
        """
        self._theme_name = name
        self.theme = t = themes.resolve(name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)
        app = QApplication.instance()
        app.setPalette(themes.palette(t))
        if not initial:
            self.view.set_theme(t)              # the scene's colours and the canvas background
            self.inspector.set_theme(t)
            self.step_list.set_theme(t)
            if self.key_hint is not None:
                self.key_hint.set_theme(t)
            if self.presenter is not None:
                self.presenter.set_theme(t)
            self.theme_changed.emit(t)          # the docks other modules added (editor, training, compare)
        for act in (*self.step_actions, self.toggle_theme_action, self.larger_text_action, self.smaller_text_action):
            kind = act.property("icon_kind")
            if kind:
                act.setIcon(make_icon(kind, t.text))
        self._update_position()
        if save:
            self.settings.theme = name

    @property
    def theme_name(self) -> str:
        return self._theme_name

    def toggle_theme(self) -> None:
        self.apply_theme("light" if self.theme.name == "dark" else "dark")

    def _on_system_scheme(self, *_):
        if self._theme_name == "system":
            self.apply_theme("system", save=False)

    @property
    def font_scale(self) -> float:
        return self._font_scale

    def apply_font_scale(self, scale: float, *, save: bool = True, initial: bool = False) -> None:
        """Text everywhere (the app font, so the docks and menus too) and on the canvas.

        initial: the panes were just built at this size (the app font was set first); only the
        canvas, which has its own scale, and the toolbar's own fonts are set.
        """
        scale = min(FONT_SCALES[-1], max(FONT_SCALES[0], float(scale)))
        ratio = scale / self._font_scale if self._font_scale else 1.0
        before = QApplication.font().pointSizeF()
        self._font_scale = scale
        font = _set_app_font(scale)
        changed = abs(font.pointSizeF() - before) > 1e-6
        self.view.text_floor_scale = scale      # larger text raises the canvas's label floor too
        self.scene.set_font_scale(scale)
        if changed and not initial:
            self.inspector.set_font_scale(scale)    # its larger fonts (to be read from afar) follow
            if abs(ratio - 1.0) > 1e-9:
                for pane in self._extra_docked():   # a pane that chose its own font keeps its proportion
                    _scale_own_font(pane, ratio)
            self.step_list.doItemsLayout()
            # chips changed size: the current one back into view once they are laid out again
            QTimer.singleShot(0, self._step_list_to_current)
        big = QFont(font)
        big.setPointSizeF(font.pointSizeF() * 1.25)
        self.phase_label.setFont(big)
        self.loss_label.setFont(big)
        # widths for the widest text they will show, so the toolbar does not shift as steps go by
        bold = QFont(big)
        bold.setBold(True)
        steps = len(self.session.steps)
        self.phase_label.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(f"Backward {steps}/{steps} ") + 16)
        self.loss_label.setMinimumWidth(QFontMetrics(big).horizontalAdvance("L = −0.000000e+00") + 16)
        px = QFontMetrics(font).height()
        self.toolbar.setIconSize(QSize(round(px * 1.5), round(px * 1.5)))
        self.smaller_text_action.setEnabled(scale > FONT_SCALES[0])
        self.larger_text_action.setEnabled(scale < FONT_SCALES[-1])
        if save:
            self.settings.font_scale = scale
            self.statusBar().showMessage(f"Text size {round(scale * 100)}%", 2000)

    def _step_list_to_current(self) -> None:
        self.step_list.follow_current()

    def _extra_docked(self) -> list[QWidget]:
        """Widgets other modules docked with add_dock."""
        return [d.widget() for d in self.findChildren(QDockWidget)
                if d not in (self.steps_dock, self.inspector_dock) and d.widget() is not None]

    def larger_text(self) -> None:
        bigger = [f for f in FONT_SCALES if f > self._font_scale + 1e-6]
        if bigger:
            self.apply_font_scale(bigger[0])

    def smaller_text(self) -> None:
        smaller = [f for f in FONT_SCALES if f < self._font_scale - 1e-6]
        if smaller:
            self.apply_font_scale(smaller[-1])

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    # ---------------------------------------------------------------- camera, presenting, compact toolbar
    def _install_camera_actions(self) -> None:
        """View ▸ Follow the step / Reduce motion / Present (F5) / Sharing at 1280×720 (gui/canvas, gui/window)."""
        v = self.view
        v.follow = self.settings.follow_step
        v.reduce_motion = self.settings.reduce_motion
        self.follow_action = QAction("F&ollow the step", self, checkable=True)
        self.follow_action.setObjectName("follow_step")
        self.follow_action.setChecked(v.follow)
        self.follow_action.setToolTip("Each step frames its nodes with every label at least 14 px high")
        self.follow_action.toggled.connect(self.set_follow)
        self.reduce_motion_action = QAction("Reduce &motion", self, checkable=True)
        self.reduce_motion_action.setObjectName("reduce_motion")
        self.reduce_motion_action.setChecked(v.reduce_motion)
        self.reduce_motion_action.toggled.connect(self.set_reduce_motion)
        from .presenter import Presenter
        self.presenter = Presenter(self)
        m = self.view_menu
        first = m.actions()[4] if len(m.actions()) > 4 else None     # after the zoom actions
        for act in (self.follow_action, self.reduce_motion_action):
            m.insertAction(first, act)
        m.insertSeparator(first)
        m.addAction(self.presenter.present_action)
        m.addAction(self.presenter.share_action)

    def set_follow(self, on: bool) -> None:
        self.view.follow = bool(on)
        self.settings.follow_step = bool(on)
        if on:
            self.view.frame_current(animate=True)

    def set_reduce_motion(self, on: bool) -> None:
        self.view.reduce_motion = bool(on)
        self.settings.reduce_motion = bool(on)

    def set_compact_labels(self, compact: bool) -> None:
        """A narrow window: shorter words on the toolbar (the tooltips keep the long ones)."""
        self._compact = compact
        self._update_layout_widgets()

    def fit_view(self) -> None:
        self.view.fit()
