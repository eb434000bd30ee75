"""A monkey test: seeded random user actions on a real MainWindow, and nothing may go wrong.

Steps, layout, selection (nodes, edges, the full tensor), edits and undo/redo, SGD steps, training
runs started and cancelled, the gradient check, presets and the theme, in random order. It asserts:
  * no exception anywhere: in slots (sys.excepthook, and pytest-qt's own capture) and in threads
    (threading.excepthook);
  * undoing everything gives back exactly the net the window last opened.
A few thousand actions run in the default suite (well under a minute); a long run is marked `soak`
and runs only when asked for:  CHAINVIEW_SOAK=1 pytest -m soak tests/test_monkey.py
"""

from __future__ import annotations

import os
import random
import sys
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from chainview.core import edge_list, example_paths, node_ids

PRESETS = sorted(example_paths())


class Collector:
    """Every exception raised in a slot or a thread while the monkey plays."""

    def __init__(self):
        self.errors: list[str] = []

    def __enter__(self):
        self._sys, self._thr = sys.excepthook, threading.excepthook
        sys.excepthook = lambda t, v, tb: self.errors.append(f"{t.__name__}: {v}")
        threading.excepthook = lambda args: self.errors.append(
            f"thread {args.thread.name if args.thread else '?'}: {args.exc_type.__name__}: {args.exc_value}")
        return self

    def __exit__(self, *exc):
        sys.excepthook, threading.excepthook = self._sys, self._thr


@pytest.fixture
def no_dialogs(monkeypatch):
    """A modal question would wait for a person forever: answer it the way that changes the most."""
    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Discard)


@pytest.fixture
def window(qtbot, no_dialogs):
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    w = create_main_window(str(example_paths()["relu-regression"]), Settings.ephemeral())
    qtbot.addWidget(w)
    w.resize(1280, 720)        # not shown: painting is not what this tests, and it would triple the time
    tools = w.install_editing_tools()
    yield w, tools
    tools.controller.cancel()
    tools.controller.shutdown()
    if tools.check_runner.is_running():
        tools.check_runner.cancel()
        tools.check_runner.wait()
    w.undo_stack.setClean()


def _actions(w, tools, rng: random.Random):
    s, stack, editor = w.session, w.undo_stack, tools.editor

    def select_random():
        items = list(node_ids(s.net)) + list(edge_list(s.net)) + [None]
        s.select(items[rng.randrange(len(items))])

    def edit_weight():
        l = rng.randint(1, s.net.L)
        editor.select_layer(l)
        W = s.net.layers[l - 1].W
        editor.edit_cell("W", rng.randrange(W.shape[0]), rng.randrange(W.shape[1]), f"{rng.uniform(-2, 2):.3f}")

    def edit_structure():
        if s.net.L < 4 and rng.random() < 0.5:
            editor.add_layer()
        elif s.net.L > 1 and rng.random() < 0.5:
            editor.remove_layer()
        else:
            editor.select_layer(rng.randint(1, s.net.L))
            editor.set_units(rng.randint(1, 6))

    def tensor():
        s.select(("W1", "Z1"))
        button = w.inspector.tensor_button if hasattr(w, "inspector") else None
        if button is not None and button.isVisibleTo(w):
            button.click()

    def train():
        tools.controller.train(rng.choice([0.001, 0.01, 0.1]), rng.choice([1, 5, 50, 10 ** 6]))

    def preset():
        if not tools.controller.is_running():
            tools.open_preset(rng.choice(PRESETS))

    def gradient_check():
        if not tools.controller.is_running():
            tools.run_gradient_check()

    weighted = [
        (8, w.next_action.trigger), (4, w.previous_action.trigger), (1, w.reset_action.trigger),
        (1, w.run_to_end_action.trigger), (1, w.finish_forward_action.trigger),
        (4, select_random), (2, lambda: s.select_next(rng.choice([1, -1]))),
        (1, w.numerator_layout_action.trigger),
        (1, lambda: s.set_example(rng.randrange(s.net.batch))),
        (3, edit_weight), (1, edit_structure), (1, lambda: editor.randomise(rng.randrange(100))),
        (3, lambda: stack.undo() if not tools.controller.is_running() else None),
        (2, lambda: stack.redo() if not tools.controller.is_running() else None),
        (2, tools.sgd_step), (1, train), (2, tools.controller.cancel),
        (1, gradient_check), (1, tensor), (1, preset), (1, w.toggle_theme_action.trigger),
    ]
    actions = [a for weight, a in weighted for _ in range(weight)]
    return actions


def _play(qtbot, w, tools, seed: int, count: int) -> None:
    rng = random.Random(seed)
    actions = _actions(w, tools, rng)
    base = [w.session.net]

    def on_index(*_):
        if w.undo_stack.count() == 0:          # emptied: a preset (or another net) was opened; undo stops here
            base[0] = w.session.net

    w.undo_stack.indexChanged.connect(on_index)
    try:
        _run(qtbot, w, tools, rng, actions, count, base, on_index)
    finally:
        w.undo_stack.indexChanged.disconnect(on_index)


def _run(qtbot, w, tools, rng, actions, count, base, on_index) -> None:
    with Collector() as errors:
        for i in range(count):
            action = actions[rng.randrange(len(actions))]
            action()
            on_index()
            if i % 8 == 0:
                qtbot.wait(0)                          # let queued signals, paints and workers' results in
        tools.controller.cancel()
        qtbot.waitUntil(lambda: not tools.controller.is_running(), timeout=30000)
        if tools.check_runner.is_running():
            tools.check_runner.cancel()
            qtbot.waitUntil(lambda: not tools.check_runner.is_running(), timeout=30000)
        qtbot.wait(10)
        while w.undo_stack.canUndo():
            w.undo_stack.undo()
        undone = w.session.net
    assert errors.errors == [], errors.errors[:5]
    if not tools.undo_budget.dropped:
        if os.environ.get("MONKEY_DEBUG"):
            print("stack", [w.undo_stack.text(i) for i in range(w.undo_stack.count())])
        _assert_same_net(undone, base[0])


def _assert_same_net(a, b) -> None:
    assert a.L == b.L and a.loss.name == b.loss.name
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y, b.Y)
    for la, lb in zip(a.layers, b.layers):
        assert la.units == lb.units and la.activation.spec == lb.activation.spec
        np.testing.assert_array_equal(la.W, lb.W)
        np.testing.assert_array_equal(la.W0, lb.W0)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_user_actions_raise_nothing_and_undo_all_gives_back_the_net(qtbot, window, seed):
    w, tools = window
    _play(qtbot, w, tools, seed, 1000)


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("CHAINVIEW_SOAK"), reason="the long monkey run: set CHAINVIEW_SOAK=1")
@pytest.mark.parametrize("seed", range(10, 20))
def test_soak_many_more_random_actions(qtbot, window, seed):
    w, tools = window
    _play(qtbot, w, tools, seed, 10000)
