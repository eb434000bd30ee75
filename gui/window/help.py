"""Help in the main window: the keyboard shortcuts, the key hints, About (a part of MainWindow:
gui/window/main_window.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from chainview.core import __version__

from ..shortcuts import shortcut_text


class WindowHelp:
    """The Help menu, and Net ▸ About this net."""

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, action, keys) for every action with a shortcut, in menu order."""
        rows, seen = [], set()
        for menu in (self.step_menu, self.file_menu, self.edit_menu, self.view_menu, self.net_menu, self.help_menu):
            for act in _menu_actions(menu):
                keys = shortcut_text(act)
                if keys and id(act) not in seen:
                    seen.add(id(act))
                    rows.append((menu.title().replace("&", ""), act.text().replace("&", "").rstrip("…"), keys))
        return rows

    def show_key_hint(self):
        """The card of the stepping keys on the canvas (Help ▸ Show key hints; by itself on the first run)."""
        if self.key_hint is None:
            from .first_run import KeyHint
            self.key_hint = KeyHint(self.view, self.theme, self.settings)
        self.key_hint.popup()
        return self.key_hint

    def show_shortcuts(self) -> None:
        from .shortcuts_dialog import ShortcutsDialog
        ShortcutsDialog(self.shortcut_rows(), self).exec()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.about(
            self, "About chainview",
            f"<h3>chainview {__version__}</h3>"
            "<p>Step through the forward and the backward pass of a small neural net, one node at a time, "
            "with the Jacobian of every edge and its dimensions.</p>"
            "<p>Conventions of MIT 6.390: W<sup>l</sup> is m<sup>l</sup> × n<sup>l</sup>, "
            "Z<sup>l</sup> = W<sup>l</sup><sup>T</sup>A<sup>l−1</sup> + W0<sup>l</sup>, and Jacobians in "
            "<i>denominator layout</i> (∂w/∂v is p × q for v of length p, w of length q).</p>"
            "<p>MIT licence.</p>")

    def describe_net(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        net = self.session.net
        sizes = " → ".join([str(net.n(0))] + [f"{layer.units} {layer.activation.name}" for layer in net.layers])
        text = (f"<h3>{self.name}</h3><p>{net.description or ''}</p>"
                f"<p>Layers: {sizes}<br>Loss: {net.loss.name}<br>Batch: {net.batch} example(s)</p>")
        QMessageBox.information(self, "About this net", text)


def _menu_actions(menu: QMenu):
    for act in menu.actions():
        if act.menu() is not None:
            yield from _menu_actions(act.menu())
        elif not act.isSeparator():
            yield act
