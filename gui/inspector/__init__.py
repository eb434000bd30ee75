"""The inspector: what the selected node or edge is (its pages), the matrix view and heatmap, the table model."""
