"""Files in the main window: open, save, save as, recent files, unsaved changes, drag and drop
(a part of MainWindow: gui/window/main_window.py)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QTimer

from chainview.core.errors import NetError
from chainview.core.examples import example_paths, examples_dir

NET_FILTER = "chainview nets (*.chainview.json *.json);;All files (*)"
SUFFIX = ".chainview.json"


def is_net_file(path: str) -> bool:
    return path.lower().endswith(".json")


def display_name(path) -> str:
    name = os.path.basename(os.fspath(path))
    for suffix in (SUFFIX, ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _short_dir(path: str) -> str:
    folder = os.path.dirname(path)
    home = os.path.expanduser("~")
    return "~" + folder[len(home):] if folder.startswith(home) else folder


class WindowFiles:
    """The net file behind the window: its name and path, whether it is saved, and opening another."""

    @property
    def modified(self) -> bool:
        return self.isWindowModified()

    def set_modified(self, modified: bool) -> None:
        self.setWindowModified(bool(modified))

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.set_modified(False)

    def _update_title(self) -> None:
        where = "" if self.path else ("  (example)" if self._is_example_name() else "")
        self.setWindowTitle(f"{self.name}[*]{where} — chainview")
        self.setWindowFilePath(self.path or "")

    def _is_example_name(self) -> bool:
        return self.name in example_paths()

    def confirm_discard(self) -> bool:
        """True when it is fine to throw the current net away (saved, or the person said so)."""
        if not self.modified:
            return True
        from PySide6.QtWidgets import QMessageBox
        answer = QMessageBox.question(
            self, "Unsaved changes", f"“{self.name}” has changes that are not saved. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def open_dialog(self) -> bool:
        from PySide6.QtWidgets import QFileDialog
        if not self.confirm_discard():
            return False
        start = os.path.dirname(self.path) if self.path else self.settings.last_dir
        path, _ = QFileDialog.getOpenFileName(self, "Open a net", start, NET_FILTER)
        if not path:
            return False
        return self.open_path(path, confirm=False)

    def open_path(self, path, *, confirm: bool = True) -> bool:
        """Load a net file into this window; a bad file leaves the current net as it was."""
        from PySide6.QtWidgets import QMessageBox
        path = os.fspath(path)
        if confirm and not self.confirm_discard():
            return False
        from chainview.core.netfile import load_net
        try:
            net = load_net(path)
        except NetError as err:
            QMessageBox.warning(self, "Cannot open the net", err.message)
            if not os.path.exists(path):
                self.settings.remove_recent(path)
            return False
        self._loading = True
        try:
            s = self.session
            s.select(None)
            s.set_net(net)
            s.reset()
            if s.example >= net.batch:
                s.set_example(0)
        finally:
            self._loading = False
        if self.editing_tools is not None:
            self.editing_tools.training_panel.reset()   # the old net's loss curve is not this one's
        example = self._example_for(path)
        self.path = None if example else os.path.abspath(path)
        self.name = example or display_name(path)
        self.undo_stack.clear()
        self.set_modified(False)
        self._update_title()
        from .memory import give_back
        QTimer.singleShot(0, give_back)      # the old net's memory goes back to the system (issue 9)
        if not example:
            self.settings.add_recent(path)
            self.settings.last_dir = os.path.dirname(os.path.abspath(path))
            self._fill_recent_menu()
        QTimer.singleShot(0, self.fit_view)
        description = net.description or net.name
        self.statusBar().showMessage(f"Opened {self.name}" + (f": {description}" if description else ""), 8000)
        return True

    def _example_for(self, path) -> str | None:
        """The example's name when `path` is one of the shipped examples (saved elsewhere, never over it)."""
        try:
            folder = examples_dir().resolve()
            p = Path(path).resolve()
        except OSError:
            return None
        if p.parent == folder:
            for name, ex in example_paths().items():
                if ex.resolve() == p:
                    return name
        return None

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self, path=None) -> bool:
        from PySide6.QtWidgets import QFileDialog
        if path is None:
            folder = os.path.dirname(self.path) if self.path else self.settings.last_dir
            suggestion = os.path.join(folder, self.name + SUFFIX)
            path, _ = QFileDialog.getSaveFileName(self, "Save the net as", suggestion, NET_FILTER)
            if not path:
                return False
            if not path.lower().endswith(".json"):
                path += SUFFIX
        return self._save_to(os.fspath(path))

    def _save_to(self, path: str) -> bool:
        from PySide6.QtWidgets import QMessageBox
        from chainview.core.netfile import save_net
        try:
            save_net(self.session.net, path)
        except NetError as err:
            QMessageBox.warning(self, "Cannot save the net", err.message)
            return False
        self.path = os.path.abspath(path)
        self.name = display_name(path)
        self.undo_stack.setClean()
        self.set_modified(False)
        self._update_title()
        self.settings.add_recent(self.path)
        self.settings.last_dir = os.path.dirname(self.path)
        self._fill_recent_menu()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files()
        for i, path in enumerate(recent, start=1):
            act = menu.addAction(f"&{i}  {display_name(path)}   —   {_short_dir(path)}")
            act.setData(path)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear the list", self._clear_recent)
        else:
            menu.addAction("(no recent files)").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent_menu()

    def _dropped_path(self, mime) -> str | None:
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and is_net_file(url.toLocalFile()):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event):  # noqa: N802
        if self._dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):  # noqa: N802
        if self._dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):  # noqa: N802
        path = self._dropped_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(path))
        else:
            super().dropEvent(event)
