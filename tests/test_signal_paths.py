"""One path for each signal (issue 14): one person's action reaches every view once.

The session is the only one that emits; views do not re-emit what it said. Each view's slots for the
session's signals (and for the scene's rebuilt / items_moved, which the view follows) are wrapped
with counters before the window is built, and one action must call each view's slots exactly once
(a slot another of the same view's slots calls from inside is not a second arrival). The heavy work
(a scene rebuild, a relayout, an inspector refresh, the step list's rows) runs at most once too.
"""

from __future__ import annotations

import functools
from collections import Counter

import pytest
from PySide6.QtCore import Qt

from chainview.core import Session, example_path
from chainview.core.netfile import load_net
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.canvas.view import GraphView
from chainview.gui.editing.editor import NetEditor
from chainview.gui.inspector.panel import Inspector
from chainview.gui.settings import Settings
from chainview.gui.window.main_window import MainWindow
from chainview.gui.window.step_list import StepList, StepListModel

# the slots through which each view hears of a change (what "reaches the view" means)
ARRIVALS = {
    GraphScene: ("_on_net_changed", "_on_position_changed", "_on_layout_changed", "_on_example_changed",
                 "_on_selection_changed", "_on_check_changed"),
    GraphView: ("_on_position_changed", "_on_rebuilt", "_on_items_moved"),
    StepList: ("_on_position_changed", "_on_steps_changed"),
    Inspector: ("_on_selection_changed", "_on_position_changed", "_on_layout_changed", "_on_example_changed",
                "_on_net_changed", "_on_check_changed"),
    MainWindow: ("_on_position", "_on_net", "_on_layout", "_on_example", "_on_selection"),
    NetEditor: ("_on_net_changed",),
}
# the work that must not be done twice for one action
WORK = {
    GraphScene: ("rebuild", "_place_items", "_update_edge_labels"),
    StepListModel: ("reload", "moved"),
    Inspector: ("refresh",),
    MainWindow: ("_update_position", "_update_net_widgets", "_update_layout_widgets", "_update_selection_actions"),
}
NAMES = {GraphScene: "scene", GraphView: "view", StepList: "steps", Inspector: "inspector", MainWindow: "window",
         NetEditor: "editor", StepListModel: "step rows"}


class Tally:
    def __init__(self):
        self.arrivals: Counter = Counter()    # view name -> outermost slot calls
        self.work: Counter = Counter()        # (view name, method) -> calls
        self.log: list[str] = []
        self._depth: Counter = Counter()      # id(instance) -> slots running now

    def reset(self):
        self.arrivals.clear()
        self.work.clear()
        self.log.clear()


def _instrument(monkeypatch, tally: Tally) -> None:
    def wrap(cls, name, arrival):
        original = getattr(cls, name)

        @functools.wraps(original)
        def counted(self, *args, **kwargs):
            who = NAMES[cls]
            if arrival:
                if tally._depth[id(self)] == 0:
                    tally.arrivals[who] += 1
                    tally.log.append(f"{who}.{name}")
                tally._depth[id(self)] += 1
            else:
                tally.work[(who, name)] += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                if arrival:
                    tally._depth[id(self)] -= 1
        monkeypatch.setattr(cls, name, counted)

    for cls, names in ARRIVALS.items():
        for name in names:
            wrap(cls, name, True)
    for cls, names in WORK.items():
        for name in names:
            wrap(cls, name, False)


@pytest.fixture
def counted(qtbot, monkeypatch):
    """A shown MainWindow (editor included) on relu-regression (batch of 4), every view instrumented."""
    tally = Tally()
    _instrument(monkeypatch, tally)
    session = Session(load_net(example_path("relu-regression")))
    w = MainWindow(session, settings=Settings.ephemeral(), restore_geometry=False, first_run_hint=False)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(20)
    w.session.jump(2)
    qtbot.wait(20)
    yield w, tally
    w.editing_tools.controller.shutdown()
    w.confirm_discard = lambda: True     # the net edit is unsaved: close without asking
    w.close()
    w.deleteLater()


def _act(qtbot, tally: Tally, action) -> Tally:
    qtbot.wait(0)
    tally.reset()
    action()
    qtbot.wait(10)                # coalesced work runs at the end of the turn: it counts as well
    return tally


def _assert_once(tally: Tally, expected: set[str]) -> None:
    views = set(NAMES[c] for c in ARRIVALS)
    for who in views:
        want = 1 if who in expected else 0
        assert tally.arrivals[who] == want, (who, tally.arrivals[who], tally.log)
    twice = {key: n for key, n in tally.work.items() if n > 1}
    assert not twice, (twice, tally.log)


def _click(qtbot, w, item) -> None:
    view = w.view
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pos)


def test_a_step_reaches_each_view_once(qtbot, counted):
    w, tally = counted
    _act(qtbot, tally, w.next_action.trigger)
    _assert_once(tally, {"scene", "view", "steps", "inspector", "window"})
    assert w.session.position == 3


def test_a_canvas_click_on_a_node_selects_once(qtbot, counted):
    w, tally = counted
    seen = []
    w.session.selection_changed.connect(seen.append)
    w.view.centerOn(w.scene.node_item("Z1"))
    _act(qtbot, tally, lambda: _click(qtbot, w, w.scene.node_item("Z1")))
    assert seen == ["Z1"]                                  # selected in the session once, by the click alone
    _assert_once(tally, {"scene", "inspector", "window"})
    assert w.scene.node_item("Z1").selected and "Z" in w.inspector.selection_text()


def test_a_canvas_click_on_an_edge_selects_once(qtbot, counted):
    w, tally = counted
    seen = []
    w.session.selection_changed.connect(seen.append)
    label = w.scene.edge_item("Z1", "A1").label
    w.view.centerOn(label)
    _act(qtbot, tally, lambda: _click(qtbot, w, label))
    assert seen == [("Z1", "A1")]
    _assert_once(tally, {"scene", "inspector", "window"})
    assert w.scene.edge_item("Z1", "A1").selected


def test_a_layout_switch_reaches_each_view_once_and_builds_no_graph(qtbot, counted, monkeypatch):
    w, tally = counted
    import chainview.core.evaluated_graph as graph
    built = []
    real = graph.build_graph
    monkeypatch.setattr(graph, "build_graph", lambda *a, **k: built.append(1) or real(*a, **k))
    _act(qtbot, tally, w.numerator_layout_action.trigger)
    assert w.session.layout == "numerator"
    _assert_once(tally, {"scene", "view", "steps", "inspector", "window"})
    assert built == []                                     # a relabel, not a new graph
    J = w.session.jacobian("Z1", "A1")
    assert w.scene.edge_item("Z1", "A1").jdims == tuple(J.dims) and J.layout == "numerator"


def test_an_example_switch_reaches_each_view_once_and_builds_no_graph(qtbot, counted, monkeypatch):
    w, tally = counted
    import chainview.core.evaluated_graph as graph
    built = []
    real = graph.build_graph
    monkeypatch.setattr(graph, "build_graph", lambda *a, **k: built.append(1) or real(*a, **k))
    assert w.session.net.batch > 1
    _act(qtbot, tally, w.next_example_action.trigger)
    assert w.session.example == 1 and w.example_spin.value() == 2
    _assert_once(tally, {"scene", "inspector", "window"})
    assert built == []


def test_a_net_edit_reaches_each_view_once(qtbot, counted):
    w, tally = counted
    editor = w.editing_tools.editor
    editor.select_layer(1)
    qtbot.wait(0)
    _act(qtbot, tally, lambda: editor.edit_cell("W", 0, 0, "0.5"))
    assert w.session.net.layers[0].W[0, 0] == 0.5
    _assert_once(tally, {"scene", "view", "steps", "inspector", "window", "editor"})
