"""A tiny Qt-free signal, so the model can tell views what changed (napari's EmitterGroup, in little)."""

from __future__ import annotations

from typing import Callable


class Signal:
    """Callbacks connected to one kind of change; `emit` calls them in connection order."""

    def __init__(self) -> None:
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> Callable:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):
            callback(*args)
