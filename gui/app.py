"""Starting the app: `chainview [NET.json]` ends up in run_app.

    run_app(path_or_None) -> exit code          the desktop app (the default example when no path)
    create_main_window(net_or_path, settings)   a MainWindow without an event loop (tests, render)

A file that cannot be opened shows core's one-line message and the default example opens
instead. No traceback ever reaches the person: sys.excepthook shows a one-line dialog (the
traceback still goes to stderr, for a bug report).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication    # QMessageBox: imported where an error is shown (start-up time)

from chainview.core.errors import NetError

from .startup import DESKTOP_FILE, collector_paused, ensure_app

def app_icon() -> QIcon:
    """assets/icons/chainview.svg (and the hicolor PNGs) when present, else the desktop theme's icon."""
    import chainview.assets
    folder = Path(chainview.assets.__path__[0]) / "icons"
    icon = QIcon()
    svg = folder / "chainview.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    for png in sorted(folder.glob("hicolor/*/apps/*.png")):
        icon.addFile(str(png))
    if icon.isNull():
        icon = QIcon.fromTheme(DESKTOP_FILE)
    return icon


def _default_net():
    from chainview.core.examples import example_path
    from chainview.core.netfile import load_net
    path = example_path("default")
    return load_net(path), path


def create_main_window(net_or_path=None, settings=None, *, parent=None, **options):
    """A MainWindow on a path, a Net, a Session, or the default example (None).

    A path that cannot be loaded shows core's message and opens the default example instead.
    `options` go to MainWindow (theme=, font_scale=, restore_geometry=, ...).
    """
    ensure_app()
    from chainview.core import Net, Session
    from .window.main_window import MainWindow
    from .settings import Settings

    path = None
    if isinstance(net_or_path, Session):
        session = net_or_path
    elif isinstance(net_or_path, Net):
        session = Session(net_or_path)
    else:
        net = None
        if net_or_path is not None:
            from chainview.core.netfile import load_net
            try:
                net = load_net(net_or_path)
                path = os.fspath(net_or_path)
            except NetError as err:
                from PySide6.QtWidgets import QMessageBox
                QMessageBox.warning(None, "Cannot open the net", f"{err.message}\n\nThe default example opens instead.")
        if net is None:
            net, path = _default_net()
        session = Session(net)
    settings = settings if settings is not None else Settings()
    window = MainWindow(session, settings=settings, parent=parent, **options)
    if path is not None:
        example = window._example_for(path)
        if example:
            window.name = example
        else:
            window.path = os.path.abspath(path)
            window.name = _display_name(path)
            settings.add_recent(window.path)
        window._update_title()
    return window


def _display_name(path) -> str:
    from .window.main_window import display_name
    return display_name(path)


# ---------------------------------------------------------------- errors never reach a person as a traceback

_showing_error = False


def one_line(exc: BaseException) -> str:
    if isinstance(exc, NetError):
        return exc.message
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    line = f"{name}: {text}" if text else name
    return line if len(line) <= 300 else line[:297] + "…"


def excepthook(etype, value, tb) -> None:
    """Show a one-line dialog (the traceback goes to stderr only, for a bug report)."""
    global _showing_error
    if issubclass(etype, KeyboardInterrupt):
        app = QApplication.instance()
        if app is not None:
            app.quit()
        return
    traceback.print_exception(etype, value, tb, file=sys.stderr)
    if _showing_error or QApplication.instance() is None:
        return
    _showing_error = True
    try:
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.critical(QApplication.activeWindow(), "chainview",
                             f"Something went wrong: {one_line(value)}")
    finally:
        _showing_error = False


def install_excepthook() -> None:
    sys.excepthook = excepthook


def no_display_reason() -> str | None:
    """Why a window cannot open here (a Linux box with no X11 or Wayland display), or None.

    Qt would abort the process with a page of plugin errors; this says it in one line instead."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "`chainview render -o out.png` makes a picture of the app without one")


# what Qt's xcb platform plugin loads, and the Debian/Ubuntu package each comes in
XCB_LIBRARIES = (("libxcb-cursor.so.0", "libxcb-cursor0"), ("libxcb-icccm.so.4", "libxcb-icccm4"),
                 ("libxcb-image.so.0", "libxcb-image0"), ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
                 ("libxcb-render-util.so.0", "libxcb-render-util0"), ("libxcb-shape.so.0", "libxcb-shape0"),
                 ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"), ("libxkbcommon.so.0", "libxkbcommon0"),
                 ("libEGL.so.1", "libegl1"), ("libfontconfig.so.1", "libfontconfig1"))


def missing_xcb_libraries(load=None) -> list[tuple[str, str]]:
    """(library, apt package) that Qt's X11 plugin needs and the system lacks, on Linux with an X11
    display (Qt would abort with a core dump and a message that blames the plugin, not the library)."""
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if (platform and not platform.startswith("xcb")) or (not platform and os.environ.get("WAYLAND_DISPLAY")):
        return []
    if load is None:
        import ctypes

        def load(name):
            ctypes.CDLL(name)
    missing = []
    for lib, package in XCB_LIBRARIES:
        try:
            load(lib)
        except OSError:
            missing.append((lib, package))
    return missing


def missing_libraries_message(missing: list[tuple[str, str]]) -> str:
    libs = ", ".join(lib for lib, _ in missing)
    packages = " ".join(pkg for _, pkg in missing)
    return (f"cannot open a window: the system library {libs} is missing (Qt's X11 plugin needs it); "
            f"install it with: sudo apt-get install {packages}")


def run_app(path: str | None = None) -> int:
    missing = missing_xcb_libraries()
    if missing:
        print(f"chainview: {missing_libraries_message(missing)}", file=sys.stderr)
        return 2
    reason = no_display_reason()
    if reason:
        print(f"chainview: {reason}", file=sys.stderr)
        return 2
    try:
        with collector_paused(until_event_loop=True):      # gui/startup.py: what it buys
            app = ensure_app(sys.argv[:1])
            install_excepthook()
            import signal     # here, not at import: its enums cost ~1 ms of every start, render's too
            signal.signal(signal.SIGINT, signal.SIG_DFL)      # Ctrl+C in the terminal closes the app
            icon = app_icon()
            if not icon.isNull():
                app.setWindowIcon(icon)
            window = create_main_window(path)
            window.show()
            window.raise_()
    except NetError as err:     # even the default example failed: say so, on one line
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.critical(None, "chainview", err.message)
        return 2
    return app.exec()
