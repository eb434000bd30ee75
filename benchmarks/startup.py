"""startup: wall time of `chainview render` (default example) / an empty-QMainWindow script (see _startup.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _startup  # noqa: E402

NAME = "startup"
GOAL = 1.3


def measure() -> float:
    return _startup.measure_both()["time"]


if __name__ == "__main__":
    r = _startup.measure_both()
    print(f"{NAME} ratio={r['time']:.2f} goal={GOAL}  (best wall s, peak KiB: {r['detail']})")
