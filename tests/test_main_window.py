"""The main window: stepping keys (with the canvas focused), toolbar, step list, layout and example
switches, files (open, save, recent, drop, unsaved changes), theme and text size remembered,
copy, and the hooks other modules use. Every dialog is monkeypatched, so nothing blocks, and
settings go to a temporary file, never the user's."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication, QUndoCommand
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QLabel, QMessageBox, QTabBar

from chainview.core import Session, example_path
from chainview.core.netfile import load_net, save_net
from chainview.gui import app as app_module
from chainview.gui.window.main_window import MainWindow, base_point_size
from chainview.gui.inspector.matrix_model import format_number
from chainview.gui.settings import MAX_RECENT, Settings
from chainview.gui.theme import DARK, LIGHT
from conftest import open_window


@pytest.fixture
def messages(monkeypatch):
    """Every QMessageBox the window could show, recorded instead of shown."""
    shown = {"warning": [], "question": [], "critical": [], "information": []}
    answers = {"question": QMessageBox.Cancel}

    def record(kind):
        def fake(parent, title, text, *args, **kwargs):
            shown[kind].append(text)
            return answers.get(kind, QMessageBox.Ok)
        return fake

    for kind in shown:
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    shown["answers"] = answers
    return shown


@pytest.fixture
def make_window(qtbot, settings, messages):
    def make(net=None, *, show=True, **options):
        if net is None:
            net = load_net(example_path("default"))
        session = net if isinstance(net, Session) else Session(net)
        return open_window(qtbot, session, options.pop("settings", settings), show=show, **options)
    yield make
    QApplication.instance().setProperty("chainview_base_point_size", None)


@pytest.fixture
def window(make_window):
    w = make_window()
    yield w
    w.set_modified(False)


def _focus_canvas(qtbot, w):
    w.view.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(lambda: w.view.hasFocus(), timeout=2000)


# ---------------------------------------------------------------- stepping

def test_step_keys_move_the_position_with_the_canvas_focused(qtbot, window):
    w, s = window, window.session
    _focus_canvas(qtbot, w)
    n, fwd = len(s.steps), s.forward_length
    # the canvas scrolls with the arrow keys unless the window's actions win: they must
    w.view.horizontalScrollBar().setValue(w.view.horizontalScrollBar().minimum())
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert s.position == 1
    qtbot.keyClick(w.view, Qt.Key_Space)
    assert s.position == 2
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert s.position == 3
    qtbot.keyClick(w.view, Qt.Key_Left)
    assert s.position == 2
    qtbot.keyClick(w.view, Qt.Key_Backspace)
    assert s.position == 1
    qtbot.keyClick(w.view, Qt.Key_Right, Qt.ShiftModifier)     # finish the forward pass
    assert s.position == fwd
    qtbot.keyClick(w.view, Qt.Key_End)
    assert s.position == n
    qtbot.keyClick(w.view, Qt.Key_Home)
    assert s.position == 0
    qtbot.keyClick(w.view, Qt.Key_PageDown)                     # a presentation clicker's "next"
    assert s.position == 1
    qtbot.keyClick(w.view, Qt.Key_PageUp)
    assert s.position == 0
    assert w.view.hasFocus()


def test_the_selection_walks_the_graph_by_keyboard(qtbot, window):
    """. and , select the next / previous node or edge (no mouse needed), Esc clears."""
    w, s = window, window.session
    _focus_canvas(qtbot, w)
    s.jump(3)                                             # the current step computes Z²
    qtbot.keyClick(w.view, Qt.Key_Period)
    assert s.selection == "Z2" and "Z²" in w.inspector.selection_text()
    qtbot.keyClick(w.view, Qt.Key_Period)
    assert s.selection == ("Z2", "A2") and "Z² → A²" in w.inspector.selection_text()
    qtbot.keyClick(w.view, Qt.Key_Comma)
    qtbot.keyClick(w.view, Qt.Key_Comma)
    assert s.selection == ("W0_2", "Z2")
    qtbot.keyClick(w.view, Qt.Key_Escape)
    assert s.selection is None
    assert "Select the next node or edge" in [r[1] for r in w.shortcut_rows()]


def test_typing_a_number_into_a_weight_cell_is_not_taken_by_the_selection_keys(qtbot, window):
    """. and , are window-wide, but a weight table that starts editing on any key must get ".5" whole."""
    w, s = window, window.session
    w.show_editor()
    editor = w.editing_tools.editor
    view, model = editor.w_view, editor.w_model
    qtbot.waitUntil(view.isVisible, timeout=2000)
    view.setCurrentIndex(model.index(0, 0))
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClicks(view, ".5")
    qtbot.keyClick(view.focusWidget() or view, Qt.Key_Return)
    qtbot.waitUntil(lambda: s.net.layers[0].W[0, 0] == 0.5, timeout=2000)
    assert s.selection is None                            # the keys typed; they did not walk the graph
    view.setFocus()
    qtbot.keyClick(view, Qt.Key_Space)                    # Space still steps, as in every pane
    assert s.position == 1


def test_a_selection_off_screen_is_scrolled_into_view(qtbot, window):
    w, s = window, window.session
    for _ in range(6):
        w.view.zoom_in()                                  # zoomed in on part of the graph
    QApplication.processEvents()
    w.view.horizontalScrollBar().setValue(w.view.horizontalScrollBar().minimum())
    visible = lambda: w.view.mapToScene(w.view.viewport().rect()).boundingRect()
    far = w.scene.edge_item("A2", "L").label.sceneBoundingRect()
    assert not visible().contains(far)
    s.select("A2")
    assert not visible().contains(far)                    # a selection made elsewhere does not move the canvas
    w.editing_tools.training_dock.raise_()                # the Training tab in front of the Inspector
    QApplication.processEvents()
    tabs = next(b for b in w.findChildren(QTabBar) if "Inspector" in [b.tabText(i) for i in range(b.count())])
    assert tabs.tabText(tabs.currentIndex()) == "Training"
    qtbot.keyClick(w.view, Qt.Key_Period)
    assert s.selection == ("A2", "L") and visible().contains(far)     # one walked to by keyboard is shown
    assert tabs.tabText(tabs.currentIndex()) == "Inspector"          # ... and the Inspector comes forward


def test_step_keys_work_with_the_focus_in_the_step_list(qtbot, window):
    w, s = window, window.session
    w.step_list.setFocus()
    qtbot.waitUntil(lambda: w.step_list.hasFocus(), timeout=2000)
    qtbot.keyClick(w.step_list, Qt.Key_Right)
    qtbot.keyClick(w.step_list, Qt.Key_Right)
    assert s.position == 2
    qtbot.keyClick(w.step_list, Qt.Key_Left)
    assert s.position == 1
    qtbot.keyClick(w.step_list, Qt.Key_End)
    assert s.position == len(s.steps)


def test_toolbar_buttons_step(qtbot, window):
    w, s = window, window.session
    buttons = w.tool_buttons
    qtbot.mouseClick(buttons["next"], Qt.LeftButton)
    qtbot.mouseClick(buttons["next"], Qt.LeftButton)
    assert s.position == 2
    qtbot.mouseClick(buttons["previous"], Qt.LeftButton)
    assert s.position == 1
    qtbot.mouseClick(buttons["finish_forward"], Qt.LeftButton)
    assert s.position == s.forward_length
    qtbot.mouseClick(buttons["run_to_end"], Qt.LeftButton)
    assert s.position == len(s.steps)
    assert not w.next_action.isEnabled() and not buttons["next"].isEnabled()
    qtbot.mouseClick(buttons["reset"], Qt.LeftButton)
    assert s.position == 0
    assert not w.previous_action.isEnabled()


def test_phase_indicator_and_loss(window):
    w, s = window, window.session
    fwd, n = s.forward_length, len(s.steps)
    assert w.phase_text() == f"Start 0/{n}"
    assert w.loss_text() == "L = ?"
    s.jump(3)
    assert w.phase_text() == f"Forward 3/{fwd}"
    assert "Forward" in w.phase_label.text() and "3/5" in w.phase_label.text()
    s.jump(fwd)
    assert w.loss_text() == f"L = {s.evaluation.loss:.4g}"
    assert f"{s.evaluation.loss:.4g}" in w.loss_label.text()
    s.jump(fwd + 2)
    assert w.phase_text() == f"Backward 2/{n - fwd}"
    # the status line shows the equation of the step just done
    assert "dL/dZ" in w.step_label.text()


def test_step_list_click_jumps_and_follows(qtbot, window):
    w, s = window, window.session
    view = w.step_list
    index = view.model().index(6)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())
    assert s.position == 7
    s.jump(3)
    assert view.currentIndex().row() == 2
    assert view.model().index(2).data(Qt.UserRole + 2) == "current"
    assert view.model().index(0).data(Qt.UserRole + 2) == "done"
    assert view.model().index(5).data(Qt.UserRole + 2) == "future"
    assert view.model().rowCount() == len(s.steps)


def test_a_step_repaints_the_chips_whose_state_changed(qtbot, window):
    """The current step's band moves with the cursor (rows repaint without a re-layout of the list)."""
    view, s = window.step_list, window.session
    s.jump(4)
    QApplication.processEvents()

    def shade(row):      # what is on screen (the backing store), not a fresh paint as grab() would make
        rect = view.visualRect(view.model().index(row))
        image = window.screen().grabWindow(window.winId()).toImage()
        # the phase bar (muted when future) and the padding on the right (a band when current)
        probes = (QPoint(rect.left() + 1, rect.bottom() - 3), QPoint(rect.right() - 4, rect.bottom() - 3))
        return tuple(image.pixelColor(view.viewport().mapTo(window, p) * image.devicePixelRatio()).name()
                     for p in probes)

    window.resize(4000, 700)                   # every chip in view: no scrolling repaints the list for us
    QApplication.processEvents()
    assert view.horizontalScrollBar().maximum() == 0
    fwd = s.forward_length                     # rows 0 .. fwd - 1 are forward steps: one phase colour
    assert fwd >= 5
    s.jump(1)
    QApplication.processEvents()
    current, future = shade(0), shade(3)
    s.jump(2)
    QApplication.processEvents()
    done = shade(0)
    assert len({current, done, future}) == 3     # a band when current, a muted bar when future
    assert shade(1) == current
    s.jump(5)                # rows 1..3 change state; only 1 and 4 are the old and new current index
    QApplication.processEvents()
    assert shade(2) == done and shade(3) == done and shade(4) == current
    s.jump(1)
    QApplication.processEvents()
    assert shade(2) == future and shade(3) == future and shade(0) == current


def test_the_current_step_stays_in_the_strip_when_the_window_is_resized(qtbot, window):
    """The window sizes its docks after it is shown (and a person resizes it): the strip scrolls the
    current chip back into view once its chips are laid out again."""
    view, s = window.step_list, window.session
    s.jump(len(s.steps))                       # the last step: the strip's far end
    for size in ((1280, 720), (900, 700), (1600, 900)):
        window.resize(*size)

        def shown():
            rect = view.visualRect(view.model().index(s.position - 1))
            return view.viewport().rect().contains(rect)
        qtbot.waitUntil(shown, timeout=2000)


def test_the_step_under_the_mouse_is_highlighted(qtbot, window):
    view, s = window.step_list, window.session
    s.jump(0)
    index = view.model().index(4)
    view.scrollTo(index)
    rect = view.visualRect(index)
    probe = QPoint(rect.right() - 4, rect.bottom() - 3)      # padding: no text there

    def shade():
        return view.viewport().grab().toImage().pixelColor(probe)

    before = shade()
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.waitUntil(lambda: view.hovered_row() == 4, timeout=2000)
    assert shade() != before
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    assert view.hovered_row() == -1
    assert shade() == before


def test_the_hover_follows_the_strip_when_it_scrolls_under_a_still_mouse(qtbot, window):
    view, s = window.step_list, window.session
    s.jump(0)
    QApplication.processEvents()
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0                              # the strip is wider than the window
    rect = view.visualRect(view.model().index(1))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.waitUntil(lambda: view.hovered_row() == 1, timeout=2000)
    at = rect.center()

    def under_mouse():
        return view.indexAt(at).row()

    bar.setValue(bar.value() + rect.width() * 2)         # the wheel, or a step recentring the strip
    assert under_mouse() not in (-1, 1) and view.hovered_row() == under_mouse()
    s.jump(len(s.steps))                                  # a step far away scrolls it too
    QApplication.processEvents()
    assert view.hovered_row() == under_mouse()


def test_selecting_in_the_scene_shows_in_the_inspector(qtbot, window):
    w, s = window, window.session
    s.jump(8)
    w.editing_tools.training_dock.raise_()      # the Training tab in front of the Inspector
    QApplication.processEvents()
    assert w.inspector.visibleRegion().isEmpty()
    item = w.scene.node_item("Z1")
    w.view.ensureVisible(item)
    QApplication.processEvents()
    point = w.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(w.view.viewport(), Qt.LeftButton, pos=point)
    assert s.selection == "Z1"
    QApplication.processEvents()
    assert not w.inspector.visibleRegion().isEmpty()   # a click on the canvas brings the Inspector forward
    assert "Z" in w.inspector.selection_text() and "1" in w.inspector.selection_text()
    assert w.copy_csv_action.isEnabled()
    # Escape clears it
    _focus_canvas(qtbot, w)
    qtbot.keyClick(w.view, Qt.Key_Escape)
    assert s.selection is None
    assert not w.copy_csv_action.isEnabled()


def test_layout_switch(qtbot, window):
    w, s = window, window.session
    s.jump(len(s.steps))
    assert s.layout == "denominator" and "6.390" in w.layout_button.text()
    w.numerator_layout_action.trigger()
    assert s.layout == "numerator"
    assert "numerator" in w.layout_button.text()
    eqs = [w.step_list.model().index(i).data(Qt.UserRole + 3) for i in range(len(s.steps))]
    assert any("dL/dA" in e and "·" in e for e in eqs)
    qtbot.keyClick(w.view, Qt.Key_L, Qt.ControlModifier)
    assert s.layout == "denominator" and not w.numerator_layout_action.isChecked()


def test_example_spin_box_only_for_a_batch(qtbot, make_window, example_net):
    w = make_window()
    assert w.example_widget_action is None            # one example: the box is not even made
    w.set_modified(False)
    w2 = make_window(example_net("relu-regression"))
    b = w2.session.net.batch
    assert b > 1
    assert w2.example_widget_action.isVisible()
    actions = w2.toolbar.actions()                     # in its place: just before the layout toggle's separator
    assert actions.index(w2.example_widget_action) + 1 == actions.index(w2._example_slot)
    assert w2.example_spin.maximum() == b and w2.example_spin.suffix() == f" of {b}"
    w2.example_spin.setValue(3)
    assert w2.session.example == 2
    qtbot.keyClick(w2.view, Qt.Key_BracketRight)
    assert w2.session.example == 3
    w2.session.set_example(0)
    assert w2.example_spin.value() == 1
    # opening a single-example net hides it again
    assert w2.open_path(example_path("default"))
    assert not w2.example_widget_action.isVisible()
    assert w.open_path(example_path("relu-regression"))     # a batch in a window that had none: made now
    assert w.example_widget_action.isVisible() and w.example_spin.maximum() == b
    actions = w.toolbar.actions()
    assert actions.index(w.example_widget_action) + 1 == actions.index(w._example_slot)


# ---------------------------------------------------------------- files

def test_open_a_bad_file_shows_the_message_and_keeps_the_net(tmp_path, window, messages, monkeypatch):
    bad = tmp_path / "bad.chainview.json"
    bad.write_text('{"format": "chainview-net", "version": 1, "input": [[1]], "target": [[1]], '
                   '"loss": "squared", "layers": [{"units": 1, "activation": "nope"}]}')
    with pytest.raises(Exception) as err:
        load_net(bad)
    net, pos = window.session.net, 3
    window.session.jump(pos)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    assert window.open_dialog() is False
    assert messages["warning"] == [err.value.message]
    assert "\n" not in messages["warning"][0]
    assert window.session.net is net and window.session.position == pos
    assert not window.modified


def test_open_a_good_file_via_the_dialog(tmp_path, window, monkeypatch, settings, example_net):
    path = tmp_path / "mine.chainview.json"
    save_net(example_net("relu-regression"), path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.session.jump(4)
    assert window.open_dialog()
    assert window.session.net.batch == 4 and window.session.position == 0
    assert window.path == str(path) and window.name == "mine"
    assert window.windowTitle().startswith("mine")
    assert settings.recent_files() == [str(path)]
    assert not window.modified


def test_save_writes_a_loadable_file_atomically_and_clears_modified(tmp_path, window, messages, monkeypatch):
    s = window.session
    new = s.net.with_weights({"W1": np.full((2, 3), 0.25)})
    s.set_net(new)                      # an edit
    assert window.modified and window.isWindowModified()
    target = tmp_path / "saved"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.save()                # an example has no path yet: Save asks where
    path = tmp_path / "saved.chainview.json"
    assert window.path == str(path)
    again = load_net(path)
    np.testing.assert_array_equal(again.layers[0].W, np.full((2, 3), 0.25))
    assert not window.modified
    assert sorted(os.listdir(tmp_path)) == ["saved.chainview.json", "settings.ini"] or \
        sorted(p for p in os.listdir(tmp_path) if not p.startswith("settings")) == ["saved.chainview.json"]
    # Save again goes to the same file without asking
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("asked again"))
    s.set_net(s.net.with_weights({"W1": np.full((2, 3), 0.5)}))
    assert window.save()
    np.testing.assert_array_equal(load_net(path).layers[0].W, np.full((2, 3), 0.5))
    # Save As from the menu or Ctrl+Shift+S asks for a new name even though the net has a file now
    other = tmp_path / "copy.chainview.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(other), ""))
    window.save_as_action.trigger()
    assert window.path == str(other) and load_net(other).layers[0].W[0, 0] == 0.5
    assert not messages["critical"] and not messages["warning"]


def test_a_failed_save_keeps_the_modified_flag(tmp_path, window, messages):
    window.session.set_net(window.session.net.with_weights({"W1": np.zeros((2, 3))}))
    assert not window.save_as(tmp_path / "no" / "such" / "folder" / "x.chainview.json")
    assert window.modified
    assert len(messages["warning"]) == 1 and "cannot save" in messages["warning"][0]


def test_undo_stack_drives_the_modified_flag(window):
    s = window.session
    old, new = s.net, s.net.with_weights({"W1": np.ones((2, 3))})

    class Edit(QUndoCommand):
        def redo(self):
            s.set_net(new)

        def undo(self):
            s.set_net(old)

    window.undo_stack.push(Edit("edit"))
    assert window.modified and window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert s.net is old and not window.modified
    window.redo_action.trigger()
    assert s.net is new and window.modified
    assert window.undo_action in window.edit_menu.actions()


def test_close_with_unsaved_changes_prompts(qtbot, window, messages):
    window.session.set_net(window.session.net.with_weights({"W1": np.zeros((2, 3))}))
    messages["answers"]["question"] = QMessageBox.Cancel
    assert not window.close()
    assert window.isVisible() and len(messages["question"]) == 1
    messages["answers"]["question"] = QMessageBox.Discard
    assert window.close()
    assert not window.isVisible()


def test_opening_another_file_prompts_and_cancel_keeps_everything(window, messages, example_net):
    window.session.set_net(window.session.net.with_weights({"W1": np.zeros((2, 3))}))
    net = window.session.net
    messages["answers"]["question"] = QMessageBox.Cancel
    assert not window.open_path(example_path("relu-regression"))
    assert window.session.net is net and window.modified
    messages["answers"]["question"] = QMessageBox.Discard
    assert window.open_path(example_path("relu-regression"))
    assert window.session.net.batch == 4 and not window.modified
    assert window.name == "relu-regression" and window.path is None     # an example is never saved over


def test_recent_files(tmp_path, window, settings, example_net):
    paths = []
    for i in range(MAX_RECENT + 2):
        p = tmp_path / f"net{i}.chainview.json"
        save_net(example_net("default"), p)
        paths.append(str(p))
        assert window.open_path(p)
    recent = settings.recent_files()
    assert recent == list(reversed(paths))[:MAX_RECENT]
    os.remove(paths[-2])                           # a file that vanished is pruned
    assert paths[-2] not in settings.recent_files()
    window._fill_recent_menu()
    entries = [a.data() for a in window.recent_menu.actions() if a.data()]
    assert entries == settings.recent_files() and len(entries) == MAX_RECENT - 1
    # the menu opens them
    target = [a for a in window.recent_menu.actions() if a.data() == paths[0 + 3]]
    target[0].trigger()
    assert window.path == paths[3]
    assert settings.recent_files()[0] == paths[3]


def test_drop_a_net_file_opens_it(qtbot, tmp_path, window, example_net):
    p = tmp_path / "dropped.chainview.json"
    save_net(example_net("sigmoid-classifier"), p)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p))])
    # over the canvas too: Qt gives a drag to the nearest widget that accepts drops, and the canvas
    # declines them, so the window's handlers take every drop (no event filter on the canvas)
    target = window.view.viewport()
    while not target.isWindow() and not target.acceptDrops():     # Qt's own search (QWidgetWindow)
        target = target.parentWidget()
    assert target is window and window.acceptDrops()
    enter = QDragEnterEvent(QPoint(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(QPoint(22, 22), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, move)
    assert move.isAccepted()
    event = QDropEvent(QPointF(22, 22), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, event)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.path == str(p), timeout=2000)
    assert window.name == "dropped"
    window.open_path(example_path("default"))
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "picture.png"))])
    assert window._dropped_path(other) is None


def test_examples_menu_opens_each_example(window):
    names = [a.text() for a in window.examples_menu.actions()]
    assert names[0] == "default" and "softmax-3class" in names
    [a for a in window.examples_menu.actions() if a.text() == "softmax-3class"][0].trigger()
    assert window.name == "softmax-3class" and window.session.net.batch == 3
    assert "softmax-3class" in window.windowTitle()


def test_create_main_window_with_a_bad_path_opens_the_default_example(qtbot, tmp_path, settings, messages):
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json")
    w = app_module.create_main_window(str(bad), settings, theme="light", restore_geometry=False)
    qtbot.addWidget(w)
    assert len(messages["warning"]) == 1 and messages["warning"][0].startswith("broken.json: not valid JSON")
    assert w.name == "default" and w.session.net.L == 2
    good = tmp_path / "good.chainview.json"
    save_net(load_net(example_path("softmax-3class")), good)
    w2 = app_module.create_main_window(str(good), settings, theme="light", restore_geometry=False)
    qtbot.addWidget(w2)
    assert w2.path == str(good) and "good" in w2.windowTitle()


# ---------------------------------------------------------------- presentation, remembered

def test_theme_is_applied_and_remembered(qtbot, make_window, settings_path):
    store = Settings(QSettings(settings_path, QSettings.IniFormat))
    w = make_window(settings=store, theme=None)
    assert store.theme == "system"
    w.apply_theme("dark")
    assert w.theme is DARK and w.scene.theme is DARK
    assert QApplication.palette().color(QApplication.palette().ColorRole.Window) == DARK.background
    store.sync()
    again = Settings(QSettings(settings_path, QSettings.IniFormat))
    assert again.theme == "dark"
    w2 = make_window(settings=again, theme=None)
    assert w2.theme is DARK and w2.theme_actions["dark"].isChecked()
    w2.toggle_theme_action.trigger()
    assert w2.theme is LIGHT and again.theme == "light"
    assert w.step_list._delegate.theme is DARK and w2.step_list._delegate.theme is LIGHT


def test_digits_in_matrices_are_chosen_in_the_view_menu_and_remembered(qtbot, make_window, settings_path):
    store = Settings(QSettings(settings_path, QSettings.IniFormat))
    w = make_window(settings=store)
    s = w.session
    s.jump(len(s.steps))
    s.select("A1")                                        # tanh(0.7) = 0.60436777...: many digits to show
    qtbot.waitUntil(lambda: w.inspector.value_view is not None)   # the window's inspector: once more at the end of the turn
    menu = [a.text().replace("&", "") for a in w.precision_menu.actions()]
    assert menu[0].startswith("3 significant") and "(default)" in menu[1] and "every digit" in menu[-1]
    assert w.precision_actions[4].isChecked() and w.inspector.precision() == 4
    view = w.inspector.value_view
    z = s.evaluation.values["A1"][0, 0]
    cell = lambda: view.model.data(view.model.index(0, 0), Qt.DisplayRole)
    assert cell() == format_number(z, 4)
    w.precision_actions[8].trigger()
    assert cell() == format_number(z, 8) == "0.60436778"
    s.select("Z2")                                        # views made afterwards use it too
    assert w.inspector.value_view.precision() == 8
    store.sync()
    again = Settings(QSettings(settings_path, QSettings.IniFormat))
    assert again.precision == 8
    w2 = make_window(settings=again)
    assert w2.inspector.precision() == 8 and w2.precision_actions[8].isChecked()
    again.store.setValue("view/precision", "lots")       # a hand-edited file: the default, not an error
    assert again.precision == 4
    again.store.setValue("view/precision", 99)
    assert again.precision == 4
    with pytest.raises(ValueError):
        again.precision = 5


def test_text_size_is_applied_and_remembered(qtbot, make_window, settings_path):
    store = Settings(QSettings(settings_path, QSettings.IniFormat))
    w = make_window(settings=store)
    base = base_point_size()
    assert QApplication.font().pointSizeF() == pytest.approx(base)
    inspector_before = w.inspector.font().pointSizeF()
    w.larger_text_action.trigger()
    assert w.font_scale == pytest.approx(1.1)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.1)
    assert w.scene.font_scale() == pytest.approx(1.1) if callable(getattr(w.scene, "font_scale", None)) else True
    assert w.inspector.font().pointSizeF() == pytest.approx(inspector_before * 1.1)
    _focus_canvas(qtbot, w)
    qtbot.keyClick(w.view, Qt.Key_Equal, Qt.ControlModifier | Qt.ShiftModifier)
    assert w.font_scale == pytest.approx(1.25)
    # on X11 a US keyboard sends Ctrl+Shift+= as Ctrl+Shift++: that must be "larger text" too, not
    # an ambiguity with the canvas zoom (which is why zoom-in is Ctrl+=, not Ctrl++)
    zoom = w.view.zoom_factor
    qtbot.keyClick(w.view, Qt.Key_Plus, Qt.ControlModifier | Qt.ShiftModifier)
    assert w.font_scale > 1.25 and w.view.zoom_factor == pytest.approx(zoom, rel=0.3)
    w.smaller_text_action.trigger()
    store.sync()
    assert Settings(QSettings(settings_path, QSettings.IniFormat)).font_scale == pytest.approx(1.25)
    w.smaller_text_action.trigger()
    assert w.font_scale == pytest.approx(1.1)
    w.reset_text_action.trigger()
    assert w.font_scale == 1.0 and QApplication.font().pointSizeF() == pytest.approx(base)
    assert w.inspector.font().pointSizeF() == pytest.approx(inspector_before)
    # a new window starts at the remembered size
    store.font_scale = 1.4
    w2 = make_window(settings=store)
    assert w2.font_scale == pytest.approx(1.4)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.4)
    w2.apply_font_scale(1.0, save=False)


def test_larger_text_keeps_a_docked_panes_own_font_in_proportion(make_window):
    w = make_window()
    own, plain = QLabel("own font"), QLabel("app font")
    big = QApplication.font()
    big.setPointSizeF(big.pointSizeF() * 2)
    own.setFont(big)                                   # a pane that chose a larger font for itself
    w.add_dock(own, Qt.LeftDockWidgetArea, "Own", "own_dock")
    w.add_dock(plain, Qt.LeftDockWidgetArea, "Plain", "plain_dock")
    w.larger_text_action.trigger()
    assert own.font().pointSizeF() == pytest.approx(big.pointSizeF() * 1.1)
    QApplication.processEvents()
    assert not plain.testAttribute(Qt.WA_SetFont)      # it follows the app font, and was given none
    assert plain.font().pointSizeF() == pytest.approx(QApplication.font().pointSizeF())
    w.reset_text_action.trigger()
    assert own.font().pointSizeF() == pytest.approx(big.pointSizeF())


def test_settings_survive_bad_values(settings_path):
    raw = QSettings(settings_path, QSettings.IniFormat)
    raw.setValue("view/theme", "purple")
    raw.setValue("view/font_scale", "huge")
    raw.setValue("files/recent", 42)
    raw.sync()
    s = Settings(QSettings(settings_path, QSettings.IniFormat))
    assert s.theme == "system" and s.font_scale == 1.0 and s.recent_files() == []
    e = Settings.ephemeral()
    e.theme = "dark"
    assert e.theme == "dark"


def test_full_screen_toggles(qtbot, window):
    window.full_screen_action.trigger()
    qtbot.waitUntil(window.isFullScreen, timeout=2000)
    window.full_screen_action.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=2000)


# ---------------------------------------------------------------- copy, export, help, hooks

def test_copy_matrix_as_csv_and_latex(window):
    s = window.session
    s.jump(len(s.steps))
    s.select(("Z1", "A1"))
    assert window.copy_matrix("csv")
    text = QGuiApplication.clipboard().text()
    a = np.loadtxt(text.splitlines(), delimiter=",", ndmin=2)
    np.testing.assert_allclose(a, s.jacobian("Z1", "A1").dense())
    window.copy_latex_action.trigger()
    assert "bmatrix" in QGuiApplication.clipboard().text()
    s.select(None)
    assert not window.copy_matrix("csv")


def test_export_actions_write_files(tmp_path, window, monkeypatch, messages):
    from PySide6.QtGui import QImage
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "g"), ""))
    assert window.export_png_dialog()
    assert QImage(str(tmp_path / "g.png")).width() > 0
    assert window.export_svg_dialog()
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "nope" / "g.png"), ""))
    assert not window.export_png_dialog()
    assert messages["warning"] and "does not exist" in messages["warning"][-1]


def test_shortcuts_dialog_lists_the_keys(window, monkeypatch):
    rows = window.shortcut_rows()
    keys = {action: k for _, action, k in rows}
    assert "Right" in keys["Next step"] and "Space" in keys["Next step"]
    assert "Left" in keys["Previous step"] and "Backspace" in keys["Previous step"]
    assert keys["Reset to the start"] == "Home" and keys["Run to the end"] == "End"
    assert keys["Finish the forward pass"] == "Shift+Right"
    assert "F11" in keys["Full screen"]
    from chainview.gui.window import shortcuts_dialog
    seen = []
    monkeypatch.setattr(shortcuts_dialog.ShortcutsDialog, "exec", lambda self: seen.append(self.table.rowCount()))
    window.shortcuts_action.trigger()
    assert seen == [len(rows)]


def test_hooks_for_the_editor_and_training(window):
    from PySide6.QtWidgets import QTextEdit
    assert window.net_menu.title() == "&Net"
    dock = window.add_dock(QTextEdit(), Qt.RightDockWidgetArea, "Editor")
    assert isinstance(dock, QDockWidget) and dock.toggleViewAction() in window.panels_menu.actions()
    assert window.dockWidgetArea(dock) == Qt.RightDockWidgetArea


def test_excepthook_shows_one_line(messages, capsys):
    try:
        raise ValueError("bad thing\nsecond line")
    except ValueError as err:
        app_module.excepthook(type(err), err, err.__traceback__)
    assert messages["critical"] == ["Something went wrong: ValueError: bad thing second line"]
    assert "Traceback" in capsys.readouterr().err


def test_editing_is_installed_and_its_dock_starts_hidden(qtbot, window):
    tools = window.editing_tools
    assert tools is not None
    assert tools.editor_dock.isHidden()                    # the canvas first; Ctrl+3 or View ▸ Panels shows it
    names = [a.objectName() for a in window.net_menu.actions()]
    assert "sgd_step" in names and "gradient_check" in names
    _focus_canvas(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key_3, Qt.ControlModifier)
    assert not tools.editor_dock.isHidden()
    qtbot.keyClick(window.view, Qt.Key_1, Qt.ControlModifier)
    assert window.steps_dock.isHidden()
    qtbot.keyClick(window.view, Qt.Key_1, Qt.ControlModifier)
    assert not window.steps_dock.isHidden()
    # an edit through the editor marks the window modified, undo makes it clean again
    assert tools.editor.set_units(4) is None
    assert window.modified and window.session.net.layers[0].units == 4
    window.undo_action.trigger()
    assert not window.modified and window.session.net.layers[0].units == 3


def test_render_hooks_train_and_show_the_editor(make_window):
    w = make_window(editing=False)
    assert w.editing_tools is None
    before = w.session.evaluation.loss
    w.train_steps(20, 0.1)
    assert w.session.evaluation.loss < before
    w.show_editor()
    assert not w.editing_tools.editor_dock.isHidden()


def test_run_app_opens_a_bad_file_as_the_default_example_and_installs_the_excepthook(
        qtbot, tmp_path, monkeypatch, messages):
    import sys
    # QSettings() (the user's settings in run_app) goes to a temporary folder
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path))
    shown = []
    monkeypatch.setattr(QApplication, "exec", lambda self=None: shown.append(QApplication.activeWindow()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    import signal
    monkeypatch.setattr(signal, "signal", lambda *args: None)   # keep pytest's Ctrl+C
    bad = tmp_path / "bad.chainview.json"
    bad.write_text("[]")
    import gc
    assert gc.isenabled()
    try:
        assert app_module.run_app(str(bad)) == 0
        # start-up ran with the cyclic collector off; the event loop turns it back on
        assert not gc.isenabled()
        qtbot.waitUntil(gc.isenabled, timeout=2000)
    finally:
        gc.enable()
        QSettings.setDefaultFormat(QSettings.NativeFormat)
    assert sys.excepthook is app_module.excepthook
    assert len(messages["warning"]) == 1 and messages["warning"][0].startswith("bad.chainview.json: ")
    app = QApplication.instance()
    assert app.applicationName() == "chainview" and app.organizationDomain() == "chainview.dev"
    assert QGuiApplication.desktopFileName() == "dev.chainview.chainview"
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    assert windows and windows[-1].name == "default"
    for w in windows:
        w.set_modified(False)
        w.close()
        w.deleteLater()


def test_a_text_field_keeps_its_editing_keys(qtbot, window):
    from PySide6.QtWidgets import QLineEdit
    field = QLineEdit("abc")
    window.add_dock(field, Qt.LeftDockWidgetArea, "Field")
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    field.setCursorPosition(0)
    for key in (Qt.Key_Right, Qt.Key_Space, Qt.Key_Backspace, Qt.Key_End, Qt.Key_Home, Qt.Key_Left):
        qtbot.keyClick(field, key)
    assert window.session.position == 0          # the stepping keys did not fire
    assert field.text() == "abc"                 # Right, Space, Backspace: "a bc" -> "abc"


def test_the_session_outlives_a_closed_window(qtbot, settings, messages):
    s = Session(load_net(example_path("default")))
    w = MainWindow(s, settings=settings, theme="light", restore_geometry=False)
    import shiboken6
    w.set_modified(False)
    w.close()
    shiboken6.delete(w)          # the C++ side goes now (deleteLater needs an event loop)
    QApplication.processEvents()
    s.next()                     # nothing listens to a deleted window any more
    s.set_layout("numerator")
    assert s.position == 1


def test_a_nan_is_pointed_at_where_it_begins(make_window):
    from chainview.core import custom_activation
    net = load_net(example_path("default"))
    w = make_window(net.replace_layer(1, activation=custom_activation("log(z)")))   # Z1 has -0.3
    s = w.session
    s.run_to_end()
    assert "NaN" in w.loss_label.text() and "A1 value has NaN at entry 3" in w.loss_label.toolTip()
    s.jump(s.step_index[("forward", "A1")] + 1)          # the step where it appears says so
    assert w.step_label.text().startswith("⚠ A1 value has NaN")


def test_the_toolbar_does_not_shift_while_stepping(make_window):
    w = make_window()
    s = w.session
    xs = set()
    for k in range(len(s.steps) + 1):
        s.jump(k)
        QApplication.processEvents()
        xs.add(w.loss_label.geometry().right())
    assert len(xs) == 1, xs
