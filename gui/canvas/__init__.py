"""The graph canvas: what is drawn, and the camera that frames it (new pieces; gui/graph_*.py move here later)."""
