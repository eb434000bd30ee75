"""File ▸ Export handout…: the same handout as `chainview handout`, from the window's net, layout,
example and digits (View ▸ Digits in matrices), written beside where the person chooses."""

from __future__ import annotations

import os

from chainview.core import Session
from chainview.core.errors import NetError
from chainview.core.handout import write_handout

from .handout_picture import graph_pictures

FILTERS = "HTML handout (*.html);;Markdown handout (*.md);;LaTeX handout (*.tex)"
SUFFIXES = {"HTML": ".html", "Markdown": ".md", "LaTeX": ".tex"}


def export_handout(window, path: str, *, predict: bool = False) -> list[str]:
    """Write the handout of the window's net to `path` (NetError with one line when it cannot)."""
    s = window.session
    copy = Session(s.net, layout=s.layout, example=s.example)   # the window's own stays where the person is
    if not predict:
        copy.run_to_end()
    precision = window.inspector.precision()
    return write_handout(copy, path, pictures=graph_pictures(copy), digits=precision, predict=predict)


def export_handout_dialog(window, *, predict: bool = False) -> bool:
    """predict: a worksheet (results blank, answers at the end), as `chainview handout --predict`."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox
    folder = os.path.dirname(window.path) if window.path else window.settings.last_dir
    what = "worksheet" if predict else "handout"
    suggestion = os.path.join(folder, f"{window.name}-{what}.html")
    path, chosen = QFileDialog.getSaveFileName(window, f"Export a {what}", suggestion, FILTERS)
    if not path:
        return False
    if os.path.splitext(path)[1].lower() not in SUFFIXES.values():
        path += next((suffix for word, suffix in SUFFIXES.items() if chosen.startswith(word)), ".html")
    try:
        written = export_handout(window, path, predict=predict)
    except NetError as err:
        QMessageBox.warning(window, f"Cannot export the {what}", err.message)
        return False
    extra = f" and {len(written) - 1} file(s) beside it" if len(written) > 1 else ""
    window.statusBar().showMessage(f"Exported the {what} {written[0]}{extra}", 6000)
    return True
