"""The work budget as a setting: Net ▸ Work budget… (default 256 MB or 0.5 s), remembered.

core.budget holds the numbers every estimate is compared with; this reads them from the window's
Settings at start-up and lets a person change them. Over the budget, the full tensor dZ/dW is shown
one slice at a time and the gradient check runs on a random sample (the Inspector and the status
bar say why); the undo stack keeps its nets within the same number of bytes.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox,
                               QVBoxLayout)

from chainview.core import budget as work

from ..settings import Settings

KEY_MB, KEY_SECONDS = "budget/megabytes", "budget/seconds"


def apply_saved_budget(settings: Settings) -> None:
    """Set core.budget from the remembered values (nothing remembered: the defaults)."""
    store = settings.store
    if not (store.contains(KEY_MB) or store.contains(KEY_SECONDS)):
        return
    try:
        mb = float(store.value(KEY_MB, work.DEFAULT_BYTES / 2 ** 20))
        seconds = float(store.value(KEY_SECONDS, work.DEFAULT_SECONDS))
    except (TypeError, ValueError):
        return
    work.set_budget(int(mb * 2 ** 20), seconds)


def save_budget(settings: Settings, megabytes: int, seconds: float) -> None:
    work.set_budget(int(megabytes) * 2 ** 20, float(seconds))
    settings.store.setValue(KEY_MB, int(megabytes))
    settings.store.setValue(KEY_SECONDS, float(seconds))


class BudgetDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Work budget")
        nbytes, seconds = work.budget()
        self.megabytes = QSpinBox()
        self.megabytes.setRange(16, 64 * 1024)
        self.megabytes.setSuffix(" MB")
        self.megabytes.setValue(int(nbytes // 2 ** 20))
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.05, 600.0)
        self.seconds.setDecimals(2)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(seconds)
        form = QFormLayout()
        form.addRow("Memory", self.megabytes)
        form.addRow("Time", self.seconds)
        note = QLabel("Anything bigger or slower (the full tensor dZ/dW, the gradient check, undo's memory) "
                      "is cut down to what fits, and says so.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(form)
        lay.addWidget(buttons)


def ask_budget(window) -> bool:
    dialog = BudgetDialog(window)
    if dialog.exec() != QDialog.Accepted:
        return False
    save_budget(window.settings, dialog.megabytes.value(), dialog.seconds.value())
    return True
