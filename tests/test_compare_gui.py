"""File ▸ Compare with my code… in the app: badges on the nodes, the first difference selected and stepped
to, theirs / expected / difference in the Compare page, a save in their editor re-runs it, Stop stops it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QFileDialog

from chainview.core import Session, load_net
from chainview.gui.window.main_window import MainWindow

CASES = Path(__file__).parent / "compare_cases"
HW_NET = CASES / "hw_net.chainview.json"
CORRECT = (CASES / "hw_correct.py").read_text()
TANH_RETURNS_INPUT = CORRECT.replace("return dLdA * (1 - self.A ** 2)", "return dLdA")


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(Session(load_net(HW_NET)), settings=settings, theme="light", restore_geometry=False,
                   first_run_hint=False, path=HW_NET)
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.compare_tools is not None:
        w.compare_tools.controller.shutdown()
    w.set_modified(False)
    QApplication.instance().setProperty("chainview_base_point_size", None)


def wait_runs(qtbot, tools, n: int) -> None:
    qtbot.waitUntil(lambda: tools.controller.runs >= n and not tools.controller.running, timeout=20000)


def compare_file(window, qtbot, tmp_path, source: str):
    """hw.py holding `source`, compared in `window`: its tools and path once the first run is done."""
    path = tmp_path / "hw.py"
    path.write_text(source)
    tools = window.install_compare_tools()
    tools.start(path)
    wait_runs(qtbot, tools, 1)
    return tools, path


def badges(window) -> dict:
    return {node: item.check.ok for node, item in window.scene.node_items.items() if item.check is not None}


def test_the_menu_action_picks_a_file_and_compares(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "hw.py"
    path.write_text(CORRECT)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "Python files (*.py)"))
    assert window.compare_modules_action in window.file_menu.actions()
    window.compare_modules_action.trigger()
    tools = window.compare_tools
    wait_runs(qtbot, tools, 1)
    assert tools.controller.report.agree
    marks = badges(window)
    assert marks and all(marks.values())
    assert {"Z1", "A1", "W1", "W0_1", "Z2", "A2", "W2", "L", "A0"} <= set(marks)
    assert "Comparing hw.py" in tools.panel.status_label.text() and "last run" in tools.panel.status_label.text()


def test_a_buggy_file_gets_a_cross_the_first_difference_selected_and_stepped_to(window, qtbot, tmp_path):
    tools, _ = compare_file(window, qtbot, tmp_path, TANH_RETURNS_INPUT)
    s = window.session
    marks = badges(window)
    assert marks["Z1"] is False                        # Tanh.backward is wrong: only Z1's step differs
    assert marks["W1"] is True and marks["Z2"] is True
    assert s.selection == "Z1"
    assert s.current.phase == "backward" and s.current.node == "Z1"   # the stepper is on that step
    text = tools.panel.text()
    assert "did Tanh.backward return its input?" in text
    # theirs, expected and the difference side by side, each with its shape
    ev = s.evaluation
    views = tools.panel.views
    np.testing.assert_allclose(views["expected"].current_matrix(), ev.grads["Z1"])
    np.testing.assert_allclose(views["yours"].current_matrix(), ev.grads["A1"])
    np.testing.assert_allclose(views["difference"].current_matrix(), ev.grads["A1"] - ev.grads["Z1"])
    assert all(v.isVisibleTo(tools.panel) for v in views.values())
    assert "3 × 4" in views["yours"].shape_label.text()
    assert "✗" in window.scene.node_item("Z1").toolTip() and "Tanh.backward" in window.scene.node_item("Z1").toolTip()


def test_saving_the_file_reruns_it_and_the_badges_follow(window, qtbot, tmp_path):
    tools, path = compare_file(window, qtbot, tmp_path, TANH_RETURNS_INPUT)
    assert badges(window)["Z1"] is False
    focus = QApplication.focusWidget()
    # an editor that saves by writing a new file and renaming it over the old one
    tmp = tmp_path / "hw.py.swp"
    tmp.write_text(CORRECT)
    os.replace(tmp, path)
    qtbot.waitUntil(lambda: tools.controller.report is not None and tools.controller.report.agree, timeout=20000)
    assert all(badges(window).values())
    assert QApplication.focusWidget() is focus          # the re-run did not take the focus
    # and a plain in-place save is seen too (the watch survived the rename)
    runs = tools.controller.runs
    path.write_text(CORRECT.replace("self.dLdW = self.A @ dLdZ.T", "self.dLdW = dLdZ @ self.A.T"))
    wait_runs(qtbot, tools, runs + 1)
    qtbot.waitUntil(lambda: tools.controller.report is not None and not tools.controller.report.agree, timeout=20000)
    first = tools.controller.report.first
    assert (first.node, first.phase, first.kind) == ("W2", "backward", "transposed")
    assert window.session.selection == "W2" and badges(window)["W2"] is False


def test_stop_ends_the_comparison_and_clears_the_badges(window, qtbot, tmp_path):
    tools, path = compare_file(window, qtbot, tmp_path, CORRECT)
    assert badges(window)
    tools.panel.stop_button.click()
    assert not tools.controller.active and not badges(window)
    assert "Not comparing" in tools.panel.status_label.text()
    runs = tools.controller.runs
    path.write_text(TANH_RETURNS_INPUT)
    qtbot.wait(600)
    assert tools.controller.runs == runs                 # no longer watched


def test_stop_ends_an_endless_loop_at_once(window, qtbot, tmp_path):
    path = tmp_path / "hw.py"
    path.write_text(CORRECT.replace("self.A = A\n", "self.A = A\n        while True:\n            pass\n"))
    tools = window.install_compare_tools()
    tools.start(path)
    qtbot.waitUntil(lambda: tools.controller.running, timeout=5000)
    assert "running" in tools.panel.status_label.text()
    run = tools.controller._run
    qtbot.waitUntil(lambda: run._proc is not None, timeout=5000)
    tools.controller.stop()
    assert not tools.controller.running and "Not comparing" in tools.panel.status_label.text()
    qtbot.waitUntil(lambda: run._proc.poll() is not None, timeout=3000)     # their process is gone


def test_a_file_chainview_cannot_run_says_so_in_one_line(window, qtbot, tmp_path):
    tools, _ = compare_file(window, qtbot, tmp_path, CORRECT.replace("class Tanh:", "class Hyperbolic:"))
    assert "no class Tanh" in tools.panel.summary.text()
    assert not badges(window)


def test_an_exception_shows_their_line(window, qtbot, tmp_path):
    tools, _ = compare_file(window, qtbot, tmp_path, CORRECT.replace("return self.W @ dLdZ", "return self.W.T @ dLdZ"))
    assert "hw.py, line 18, in backward: ValueError" in tools.panel.diagnosis.text()
    assert tools.panel.source_line.text().strip() == "return self.W.T @ dLdZ"
    assert window.session.selection == "A1"          # Linear.backward failed in its return: dL/dW², dL/dW0² were made


def test_choosing_a_row_selects_its_node_and_step(window, qtbot, tmp_path):
    tools, _ = compare_file(window, qtbot, tmp_path, CORRECT)
    rows = tools.panel._rows
    i = next(k for k, r in enumerate(rows) if (r.phase, r.node) == ("forward", "A1"))
    tools.panel.list.setCurrentRow(i)
    s = window.session
    assert s.selection == "A1" and s.current.node == "A1" and s.current.phase == "forward"
    assert "agrees" in tools.panel.diagnosis.text()


def test_the_command_line_opens_the_app_comparing(qtbot, settings, monkeypatch, tmp_path):
    from chainview.cli import _take_modules
    argv, modules = _take_modules([str(HW_NET), "--modules", "hw.py"])
    assert argv == [str(HW_NET)] and modules == "hw.py"
    path = tmp_path / "hw.py"
    path.write_text(CORRECT)
    monkeypatch.setenv("CHAINVIEW_COMPARE_MODULES", str(path))
    w = MainWindow(Session(load_net(HW_NET)), settings=settings, theme="light", restore_geometry=False,
                   first_run_hint=False)
    qtbot.addWidget(w)
    assert "CHAINVIEW_COMPARE_MODULES" not in os.environ
    wait_runs(qtbot, w.compare_tools, 1)
    assert w.compare_tools.controller.report.agree
    w.compare_tools.controller.shutdown()


def test_starting_from_the_template_says_not_implemented(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    target = tmp_path / "mine.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Python files (*.py)"))
    tools = window.install_compare_tools()
    assert tools.panel.template_button.isVisibleTo(tools.panel)
    tools.panel.template_button.click()
    wait_runs(qtbot, tools, 1)
    assert "class Linear" in target.read_text()
    first = tools.controller.report.first
    assert (first.node, first.phase, first.kind) == ("Z1", "forward", "exception")
    assert "not implemented" in tools.panel.list.item(0).text()
    assert not tools.panel.template_button.isVisibleTo(tools.panel)


def test_the_inspector_says_what_differs_on_the_selected_node(window, qtbot, tmp_path):
    tools, _ = compare_file(window, qtbot, tmp_path, TANH_RETURNS_INPUT)
    assert window.session.selection == "Z1"
    text = window.inspector.text()
    assert "✗ hw.py: dL/dZ¹ (backward) — values" in text and "✓ hw.py: Z¹ (forward)" in text
    window.session.select("W1")
    assert "✓ hw.py: dL/dW¹ (backward)" in window.inspector.text()
    tools.controller.stop()
    assert "hw.py" not in window.inspector.text()


SGD_GOES_UP = CORRECT.replace("self.W = self.W - lrate * self.dLdW", "self.W = self.W + lrate * self.dLdW")


def test_the_learning_rate_field_checks_the_update_and_is_kept(window, qtbot, tmp_path, monkeypatch):
    """The panel's lr field (as `chainview compare --lr`): typing one re-runs with every W and W0 step
    checked, empty checks none, a wrong text is refused in words; the rate stays for the next file."""
    tools, _ = compare_file(window, qtbot, tmp_path, SGD_GOES_UP)
    field = tools.panel.lr_field
    assert field.text() == "" and tools.controller.report.agree           # no lr: the update is not checked
    assert not [r for r in tools.controller.report.rows if r.phase == "update"]
    field.setText("0.1")
    field.editingFinished.emit()
    wait_runs(qtbot, tools, 2)
    first = tools.controller.report.first
    assert (first.node, first.phase, first.kind) == ("W1", "update", "scaled") and "-1 ×" in first.message
    assert "lr 0.1" in tools.panel.status_label.text()
    field.setText("fast")                                                  # refused: nothing runs, lr kept
    field.editingFinished.emit()
    assert tools.controller.lr == 0.1 and "positive number" in tools.panel.summary.text()
    assert "border" in field.styleSheet()
    # File ▸ Compare with my code… again, another file: the same lr
    fixed = tmp_path / "fixed.py"
    fixed.write_text(CORRECT)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(fixed), "Python files (*.py)"))
    field.setText("0.1")
    field.editingFinished.emit()
    window.compare_modules_action.trigger()
    wait_runs(qtbot, tools, 3)
    report = tools.controller.report
    assert report.agree and {r.status for r in report.rows if r.phase == "update"} == {"ok"}
    assert field.text() == "0.1" and field.styleSheet() == ""
    field.setText("")                                                      # empty: the update is not checked
    field.editingFinished.emit()
    wait_runs(qtbot, tools, 4)
    assert tools.controller.lr is None and not [r for r in tools.controller.report.rows if r.phase == "update"]


def test_the_command_line_lr_reaches_the_app(qtbot, settings, monkeypatch, tmp_path, capsys):
    from chainview.cli import _take_option, main
    assert _take_option(["net.json", "--lr", "0.01", "x"], "--lr") == (["net.json", "x"], "0.01")
    assert _take_option(["--lr=0.5"], "--lr") == ([], "0.5")
    assert _take_option(["net.json", "--lr"], "--lr") == (["net.json"], "")
    path = tmp_path / "hw.py"
    path.write_text(SGD_GOES_UP)
    for bad in ("fast", "-1", "", "nan"):                  # refused in one line before any window opens
        assert main([str(HW_NET), "--modules", str(path), "--lr", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--lr must be a positive number" in err
    assert "CHAINVIEW_COMPARE_LR" not in os.environ
    monkeypatch.setenv("CHAINVIEW_COMPARE_MODULES", str(path))
    monkeypatch.setenv("CHAINVIEW_COMPARE_LR", "0.05")
    w = MainWindow(Session(load_net(HW_NET)), settings=settings, theme="light", restore_geometry=False,
                   first_run_hint=False)
    qtbot.addWidget(w)
    assert "CHAINVIEW_COMPARE_LR" not in os.environ
    tools = w.compare_tools
    wait_runs(qtbot, tools, 1)
    first = tools.controller.report.first
    assert tools.controller.lr == 0.05 and (first.node, first.phase) == ("W1", "update")
    assert tools.panel.lr_field.text() == "0.05"
    tools.controller.shutdown()
