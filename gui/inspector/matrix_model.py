"""The one table model over a 2-D numpy array, for the inspector's matrices and the editor's tables:
formatted numbers (core.symbols.number_text), diverging colours, labelled headers, editable on request.

One model, no widget per cell: a 60 x 60 Jacobian is 3600 cheap `data()` calls for what is on
screen. Colours come from one lookup table (colors.diverging_lut) shared with the heatmap, so a
table cell and a heatmap pixel with the same value have the same colour.

    m = MatrixModel()
    m.set_matrix(J.dense(), J.row_labels, J.col_labels)   # labels like "z^1_2" show as "z¹₂"
    m.set_precision(6)
    w = MatrixModel(on_edit=lambda r, c, text: None, colored=False, precision=4)   # an editable table
"""

from __future__ import annotations

from collections.abc import Sequence

import math
import re
from typing import Callable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from chainview.core import pretty
from chainview.core.symbols import number_text

from ..settings import DEFAULT_PRECISION   # re-exported: one default, next to the choices (settings.PRECISIONS)
from ..theme import LIGHT, Theme, contrast
from .colors import LUT_HALF, color_scale, diverging_lut, readable_text

VALUE_ROLE = Qt.ItemDataRole.UserRole          # the raw float of a cell
# the roles data() answers, looked up once: a table's paint asks ~8 roles a cell, and each `Qt.ItemDataRole.X`
# is two lookups through Python's enum machinery
_DISPLAY, _EDIT, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole
_BACKGROUND, _FOREGROUND = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUBSCRIPTABLE = set("0123456789aehijklmnoprstuvx")


def pretty_label(label) -> str:
    """An entry label as unicode: 'z^1_2' -> 'z¹₂', 'W^2_3·' -> 'W²₃·', 'dz_k' -> 'dzₖ', 'a^(l-1)_i' -> 'aˡ⁻¹ᵢ'."""
    text = pretty(str(label))

    def sub(m: re.Match) -> str:
        s = m.group(1)
        return s.translate(_SUB) if set(s) <= _SUBSCRIPTABLE else m.group(0)

    return re.sub(r"_\{?([0-9a-z]+)\}?", sub, text)


def as_matrix(array) -> np.ndarray:
    """A 2-D array to show or copy: a scalar is 1 x 1, a 1-D array is a column (as the course writes a vector);
    more dimensions are refused."""
    a = np.asarray(array)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"a matrix must be 2-D (a scalar or a vector is fine too); got shape {a.shape}")
    return a


class LazyLabels(Sequence):
    """Entry labels made pretty only when shown: a 2048-row Jacobian shows a few dozen of them."""

    def __init__(self, labels):
        self._raw = labels if labels is not None else ()
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i not in self._done:
            self._done[i] = pretty_label(self._raw[i])
        return self._done[i]


def format_number(x, precision: int = DEFAULT_PRECISION) -> str:
    """`precision` significant digits with a real minus sign; -0 shows as 0 (core.symbols.number_text);
    anything that is not a number shows as its text."""
    try:
        float(x)
    except (TypeError, ValueError):
        return str(x)
    return number_text(x, precision)


def full_repr(x) -> str:
    """The value at full precision (repr of a Python float: 17 significant digits at most, round-trips)."""
    try:
        return repr(float(x))
    except (TypeError, ValueError):
        return repr(x)


# ---------------------------------------------------------------- the model
class MatrixModel(QAbstractTableModel):
    """A 2-D array (a 1-D one is a column) as a table: read-only, or editable when given `on_edit`.

    Read-only (the inspector's matrices): cells coloured by value, rounding noise shown as 0.
    Editable (the editor's W, W0, X, Y): an edit calls on_edit(row, col, text), which returns None
    (accepted: the owner then calls set_matrix with the new array, undoably) or a message (refused:
    the cell keeps its value and the owner shows why). The model never changes the array itself.
    `colored=False` leaves cells uncoloured, zeros in the theme's muted colour (the editor's tables).
    """

    def __init__(self, array=None, row_labels=None, col_labels=None, parent=None, *, theme: Theme = LIGHT,
                 precision: int = DEFAULT_PRECISION, on_edit: Callable[[int, int, str], str | None] | None = None,
                 colored: bool = True):
        super().__init__(parent)
        self._a = np.zeros((0, 0))
        self._rows: Sequence[str] = ()
        self._cols: Sequence[str] = ()
        self._precision = int(precision)
        self._theme = theme
        self._lut = diverging_lut(theme)
        self._scale = 0.0
        self._describe: Callable[[int, int], str | None] | None = None
        self._fg_cache: dict[int, QColor] = {}
        self._on_edit = on_edit
        self._colored = colored
        # what row (column) k is, for its header's tooltip; None: "row k ↔ its label"
        self.row_tip: Callable[[int], str] | None = None
        self.column_tip: Callable[[int], str] | None = None
        if array is not None:
            self.set_matrix(array, row_labels, col_labels)

    # ---- data in
    def set_matrix(self, array, row_labels: Sequence[str] | None = None,
                   col_labels: Sequence[str] | None = None) -> None:
        """New numbers and labels (entry labels like "z^1_2" show as "z¹₂", made pretty only when shown).
        The same shape again updates the cells in place: an open editor or a selection stays."""
        a = as_matrix(array)
        if a.dtype.kind not in "fiub":
            a = a.astype(float)
        rows, cols = LazyLabels(row_labels), LazyLabels(col_labels)
        if rows and len(rows) != a.shape[0]:
            raise ValueError(f"{len(rows)} row labels for {a.shape[0]} rows")
        if cols and len(cols) != a.shape[1]:
            raise ValueError(f"{len(cols)} column labels for {a.shape[1]} columns")
        same = a.shape == self._a.shape
        if not same:
            self.beginResetModel()
        self._a, self._rows, self._cols = a, rows, cols
        self._scale = color_scale(a.astype(float, copy=False))
        if not same:
            self.endResetModel()
            return
        self._changed([])
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(a.shape[1] - 1, 0))
        self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(a.shape[0] - 1, 0))

    def set_describe(self, describe: Callable[[int, int], str | None] | None) -> None:
        """What entry (i, j) is, for its tooltip: e.g. lambda i, j: 'd a¹₁ / d z¹₂'. None: just the value."""
        self._describe = describe
        self._changed([Qt.ItemDataRole.ToolTipRole])

    def matrix(self) -> np.ndarray:
        return self._a

    def row_labels(self) -> list[str]:
        return list(self._rows)

    def col_labels(self) -> list[str]:
        return list(self._cols)

    def editable(self) -> bool:
        return self._on_edit is not None

    # ---- display options
    def precision(self) -> int:
        return self._precision

    def set_precision(self, digits: int) -> None:
        """Significant digits shown (the tooltip and the cell editor always have every digit)."""
        digits = max(1, min(17, int(digits)))
        if digits != self._precision:
            self._precision = digits
            self._changed([Qt.ItemDataRole.DisplayRole])

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._lut = diverging_lut(theme)
        self._fg_cache.clear()
        self._changed([Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole])

    def _changed(self, roles) -> None:
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1), roles)

    # ---- QAbstractTableModel
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._a.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._a.shape[1]

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if self._on_edit is not None else flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._on_edit is None:
            return False
        return not self._on_edit(index.row(), index.column(), str(value))

    def row_name(self, i: int) -> str:
        return self._rows[i] if self._rows else str(i + 1)

    def col_name(self, j: int) -> str:
        return self._cols[j] if self._cols else str(j + 1)

    def display_text(self, i: int, j: int) -> str:
        """Entry (i, j) as the cell shows it, at the precision."""
        v = self._a[i, j]
        # rounding noise in a result: 0 here, exact in the tooltip (what is typed into an editable cell shows)
        if self._on_edit is None and v != 0 and abs(v) < 1e-14 * max(1.0, self._scale):
            return "0"
        return format_number(v, self._precision)

    def entry_text(self, i: int, j: int) -> str:
        """'row 2 ↔ z¹₂, column 1 ↔ a¹₁: d a¹₁ / d z¹₂ = 0.41997434161402614' (1-based, as the headers)."""
        where = [f"row {i + 1}" + (f" ↔ {self._rows[i]}" if self._rows else ""),
                 f"column {j + 1}" + (f" ↔ {self._cols[j]}" if self._cols else "")]
        what = self._describe(i, j) if self._describe else None
        value = full_repr(self._a[i, j])
        return f"{', '.join(where)}: " + (f"{what} = {value}" if what else value)

    def _index(self, v: float) -> int:
        if not self._scale or not math.isfinite(v):
            return LUT_HALF
        t = max(-1.0, min(1.0, v / self._scale))
        return int(t * LUT_HALF + LUT_HALF + 0.5)

    def _background(self, v: float) -> QColor:
        if not math.isfinite(v):
            c = QColor(self._theme.bad)
            c.setAlphaF(0.35)
            return c
        idx = self._index(v)
        return QColor.fromRgba(int(self._lut[idx]))

    def _foreground(self, v: float) -> QColor | None:
        if not self._colored:
            return self._theme.muted if v == 0 else None
        if not math.isfinite(v):
            return QColor(self._theme.bad) if contrast(self._theme.bad, self._theme.surface) >= 3 else \
                QColor(self._theme.text)
        idx = self._index(v)
        c = self._fg_cache.get(idx)
        if c is None:
            c = self._fg_cache[idx] = readable_text(QColor.fromRgba(int(self._lut[idx])), self._theme.text)
        return c

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < self._a.shape[0] and 0 <= index.column() < self._a.shape[1]):
            return None
        i, j = index.row(), index.column()
        if role == _DISPLAY:
            return self.display_text(i, j)
        if role == _EDIT:
            return full_repr(self._a[i, j])     # every digit; a str, so the cell editor is a plain line edit
        if role == _TOOLTIP:
            return self.entry_text(i, j)
        if role == _BACKGROUND:
            return self._background(float(self._a[i, j])) if self._colored else None
        if role == _FOREGROUND:
            return self._foreground(float(self._a[i, j]))
        if role == _ALIGNMENT:
            return _RIGHT
        if role == VALUE_ROLE:
            return float(self._a[i, j])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        count = self._a.shape[1] if horizontal else self._a.shape[0]
        if not 0 <= section < count:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.col_name(section) if horizontal else self.row_name(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.column_tip if horizontal else self.row_tip
            if tip is not None:
                return tip(section)
            labels = self._cols if horizontal else self._rows
            what = "column" if horizontal else "row"
            return f"{what} {section + 1}" + (f" ↔ {labels[section]}" if labels else "")
        return None
