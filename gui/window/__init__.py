"""The main window's parts: modes, panels, background work (new pieces; gui/main_window.py moves here later)."""
