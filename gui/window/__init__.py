"""The main window and its parts: menus and actions, the step list, panels, presenter mode, first run."""
