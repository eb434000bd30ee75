"""Help ▸ Keyboard shortcuts: every action with its keys, in a table a screen share shows whole.

Its own module so the main window's start-up does not load the dialog classes it uses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)


class ShortcutsDialog(QDialog):
    def __init__(self, rows, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        table = self.table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.NoSelection)
        table.setFocusPolicy(Qt.NoFocus)
        for r, (menu, action, keys) in enumerate(rows):
            for c, text in enumerate((menu, action, keys)):
                item = QTableWidgetItem(text)
                if c == 2:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        layout.addWidget(QLabel("Stepping keys work on the canvas, the step list and the inspector; "
                                "in a text field they edit the text."))
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fm = self.fontMetrics()
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        table.resizeColumnsToContents()
        w = max(fm.horizontalAdvance("M") * 60, sum(table.columnWidth(c) for c in range(3)) + 60)
        h = int(fm.height() * (len(rows) + 6) * 1.6)
        if avail is not None:        # a 1280 x 720 screen share shows all of it, scrolling the table
            w, h = min(w, int(avail.width() * 0.9)), min(h, int(avail.height() * 0.85))
        self.resize(w, h)
