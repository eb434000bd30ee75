"""Teaching tools in the window: predict before reveal, the handout export, a TA's notes on steps.

    install_teaching(window)     once, from MainWindow.__init__
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
    menu = getattr(window, "file_menu", None)
    if menu is not None:
        anchor = getattr(window, "export_window_action", None)
        actions = menu.actions()
        after = actions.index(anchor) + 1 if anchor in actions else None
        for act in (handout, worksheet):
            if after is not None and after < len(actions):
                menu.insertAction(actions[after], act)
            else:
                menu.addAction(act)
    return mode


def _action(window, name: str, text: str, tip: str, predict: bool) -> QAction:
    act = QAction(text, window)
    act.setObjectName(name)
    act.setStatusTip(tip)
    act.triggered.connect(lambda _=False: _export(window, predict))
    window.addAction(act)
    setattr(window, f"{name}_action", act)
    return act


def _export(window, predict: bool):
    from .handout_export import export_handout_dialog
    return export_handout_dialog(window, predict=predict)
