"""What the app does differently while it starts, in one place, each with what it buys.

Measured with `benchmarks/startup.py` (`chainview render` of the default example, 1600×900) on a
2-core VM; a technique that bought less than 5 ms was dropped. Everything else about start-up is
ordinary: a module imports what it uses, and a dialog's classes are imported where it is shown.

It also makes the one QApplication (`ensure_app`), with chainview's names, for the app, `render`
and the handout's pictures alike. No Qt at import: `chainview.cli` uses `end_process` for commands
that never open a window.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager

APP_NAME = "chainview"
ORGANIZATION = "chainview"
DOMAIN = "chainview.dev"
DESKTOP_FILE = "dev.chainview.chainview"

# Fusion is asked for on Qt's command line, so Qt makes it instead of the platform's style:
# QApplication.setStyle() afterwards makes two styles, and a QStyle reaching Python builds its
# enum types. Buys ~8 ms, and the themes look the same on every platform.
QT_STYLE_ARGS = ["-style", "fusion"]


@contextmanager
def collector_paused(until_event_loop: bool = False, freeze: bool = False):
    """Python's cyclic collector off while the first window is built.

    PySide builds hundreds of types and enums and we build the widgets; the collector would walk
    that growing heap ~40 times and free next to nothing. Buys ~20 ms. With `until_event_loop`,
    it comes back from the event loop's first turn (once the window is up), else on leaving.

    `freeze`: what was made meanwhile is moved out of the collector's sight for good (gc.freeze), for
    objects that live as long as the process. `chainview.cli` pauses it so around its own imports (the
    engine, numpy): they made it run ~40 times before any command started, and turning it back on
    without the freeze made one full pass over all of them instead (~10 ms of every command)."""
    was_on = gc.isenabled()
    gc.disable()
    ok = False
    try:
        yield
        ok = True
    finally:
        if ok and freeze:
            gc.freeze()
        if was_on:
            if ok and until_event_loop:
                from PySide6.QtCore import QTimer
                QTimer.singleShot(0, gc.enable)
            else:
                gc.enable()


def started_as_command() -> bool:
    """This process is the `chainview` command (its console script, or `python -m chainview.cli`), not a
    program that imports chainview: only then may start-up freeze what the imports made (a notebook's
    own objects must stay collectable)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "chainview.cli.__main__":
        return True
    name = os.path.basename(getattr(main, "__file__", None) or (sys.argv[0] if sys.argv else ""))
    return os.path.splitext(name)[0] in ("chainview", "chainview-script")


def end_process(code: int) -> None:
    """End a one-shot command (render, handout) once its files are written and closed.

    Skips tearing down the window's Qt objects one by one and Python's module teardown: buys
    ~0.1 s, a fifth of `chainview render`. Only for a process that saves nothing at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def headless_env() -> None:
    """No display (CI, ssh): Qt's offscreen platform. A person's choice of QT_QPA_PLATFORM wins."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def ensure_app(argv: list[str] | None = None):
    """The QApplication (made once, high-DPI friendly) with chainview's names, so QSettings finds its file."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from chainview.core import __version__

    app = QApplication.instance()
    if app is None:
        # Qt 6 scales for high DPI by default; PassThrough keeps 150% as 1.5 (not rounded to 2)
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        args = list(argv) if argv else [sys.argv[0] if sys.argv and sys.argv[0] else APP_NAME]
        app = QApplication(args + QT_STYLE_ARGS)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain(DOMAIN)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    return app
