"""Issue 9's frozen window, reproduced first: the gradient check ran on the GUI thread with no limit (a
2-512-512-2 net froze 2.7 s; a wider one 130 s and then a 256 GiB MemoryError). Now it is priced first,
long ones run in the background with progress and Cancel, and over the budget a random sample is checked."""

from __future__ import annotations

import time

import numpy as np
import pytest

from chainview.core import Session, budget, build_net
from chainview.core.gradcheck import check_gradients


def wide_net(units=160, layers=2):
    spec = [{"units": units, "activation": "tanh"} for _ in range(layers)] + [{"units": 2, "activation": "identity"}]
    return build_net([[0.5], [-0.2]], [[1.0], [0.0]], "squared", spec, seed=3)


@pytest.fixture
def restore_budget():
    before = budget.budget()
    yield
    budget.set_budget(*before)


def test_a_long_check_runs_in_the_background_and_returns_at_once(editing_window, relu_session, qtbot):
    w, tools = editing_window
    relu_session.set_net(wide_net())
    assert budget.check_estimate(relu_session.net).seconds > budget.BACKGROUND_SECONDS
    start = time.perf_counter()
    text = tools.run_gradient_check()
    assert time.perf_counter() - start < 0.3           # the GUI thread is not held for the check
    assert "running" in text and tools.check_runner.is_running()
    assert tools.check_runner.progress.isVisibleTo(w)
    qtbot.waitUntil(lambda: relu_session.check_report is not None, timeout=60000)
    report = relu_session.check_report
    assert report.ok and len(report.edges) == len(check_gradients(relu_session.evaluation).edges)
    assert tools.check_summary.startswith("gradient check:") and "every derivative agrees" in tools.check_summary
    assert not tools.check_runner.progress.isVisibleTo(w)


def test_cancel_stops_the_check_and_marks_nothing(editing_window, relu_session, qtbot):
    w, tools = editing_window
    relu_session.set_net(wide_net(300))
    tools.run_gradient_check()
    tools.check_runner.progress.cancel_button.click()
    qtbot.waitUntil(lambda: not tools.check_runner.is_running(), timeout=60000)
    assert relu_session.check_report is None
    assert tools.check_summary == "gradient check cancelled"


def test_a_report_for_a_net_that_changed_meanwhile_is_dropped(editing_window, relu_session, qtbot, example_net):
    w, tools = editing_window
    relu_session.set_net(wide_net())
    tools.run_gradient_check()
    relu_session.set_net(example_net("relu-regression"))
    qtbot.waitUntil(lambda: not tools.check_runner.is_running(), timeout=60000)
    assert relu_session.check_report is None
    assert "changed while it ran" in w.statusBar().currentMessage()


def test_over_budget_checks_a_random_sample_and_says_why(editing_window, relu_session, qtbot, restore_budget):
    w, tools = editing_window
    budget.set_budget(seconds=0.05)
    relu_session.set_net(wide_net())
    plan = budget.check_plan(relu_session.net)
    assert plan.sampled and plan.limit < 64
    tools.run_gradient_check()
    qtbot.waitUntil(lambda: relu_session.check_report is not None, timeout=60000)
    report = relu_session.check_report
    assert report.ok and max(r.checked for r in report.nodes.values()) <= plan.limit
    assert "random sample" in tools.check_summary and "budget" in tools.check_summary


def test_a_nan_net_cannot_be_checked_and_no_edge_is_marked_wrong(editing_window, relu_session):
    w, tools = editing_window
    net = build_net([[1e200]], [[1.0]], "squared", [{"units": 2, "activation": {"expr": "z**2"}},
                                                   {"units": 1, "activation": "identity"}], seed=0)
    relu_session.set_net(net)
    text = tools.run_gradient_check()
    assert text.startswith("gradient check: can't check: the values are")
    report = relu_session.check_report
    assert not report.nodes and not report.edges and not report.ok


def test_check_plan_prices_without_building_anything():
    """The 4 -> 2048 -> 4096 net of the issue: priced from its shape in no time, and over any budget."""
    class Shape:                                    # just the shape: the real net would hold 64 MB of weights
        batch, L = 1, 3
        dims = [4, 2048, 4096, 2]
        layers = [type("L", (), {"W": np.zeros((1, 1))})() for _ in range(3)]

        def m(self, l):
            return self.dims[l - 1]

        def n(self, l):
            return self.dims[l]

    start = time.perf_counter()
    plan = budget.check_plan(Shape())
    assert time.perf_counter() - start < 0.05
    assert plan.sampled and "over the" in plan.why and plan.estimate.seconds <= budget.budget()[1] * 2


def test_the_budget_is_a_remembered_setting(qtbot, restore_budget):
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    from chainview.gui.editing.budget_setting import BudgetDialog, save_budget
    settings = Settings.ephemeral()
    save_budget(settings, 100, 2.0)
    budget.set_budget(budget.DEFAULT_BYTES, budget.DEFAULT_SECONDS)
    w = create_main_window(None, settings)
    qtbot.addWidget(w)
    w.install_editing_tools()
    assert budget.budget() == (100 * 2 ** 20, 2.0)               # read back at start-up
    dialog = BudgetDialog(w)
    assert (dialog.megabytes.value(), dialog.seconds.value()) == (100, 2.0)
    assert any(a.objectName() == "work_budget" for a in w.actions())
