"""Guards the PySide6 pin in pyproject.toml.

PySide6 6.12.0 loses a reference to None on every call of a Qt method that returns nothing;
on Python 3.11 that aborts the interpreter ("deallocating None") after a few thousand calls —
a crash a few minutes into a real session. This fails if such a build is ever installed.
"""

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_alive(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(2000):
        w.setMinimumWidth(10)
    # other threads may touch None meanwhile; a leak shows as about -2000
    assert sys.getrefcount(None) - before > -100
