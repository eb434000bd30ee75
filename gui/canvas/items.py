"""The items on the graph canvas, one module per kind; this module names them all in one place.

    node_item.py    NodeItem: shape + symbol + dims + compact value/gradient
    edge_item.py    EdgeItem: smooth curve (or routed polyline) with an arrowhead
    label_pill.py   EdgeLabelItem: an edge's Jacobian symbol and dims
    shapes.py       each node kind's outline, and where its sides are
    badges.py       the gradient check's ✓/✗ marks
    style.py        Style (theme colours and fonts at a scale), colour mixing, click forwarding
    text.py         rich-text labels, compact matrices, symbols, number formatting

Items only draw state that the scene hands them (`set_state`, `set_selected`, `set_check`); they
never read the session. Clicks are forwarded to the scene (`GraphScene._item_clicked`), which
selects in the session and re-emits a signal, so widgets never reach into items.

Every size is in scene units (pixels at zoom 1) and scales with `Style.scale` (presentation zoom).
A new node kind: its outline in shapes.py (shape_path, side_x), its colour in gui/theme.py.
"""

from .badges import check_tooltip, draw_badge
from .edge_item import EdgeItem
from .label_pill import EdgeLabelItem
from .node_item import NodeItem
from .shapes import octagon_cut, shape_path, side_x, slant
from .style import Style, alpha, forward_click, mix
from .text import (KIND_NAMES, MAX_COLS, MAX_ROWS, NOISE, MatrixText, RichText, denoise, derivative_html, dims_lines,
                   fmt, matrix_cells, matrix_html, node_kind_name, nonfinite_count, symbol_html)

__all__ = ["KIND_NAMES", "MAX_COLS", "MAX_ROWS", "NOISE", "EdgeItem", "EdgeLabelItem", "MatrixText", "NodeItem",
           "RichText", "Style", "alpha", "check_tooltip", "denoise", "derivative_html", "dims_lines", "draw_badge",
           "fmt", "forward_click", "matrix_cells", "matrix_html", "mix", "node_kind_name", "nonfinite_count",
           "octagon_cut", "shape_path", "side_x", "slant", "symbol_html"]
