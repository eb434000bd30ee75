"""Shared fixtures. Qt runs offscreen so the tests need no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chainview.core import Session, example_path  # noqa: E402
from chainview.core.netfile import load_net  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


@pytest.fixture
def default_net():
    return load_net(example_path("default"))


@pytest.fixture
def example_net():
    """load_net by example name: example_net('relu-regression')."""
    return lambda name: load_net(example_path(name))


@pytest.fixture
def session(default_net):
    return Session(default_net)


@pytest.fixture
def relu_session(example_net):
    return Session(example_net("relu-regression"))


@pytest.fixture
def editing_window(qtbot, relu_session):
    """The real MainWindow on relu_session with gui/editing's docks and actions (what it installs itself):
    (window, tools). The editor dock is shown: these tests drive it."""
    from chainview.gui.settings import Settings
    from chainview.gui.window.main_window import MainWindow
    w = MainWindow(relu_session, settings=Settings.ephemeral(), restore_geometry=False, first_run_hint=False)
    tools = w.editing_tools
    tools.editor_dock.show()
    w.resize(1280, 720)
    yield w, tools
    tools.controller.shutdown()
    w.confirm_discard = lambda: True     # closing it at the end asks nothing about unsaved edits
    w.close()                            # (not qtbot.addWidget: pytest-qt closes before this teardown)
    w.deleteLater()


@pytest.fixture
def settings_path(tmp_path):
    """A settings file of the test's own: tests never touch the person's settings."""
    return str(tmp_path / "settings.ini")


@pytest.fixture
def settings(settings_path):
    from PySide6.QtCore import QSettings
    from chainview.gui.settings import Settings
    return Settings(QSettings(settings_path, QSettings.IniFormat))


def show_active(qtbot, window, size=(1280, 720)):
    """Show a window as a person sees it: sized, on screen and active, so its shortcuts reach it."""
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def open_window(qtbot, session, settings, *, show=True, **options):
    """A MainWindow on `session` at 1280 x 720 (light theme, no saved geometry unless asked), shown as a
    person sees it unless show=False."""
    from chainview.gui.window.main_window import MainWindow
    options.setdefault("theme", "light")
    options.setdefault("restore_geometry", False)
    w = MainWindow(session, settings=settings, **options)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    if show:
        show_active(qtbot, w)
    return w
