"""The editor's "Graph" box: the selected layer's skip connection and tie, and the net's weight decay λ.

Each change is one undo step through the editor's `_apply` (core.graph_edits makes the new net).
A choice the sizes do not allow stays in the list, greyed out, with the reason as its tooltip
(the same words core uses when it refuses a file).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel

from chainview.core.graph_edits import skip_choices, tie_choices, with_skip, with_tie, with_weight_decay
from chainview.core.symbols import pretty

NONE = -1


class LinksBox(QGroupBox):
    def __init__(self, editor, parent=None):
        super().__init__("Graph: skip, tie, weight decay", parent)
        self.editor = editor
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.skip_combo = QComboBox()
        self.skip_combo.setObjectName("skip_combo")
        self.skip_combo.setToolTip("Z^l also adds A^k (a skip connection): A^k feeds two places, so its "
                                   "gradient is the sum of two chain-rule terms")
        self.skip_combo.activated.connect(lambda i: self.set_skip(self._choice(self.skip_combo, i)))
        self.tie_combo = QComboBox()
        self.tie_combo.setObjectName("tie_combo")
        self.tie_combo.setToolTip("Use the W of an earlier layer itself (shared weights, as in an RNN): "
                                  "dL/dW^k sums one term per use")
        self.tie_combo.activated.connect(lambda i: self.set_tie(self._choice(self.tie_combo, i)))
        self.decay_spin = QDoubleSpinBox()
        self.decay_spin.setObjectName("decay_spin")
        self.decay_spin.setRange(0.0, 1000.0)
        self.decay_spin.setDecimals(4)
        self.decay_spin.setSingleStep(0.01)
        self.decay_spin.setKeyboardTracking(False)          # one edit on Enter, not one per digit
        self.decay_spin.setToolTip("λ in L = Σ loss + λ Σ ‖W‖²_F (0: no weight decay); adds a node R beside L")
        self.decay_spin.valueChanged.connect(self.set_weight_decay)
        grid.addWidget(QLabel("Skip from"), 0, 0)
        grid.addWidget(self.skip_combo, 0, 1)
        grid.addWidget(QLabel("W"), 1, 0)
        grid.addWidget(self.tie_combo, 1, 1)
        grid.addWidget(QLabel("λ (weight decay)"), 2, 0)
        grid.addWidget(self.decay_spin, 2, 1)

    @staticmethod
    def _choice(combo: QComboBox, i: int):
        k = combo.itemData(i)
        return None if k == NONE else k

    def refresh(self) -> None:
        net, l = self.editor.session.net, self.editor.selected_layer
        layer = net.layers[l - 1]
        self._fill(self.skip_combo, "no skip connection",
                   [(k, pretty(f"A^{k}") + f"  ({net.n(k)} rows)", why) for k, why in skip_choices(net, l).items()],
                   layer.skip_from, "" if l >= 2 else "layer 1 has no A^k to skip from (k ≤ l − 2)")
        self._fill(self.tie_combo, pretty(f"its own W^{l}"),
                   [(k, pretty(f"W^{k} (tied to layer {k})"), why) for k, why in tie_choices(net, l).items()],
                   layer.tie, "" if l >= 2 else "layer 1 has no earlier layer to share a W with")
        self.decay_spin.blockSignals(True)
        self.decay_spin.setValue(float(net.weight_decay))
        self.decay_spin.blockSignals(False)

    def _fill(self, combo: QComboBox, none_text: str, items, current, empty_reason: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(none_text, NONE)
        model = combo.model()
        for k, text, why in items:
            combo.addItem(text, k)
            if why:
                item = model.item(combo.count() - 1)
                item.setEnabled(False)                       # impossible: greyed out, the reason as tooltip
                item.setData(why, Qt.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(NONE if current is None else current)))
        combo.setEnabled(combo.count() > 1)
        if combo.count() == 1 and empty_reason:
            combo.setItemData(0, empty_reason, Qt.ToolTipRole)
        combo.blockSignals(False)

    # ---- edits: each one undo step
    def set_skip(self, k: int | None) -> str | None:
        l = self.editor.selected_layer
        if self.editor.session.net.layers[l - 1].skip_from == k:
            return None
        text = f"Layer {l}: skip from A^{k}" if k is not None else f"Layer {l}: remove the skip connection"
        return self.editor._apply(lambda net: with_skip(net, l, k), pretty(text))

    def set_tie(self, k: int | None) -> str | None:
        l = self.editor.selected_layer
        if self.editor.session.net.layers[l - 1].tie == k:
            return None
        text = f"Layer {l}: use W^{k}" if k is not None else f"Layer {l}: untie (its own W^{l})"
        return self.editor._apply(lambda net: with_tie(net, l, k), pretty(text))

    def set_weight_decay(self, lam: float) -> str | None:
        if float(lam) == float(self.editor.session.net.weight_decay):
            return None
        return self.editor._apply(lambda net: with_weight_decay(net, float(lam)), f"Set weight decay λ = {lam:g}",
                                  merge_key="weight_decay")
