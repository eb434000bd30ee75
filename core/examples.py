"""The example nets shipped in assets/examples, found wherever chainview is installed."""

from __future__ import annotations

from pathlib import Path

DEFAULT = "default"


def examples_dir() -> Path:
    import chainview.assets
    return Path(chainview.assets.__path__[0]) / "examples"


def example_paths() -> dict[str, Path]:
    """name -> path, default first, then alphabetical."""
    paths = {p.name.removesuffix(".chainview.json").removesuffix(".json"): p
             for p in sorted(examples_dir().glob("*.json"))}
    return dict(sorted(paths.items(), key=lambda kv: (kv[0] != DEFAULT, kv[0])))


def example_path(name: str = DEFAULT) -> Path:
    paths = example_paths()
    if name not in paths:
        from .errors import NetError
        raise NetError(f"no example called {name!r}; there are: {', '.join(paths)}")
    return paths[name]
