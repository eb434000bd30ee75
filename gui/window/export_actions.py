"""Export and copy in the main window: the graph as PNG or SVG, the window as PNG, the selected matrix
as CSV or LaTeX (a part of MainWindow: gui/window/main_window.py)."""

from __future__ import annotations

import os


class WindowExport:
    """File ▸ Export… and Edit ▸ Copy matrix."""

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog
        folder = self.settings.last_dir if self.path is None else os.path.dirname(self.path)
        suggestion = os.path.join(folder, f"{self.name}-{self._position_tag()}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, title, suggestion, file_filter)
        if not path:
            return None
        return path if path.lower().endswith(suffix) else path + suffix

    def _position_tag(self) -> str:
        return self.phase_text().split(" ")[0].lower() + str(self.session.position)

    def export_png_dialog(self) -> bool:
        path = self._ask_path("Export the graph as PNG", ".png", "PNG images (*.png)")
        return bool(path) and self._export(path, "png")

    def export_svg_dialog(self) -> bool:
        path = self._ask_path("Export the graph as SVG", ".svg", "SVG images (*.svg)")
        return bool(path) and self._export(path, "svg")

    def export_window_dialog(self) -> bool:
        path = self._ask_path("Export the window as PNG", ".png", "PNG images (*.png)")
        return bool(path) and self._export(path, "window")

    def _export(self, path: str, kind: str) -> bool:
        from PySide6.QtWidgets import QMessageBox
        from ..canvas import export
        from ..png import write_png
        try:
            if kind == "png":
                export.export_png(self.scene, path)
            elif kind == "svg":
                export.export_svg(self.scene, path)
            else:
                write_png(self.grab().toImage(), path)
        except (OSError, ValueError) as err:
            QMessageBox.warning(self, "Cannot export", str(err).splitlines()[0] if str(err) else repr(err))
            return False
        self.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def current_matrix(self):
        """The matrix the inspector shows for the selection (or, failing that, what the selection stands for)."""
        if self.session.selection is None:
            return None
        views = self.inspector.matrix_views()
        card = self.inspector.selection_card
        if card is not None:
            views = [mv for mv in views if card.isAncestorOf(mv)]
        for mv in views:
            a = mv.current_matrix()
            if a is not None:
                return a
        return _selection_matrix(self.session)

    def copy_matrix(self, fmt: str) -> bool:
        a = self.current_matrix()
        if a is None:
            self.statusBar().showMessage("Select a node or an edge first: its matrix is what gets copied", 5000)
            return False
        rows, cols = (a.shape + (1,))[:2] if getattr(a, "ndim", 2) == 1 else a.shape[:2]
        from chainview.core.budget import over_budget, text_estimate
        why = over_budget(text_estimate(rows, cols, f"copying the {rows} × {cols} matrix as text"))
        if why:                                  # issue 9: never freeze on a 4096 x 4096 copy
            self.statusBar().showMessage(f"Not copied: {why} (Net ▸ Work budget… raises it)", 8000)
            return False
        from ..inspector.clipboard import copy_matrix
        try:
            copy_matrix(a, fmt)
        except MemoryError:
            self.statusBar().showMessage(f"Not copied: not enough memory for a {rows} × {cols} matrix as text", 8000)
            return False
        self.statusBar().showMessage(f"Copied a {rows} × {cols} matrix as {'LaTeX' if fmt == 'latex' else 'CSV'}",
                                     4000)
        return True


def _selection_matrix(session):
    """A node's value (or its gradient once the backward pass reached it), or an edge's Jacobian."""
    sel = session.selection
    if sel is None:
        return None
    if isinstance(sel, tuple):
        return session.jacobian(*sel).dense()
    ev = session.evaluation
    if sel in session.known_grads() and sel in ev.grads:
        return ev.grads[sel]
    return ev.values.get(sel)
