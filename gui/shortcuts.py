"""Every keyboard shortcut of the app, in one table: the window's menus, its key card and help, and
teaching's Ctrl+P all read it here.

Shortcuts are window-wide QActions, so they work whichever pane has the focus, the canvas
included (a QGraphicsView would otherwise take the arrow keys to scroll). A text field
still gets its own editing keys: Qt lets a focused widget claim a key first.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

# name -> key sequences, the first is the one menus show
SHORTCUTS: dict[str, tuple[str, ...]] = {
    # Step
    "next": ("Right", "Space", "PgDown"),
    "previous": ("Left", "Backspace", "PgUp"),
    "reset": ("Home",),
    "run_to_end": ("End",),
    "finish_forward": ("Shift+Right",),          # plain F is the canvas's "fit"
    "next_example": ("]",),
    "previous_example": ("[",),
    "clear_selection": ("Esc",),
    "select_next": (".",),                      # walk the selection through the graph by keyboard
    "select_previous": (",",),
    # File
    "open": ("Ctrl+O",),
    "save": ("Ctrl+S",),
    "save_as": ("Ctrl+Shift+S",),
    "export_png": ("Ctrl+E",),
    "export_svg": ("Ctrl+Shift+E",),
    "quit": ("Ctrl+Q",),
    # Edit
    "undo": ("Ctrl+Z",),
    "redo": ("Ctrl+Shift+Z", "Ctrl+Y"),
    "copy_csv": ("Ctrl+Shift+C",),
    "copy_latex": ("Ctrl+Alt+C",),
    # View
    "numerator_layout": ("Ctrl+L",),
    "larger_text": ("Ctrl+Shift+=", "Ctrl+Shift++"),      # Ctrl+= zooms the canvas (no Ctrl++: see graph_view)
    "smaller_text": ("Ctrl+Shift+-",),
    "reset_text": ("Ctrl+Shift+0",),
    "toggle_theme": ("Ctrl+Shift+T",),
    "full_screen": ("F11",),
    "predict": ("Ctrl+P",),                     # predict before reveal (gui/teaching)
    # Help
    "shortcuts": ("F1", "?"),
}


def key_sequences(name: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in SHORTCUTS.get(name, ())]


def shortcut_text(action, limit: int = 3) -> str:
    """'Right, Space, PgDown' in the platform's spelling (each once, at most `limit`)."""
    texts = []
    for seq in action.shortcuts():
        text = seq.toString(QKeySequence.NativeText)
        if text and text not in texts:
            texts.append(text)
    return ", ".join(texts[:limit])
