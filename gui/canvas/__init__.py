"""The graph canvas: the scene and its items, the view (pan/zoom), the camera, the minimap, placement and picture export."""
