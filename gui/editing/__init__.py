"""Changing the net: the editor panel, its tables, undo commands, training (controller, panel, loss plot)."""
