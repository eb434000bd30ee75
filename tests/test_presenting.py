"""Presenter mode, panels that give way below 1366 px (remembered per size class) and
`render --present / --fit` (issue 10)."""

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from chainview.core import Session, build_net, example_path
from chainview.cli import _parser
from chainview.core.netfile import load_net
from chainview.gui.canvas import camera
from chainview.gui.window.main_window import MainWindow
from chainview.gui.render import render_cli
from chainview.gui.settings import Settings


def _window(qtbot, size, settings=None, net=None):
    net = net or load_net(example_path("default"))
    w = MainWindow(Session(net), settings=settings or Settings.ephemeral(), theme="light",
                   restore_geometry=False, first_run_hint=False)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.view.reduce_motion = True
    qtbot.wait(20)
    QApplication.processEvents()
    return w


def _settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(10)


# ---------------------------------------------------------------- panels

@pytest.mark.parametrize("panel", ["inspector_dock", "editor_dock", "training_dock", "all"])
def test_the_graph_keeps_55_percent_of_a_1024_window_with_any_panel_open(qtbot, panel):
    w = _window(qtbot, (1024, 768))
    tools = w.editing_tools
    docks = {"inspector_dock": w.inspector_dock, "editor_dock": tools.editor_dock,
             "training_dock": tools.training_dock}
    for name, dock in docks.items():
        if panel in (name, "all"):
            dock.show()
            dock.raise_()
    _settle(qtbot)
    assert any(d.isVisible() for d in docks.values())
    assert w.view.width() >= 0.55 * w.width(), (panel, w.view.width())
    # one tabbed side column: nothing on the left squeezing the graph from the other side
    assert all(w.dockWidgetArea(d) == Qt.RightDockWidgetArea for d in docks.values() if not d.isHidden())
    w.set_modified(False)


def test_wide_again_the_editor_goes_back_to_the_left(qtbot):
    w = _window(qtbot, (1024, 768))
    w.show_editor()
    _settle(qtbot)
    assert w.dockWidgetArea(w.editing_tools.editor_dock) == Qt.RightDockWidgetArea
    w.resize(1600, 900)
    _settle(qtbot)
    assert w.dockWidgetArea(w.editing_tools.editor_dock) == Qt.LeftDockWidgetArea
    w.set_modified(False)


def test_panels_are_remembered_per_size_class(qtbot, settings):
    w = _window(qtbot, (1600, 900), settings=settings)
    editor = w.editing_tools.editor_dock
    w.show_editor()
    _settle(qtbot)
    w.resize(1024, 768)                  # never seen this small: the canvas and the inspector only
    _settle(qtbot)
    assert editor.isHidden() and not w.inspector_dock.isHidden()
    w.resize(1600, 900)                  # the big screen's layout comes back
    _settle(qtbot)
    assert not editor.isHidden()
    assert settings.panels("wide") is not None and "editor_dock" in settings.panels("wide")
    assert "editor_dock" not in settings.panels("medium")
    w.set_modified(False)


def test_the_toolbar_drops_to_icons_when_narrow(qtbot):
    w = _window(qtbot, (800, 600))
    _settle(qtbot)
    for name in ("previous", "next", "finish_forward"):
        button = w.tool_buttons[name]
        assert button.toolButtonStyle() == Qt.ToolButtonIconOnly
        assert button.toolTip()
    spin, label = w.editing_tools.lr_spin, w.editing_tools.lr_label_action
    assert spin.prefix().startswith("η")            # its label went with it: no label without its input
    assert not label.isVisible()
    w.resize(1600, 900)
    _settle(qtbot)
    assert w.tool_buttons["next"].toolButtonStyle() == Qt.ToolButtonTextBesideIcon
    assert spin.prefix() == "" and label.isVisible()
    assert w.editing_tools.toolbar.widgetForAction(label).buddy() is spin
    w.set_modified(False)


# ---------------------------------------------------------------- presenter

def test_presenter_mode_takes_the_window_and_esc_leaves(qtbot):
    w = _window(qtbot, (1280, 720))
    s = w.session
    s.jump(1)
    w.presenter.present_action.trigger()
    _settle(qtbot)
    assert w.presenter.active
    assert not w.inspector_dock.isVisible() and not w.steps_dock.isVisible() and not w.toolbar.isVisible()
    assert w.view.width() == w.width()
    card = w.presenter.card
    assert card.isVisible() and "press <b>→</b> for the next step" in card.text()
    # stepping works as usual; the card follows; the hint is for the first step only
    w.next_action.trigger()
    _settle(qtbot)
    assert s.position == 2 and "next step" not in card.text()
    assert "A¹ = f¹(Z¹)" in card.text() or "A¹" in card.text()
    # the camera keeps the card's corner clear: the step's result is not under the card
    result = camera.step_items(w.scene, s.current)[0]
    on_screen = QRectF(w.view.mapFromScene(result.sceneBoundingRect()).boundingRect())
    assert not on_screen.intersects(QRectF(card.geometry()))
    qtbot.keyClick(w, Qt.Key_Escape)
    _settle(qtbot)
    assert not w.presenter.active and w.presenter.card is None
    assert w.inspector_dock.isVisible() and w.toolbar.isVisible()
    assert "Esc" in [k.toString() for k in w.clear_selection_action.shortcuts()]
    w.set_modified(False)


def test_presenting_a_1920_window_raises_the_floor_for_a_720p_share(qtbot):
    w = _window(qtbot, (1920, 1080))
    s = w.session
    s.jump(s.forward_length + 3)
    w.presenter.set_active(True)
    _settle(qtbot)
    assert w.view.share_factor == pytest.approx(1.5)
    scale = w.view.transform().m11()
    items = camera.step_items(w.scene, s.current)
    smallest = min(f.pixelSize() * scale for it in items for f in camera.label_fonts(it))
    assert smallest * (1280 / 1920) >= 14 - 1e-6        # ≥ 14 px once the share is scaled to 1280×720
    w.presenter.share_action.setChecked(False)
    _settle(qtbot)
    assert w.view.share_factor == 1.0
    w.presenter.share_action.setChecked(True)
    w.presenter.set_active(False)
    w.set_modified(False)


def test_the_card_shrinks_by_key(qtbot):
    w = _window(qtbot, (1280, 720))
    w.session.jump(8)
    w.presenter.set_active(True)
    _settle(qtbot)
    full = w.presenter.card.height()
    w.presenter.compact_action.trigger()
    _settle(qtbot)
    assert w.presenter.card.height() < full
    w.presenter.set_active(False)
    w.set_modified(False)


# ---------------------------------------------------------------- render

def _render(tmp_path, *argv):
    out = str(tmp_path / "r.png")
    args = _parser().parse_args(["render", str(example_path("default")), "--size", "1280x720", "-o", out, *argv])
    assert render_cli(args) == 0
    img = QImage(out)
    assert img.size().toTuple() == (1280, 720)
    return img


def test_render_present_and_fit(tmp_path, qapp):
    normal = _render(tmp_path, "--step", "8")
    present = _render(tmp_path, "--step", "8", "--present")
    fitted = _render(tmp_path, "--step", "8", "--fit")
    assert normal != present and normal != fitted
    args = _parser().parse_args(["render", "--present", "--fit", "-o", "x.png"])
    assert args.present and args.fit


# ---------------------------------------------------------------- the try-out's fixes

def test_undoing_training_clears_its_message_and_train_shows_the_loss_plot(qtbot):
    w = _window(qtbot, (1280, 720), net=load_net(example_path("relu-regression")))
    tools = w.editing_tools
    tools.training_dock.hide()
    w.train_steps(5, 0.01)
    _settle(qtbot)
    assert tools.training_dock.isVisible()                # Ctrl+R brings the loss plot into view
    assert w.statusBar().currentMessage().startswith("Trained 5 steps")
    assert not w.step_label.isVisible()                   # the message replaces the step's line, no overlap
    w.undo_action.trigger()
    _settle(qtbot)
    assert w.statusBar().currentMessage() == ""            # no stale "Trained 5 steps" after the undo
    assert w.step_label.isVisible()
    w.set_modified(False)


def test_one_step_numbering_everywhere(qtbot):
    w = _window(qtbot, (1600, 900))
    s = w.session
    s.jump(s.forward_length + 3)
    _settle(qtbot)
    assert w.phase_text() == f"Backward 3/{len(s.steps) - s.forward_length}"
    assert w.step_label.text().startswith("B3 ")
    assert "B3 · Backward step 3 of 9" in w.inspector.step_text()
    w.presenter.set_active(True)
    assert "B3 · Backward" in w.presenter.card.text()
    w.presenter.set_active(False)
    w.set_modified(False)


def test_a_nan_node_is_marked_and_every_non_finite_entry_counted(qtbot):
    from chainview.core import custom_activation
    net = load_net(example_path("default"))
    w = _window(qtbot, (1280, 720), net=net.replace_layer(1, activation=custom_activation("log(z)")))
    s = w.session
    s.jump(s.step_index[("forward", "A1")] + 1)
    _settle(qtbot)
    item = w.scene.node_item("A1")
    assert item.nonfinite >= 1 and "NaN or inf" in item.toolTip()
    bad = int((~np.isfinite(s.evaluation.values["A1"])).sum()) + int((~np.isfinite(s.evaluation.grads["A1"])).sum())
    assert f"({bad} of " in w.step_label.text()
    w.set_modified(False)


def test_rounding_noise_reads_as_zero_with_the_exact_value_in_the_tooltip():
    from chainview.gui.canvas.text import matrix_cells, matrix_html
    a = np.array([[0.5, 1.3877787807814457e-17], [1e-7, -0.25]])
    cells = matrix_cells(a)
    assert cells[0][1] == "0"                         # noise beside 0.5
    assert cells[1][0] == "1.0e-7"                     # a small number that is not noise stays
    assert "exactly 1.388e-17" in matrix_html(a)
    from chainview.gui.inspector.matrix_model import MatrixModel
    m = MatrixModel(a)
    assert m.data(m.index(0, 1)) == "0" and m.data(m.index(1, 0)) != "0"


def test_the_step_list_keeps_the_current_chip_in_view_after_a_text_size_change(qtbot):
    w = _window(qtbot, (1280, 720), net=load_net(example_path("default")))
    s = w.session
    s.jump(len(s.steps) - 1)
    _settle(qtbot)
    sl = w.step_list
    for _ in range(3):
        w.larger_text_action.trigger()
    _settle(qtbot)
    rect = sl.visualRect(sl.model().index(s.position - 1, 0))
    assert sl.viewport().rect().intersects(rect)
    w.apply_font_scale(1.0)
    w.set_modified(False)


def test_a_missing_x11_library_is_named_with_its_apt_package(monkeypatch):
    from chainview.gui import app
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)

    def load(name):
        if name == "libxcb-cursor.so.0":
            raise OSError(f"{name}: cannot open shared object file")
    missing = app.missing_xcb_libraries(load)
    assert missing == [("libxcb-cursor.so.0", "libxcb-cursor0")]
    line = app.missing_libraries_message(missing)
    assert "\n" not in line and "libxcb-cursor.so.0" in line and "apt-get install libxcb-cursor0" in line
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")          # no window: nothing to check
    assert app.missing_xcb_libraries(load) == []


def test_following_is_a_remembered_view_toggle(qtbot, settings):
    w = _window(qtbot, (1280, 720), settings=settings)
    assert w.follow_action.isChecked() and w.view.follow
    assert w.follow_action in w.view_menu.actions() and w.presenter.present_action in w.view_menu.actions()
    w.follow_action.setChecked(False)
    assert not w.view.follow and settings.follow_step is False
    w.reduce_motion_action.setChecked(True)
    assert w.view.reduce_motion and settings.reduce_motion is True
    w.set_modified(False)
    w2 = _window(qtbot, (1280, 720), settings=settings)
    assert not w2.view.follow and not w2.follow_action.isChecked() and w2.view.reduce_motion
    w2.set_modified(False)


def test_the_camera_frames_the_step_beside_the_first_run_key_hint(qtbot):
    w = MainWindow(Session(load_net(example_path("default"))), settings=Settings.ephemeral(), theme="light",
                   restore_geometry=False, first_run_hint=True)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    w.view.reduce_motion = True
    _settle(qtbot)
    assert w.key_hint is not None and w.key_hint.isVisible()
    w.session.jump(1)
    _settle(qtbot)
    result = camera.step_items(w.scene, w.session.current)[0]
    on_screen = QRectF(w.view.mapFromScene(result.sceneBoundingRect()).boundingRect())
    assert not on_screen.intersects(QRectF(w.key_hint.geometry()))
    assert not QRectF(w.view.minimap.geometry()).intersects(QRectF(w.key_hint.geometry())) \
        or not w.view.minimap.isVisible()
    w.set_modified(False)


def test_the_card_puts_one_operator_between_operands_and_none_before_the_result(qtbot):
    w = _window(qtbot, (1280, 720))
    s = w.session
    s.jump(s.forward_length + 6)                     # dL/dZ¹ = dA¹/dZ¹ · dL/dA¹: two operands, one product
    w.presenter.set_active(True)
    _settle(qtbot)
    html = w.presenter.card.text()
    assert html.count("&nbsp;·&nbsp;") == len(s.current.operands) - 1 == 1
    assert html.count("&nbsp;=&nbsp;") == 1
    w.presenter.set_active(False)
    w.set_modified(False)
