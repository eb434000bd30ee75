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
    act = QAction("Export &handout…", window)
    act.setObjectName("export_handout")
    act.setStatusTip("Every step, edge and the gradient check as HTML, Markdown or LaTeX, for students")
    act.triggered.connect(lambda _=False: _export(window))
    window.addAction(act)
    window.export_handout_action = act
    menu = getattr(window, "file_menu", None)
    if menu is not None:
        anchor = getattr(window, "export_window_action", None)
        actions = menu.actions()
        after = actions.index(anchor) + 1 if anchor in actions else None
        if after is not None and after < len(actions):
            menu.insertAction(actions[after], act)
        else:
            menu.addAction(act)
    return mode


def _export(window):
    from .handout_export import export_handout_dialog
    return export_handout_dialog(window)
