"""Teaching tools in the window: predict before reveal, the handout export, a TA's notes on steps.

    install_teaching(window)     once, from MainWindow.__init__

It sets the window's predict_mode, predict_action, export_handout_action and export_worksheet_action
(declared in MainWindow.__init__) and puts the two exports in File after file_menu's export_window_action.
"""

from __future__ import annotations

from PySide6.QtGui import QAction


def install_teaching(window):
    from .notes import install_notes
    from .predict_mode import install_predict
    mode = install_predict(window)
    install_notes(window)
    handout = _action(window, "export_handout", "Export &handout…",
                      "Every step, edge and the gradient check as HTML, Markdown or LaTeX, for students", False)
    worksheet = _action(window, "export_worksheet", "Export wor&ksheet…",
                        "The handout with every result left blank and the answers at the end", True)
    window.export_handout_action, window.export_worksheet_action = handout, worksheet
    # File ▸ Export handout… and Export worksheet… right after File ▸ Export window…
    actions = window.file_menu.actions()
    window.file_menu.insertActions(actions[actions.index(window.export_window_action) + 1], [handout, worksheet])
    return mode


def _action(window, name: str, text: str, tip: str, predict: bool) -> QAction:
    act = QAction(text, window)
    act.setObjectName(name)
    act.setStatusTip(tip)
    act.triggered.connect(lambda _=False: _export(window, predict))
    window.addAction(act)
    return act


def _export(window, predict: bool):
    from .handout_export import export_handout_dialog
    return export_handout_dialog(window, predict=predict)
