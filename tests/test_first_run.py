"""The first-run key hint (gui/window/first_run.py): a card on the canvas on a fresh settings store only,
the stepping keys still working while it shows, "Got it" / ✕ / Esc closing it for good, Help ▸ Show
key hints bringing it back, the theme followed, and never in `chainview render`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from chainview.core import Session, example_path
from chainview.cli import _parser
from chainview.core.netfile import load_net
from chainview.gui import app as app_module
from chainview.gui.window.first_run import KEYS, KeyHint, key_text
from chainview.gui.render import render_cli
from chainview.gui.settings import Settings
from chainview.gui.theme import DARK, LIGHT
from conftest import open_window


@pytest.fixture
def no_dialogs(monkeypatch):
    for kind in ("warning", "question", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: QMessageBox.Cancel)


@pytest.fixture
def make_window(qtbot, settings, no_dialogs):
    made = []
    app = QApplication.instance()
    font = QFont(app.font())          # the windows set the application font: put it back after
    base = app.property("chainview_base_point_size")

    def make(*, show=True, **options):
        options.setdefault("editing", False)
        w = open_window(qtbot, Session(load_net(example_path("default"))), options.pop("settings", settings),
                        show=show, **options)
        made.append(w)
        return w
    yield make
    for w in made:
        w.set_modified(False)
    app.setFont(font)
    app.setProperty("chainview_base_point_size", base)


def _focus_in(hint: KeyHint) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is hint or hint.isAncestorOf(focus))


def test_the_hint_shows_on_a_fresh_settings_store(make_window, settings):
    assert settings.hint_dismissed is False
    w = make_window()
    hint = w.key_hint
    assert isinstance(hint, KeyHint) and hint.isVisible()
    # every key the issue names is on the card, spelt as the window's actions have them
    shown = {cap.text for cap in hint.key_labels.values()}
    assert {"→", "←", "Home", "End", "Shift + →", "F1"} <= shown
    assert [name for name, _ in KEYS] == ["next", "previous", "reset", "run_to_end", "finish_forward", "shortcuts",
                                          "select_next", "select_previous"]
    assert "node or an edge" in hint.click_label.text()
    assert hint.ok_button.text() == "Got it" and hint.close_button.text() == "✕"
    # a card over the canvas, not a window or a dialog, in a corner: the graph's middle stays clear
    assert not hint.isWindow() and hint.parentWidget() is w.view
    area = w.view.viewport().geometry()
    assert area.contains(hint.geometry())
    assert not hint.geometry().contains(area.center())
    assert hint.width() < area.width() * 0.6 and hint.height() < area.height() * 0.4
    m = hint.margin()
    assert hint.geometry().right() == area.right() - m and hint.geometry().bottom() == area.bottom() - m
    # showing it took no keyboard focus
    assert not _focus_in(hint)
    assert settings.hint_dismissed is False          # showing is not dismissing


def test_stepping_keys_work_while_the_hint_shows(make_window, qtbot):
    w = make_window()
    s = w.session
    assert w.key_hint.isVisible() and s.position == 0
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert s.position == 1
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert s.position == 2
    qtbot.keyClick(w.view, Qt.Key_Left)
    assert s.position == 1
    qtbot.keyClick(w.view, Qt.Key_Right, Qt.ShiftModifier)
    assert s.position == s.forward_length
    qtbot.keyClick(w.view, Qt.Key_End)
    assert s.position == len(s.steps)
    qtbot.keyClick(w.view, Qt.Key_Home)
    assert s.position == 0
    assert w.key_hint.isVisible() and not _focus_in(w.key_hint)


def test_got_it_hides_it_and_remembers(make_window, qtbot, settings, settings_path):
    w = make_window()
    hint = w.key_hint
    with qtbot.waitSignal(hint.dismissed, timeout=1000):
        qtbot.mouseClick(hint.ok_button, Qt.LeftButton)
    assert hint.isHidden()
    assert settings.hint_dismissed is True
    # on disk too: the next run reads it from the file
    assert Settings(QSettings(settings_path, QSettings.IniFormat)).hint_dismissed is True
    # the keys still step, and the focus is not stuck on a hidden card
    assert not _focus_in(hint)
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert w.session.position == 1


def test_a_new_window_on_the_same_store_does_not_show_it(make_window, qtbot, settings):
    first = make_window()
    qtbot.mouseClick(first.key_hint.ok_button, Qt.LeftButton)
    first.close()
    second = make_window(settings=settings)
    assert second.key_hint is None
    assert not second.view.findChildren(KeyHint)
    # and through the app's own factory, on a fresh store from the file
    fresh = Settings(QSettings(settings.store.fileName(), QSettings.IniFormat))
    third = app_module.create_main_window(None, fresh, theme="light", restore_geometry=False, editing=False)
    qtbot.addWidget(third)
    assert third.key_hint is None


def test_help_show_key_hints_shows_it_again(make_window, qtbot, settings):
    settings.hint_dismissed = True
    w = make_window()
    assert w.key_hint is None
    action = w.key_hints_action
    assert action in w.help_menu.actions()
    assert action.text().replace("&", "") == "Show key hints"
    action.trigger()
    hint = w.key_hint
    assert hint is not None and hint.isVisible()
    assert not _focus_in(hint)
    qtbot.keyClick(w.view, Qt.Key_Right)             # still not in the way of the keys
    assert w.session.position == 1
    qtbot.mouseClick(hint.close_button, Qt.LeftButton)   # ✕ closes it too
    assert hint.isHidden() and settings.hint_dismissed is True
    action.trigger()                                    # and again, the same card
    assert w.key_hint is hint and hint.isVisible()


def test_esc_on_the_card_dismisses_it_and_leaves_the_selection(make_window, qtbot, settings):
    w = make_window()
    hint = w.key_hint
    w.session.select("Z1")
    qtbot.mouseClick(hint, Qt.LeftButton, pos=QPoint(hint.width() // 2, 4))    # a click focuses the card
    assert _focus_in(hint)
    qtbot.keyClick(hint, Qt.Key_Escape)
    assert hint.isHidden() and settings.hint_dismissed is True
    assert w.session.selection == "Z1"               # Esc went to the card, not to "clear the selection"
    assert not _focus_in(hint)
    # with the card gone, Esc on the canvas is the window's again
    qtbot.keyClick(w.view, Qt.Key_Escape)
    assert w.session.selection is None


def test_esc_on_a_focused_button_of_the_card(make_window, qtbot, settings):
    w = make_window()
    hint = w.key_hint
    hint.ok_button.setFocus(Qt.TabFocusReason)
    qtbot.keyClick(hint.ok_button, Qt.Key_Escape)
    assert hint.isHidden() and settings.hint_dismissed is True


def test_esc_on_the_canvas_does_not_dismiss_it(make_window, qtbot, settings):
    w = make_window()
    w.session.select("Z1")
    qtbot.keyClick(w.view, Qt.Key_Escape)
    assert w.session.selection is None
    assert w.key_hint.isVisible() and settings.hint_dismissed is False


def test_the_card_follows_the_theme(make_window):
    w = make_window()
    hint = w.key_hint

    def background() -> QColor:
        image = hint.grab().toImage()
        return QColor(image.pixel(hint.width() // 2, hint.height() - 4))

    assert hint.theme is LIGHT and background() == LIGHT.surface
    w.apply_theme("dark")
    assert hint.theme is DARK
    assert hint.palette().color(QPalette.WindowText) == DARK.text
    assert hint.click_label.palette().color(hint.click_label.foregroundRole()) == DARK.muted
    assert background() == DARK.surface
    w.toggle_theme()
    assert hint.theme is LIGHT and background() == LIGHT.surface


def test_the_card_keeps_its_corner(make_window, qtbot):
    w = make_window()
    hint = w.key_hint
    before = hint.geometry()
    # panning a zoomed-in canvas scrolls the picture, not the card
    for _ in range(4):
        w.view.zoom_in()
    QApplication.processEvents()
    bar = w.view.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    w.view.verticalScrollBar().setValue(w.view.verticalScrollBar().maximum())
    QApplication.processEvents()
    area = w.view.viewport().geometry()
    m = hint.margin()
    assert hint.geometry().right() == area.right() - m and hint.geometry().bottom() == area.bottom() - m
    # a smaller window: still in the canvas's bottom-right corner
    w.resize(1024, 640)
    qtbot.waitUntil(lambda: w.view.viewport().geometry() != area, timeout=2000)
    area = w.view.viewport().geometry()
    assert hint.geometry().right() == area.right() - m and hint.geometry().bottom() == area.bottom() - m
    assert hint.size() == before.size()


def test_the_card_grows_with_the_text_size(make_window):
    w = make_window()
    hint = w.key_hint
    small = hint.size()
    w.apply_font_scale(1.4, save=False)
    QApplication.processEvents()
    assert hint.ok_button.font().pointSizeF() == pytest.approx(w.font().pointSizeF())
    assert hint.width() > small.width() and hint.height() > small.height()
    area = w.view.viewport().geometry()
    assert area.contains(hint.geometry())


def test_the_option_turns_it_off(make_window, settings, qtbot):
    w = make_window(first_run_hint=False)
    assert w.key_hint is None and settings.hint_dismissed is False
    other = app_module.create_main_window(None, Settings.ephemeral(), theme="light", restore_geometry=False,
                                          editing=False, first_run_hint=False)
    qtbot.addWidget(other)
    assert other.key_hint is None


def test_render_shows_no_hint(qapp, tmp_path, monkeypatch, capsys):
    seen = {}
    real = app_module.create_main_window

    def spy(*args, **options):
        window = real(*args, **options)
        seen["options"] = options
        seen["settings_dismissed"] = window.settings.hint_dismissed
        real_grab = window.grab

        def grab(*a):
            seen["hint"] = window.key_hint
            seen["cards"] = window.view.findChildren(KeyHint)
            return real_grab(*a)
        window.grab = grab
        return window

    monkeypatch.setattr(app_module, "create_main_window", spy)
    out = tmp_path / "render.png"
    assert render_cli(_parser().parse_args(["render", "--size", "1280x720", "-o", str(out)])) == 0, \
        capsys.readouterr().err
    assert out.is_file()
    assert seen["options"].get("first_run_hint") is False
    assert seen["settings_dismissed"] is False        # an ephemeral store: only the option keeps it away
    assert seen["hint"] is None and seen["cards"] == []


def test_hint_dismissed_setting_survives_odd_values(settings):
    assert settings.hint_dismissed is False
    for raw, expected in (("true", True), ("false", False), ("garbage", False), (1, True), (0, False),
                          (True, True), (None, False)):
        settings.store.setValue("help/hint_dismissed", raw)
        assert settings.hint_dismissed is expected, raw
    settings.hint_dismissed = True
    assert settings.hint_dismissed is True
    eph = Settings.ephemeral()
    assert eph.hint_dismissed is False
    eph.hint_dismissed = True
    assert eph.hint_dismissed is True


def test_key_text():
    assert key_text("next") == "→"
    assert key_text("finish_forward") == "Shift + →"
    assert key_text("nothing") == ""
