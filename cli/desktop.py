"""`chainview install-desktop` / `uninstall-desktop`: the desktop entry, icons and MIME type
for the current user, following the freedesktop.org specifications (Linux and BSD desktops).

Everything goes under $XDG_DATA_HOME (default ~/.local/share), so no root is needed:

    applications/dev.chainview.chainview.desktop                  the launcher in the app menu
    icons/hicolor/<N>x<N>/apps/dev.chainview.chainview.png         the app icon, N = 16 ... 512
    icons/hicolor/scalable/apps/dev.chainview.chainview.svg
    icons/hicolor/<N>x<N>/mimetypes/application-x-chainview-net+json.png   a net file's icon
    icons/hicolor/scalable/mimetypes/application-x-chainview-net+json.svg
    mime/packages/dev.chainview.chainview.xml                      *.chainview.json is a net file

The entry's Exec= is rewritten to the absolute path of the `chainview` that ran the command,
so the menu starts the same installation (a venv, pipx, or a PyInstaller bundle). Afterwards
update-desktop-database and update-mime-database refresh their caches, and an existing GTK icon
cache is refreshed (none is created, as xdg-icon-resource does), each only if the tool exists.
Uninstall removes exactly the files above and refreshes the caches again.

Pure Python: no Qt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "dev.chainview.chainview"
MIME_TYPE = "application/x-chainview-net+json"
MIME_ICON = MIME_TYPE.replace("/", "-")          # the icon name a MIME type looks up by default
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# (source under assets/icons, hicolor context, installed icon name)
_ICON_SOURCES = (
    ("chainview.svg", "apps", APP_ID),
    ("chainview-file.svg", "mimetypes", MIME_ICON),
)

# Characters that force an Exec argument into double quotes (desktop entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


# --------------------------------------------------------------------------- where things go

def resolve_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The base folder: the argument, else $XDG_DATA_HOME if set to an absolute path, else
    ~/.local/share (XDG Base Directory spec: a relative value is invalid and is ignored)."""
    if data_home is not None:
        return Path(data_home).expanduser().absolute()
    env = os.environ.get("XDG_DATA_HOME", "")
    if env and os.path.isabs(env):
        return Path(env)
    return Path.home() / ".local" / "share"


def assets_dir() -> Path:
    import chainview.assets
    return Path(chainview.assets.__path__[0])


def desktop_path(base: Path) -> Path:
    return base / "applications" / f"{APP_ID}.desktop"


def mime_path(base: Path) -> Path:
    return base / "mime" / "packages" / f"{APP_ID}.xml"


def icon_plan(base: Path, assets: Path | None = None) -> list[tuple[Path, Path]]:
    """(source, destination) for every icon file."""
    icons = (assets or assets_dir()) / "icons"
    hicolor = base / "icons" / "hicolor"
    plan = []
    for svg, context, name in _ICON_SOURCES:
        for n in ICON_SIZES:
            size = f"{n}x{n}"
            plan.append((icons / "hicolor" / size / context / f"{name}.png", hicolor / size / context / f"{name}.png"))
        plan.append((icons / svg, hicolor / "scalable" / context / f"{name}.svg"))
    return plan


def installed_paths(base: Path) -> list[Path]:
    """Every file install() writes under `base`: exactly what uninstall() removes."""
    return [desktop_path(base), *(dst for _, dst in icon_plan(base)), mime_path(base)]


# --------------------------------------------------------------------------- the Exec line

def launcher_argv() -> list[str]:
    """The command that starts this chainview: the frozen bundle's binary, else the `chainview`
    script that is running (sys.argv[0]), else the first one on PATH, else `python -m`."""
    if getattr(sys, "frozen", False):                       # PyInstaller: sys.executable is the app
        return [os.path.abspath(sys.executable)]
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and Path(argv0).stem == "chainview" and os.path.isfile(argv0):
        return [os.path.abspath(argv0)]
    found = shutil.which("chainview")
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "chainview.cli"]


def _quote_arg(arg: str) -> str:
    """One Exec argument, quoted per the desktop entry spec (before the string escaping)."""
    if arg and not (_RESERVED & set(arg)):
        quoted = arg
    else:
        quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("%", "%%")                         # a literal % is written %%


def _escape_string(value: str) -> str:
    """The key file's escaping of a string value (applied after the quoting rule)."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r"))


def exec_value(argv: list[str]) -> str:
    """The Exec= value that runs `argv` on the file the user opened (%f)."""
    return _escape_string(" ".join(_quote_arg(a) for a in argv)) + " %f"


def desktop_entry_text(argv: list[str], template: str | None = None) -> str:
    """The shipped entry with Exec= (and TryExec=) pointing at `argv`."""
    if template is None:
        template = (assets_dir() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    out, group = [], None
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            group = stripped
        elif group == "[Desktop Entry]" and stripped.startswith("Exec="):
            line = "Exec=" + exec_value(argv)
        elif group == "[Desktop Entry]" and stripped.startswith("TryExec="):
            line = "TryExec=" + _escape_string(argv[0])
        out.append(line)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- install / uninstall

def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _run_tool(args: list[str]) -> None:
    """Run a cache tool if it exists; never fail, but say in one line what went wrong."""
    tool = shutil.which(args[0])
    if tool is None:
        print(f"note: {args[0]} not found; skipped it ({_WHY_TOOL[args[0]]})")
        return
    try:
        done = subprocess.run([tool, *args[1:]], stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as err:
        print(f"note: {args[0]} could not run: {err}")
        return
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()
        print(f"note: {args[0]} failed (exit {done.returncode})" + (f": {first[0]}" if first else ""))
    else:
        print(f"ran {args[0]} {args[-1]}")


_WHY_TOOL = {
    "update-desktop-database": "the menu still finds the entry; double-clicking a net file may need a new login",
    "update-mime-database": "package shared-mime-info; until it runs, *.chainview.json files are plain JSON",
}


def _refresh(base: Path) -> None:
    _run_tool(["update-desktop-database", "-q", str(base / "applications")])
    _run_tool(["update-mime-database", str(base / "mime")])
    hicolor = base / "icons" / "hicolor"
    if hicolor.is_dir():
        os.utime(hicolor)                    # a newer folder marks any GTK icon cache as stale
        if (hicolor / "icon-theme.cache").is_file():
            if shutil.which("gtk-update-icon-cache"):
                _run_tool(["gtk-update-icon-cache", "-q", "-f", "-t", str(hicolor)])
            else:
                print(f"note: gtk-update-icon-cache not found; {hicolor}/icon-theme.cache is now stale "
                      "(GTK ignores it because the folder is newer)")


def _unsupported() -> str | None:
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return ("install-desktop is for Linux and BSD desktops (freedesktop.org menus); "
                "see docs/desktop.md for Windows and macOS")
    return None


def install(data_home: str | os.PathLike | None = None) -> int:
    """Install the desktop entry, icons and MIME type for this user. Returns an exit code."""
    if (why := _unsupported()):
        print(f"chainview: {why}", file=sys.stderr)
        return 2
    base = resolve_data_home(data_home)
    assets = assets_dir()
    plan = icon_plan(base, assets)
    missing = [str(src) for src, _ in plan if not src.is_file()]
    for src in (assets / f"{APP_ID}.desktop", assets / f"{APP_ID}.xml"):
        if not src.is_file():
            missing.append(str(src))
    if missing:
        print(f"chainview: this installation lacks its desktop files ({len(missing)} missing, "
              f"e.g. {missing[0]}); reinstall chainview", file=sys.stderr)
        return 2
    argv = launcher_argv()
    try:
        text = desktop_entry_text(argv)
        text.encode("utf-8")
    except UnicodeEncodeError:
        print(f"chainview: the launcher's path {argv[0]!r} is not valid UTF-8, which a desktop entry "
              "needs; move chainview to another folder", file=sys.stderr)
        return 2

    entry = desktop_path(base)
    _write_atomic(entry, text.encode("utf-8"))
    print(f"desktop entry: {entry} (Exec={exec_value(argv)})")
    for src, dst in plan:
        _write_atomic(dst, src.read_bytes())
    print(f"icons: {len(plan)} files in {base / 'icons' / 'hicolor'} "
          f"({APP_ID} and {MIME_ICON}, {len(ICON_SIZES)} sizes + scalable)")
    mime = mime_path(base)
    _write_atomic(mime, (assets / f"{APP_ID}.xml").read_bytes())
    print(f"MIME type {MIME_TYPE} (*.chainview.json): {mime}")
    _refresh(base)
    print("installed chainview for this user; `chainview uninstall-desktop` removes it")
    return 0


def uninstall(data_home: str | os.PathLike | None = None) -> int:
    """Remove exactly what install() put under the data home; fine to run when not installed."""
    if (why := _unsupported()):
        print(f"chainview: {why}", file=sys.stderr)
        return 2
    base = resolve_data_home(data_home)
    entry, mime = desktop_path(base), mime_path(base)
    icons = [dst for _, dst in icon_plan(base)]
    groups = (("desktop entry", [entry], base / "applications"),
              ("icons", icons, base / "icons"),
              ("MIME type " + MIME_TYPE, [mime], base / "mime" / "packages"))
    removed_any = False
    for label, paths, root in groups:
        gone = [p for p in paths if _remove(p, root)]
        if gone:
            removed_any = True
            where = gone[0] if len(gone) == 1 else f"{len(gone)} files in {root / 'hicolor'}"
            print(f"removed {label}: {where}")
    if not removed_any:
        print(f"nothing to remove: chainview's desktop entry is not installed in {base}")
        return 0
    _refresh(base)
    print("uninstalled chainview's desktop entry, icons and MIME type for this user")
    return 0


def _remove(path: Path, root: Path) -> bool:
    """Delete `path` if it is there, then the folders it leaves empty, up to (not including) root."""
    if not (path.is_file() or path.is_symlink()):
        return False
    path.unlink()
    folder = path.parent
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()                   # only succeeds when empty
        except OSError:
            break
        folder = folder.parent
    return True
