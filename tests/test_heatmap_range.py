"""Issue 9: heatmap colours were wrong from about 1e39 and blank from about 1e47 (float32 overflow in the
colour lookup); the same held for tiny values. Each scale must map like an ordinary one."""

import numpy as np
import pytest

from chainview.gui.inspector.colors import LUT_HALF, color_scale, lut_index


@pytest.mark.parametrize("scale", [1.0, 1e20, 1e39, 1e47, 1e300, 1e-39, 1e-300])
def test_the_colour_index_does_not_depend_on_the_magnitude(scale):
    unit = np.array([[1.0, -1.0, 0.0, 0.5], [-0.5, 0.25, np.nan, -0.75]])
    expected = lut_index(unit, 1.0)
    values = unit * scale
    got = lut_index(values, color_scale(values))
    assert np.array_equal(got, expected), (scale, got, expected)
    assert got[0, 0] == 2 * LUT_HALF and got[0, 1] == 0 and got[0, 2] == LUT_HALF
