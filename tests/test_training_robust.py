"""Issue 9's training defects, reproduced first: deleting a window during a run aborted the interpreter
("QThread: Destroyed while thread is still running"), and opening another net during a run left the old
run's loss curve (20,001 points) and its message behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from chainview.core import example_path

SCRIPT = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import shiboken6
    from chainview.gui.app import create_main_window
    from chainview.gui.startup import ensure_app
    from chainview.gui.settings import Settings
    app = ensure_app()
    w = create_main_window(sys.argv[1], Settings.ephemeral())
    w.show()
    tools = w.install_editing_tools()
    tools.controller.train(0.001, 10 ** 7)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        app.processEvents()
    {delete}
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        app.processEvents()
    print("still alive", flush=True)
""")


def _run(delete: str):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", SCRIPT.format(delete=delete), str(example_path("relu-regression"))],
                          capture_output=True, text=True, timeout=60, env=env)


def test_deleting_a_window_during_a_run_does_not_abort():
    r = _run("shiboken6.delete(w)")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "still alive" in r.stdout
    assert "Destroyed while thread" not in r.stderr


def test_dropping_the_last_reference_during_a_run_does_not_abort():
    r = _run("w.deleteLater(); del w, tools")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Destroyed while thread" not in r.stderr


def test_opening_another_net_during_a_run_clears_the_old_runs_curve_and_message(qtbot, tmp_path):
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    w = create_main_window(str(example_path("relu-regression")), Settings.ephemeral())
    qtbot.addWidget(w)
    tools = w.install_editing_tools()
    panel = tools.training_panel
    tools.controller.train(0.001, 10 ** 7)
    qtbot.waitUntil(lambda: len(panel.loss_plot.losses()) > 5, timeout=20000)
    assert w.open_path(str(example_path("default")))
    qtbot.waitUntil(lambda: not tools.controller.is_running(), timeout=20000)
    qtbot.wait(50)
    assert panel.loss_plot.losses() == [] or len(panel.loss_plot.losses()) == 0
    assert panel.message.text() == ""
    assert "not applied" not in w.statusBar().currentMessage()
    assert w.session.net.loss.name == "nllm"                # the opened net, untouched by the old run
    assert w.undo_stack.count() == 0
