"""Shared fixtures. Qt runs offscreen so the tests need no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chainview.core import Session, example_path  # noqa: E402
from chainview.core.netfile import load_net  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow  # noqa: E402

from chainview.gui.theme import LIGHT  # noqa: E402


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


class StandInWindow(QMainWindow):
    """What gui/editing.install_editing needs of the main window, and nothing more."""

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.undo_stack = QUndoStack(self)
        self.theme = LIGHT
        self.setWindowTitle("stand-in[*]")

    def add_dock(self, widget, area=Qt.RightDockWidgetArea, title=None, object_name=None):
        dock = QDockWidget(title or "Panel", self)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock


@pytest.fixture
def editing_window(qtbot, relu_session):
    """A StandInWindow with gui/editing's docks and actions installed: (window, tools)."""
    from chainview.gui.editing.tools import install_editing
    w = StandInWindow(relu_session)
    qtbot.addWidget(w)
    tools = install_editing(w)
    w.resize(1280, 720)
    yield w, tools
    tools.controller.shutdown()


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
