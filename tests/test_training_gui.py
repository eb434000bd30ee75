"""SGD steps and training runs from the GUI: undo, the worker thread, cancel, the loss plot, the update view."""

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow

from chainview.core import Session, evaluate
from chainview.gui.editing.tools import LearningRateSpin, install_editing
from chainview.gui.editing.loss_plot import LossPlot, nice_ticks
from chainview.gui.theme import DARK, LIGHT
from chainview.gui.editing.training import TrainingController


@pytest.fixture
def controller(relu_session):
    stack = QUndoStack()
    c = TrainingController(relu_session, stack)
    c.stack_ref = stack
    yield c
    c.shutdown()


def assert_update_consistent(update, lr):
    assert update.lr == lr
    assert set(update.before) == set(update.grads) == set(update.after) == {"W1", "W0_1", "W2", "W0_2"}
    for node in update.before:
        np.testing.assert_allclose(update.after[node], update.before[node] - lr * update.grads[node], rtol=0, atol=1e-15)
        np.testing.assert_array_equal(update.grads[node], evaluate(_net_with(update, "before")).grads[node])


def _net_with(update, which):
    return update.net.with_weights(getattr(update, which))


# ---------------------------------------------------------------- one step

def test_sgd_step_lowers_the_loss_and_keeps_before_gradient_after(controller, relu_session):
    net0 = relu_session.net
    loss0 = relu_session.evaluation.loss
    assert controller.last_update() is None
    assert controller.step(0.01) is None
    assert relu_session.evaluation.loss < loss0
    stack = controller.stack_ref
    assert stack.count() == 1 and stack.text(0) == "SGD step (η = 0.01)"
    update = controller.last_update()
    assert_update_consistent(update, 0.01)
    assert update.loss_before == pytest.approx(loss0) and update.loss_after == pytest.approx(relu_session.evaluation.loss)
    assert update.net is relu_session.net
    for node, w in net0.weights().items():
        np.testing.assert_array_equal(update.before[node], w)
        np.testing.assert_array_equal(update.after[node], relu_session.net.weights()[node])
    stack.undo()
    assert relu_session.net is net0


def test_a_refused_step_changes_nothing(controller, relu_session):
    net0 = relu_session.net
    message = controller.step(-1.0)
    assert message and "learning rate must be a positive number" in message
    assert relu_session.net is net0 and controller.stack_ref.count() == 0 and controller.last_update() is None


def test_sgd_step_action_and_the_plot(editing_window, relu_session):
    w, tools = editing_window
    tools.lr_spin.setValue(0.01)
    loss0 = relu_session.evaluation.loss
    tools.sgd_step_action.trigger()
    tools.sgd_step_action.trigger()
    assert tools.training_panel.loss_plot.count() == 3
    assert tools.training_panel.loss_plot.losses()[0] == pytest.approx(loss0)
    assert tools.training_panel.loss_plot.losses()[-1] == pytest.approx(relu_session.evaluation.loss)
    assert w.undo_stack.count() == 2 and w.isWindowModified()
    view = tools.training_panel.update_view
    view.set_node("W2")
    update = tools.controller.last_update()
    shown = view.columns()
    np.testing.assert_array_equal(shown["before"], update.before["W2"])
    np.testing.assert_array_equal(shown["grad"], update.grads["W2"])
    np.testing.assert_array_equal(shown["after"], update.after["W2"])
    table = view.model.matrix()                                   # one row per entry: before | grad | after
    assert table.shape == (4, 3)
    np.testing.assert_array_equal(table[:, 0], update.before["W2"].ravel())
    np.testing.assert_array_equal(table[:, 2], table[:, 0] - 0.01 * table[:, 1])
    assert view.model.headerData(1, Qt.Horizontal) == "dL/dW²"
    assert view.model.headerData(0, Qt.Vertical) == "W²[1]"
    assert "after = before − 0.01 · dL/dW²" in view.caption.text()
    relu_session.select("W0_1")                                   # follows the canvas selection
    assert view.node() == "W0_1"
    w.undo_stack.undo()
    assert "changed since" in view.note.text()


# ---------------------------------------------------------------- a run on a worker thread

def test_train_200_steps_lowers_the_loss_as_one_undo_step(qtbot, editing_window, relu_session):
    w, tools = editing_window
    net0 = relu_session.net
    loss0 = relu_session.evaluation.loss
    tools.lr_spin.setValue(0.01)
    tools.training_panel.steps_spin.setValue(200)
    with qtbot.waitSignal(tools.controller.finished, timeout=30000) as blocker:
        assert tools.train() is True
        assert tools.controller.is_running() and not tools.editor.isEnabled()
        assert tools.cancel_action.isEnabled() and not tools.sgd_step_action.isEnabled()
    result = blocker.args[0]
    assert not tools.controller.is_running() and tools.editor.isEnabled()
    assert result.stopped == "" and len(result.losses) == 201
    assert relu_session.net is result.net
    assert relu_session.evaluation.loss < loss0
    assert result.losses[0] == pytest.approx(loss0) and result.losses[-1] == pytest.approx(relu_session.evaluation.loss)
    assert tools.training_panel.loss_plot.count() == 201
    assert w.undo_stack.count() == 1 and w.undo_stack.text(0) == "Train 200 steps (η = 0.01)"
    update = tools.controller.last_update()
    assert_update_consistent(update, 0.01)
    assert update.net is relu_session.net and update.text == "last of 200 steps (η = 0.01)"
    assert tools.training_panel.progress_bar.value() == 200
    assert "Trained 200 steps" in w.statusBar().currentMessage()
    w.undo_stack.undo()
    assert relu_session.net is net0
    w.undo_stack.redo()
    assert relu_session.net is result.net


def test_train_matches_core_training_exactly(qtbot, controller, relu_session):
    from chainview.core import train
    expected = train(relu_session.net, 0.01, 50)
    with qtbot.waitSignal(controller.finished, timeout=30000) as blocker:
        controller.train(0.01, 50)
    result = blocker.args[0]
    np.testing.assert_array_equal(result.losses, expected.losses)
    for node, w in expected.net.weights().items():
        np.testing.assert_array_equal(relu_session.net.weights()[node], w)


def test_cancel_stops_early_and_keeps_what_was_trained(qtbot, controller, relu_session):
    net0 = relu_session.net
    steps = 2_000_000
    with qtbot.waitSignal(controller.finished, timeout=30000) as blocker:
        controller.train(0.001, steps)
        controller.cancel()
    result = blocker.args[0]
    done = len(result.losses) - 1
    assert result.stopped == "cancelled" and done < steps
    if done:
        assert relu_session.net is result.net
        assert controller.stack_ref.text(0) == f"Train {done} of {steps} steps (η = 0.001), cancelled"
    else:
        assert relu_session.net is net0 and controller.stack_ref.count() == 0


def test_cancel_from_the_button_in_the_middle_of_a_run(qtbot, editing_window, relu_session):
    w, tools = editing_window
    tools.training_panel.steps_spin.setValue(1_000_000)
    progress = []
    tools.controller.progress.connect(lambda i, total, loss: progress.append(i))
    with qtbot.waitSignal(tools.controller.finished, timeout=30000) as blocker:
        tools.training_panel.train_button.click()
        qtbot.waitUntil(lambda: len(progress) >= 2, timeout=20000)
        tools.training_panel.cancel_button.click()
    result = blocker.args[0]
    done = len(result.losses) - 1
    assert result.stopped == "cancelled" and progress[-1] <= done < 1_000_000
    assert tools.training_panel.loss_plot.count() == done + 1
    assert w.undo_stack.text(0).endswith("cancelled")
    assert "(cancelled)" in w.statusBar().currentMessage()


def test_the_window_stays_responsive_while_training(qtbot, controller):
    ticks, progress = [], []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(controller.is_running()))
    controller.progress.connect(lambda i, total, loss: progress.append(i))
    timer.start()
    with qtbot.waitSignal(controller.finished, timeout=60000):
        controller.train(0.001, 20000)
    timer.stop()
    assert sum(ticks) >= 5                       # the GUI thread ran its timer while the worker trained
    assert len(progress) >= 3 and progress[-1] == 20000
    assert progress == sorted(progress)


def test_a_run_does_not_overwrite_a_net_changed_meanwhile(qtbot, controller, relu_session, example_net):
    other = example_net("default")
    progress = []
    controller.progress.connect(lambda i, total, loss: progress.append(i))
    with qtbot.waitSignal(controller.finished, timeout=30000) as blocker:
        controller.train(0.001, 300000)
        qtbot.waitUntil(lambda: len(progress) > 0, timeout=20000)
        relu_session.set_net(other)                 # e.g. a file opened while the run goes on
        controller.cancel()
    result = blocker.args[0]
    assert relu_session.net is other and controller.stack_ref.count() == 0
    assert "not applied" in result.stopped


def test_a_run_that_blows_up_reports_core_message(qtbot, controller, relu_session):
    failed = []
    controller.failed.connect(failed.append)
    with qtbot.waitSignal(controller.finished, timeout=30000) as blocker:
        controller.train(1e6, 50)
    result = blocker.args[0]
    assert result.stopped or failed


def test_a_bad_learning_rate_fails_the_run(qtbot, controller, relu_session):
    net0 = relu_session.net
    with qtbot.waitSignal(controller.failed, timeout=30000) as blocker:
        controller.train(0.0, 10)
    assert "learning rate must be a positive number" in blocker.args[0]
    qtbot.waitUntil(lambda: not controller.is_running())
    assert relu_session.net is net0


def test_only_one_run_at_a_time(qtbot, controller):
    with qtbot.waitSignal(controller.finished, timeout=30000):
        assert controller.train(0.001, 100000) is True
        assert controller.train(0.001, 10) is False
        assert controller.step(0.01) is not None
        controller.cancel()


# ---------------------------------------------------------------- the plot and the spin box

def test_loss_plot_data_and_drawing(qtbot):
    plot = LossPlot(LIGHT)
    qtbot.addWidget(plot)
    plot.resize(360, 200)
    assert plot.count() == 0
    plot.grab()                                       # the empty state draws
    plot.set_losses([4.0, 2.0, 1.0])
    plot.append(0.5)
    assert plot.losses() == [4.0, 2.0, 1.0, 0.5]
    plot.extend([0.25, float("nan"), 0.1])
    assert plot.count() == 7
    image = plot.grab().toImage()
    assert image.width() == 360
    plot.set_log_scale(True)
    assert plot.log_scale
    plot.grab()
    plot.set_losses(np.geomspace(10, 1e-3, 5000).tolist())        # many points: one band per pixel
    plot.set_theme(DARK)
    plot.grab()
    plot.clear()
    assert plot.count() == 0
    assert nice_ticks(0, 10) == [0.0, 2.5, 5.0, 7.5, 10.0]


def test_learning_rate_spin_steps_through_1_2_5(qtbot):
    spin = LearningRateSpin()
    qtbot.addWidget(spin)
    assert spin.value() == 0.01 and spin.text() == "0.01"
    spin.stepBy(1)
    assert spin.value() == pytest.approx(0.02)
    spin.stepBy(2)
    assert spin.value() == pytest.approx(0.1)
    spin.stepBy(-3)
    assert spin.value() == pytest.approx(0.01)
    spin.setValue(0.003)
    assert spin.text() == "0.003"


def test_training_dock_after_300_steps(qtbot, editing_window, relu_session):
    w, tools = editing_window
    w.show()
    qtbot.waitExposed(w)
    tools.training_dock.raise_()
    tools.training_panel.steps_spin.setValue(300)
    with qtbot.waitSignal(tools.controller.finished, timeout=30000):
        tools.train()
    tools.training_panel.update_view.set_node("W1")
    qtbot.wait(50)
    assert tools.training_panel.loss_plot.count() == 301
    losses = tools.training_panel.loss_plot.losses()
    assert losses[-1] < losses[0] / 10                       # the plot shows the loss falling
    assert relu_session.evaluation.loss == pytest.approx(losses[-1])


def test_closing_the_window_stops_a_run_but_a_refused_close_does_not(qtbot, editing_window):
    w, tools = editing_window
    refuse = [True]

    def close_event(event):
        event.ignore() if refuse[0] else event.accept()
    w.closeEvent = close_event
    w.show()
    qtbot.waitExposed(w)
    tools.training_panel.steps_spin.setValue(1_000_000)
    tools.train()
    w.close()                                           # e.g. "Cancel" in a save question
    qtbot.wait(100)
    assert w.isVisible() and tools.controller.is_running()
    refuse[0] = False
    with qtbot.waitSignal(tools.controller.finished, timeout=30000) as blocker:
        w.close()
    assert blocker.args[0].stopped == "cancelled"


def test_opening_another_net_clears_the_training_history(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from chainview.core import example_path
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    w = create_main_window(example_path("relu-regression"), Settings.ephemeral(), restore_geometry=False)
    qtbot.addWidget(w)
    tools = w.editing_tools
    try:
        assert tools.sgd_step() is None
        assert tools.controller.last_update() is not None and tools.training_panel.loss_plot.count() == 2
        assert w.open_path(example_path("default"), confirm=False)
        assert tools.controller.last_update() is None          # W¹ of the old net is not this net's
        assert tools.training_panel.loss_plot.count() == 0 and tools.training_panel.message.text() == ""
    finally:
        tools.controller.shutdown()
        w.setWindowModified(False)
