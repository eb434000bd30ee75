"""A TA's note on a step ("watch the transpose here"), in the step card: shown large, edited in a field.

The note is part of the net (Net.notes, saved as the file's "notes" in version 2) and appears in
the handout. An edit is one undo step (gui/commands.apply_edit), made when the field is left or
Enter is pressed, never per keystroke (the step card is rebuilt when the net changes).
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel



def install_notes(window) -> None:
    window.inspector.decorate_step = lambda lay, step: add_note(window, lay, step)
    cur = window.session.current
    if cur is not None and cur.index in dict(window.session.net.notes):
        # the step card was built before this hook (a window opened mid-way, e.g. `render --step`): its note
        # must show; without one the card is left as it is (rebuilding it costs `render` ~25 ms)
        window.inspector.refresh(force=True)


def with_note(net, index: int, text: str):
    """The net with the note of step `index` set (blank: removed)."""
    from chainview.core.netfile import MAX_NOTE_CHARS
    notes = dict(net.notes)
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if text:
        notes[index] = text[:MAX_NOTE_CHARS]
    else:
        notes.pop(index, None)
    new = tuple(sorted(notes.items()))
    return net if new == tuple(net.notes) else replace(net, notes=new)


def add_note(window, lay, step) -> None:
    inspector = window.inspector
    text = dict(window.session.net.notes).get(step.index, "")
    if text:
        label = QLabel(f"📝 {html.escape(text)}")
        label.setObjectName("step_note")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setFont(inspector._font(1.2, True))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(label)
    from PySide6.QtWidgets import QLineEdit     # its Python types with the first step card that has one
    field = QLineEdit(text)
    field.setObjectName("step_note_field")
    field.setAccessibleName(f"Note on step {step.index + 1}")
    field.setPlaceholderText("Add a note for students on this step…")
    field.setToolTip("Saved in the net file and printed in the handout (File ▸ Export handout…)")
    from chainview.core.netfile import MAX_NOTE_CHARS
    field.setMaxLength(MAX_NOTE_CHARS)
    field.setFont(inspector._font())
    index = step.index

    def commit():
        value = field.text()
        # after this signal returns: the edit rebuilds the step card, this field included
        QTimer.singleShot(0, lambda: set_note(window, index, value))

    field.editingFinished.connect(commit)
    lay.addWidget(field)


def set_note(window, index: int, text: str) -> None:
    from chainview.gui.editing.commands import apply_edit
    words = "Remove the note on" if not text.strip() else "Note on"
    apply_edit(window.session, window.undo_stack, lambda net: with_note(net, index, text),
               f"{words} step {index + 1}")
