"""Changing the net: the editor panel, its tables, undo commands (kept within the memory budget),
training (controller, panel, loss plot), the gradient check and the work budget setting."""
