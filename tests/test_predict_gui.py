"""Predict before reveal in the window, driven by keys only: type, Enter, → (Esc reveals, Home starts afresh)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel

from chainview.core import Session, example_path
from chainview.core.netfile import load_net
from chainview.gui.window.main_window import MainWindow
from chainview.gui.settings import Settings
from conftest import show_active


@pytest.fixture
def make(qtbot, settings):
    def make(net="default", layout="denominator", settings=settings):
        session = Session(load_net(example_path(net)), layout=layout)
        w = MainWindow(session, settings=settings, theme="light", restore_geometry=False, first_run_hint=False)
        qtbot.addWidget(w)
        return show_active(qtbot, w)
    yield make
    QApplication.instance().setProperty("chainview_base_point_size", None)


def press(qtbot, key, modifier=Qt.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def type_answer(qtbot, text):
    field = QApplication.focusWidget()
    assert field.objectName() == "answer_field", "the answer field has the focus while a question waits"
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)


def shape_text(step, spelling):
    r, c = step.result_shape
    return spelling.format(r=r, c=c)


def test_a_whole_round_by_keys(qtbot, make):
    w = make()
    s, mode = w.session, w.predict_mode
    w.view.setFocus()
    press(qtbot, Qt.Key_P, Qt.ControlModifier)                 # Ctrl+P
    assert mode.enabled and w.predict_action.isChecked()
    card = mode.card
    press(qtbot, Qt.Key_Right)
    assert s.position == 1
    # the result is hidden everywhere: the canvas, the inspector's step card and the status line
    z1 = w.scene.node_item("Z1")
    assert z1.concealed and z1.shown_value() is None
    assert w.inspector.step_result_view is None and "→ ?" in w.inspector.step_text()
    assert "-> ?" in w.step_label.text() and "(3x1)" not in w.step_label.text().split("->")[-1]
    assert w.step_list.itemDelegate().conceal(0)            # the chip's tooltip keeps the shapes back too
    # the question is the largest text on screen
    prompt_size = card.prompt.font().pointSizeF()
    others = [lab.font().pointSizeF() for lab in w.findChildren(QLabel) if lab is not card.prompt and lab.isVisible()]
    assert prompt_size > max(others)
    from PySide6.QtGui import QFontInfo
    canvas_px = max(f.pixelSize() for f in w.scene.style.fonts.values()) * w.view.transform().m11()
    assert QFontInfo(card.prompt.font()).pixelSize() > canvas_px
    assert "What shape is Z¹?" in card.text()
    # wrong, in one spelling; then → is refused; then right in another spelling
    type_answer(qtbot, "2 x 3")
    assert "✗ Not 2×3" in card.text() and s.position == 1
    qtbot.keyClick(w.view, Qt.Key_Right)
    assert s.position == 1 and QApplication.focusWidget() is card.field     # answer first
    type_answer(qtbot, "3 × 1")
    assert not z1.concealed and z1.shown_value() is not None and w.inspector.step_result_view is not None
    assert QApplication.focusWidget() is w.view                              # so → goes on
    assert not w.step_list.itemDelegate().conceal(0)
    assert w.step_list.itemDelegate().marks(0) == "✗"                        # a retry is still a miss
    # the rest of the round: right (several spellings) except two, one revealed by Esc
    spellings = ["{r}x{c}", "{r},{c}", "{r} × {c}", "({r}, {c})", "{r} by {c}"]
    revealed = wrong = None
    for k in range(1, len(s.steps)):
        press(qtbot, Qt.Key_Right)
        assert s.position == k + 1
        step = s.current
        if k == 7:                                 # dL/dW²: reveal with one key after a wrong try
            type_answer(qtbot, shape_text(step, "{c}x{r}"))
            press(qtbot, Qt.Key_Escape)
            revealed = k
            assert f"✗ Revealed: {step.result_shape[0]}×{step.result_shape[1]}" in card.text()
            assert "A¹ is 3×1 and (dL/dZ²)ᵀ is 1×2, so the product is 3×2" in card.text()
        elif k == 10:
            type_answer(qtbot, "1x1")
            type_answer(qtbot, shape_text(step, "{r}x{c}"))
            wrong = k
        else:
            if step.node == "L":
                assert "L = ?" in w.loss_label.text()
            type_answer(qtbot, shape_text(step, spellings[k % len(spellings)]))
            if step.node == "L":
                assert "L = 0.8661" in w.loss_label.text()
        assert not mode.predictor.pending()
    assert mode.score_label.text() == f"{len(s.steps) - 3}/{len(s.steps)} shapes right"
    # the end: the summary lists the missed steps; a click jumps to one, nothing is asked again
    assert mode.predictor.finished()
    assert "-> ?" not in w.step_label.text() and "(2x1)" in w.step_label.text()   # the last answer shows
    names = [b.objectName() for b in card.summary_buttons]
    assert names == [f"missed_step_{k}" for k in (0, revealed, wrong)]
    card.summary_buttons[1].click()
    assert s.position == revealed + 1 and not mode.predictor.pending()
    assert w.step_list.itemDelegate().marks(revealed) == "✗" and w.step_list.itemDelegate().marks(1) == "✓"
    # back and forward: nothing is asked again
    w.view.setFocus()
    for _ in range(3):
        press(qtbot, Qt.Key_Left)
    for _ in range(3):
        press(qtbot, Qt.Key_Right)
        assert not mode.predictor.pending() and QApplication.focusWidget() is w.view
    # Home: a fresh round
    press(qtbot, Qt.Key_Home)
    assert s.position == 0 and mode.score_label.text() == "0/0 shapes right"
    press(qtbot, Qt.Key_Right)
    assert mode.predictor.pending() and QApplication.focusWidget() is card.field


def test_numerator_layout_expects_the_transposes(qtbot, make):
    w = make(layout="numerator")
    s, mode = w.session, w.predict_mode
    mode.set_enabled(True)
    w.view.setFocus()
    for k in range(7):
        press(qtbot, Qt.Key_Right)
        type_answer(qtbot, shape_text(s.current, "{r}x{c}"))
    press(qtbot, Qt.Key_Right)
    assert s.current.node == "W2" and s.current.phase == "backward"
    assert "(dL/dW²)ᵀ" in mode.card.text()
    type_answer(qtbot, "3x2")                      # 6.390's shape: wrong in numerator layout
    assert "✗" in mode.card.text()
    type_answer(qtbot, "2x3")
    assert not mode.predictor.pending() and mode.predictor.mark(7) == "✗"
    assert mode.score_label.text() == "7/8 shapes right"


def test_other_question_kinds_and_bad_answers(qtbot, make):
    w = make()
    s, mode = w.session, w.predict_mode
    mode.set_enabled(True)
    mode.kind_actions["jacobian"].setChecked(True)
    mode.kind_actions["number"].setChecked(True)
    w.view.setFocus()
    s.jump(11)          # a jump forward asks where it lands: dL/dZ¹
    assert s.current.node == "Z1" and "question 1 of 3" in mode.card.text()
    assert "dA¹/dZ¹ = ?" in w.inspector.step_text()            # its diagonal would give the answer away
    w.view.setFocus()
    press(qtbot, Qt.Key_Right)                                # refused: the answer field takes the focus
    assert s.position == 11 and QApplication.focusWidget() is mode.card.field
    type_answer(qtbot, "three by one")                        # not a shape: one line, nothing counted
    assert "type the shape as rows × columns" in mode.card.text() and mode.predictor.score()["shape"] == (0, 0)
    QApplication.focusWidget().clear()
    type_answer(qtbot, "3x1")
    q = mode.predictor.question()
    assert q.kind == "jacobian" and "1  dA¹/dZ¹, diagonal" in mode.card.text().replace("\xa0", " ")
    type_answer(qtbot, str(q.expected + 1))
    q = mode.predictor.question()
    assert q.kind == "number"
    value = np.asarray(s.current.value)[q.entry]
    type_answer(qtbot, f"{value:.2g}")
    assert not mode.predictor.pending() and "dA¹/dZ¹ = ?" not in w.inspector.step_text()
    assert mode.score_label.text() == "1/1 shapes right · 1/1 Jacobians right · 1/1 numbers right"


def test_predict_mode_is_remembered_per_net_file(qtbot, make, settings, tmp_path):
    w = make()
    w.predict_action.setChecked(True)
    assert settings.predict_for("example:default")
    w.open_path(example_path("relu-regression"), confirm=False)
    assert not w.predict_action.isChecked()
    w.open_path(example_path("default"), confirm=False)
    assert w.predict_action.isChecked()
    w2 = make(settings=Settings(QSettings(str(tmp_path / "other.ini"), QSettings.IniFormat)))
    assert not w2.predict_action.isChecked()


def test_file_menu_exports_a_handout_at_the_windows_digits(qtbot, make, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    from chainview.core.handout import number_text
    w = make()
    assert w.export_handout_action in w.file_menu.actions()
    w.apply_precision(6)
    out = tmp_path / "office-hours"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Markdown handout (*.md)"))
    w.session.jump(3)
    w.export_handout_action.trigger()
    text = (tmp_path / "office-hours.md").read_text(encoding="utf-8")
    assert w.session.position == 3                                   # the window stays where it was
    dW2 = next(s for s in w.session.steps if s.phase == "backward" and s.node == "W2").value
    assert number_text(dW2[0, 0], 6).replace("−", "-") in text and (tmp_path / "office-hours-graph.png").exists()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "sheet.html"), ""))
    w.export_worksheet_action.trigger()
    sheet = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert "worksheet" in sheet and "step-7-value-blank" in sheet and "id='answers'" in sheet


def test_a_note_on_a_step_is_edited_shown_saved_and_undone(qtbot, make, tmp_path):
    import json
    from PySide6.QtWidgets import QLineEdit
    w = make()
    s = w.session
    w.predict_mode.set_enabled(True)
    w.view.setFocus()
    for k in range(2):
        press(qtbot, Qt.Key_Right)
        type_answer(qtbot, shape_text(s.current, "{r}x{c}"))
    field = w.inspector.findChild(QLineEdit, "step_note_field")
    field.setFocus()
    qtbot.keyClicks(field, "watch the transpose here")
    qtbot.keyClick(field, Qt.Key_Return)
    qtbot.waitUntil(lambda: s.net.notes == ((1, "watch the transpose here"),), timeout=2000)
    assert "📝 watch the transpose here" in w.inspector.step_text()
    assert w.predict_mode.predictor.mark(1) == "✓"            # a note does not end the round
    out = tmp_path / "noted.chainview.json"
    assert w.save_as(str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == 2 and data["notes"] == {"1": "watch the transpose here"}
    w.undo_stack.undo()
    assert s.net.notes == () and "📝" not in w.inspector.step_text()
    w.undo_stack.redo()
    from chainview.cli import main
    assert main(["handout", str(out), "-o", str(tmp_path / "h.html")]) == 0
    assert "Note: watch the transpose here" in (tmp_path / "h.html").read_text(encoding="utf-8")


def test_the_question_grows_with_larger_text_and_follows_the_theme(qtbot, make):
    w = make()
    w.predict_mode.set_enabled(True)
    card = w.predict_mode.card
    before = card.prompt.font().pointSizeF()
    w.larger_text()
    qtbot.waitUntil(lambda: card.prompt.font().pointSizeF() > before, timeout=2000)
    assert card.prompt.font().pointSizeF() > max(lab.font().pointSizeF() for lab in w.inspector.findChildren(QLabel)
                                                 if lab is not card.prompt and lab.isVisible())
    w.apply_theme("dark")
    qtbot.waitUntil(lambda: card._theme.name == "dark", timeout=2000)


def test_the_windows_question_kinds_are_core_predicts():
    from chainview.core import predict
    from chainview.gui.teaching import predict_mode
    assert predict_mode.KINDS == predict.KINDS and predict_mode.SHAPE == predict.SHAPE
    assert set(predict_mode.KIND_LABELS) == set(predict.KINDS)
