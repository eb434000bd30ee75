"""What chainview remembers between runs, behind typed getters over QSettings.

    s = Settings()                                 # the user's settings (organisation "chainview")
    s = Settings(QSettings(path, QSettings.IniFormat))   # tests: a temporary file, never the user's
    s = Settings.ephemeral()                       # `chainview render`: remembers nothing
    s.theme = "dark"; s.font_scale = 1.25; s.add_recent("/path/net.chainview.json")

Every getter survives a damaged or hand-edited value: it falls back to the default.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray, QSettings

# QSettings and QByteArray are imported where used: `chainview render` remembers nothing and loads
# neither (PySide builds a class's enum types the first time it is touched)

THEMES = ("light", "dark", "system")
LAYOUTS = ("denominator", "numerator")
MAX_RECENT = 8
MAX_PREDICT_FILES = 200            # net files remembered with predict mode on
FONT_SCALE_MIN, FONT_SCALE_MAX = 0.7, 3.0
# The steps of "Larger text" / "Smaller text"; 1.0 is the reset.
FONT_SCALES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.25, 2.5, 3.0)
# Significant digits the Inspector's matrices can show (View ▸ Digits); 17 is every digit of a float.
PRECISIONS = (3, 4, 6, 8, 12, 17)
DEFAULT_PRECISION = 4


class _MemoryStore:
    """The few QSettings methods Settings uses, kept in a dict (nothing reaches the disk)."""

    def __init__(self) -> None:
        self._values: dict[str, object] = {}

    def value(self, key, default=None):
        return self._values.get(key, default)

    def setValue(self, key, value) -> None:  # noqa: N802 (Qt's name)
        self._values[key] = value

    def remove(self, key) -> None:
        self._values.pop(key, None)

    def contains(self, key) -> bool:
        return key in self._values

    def sync(self) -> None:
        pass


class Settings:
    def __init__(self, store: QSettings | None = None):
        if store is None:
            from PySide6.QtCore import QSettings
            store = QSettings()   # the application's organisation and name (set by gui/app.py)
        self._store = store

    @classmethod
    def ephemeral(cls) -> "Settings":
        return cls(_MemoryStore())  # type: ignore[arg-type]

    @property
    def store(self):
        return self._store

    def sync(self) -> None:
        self._store.sync()

    # ---- low-level typed access (QSettings' INI backend hands strings back)
    def _str(self, key: str, default: str, allowed: tuple[str, ...] | None = None) -> str:
        value = self._store.value(key, default)
        value = value if isinstance(value, str) else default
        return value if allowed is None or value in allowed else default

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._store.value(key, default))
        except (TypeError, ValueError):
            return default

    def _bytes(self, key: str) -> QByteArray | None:
        from PySide6.QtCore import QByteArray
        value = self._store.value(key)
        if isinstance(value, (QByteArray, bytes, bytearray)) and len(value):
            return QByteArray(bytes(value))
        return None

    # ---- presentation
    @property
    def theme(self) -> str:
        """'light', 'dark' or 'system' (follow the desktop; the default)."""
        return self._str("view/theme", "system", THEMES)

    @theme.setter
    def theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}")
        self._store.setValue("view/theme", name)

    @property
    def font_scale(self) -> float:
        value = self._float("view/font_scale", 1.0)
        return min(FONT_SCALE_MAX, max(FONT_SCALE_MIN, value)) if value == value else 1.0

    @font_scale.setter
    def font_scale(self, value: float) -> None:
        self._store.setValue("view/font_scale", float(min(FONT_SCALE_MAX, max(FONT_SCALE_MIN, value))))

    @property
    def layout(self) -> str:
        return self._str("view/layout", "denominator", LAYOUTS)

    @layout.setter
    def layout(self, name: str) -> None:
        if name not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}")
        self._store.setValue("view/layout", name)

    @property
    def precision(self) -> int:
        """Significant digits in the Inspector's matrices (their tooltips always show every digit)."""
        value = self._float("view/precision", DEFAULT_PRECISION)
        return int(value) if value in PRECISIONS else DEFAULT_PRECISION

    @precision.setter
    def precision(self, digits: int) -> None:
        if digits not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
        self._store.setValue("view/precision", int(digits))

    def _bool(self, key: str, default: bool) -> bool:
        value = self._store.value(key, default)
        if isinstance(value, str):            # QSettings' INI backend hands "true" / "false" back
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value) if isinstance(value, (bool, int)) else default

    # ---- the camera and presenting
    @property
    def follow_step(self) -> bool:
        """The canvas frames each step at a readable text size (View ▸ Follow the step; on by default)."""
        return self._bool("view/follow_step", True)

    @follow_step.setter
    def follow_step(self, on: bool) -> None:
        self._store.setValue("view/follow_step", bool(on))

    @property
    def reduce_motion(self) -> bool:
        """No camera animation (View ▸ Reduce motion)."""
        return self._bool("view/reduce_motion", False)

    @reduce_motion.setter
    def reduce_motion(self, on: bool) -> None:
        self._store.setValue("view/reduce_motion", bool(on))

    @property
    def share_720(self) -> bool:
        """Presenting: keep text readable when the screen is shared scaled down to 1280×720 (default on)."""
        return self._bool("present/share_720", True)

    @share_720.setter
    def share_720(self, on: bool) -> None:
        self._store.setValue("present/share_720", bool(on))

    def panels(self, size_class: str) -> list[str] | None:
        """The side panels open at this window size class ("wide", "medium", "small"), None if never set."""
        value = self._store.value(f"panels/{size_class}")
        if value is None:
            return None
        if isinstance(value, str):
            return [v for v in value.split(",") if v]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else None

    def set_panels(self, size_class: str, names: list[str]) -> None:
        self._store.setValue(f"panels/{size_class}", ",".join(names))

    # ---- first run
    @property
    def hint_dismissed(self) -> bool:
        """True once the person closed the first-run key hint (it then never shows by itself again)."""
        value = self._store.value("help/hint_dismissed", False)
        if isinstance(value, str):            # QSettings' INI backend hands "true" / "false" back
            return value.strip().lower() in ("true", "1", "yes")
        return value is True or (isinstance(value, int) and value == 1)

    @hint_dismissed.setter
    def hint_dismissed(self, dismissed: bool) -> None:
        self._store.setValue("help/hint_dismissed", bool(dismissed))

    # ---- predict before reveal, remembered per net file (gui/teaching)
    def predict_for(self, key: str) -> bool:
        """Whether predict mode was on for this net file (a path, or "example:NAME")."""
        return key in self._predict_files()

    def set_predict_for(self, key: str, on: bool) -> None:
        keys = [k for k in self._predict_files() if k != key]
        if on:
            keys.insert(0, key)
        if keys:
            self._store.setValue("teaching/predict_files", keys[:MAX_PREDICT_FILES])
        else:
            self._store.remove("teaching/predict_files")

    def _predict_files(self) -> list[str]:
        value = self._store.value("teaching/predict_files", [])
        if isinstance(value, str):          # QSettings' INI backend returns one item as a string
            value = [value] if value else []
        return [k for k in value if isinstance(k, str) and k] if isinstance(value, (list, tuple)) else []

    # ---- the window
    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, data: QByteArray) -> None:
        self._store.setValue("window/geometry", data)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, data: QByteArray) -> None:
        self._store.setValue("window/state", data)

    @property
    def last_dir(self) -> str:
        folder = self._str("files/last_dir", "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")

    @last_dir.setter
    def last_dir(self, folder: str) -> None:
        self._store.setValue("files/last_dir", os.fspath(folder))

    # ---- recent files: most recent first, at most MAX_RECENT, files that vanished are dropped
    def recent_files(self) -> list[str]:
        value = self._store.value("files/recent", [])
        if isinstance(value, str):          # QSettings' INI backend returns one item as a string
            value = [value] if value else []
        if not isinstance(value, (list, tuple)):
            value = []
        paths = [p for p in value if isinstance(p, str) and p]
        kept = [p for p in _unique(paths) if os.path.isfile(p)][:MAX_RECENT]
        if kept != paths:
            self._set_recent(kept)
        return kept

    def add_recent(self, path) -> list[str]:
        path = os.path.abspath(os.fspath(path))
        paths = [path] + [p for p in self.recent_files() if os.path.normcase(p) != os.path.normcase(path)]
        self._set_recent(paths[:MAX_RECENT])
        return paths[:MAX_RECENT]

    def remove_recent(self, path) -> None:
        path = os.path.abspath(os.fspath(path))
        self._set_recent([p for p in self.recent_files() if os.path.normcase(p) != os.path.normcase(path)])

    def clear_recent(self) -> None:
        self._set_recent([])

    def _set_recent(self, paths: list[str]) -> None:
        if paths:
            self._store.setValue("files/recent", list(paths))
        else:
            self._store.remove("files/recent")


def _unique(paths: list[str]) -> list[str]:
    seen, out = set(), []
    for p in paths:
        key = os.path.normcase(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
