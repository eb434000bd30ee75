"""The net editor fits the side area a small window gives it: at 1024×768 no button or field is
clipped ("Randomise weights" was cut at the panel's edge, issue 10's try-out)."""

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget

from chainview.core import Session, example_path
from chainview.core.netfile import load_net
from chainview.gui.settings import Settings
from chainview.gui.window.main_window import MainWindow


def _window_with_editor(qtbot, size, example="default"):
    w = MainWindow(Session(load_net(example_path(example))), settings=Settings.ephemeral(), theme="light",
                   restore_geometry=False, first_run_hint=False)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.show_editor()
    for _ in range(3):
        QApplication.processEvents()
    return w


@pytest.mark.parametrize("example", ["default", "unrolled-tied"])
def test_no_editor_control_is_clipped_at_1024x768(qtbot, example):
    w = _window_with_editor(qtbot, (1024, 768), example)
    editor = w.editing_tools.editor
    viewport = editor.scroll_area.viewport()
    assert editor.isVisible() and viewport.width() > 100
    body = editor.scroll_area.widget()
    # the scroll area has no horizontal scroll bar: what is wider than its viewport is cut off
    assert body.minimumSizeHint().width() <= viewport.width()
    button = editor.randomise_button
    assert button.text() == "Randomise weights"
    assert button.sizeHint().width() <= button.width()
    checked = 0
    for c in body.findChildren(QWidget):
        if not c.isVisible() or not isinstance(c, (QAbstractButton, QComboBox, QLabel)):
            continue
        left = c.mapTo(viewport, c.rect().topLeft()).x()
        assert left >= 0 and left + c.width() <= viewport.width(), (type(c).__name__, c.property("text"))
        if isinstance(c, (QAbstractButton, QComboBox)):
            assert c.sizeHint().width() <= c.width(), (type(c).__name__, c.property("text"))
        checked += 1
    assert checked > 10
    w.set_modified(False)
