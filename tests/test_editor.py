"""The net editor, undo, and install_editing on a stand-in window (and on the real one when it is there)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDockWidget, QLineEdit, QMainWindow, QMessageBox

from chainview.core import NetError, Session, example_path
from chainview.core.netfile import load_net
from chainview.gui.editing.commands import SetNetCommand, apply_edit
from chainview.gui.editing.tools import check_summary, install_editing
from chainview.gui.editing.editor import NetEditor
from chainview.gui.editing.net_edits import with_random_weights
from chainview.gui.theme import LIGHT


@pytest.fixture
def editor(qtbot, relu_session):
    stack = QUndoStack()
    ed = NetEditor(relu_session, stack, LIGHT)
    ed.stack_ref = stack            # keep the stack alive as long as the editor
    qtbot.addWidget(ed)
    ed.resize(420, 900)
    return ed


def weights_of(net):
    return {k: v.copy() for k, v in net.weights().items()}


# ---------------------------------------------------------------- apply_edit and the command

def test_apply_edit_refused_changes_nothing(relu_session):
    stack = QUndoStack()
    before = relu_session.net

    def bad(net):
        raise NetError("layers[0].W must be m^1 x n^1 = 1 x 4; got 4 x 1")

    assert apply_edit(relu_session, stack, bad, "bad") == "layers[0].W must be m^1 x n^1 = 1 x 4; got 4 x 1"
    assert relu_session.net is before and stack.count() == 0


def test_apply_edit_pushes_one_step_and_undo_restores_the_same_net(relu_session):
    stack = QUndoStack()
    before = relu_session.net
    assert apply_edit(relu_session, stack, lambda n: n.replace_layer(1, units=4), "same units") is None
    assert stack.count() == 1 and stack.text(0) == "same units"
    after = relu_session.net
    assert after is not before
    stack.undo()
    assert relu_session.net is before
    stack.redo()
    assert relu_session.net is after
    assert isinstance(stack.command(0), SetNetCommand)


# ---------------------------------------------------------------- units and shapes

def test_units_change_reshapes_the_graph_and_the_numbers(editor, relu_session):
    net0 = relu_session.net
    loss0 = relu_session.evaluation.loss
    editor.select_layer(1)
    editor.units_spin.setValue(3)
    net = relu_session.net
    assert net is not net0
    assert net.layers[0].W.shape == (1, 3) and net.layers[0].W0.shape == (3, 1)
    assert net.layers[1].W.shape == (3, 1)                       # the next layer's rows follow
    np.testing.assert_array_equal(net.layers[0].W, net0.layers[0].W[:, :3])   # kept where they fit
    np.testing.assert_array_equal(net.layers[1].W, net0.layers[1].W[:3, :])
    assert relu_session.graph.nodes["Z1"]["shape"] == (3, 4)
    assert relu_session.graph.nodes["W2"]["shape"] == (3, 1)
    assert relu_session.evaluation.values["A1"].shape == (3, 4)
    assert relu_session.evaluation.loss != pytest.approx(loss0)
    assert editor.w_model.columnCount() == 3
    assert "1 × 3" in editor.w_label.text()
    assert editor.stack_ref.text(0) == "Change layer 1 units to 3"

    editor.units_spin.setValue(6)                                # grow: new columns from the seed
    net6 = relu_session.net
    assert net6.layers[0].W.shape == (1, 6) and net6.layers[1].W.shape == (6, 1)
    np.testing.assert_array_equal(net6.layers[0].W[:, :3], net.layers[0].W)
    assert np.all(net6.layers[0].W0[3:] == 0)


def test_units_of_the_last_layer_resize_the_target(editor, relu_session):
    Y0 = relu_session.net.Y.copy()
    editor.select_layer(2)
    editor.units_spin.setValue(3)
    net = relu_session.net
    assert net.Y.shape == (3, 4)
    np.testing.assert_array_equal(net.Y[0], Y0[0])
    assert np.all(net.Y[1:] == 0)
    assert "3 × 4" in editor.y_label.text()


def test_quick_units_clicks_are_one_undo_step(editor, relu_session):
    net0 = relu_session.net
    editor.units_spin.stepBy(1)
    editor.units_spin.stepBy(1)
    assert relu_session.net.n(1) == 6
    assert editor.stack_ref.count() == 1
    editor.stack_ref.undo()
    assert relu_session.net is net0


# ---------------------------------------------------------------- activations

def test_activation_change_to_tanh_reruns_the_pass(editor, relu_session):
    combo = editor.activation_combo
    index = combo.findData("tanh")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    net = relu_session.net
    assert net.layers[0].activation.name == "tanh"
    ev = relu_session.evaluation
    np.testing.assert_allclose(ev.values["A1"], np.tanh(ev.values["Z1"]))
    assert editor.stack_ref.text(0) == "Change layer 1 activation to tanh"
    assert "1 - tanh(z)**2" in editor.expression_info.text()
    assert "Layer 1   4 units · tanh" in editor.layer_list.item(0).text()


def test_custom_expression_shows_its_derivative_and_applies_on_enter(qtbot, editor, relu_session):
    edit = editor.expression_edit
    edit.clear()
    qtbot.keyClicks(edit, "z**2")
    assert editor.expression_error() is None
    assert "f(z) = z**2" in editor.expression_info.text()
    # f'(z) is simplified on a pool thread (sympy loads lazily) and shows when ready
    qtbot.waitUntil(lambda: "f'(z) = 2*z" in editor.expression_info.text(), timeout=20000)
    assert relu_session.net.layers[0].activation.name == "relu"       # nothing applied while typing
    qtbot.keyClick(edit, Qt.Key_Return)
    act = relu_session.net.layers[0].activation
    assert act.expr is not None and act.expr.text == "z**2"
    np.testing.assert_allclose(relu_session.evaluation.values["A1"], relu_session.evaluation.values["Z1"] ** 2)
    assert editor.activation_combo.currentData() == "custom"
    editor.stack_ref.undo()
    assert relu_session.net.layers[0].activation.name == "relu"
    assert edit.text() == "max(0, z)"


@pytest.mark.parametrize("text, column, words", [
    ("z +* 2", 4, "syntax error at column 4"),
    ("__import__('os')", 1, "'__import__' is not an allowed function at column 1"),
])
def test_invalid_expression_shows_the_column_and_leaves_the_net(qtbot, editor, relu_session, text, column, words):
    net0 = relu_session.net
    edit = editor.expression_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    assert words in editor.expression_error()
    assert edit.error_column == column
    assert "border: 1px solid" in edit.styleSheet()                  # the red frame
    span = edit.error_x()
    assert span is not None and span[1] > span[0]                    # the zigzag sits under that character
    qtbot.keyClick(edit, Qt.Key_Return)
    assert edit.cursorPosition() == column - 1                      # Enter puts the cursor at the fault
    edit.editingFinished.emit()
    assert relu_session.net is net0 and editor.stack_ref.count() == 0
    # fixing the text clears the error
    edit.clear()
    qtbot.keyClicks(edit, "tanh(z)")
    assert editor.expression_error() is None and edit.error_column is None and edit.styleSheet() == ""


def test_choosing_custom_prefills_a_parsable_formula(editor, relu_session):
    combo = editor.activation_combo
    index = combo.findData("custom")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert editor.expression_edit.text() == "max(0, z)"
    assert relu_session.net.layers[0].activation.name == "relu"      # not applied until Enter


# ---------------------------------------------------------------- tables

def test_invalid_table_entries_are_refused_with_cores_message(qtbot, editor, relu_session):
    net0 = relu_session.net
    model = editor.w_model
    assert model.setData(model.index(0, 1), "abc") is False
    assert relu_session.net is net0 and editor.stack_ref.count() == 0
    assert "W¹[1, 2]: layers[0].W[0][1] is the text 'abc'; every entry must be a number" == editor.status_text()
    assert editor.status_label.text().startswith("✗")
    assert model.setData(model.index(0, 1), "nan") is False
    assert "not a finite number" in editor.status_text()
    assert editor.x_model.setData(editor.x_model.index(0, 2), "inf") is False
    assert "input[0][2] is not a finite number" in editor.status_text()
    assert editor.edit_cell("Y", 0, 0, "1e999") and relu_session.net is net0
    np.testing.assert_array_equal(relu_session.net.layers[0].W, net0.layers[0].W)


def test_typing_into_a_cell_through_the_view(qtbot, editor, relu_session):
    editor.show()
    qtbot.waitExposed(editor)
    view = editor.w_view
    index = editor.w_model.index(0, 2)
    view.setCurrentIndex(index)
    view.edit(index)
    line = view.findChild(QLineEdit)
    assert line is not None and line.text() == "0.3"
    line.selectAll()
    line.insert("−1.25")                       # a typographic minus is fine (QTest types ASCII only)
    qtbot.keyClick(line, Qt.Key_Return)                              # the delegate commits on a queued call
    qtbot.waitUntil(lambda: relu_session.net.layers[0].W[0, 2] == -1.25)
    assert editor.stack_ref.text(0) == "Set W¹[1, 3] = −1.25"


def test_undo_redo_restore_exact_arrays(editor, relu_session):
    net0 = relu_session.net
    snap0 = weights_of(net0)
    X0, Y0 = net0.X.copy(), net0.Y.copy()
    assert editor.edit_cell("W", 0, 0, "0.123456789012345") is None
    assert editor.edit_cell("W0", 2, 0, "-3") is None
    assert editor.edit_cell("X", 0, 1, "7") is None
    editor.units_spin.setValue(2)
    after = relu_session.net
    stack = editor.stack_ref
    assert stack.count() == 4
    while stack.canUndo():
        stack.undo()
    assert relu_session.net is net0
    for k, v in snap0.items():
        np.testing.assert_array_equal(relu_session.net.weights()[k], v)
    np.testing.assert_array_equal(relu_session.net.X, X0)
    np.testing.assert_array_equal(relu_session.net.Y, Y0)
    assert editor.w_model.matrix()[0, 0] == snap0["W1"][0, 0]        # the tables follow undo
    while stack.canRedo():
        stack.redo()
    assert relu_session.net is after
    assert after.layers[0].W[0, 0] == 0.123456789012345 and after.X[0, 1] == 7


def test_step_position_is_kept_after_an_edit(editor, relu_session):
    relu_session.jump(9)
    editor.edit_cell("W", 0, 0, "0.5")
    assert relu_session.position == 9
    editor.select_layer(2)
    combo = editor.activation_combo
    combo.setCurrentIndex(combo.findData("tanh"))
    combo.activated.emit(combo.currentIndex())
    assert relu_session.position == 9


# ---------------------------------------------------------------- layers

def test_add_remove_and_reorder_layers_keep_shapes_valid(editor, relu_session):
    editor.select_layer(1)
    editor.add_layer_button.click()
    net = relu_session.net
    assert net.L == 3 and editor.selected_layer == 2
    assert [l.W.shape for l in net.layers] == [(1, 4), (4, 4), (4, 1)]
    assert relu_session.evaluation.values["A3"].shape == (1, 4)
    editor.units_spin.setValue(2)
    assert [l.W.shape for l in relu_session.net.layers] == [(1, 4), (4, 2), (2, 1)]
    editor.up_button.click()                                          # layer 2 (2 units) becomes layer 1
    net = relu_session.net
    assert editor.selected_layer == 1
    assert [l.units for l in net.layers] == [2, 4, 1]
    assert [l.W.shape for l in net.layers] == [(1, 2), (2, 4), (4, 1)]
    editor.down_button.click()
    assert [l.units for l in relu_session.net.layers] == [4, 2, 1] and editor.selected_layer == 2
    editor.select_layer(3)
    editor.remove_layer_button.click()                                # the output layer goes: Y follows
    net = relu_session.net
    assert net.L == 2 and [l.W.shape for l in net.layers] == [(1, 4), (4, 2)] and net.Y.shape == (2, 4)
    assert editor.selected_layer == 2
    editor.remove_layer_button.click()
    assert relu_session.net.L == 1 and relu_session.net.Y.shape == (4, 4)
    assert not editor.remove_layer_button.isEnabled()
    assert not editor.up_button.isEnabled() and not editor.down_button.isEnabled()
    assert editor.remove_layer() is not None and relu_session.net.L == 1
    assert editor.layer_list.count() == 1
    while editor.stack_ref.canUndo():
        editor.stack_ref.undo()
    assert relu_session.net.L == 2 and editor.layer_list.count() == 2


def test_editor_follows_undo_and_keeps_the_selected_layer(editor, relu_session):
    editor.select_layer(2)
    editor.edit_cell("W", 1, 0, "9")
    assert editor.w_model.matrix()[1, 0] == 9
    assert editor.status_text() == "Set W²[2, 1] = 9"
    editor.stack_ref.undo()
    assert editor.status_text() == ""                    # that message was about a net no longer shown
    assert editor.selected_layer == 2
    assert editor.w_model.matrix()[1, 0] == 0.4
    assert editor.layer_list.currentRow() == 1


def test_editor_follows_a_net_set_from_outside(editor, relu_session, example_net):
    editor.select_layer(2)
    relu_session.set_net(example_net("softmax-3class"))
    net = relu_session.net
    assert editor.layer_list.count() == net.L
    assert editor.loss_combo.currentData() == "nllm"
    np.testing.assert_array_equal(editor.x_model.matrix(), net.X)
    assert editor.selected_layer == min(2, net.L)


# ---------------------------------------------------------------- data, loss, weights

def test_add_and_remove_examples_change_x_and_y_together(editor, relu_session):
    editor.add_example_button.click()
    net = relu_session.net
    assert net.X.shape == (1, 5) and net.Y.shape == (1, 5) and net.X[0, 4] == 0 and net.Y[0, 4] == 0
    assert editor.x_model.columnCount() == 5
    editor.x_view.setCurrentIndex(editor.x_model.index(0, 1))
    editor.remove_example_button.click()
    net = relu_session.net
    np.testing.assert_array_equal(net.X, [[-1.5, 0.5, 1.5, 0.0]])
    np.testing.assert_array_equal(net.Y, [[1.5, 0.5, 1.5, 0.0]])
    relu_session.set_example(3)
    for _ in range(3):
        editor.remove_example()
    assert relu_session.net.batch == 1 and relu_session.example == 0
    assert not editor.remove_example_button.isEnabled()
    assert editor.remove_example(0) is not None and relu_session.net.batch == 1


def test_loss_change(editor, relu_session):
    combo = editor.loss_combo
    combo.setCurrentIndex(combo.findData("half_squared"))
    combo.activated.emit(combo.currentIndex())
    assert relu_session.net.loss.name == "half_squared"
    assert "½" in editor.loss_formula.text()


def test_randomise_with_a_seed_is_reproducible(editor, relu_session):
    editor.seed_spin.setValue(7)
    editor.randomise_button.click()
    first = weights_of(relu_session.net)
    assert relu_session.net.seed == 7
    editor.randomise(8)
    second = weights_of(relu_session.net)
    assert not np.array_equal(first["W1"], second["W1"])
    editor.randomise(7)
    for k, v in first.items():
        np.testing.assert_array_equal(relu_session.net.weights()[k], v)
    assert editor.stack_ref.count() == 3
    # the same as drawing them directly with core.init_weights
    direct = with_random_weights(relu_session.net, 7).weights()
    for k, v in first.items():
        np.testing.assert_array_equal(direct[k], v)
    assert np.all(first["W0_1"] == 0)


def test_new_weights_for_grown_units_follow_the_seed(editor, relu_session):
    editor.seed_spin.setValue(3)
    editor.units_spin.setValue(6)
    assert editor.seed_spin.value() == 3                  # a seed typed here stays after the edit
    a = relu_session.net.layers[0].W.copy()
    editor.stack_ref.undo()
    editor.units_spin.setValue(6)
    np.testing.assert_array_equal(relu_session.net.layers[0].W, a)


# ---------------------------------------------------------------- install_editing

def test_install_editing_on_the_window(editing_window, relu_session):
    w, tools = editing_window
    assert install_editing(w) is tools                                    # once per window
    assert tools.editor_dock.widget() is tools.editor
    assert tools.training_dock.widget() is tools.training_panel
    assert tools.sgd_step_action.shortcut().toString() == "Ctrl+T"
    assert tools.gradient_check_action.shortcut().toString() == "Ctrl+G"
    assert tools.toolbar.objectName() == "training_toolbar"
    assert set(tools.preset_actions) >= {"default", "relu-kink", "relu-regression"}
    assert tools.presets_menu.menuAction() in w.net_menu.actions()
    assert not w.isWindowModified()
    tools.editor.edit_cell("W", 0, 0, "1")
    assert w.isWindowModified()
    w.undo_stack.undo()
    assert not w.isWindowModified()


def test_gradient_check_action_marks_the_relu_kink(editing_window, relu_session, example_net):
    w, tools = editing_window
    relu_session.set_net(example_net("relu-kink"))
    seen = []
    relu_session.check_changed.connect(seen.append)
    tools.gradient_check_action.trigger()
    report = relu_session.check_report
    assert report is not None and seen == [report]
    failed = [r for r in (*report.nodes.values(), *report.edges.values()) if not r.ok]
    assert failed and any("kink" in r.note for r in failed)
    n_ok = sum(r.ok for r in report.nodes.values())
    e_ok = sum(r.ok for r in report.edges.values())
    text = w.statusBar().currentMessage()
    assert text == tools.check_summary == check_summary(report)
    assert text.startswith(f"gradient check: {n_ok}/{len(report.nodes)} nodes ✓, {e_ok}/{len(report.edges)} edges ✓")
    assert "see ✗ tooltips" in text
    # an edit makes the summary stale: it goes
    tools.editor.edit_cell("X", 0, 0, "0.25")
    assert w.statusBar().currentMessage() == "" and tools.check_summary == ""


def test_gradient_check_all_good(editing_window, relu_session, example_net):
    w, tools = editing_window
    relu_session.set_net(example_net("sigmoid-classifier"))
    text = tools.run_gradient_check()
    assert "— every derivative agrees" in text and "✗" not in text


def test_presets_never_discard_unsaved_edits_without_asking(editing_window, relu_session, monkeypatch):
    w, tools = editing_window
    # unmodified: opens at once
    assert tools.preset_actions["default"] is not None
    tools.preset_actions["softmax-3class"].trigger()
    assert relu_session.net.loss.name == "nllm" and w.undo_stack.count() == 0
    tools.editor.edit_cell("X", 0, 0, "3")
    edited = relu_session.net
    assert w.isWindowModified()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.Cancel)
    assert tools.open_preset("relu-regression") is False
    assert relu_session.net is edited and len(asked) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    assert tools.open_preset("relu-regression") is True
    assert relu_session.net.name == load_net(example_path("relu-regression")).name
    assert not w.isWindowModified() and w.undo_stack.count() == 0 and relu_session.position == 0


def test_presets_open_through_the_windows_open_path(editing_window, relu_session):
    w, tools = editing_window
    calls = []
    w.confirm_discard = lambda: calls.append(1) or False
    tools.editor.edit_cell("X", 0, 0, "3")
    edited = relu_session.net
    assert tools.open_preset("default") is False and calls == [1] and relu_session.net is edited


def test_editor_dock_shows_refusals_and_expression_errors(editing_window, qtbot):
    w, tools = editing_window
    w.show()
    qtbot.waitExposed(w)
    tools.editor_dock.raise_()
    tools.editor.select_layer(1)
    net0 = w.session.net
    tools.editor.edit_cell("W", 0, 1, "abc")                 # refused, said in the editor, net intact
    assert w.session.net is net0 and "abc" in tools.editor.status_text()
    tools.editor.expression_edit.setText("")
    qtbot.keyClicks(tools.editor.expression_edit, "z +* 2")
    assert tools.editor.expression_error()
    assert w.session.net is net0
    assert tools.editor.width() >= 300 and not tools.editor.grab().isNull()


def test_install_on_the_real_main_window(qtbot):
    """install_editing on the real MainWindow (which calls it itself): the same tools, wired to the window."""
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    window = create_main_window(settings=Settings.ephemeral(), restore_geometry=False)
    qtbot.addWidget(window)
    tools = window.editing_tools
    try:
        assert install_editing(window) is tools
        assert tools.editor.session is window.session
        assert tools.sgd_step_action in window.net_menu.actions()
        net0 = window.session.net
        assert tools.editor.edit_cell("W", 0, 0, "0.5") is None
        assert window.isWindowModified() and window.undo_stack.count() == 1
        window.undo_stack.undo()
        assert window.session.net is net0
        themes = []
        window.theme_changed.connect(themes.append)              # our docks follow the window's theme signal
        window.apply_theme("dark", save=False)
        assert tools.editor.theme.name == "dark" and tools.training_panel.loss_plot.theme.name == "dark"
        window.apply_theme("light", save=False)
        assert tools.editor.theme.name == "light" and [t.name for t in themes] == ["dark", "light"]
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        tools.editor_dock.show()                                 # the window starts with it hidden: canvas first
        tools.editor_dock.raise_()
        tools.training_dock.raise_()
        qtbot.wait(50)
        assert tools.editor_dock.isVisible() and tools.editor.width() >= 300
        assert "gradient check:" in tools.run_gradient_check()
        assert not window.isWindowModified()
    finally:
        tools.controller.shutdown()
        window.setWindowModified(False)


# ---------------------------------------------------------------- graph: skip, tie, weight decay

def _three_layer_session():
    from chainview.core import build_net
    net = build_net([[1.0], [2.0]], [[0.5], [0.0], [1.0]], "squared",
                    [{"units": 3, "activation": "tanh"}, {"units": 3, "activation": "tanh"},
                     {"units": 3, "activation": "identity"}], seed=2)
    return Session(net)


def test_skip_tie_and_weight_decay_are_undoable_edits(qtbot):
    s, stack = _three_layer_session(), QUndoStack()
    ed = NetEditor(s, stack, LIGHT)
    qtbot.addWidget(ed)
    links = ed.links_box
    ed.select_layer(3)
    assert links.set_skip(1) is None and s.net.layers[2].skip_from == 1
    assert ("A1", "Z3") in s.graph.edges
    assert links.set_tie(2) is None and s.net.layers[2].tie == 2 and "W3" not in s.graph
    assert links.set_weight_decay(0.25) is None and s.net.weight_decay == 0.25 and "R" in s.graph
    assert stack.count() == 3
    stack.undo()
    assert s.net.weight_decay == 0 and "R" not in s.graph
    stack.undo()
    assert s.net.layers[2].tie is None and "W3" in s.graph
    stack.undo()
    assert s.net.layers[2].skip_from is None
    stack.redo()
    assert s.net.layers[2].skip_from == 1


def test_impossible_choices_are_greyed_with_the_reason(qtbot):
    s = _three_layer_session()
    ed = NetEditor(s, QUndoStack(), LIGHT)
    qtbot.addWidget(ed)
    ed.select_layer(3)
    combo = ed.links_box.skip_combo
    model = combo.model()
    texts = {combo.itemData(i): i for i in range(combo.count())}
    a0 = model.item(texts[0])                    # A^0 has 2 rows, Z^3 has 3
    assert not a0.isEnabled() and "A^0 has 2 rows but Z^3 has 3" in a0.toolTip()
    assert model.item(texts[1]).isEnabled()
    tie = ed.links_box.tie_combo
    tie_items = {tie.itemData(i): tie.model().item(i) for i in range(tie.count())}
    assert not tie_items[1].isEnabled() and "W^1 is 2 x 3 but layer 3 needs" in tie_items[1].toolTip()
    assert tie_items[2].isEnabled()
    ed.select_layer(1)
    assert not ed.links_box.skip_combo.isEnabled() and not ed.links_box.tie_combo.isEnabled()
    # a skip that core refuses (sizes) is refused as an edit too: one line, nothing changes
    ed.select_layer(3)
    before = s.net
    error = ed.links_box.set_skip(0)
    assert error and "A^0 has 2 rows but Z^3 has 3" in error and s.net is before


def test_removing_a_layer_keeps_the_links_that_still_fit(qtbot):
    from chainview.core import build_net
    net = build_net([[1.0], [2.0], [3.0]], [[0.5], [0.0], [1.0]], "squared",
                    [{"units": 3, "activation": "tanh"}, {"units": 3, "activation": "tanh", "tie": 1},
                     {"units": 3, "activation": "tanh", "skip_from": 1}, {"units": 3}], seed=2)
    s = Session(net)
    ed = NetEditor(s, QUndoStack(), LIGHT)
    qtbot.addWidget(ed)
    ed.select_layer(4)
    assert ed.remove_layer() is None
    assert s.net.L == 3 and s.net.layers[1].tie == 1 and s.net.layers[2].skip_from == 1
    ed.select_layer(1)
    assert ed.remove_layer() is None            # the tie's owner is gone: layer 1 keeps a W of its own
    assert s.net.layers[0].tie is None
