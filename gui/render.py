"""`chainview render NET.json -o out.png`: the window as a picture, with no display needed.

    chainview render --step 8 --select Z1->A1 --theme dark --size 1280x720 -o win.png

The arguments are parsed by core/cli.py; render_cli builds the real window at the requested
size (never shown on screen), applies the step, selection, layout, example and theme, and
saves window.grab(). Bad input is one line on stderr and exit code 2.

Only what the first frame needs is imported (no sympy, jsonschema, QtSvg, training), so this
starts about as fast as an empty Qt window.
"""

from __future__ import annotations

import os
import re
import sys

MIN_SIDE, MAX_SIDE = 200, 8192
_SIZE = re.compile(r"^\s*(\d+)\s*[xX×*]\s*(\d+)\s*$")
_EDGE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(?:->|→|,|:)\s*([A-Za-z0-9_]+)\s*$")


class RenderError(Exception):
    """Bad input for `render`: one line for stderr, exit 2."""


def parse_size(text: str) -> tuple[int, int]:
    m = _SIZE.match(text or "")
    if not m:
        raise RenderError(f"--size must be WIDTHxHEIGHT in pixels, e.g. 1600x900; got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise RenderError(f"--size must be between {MIN_SIDE} and {MAX_SIDE} pixels a side; got {w}x{h}")
    return w, h


def parse_selection(text: str | None):
    """'Z1' -> 'Z1', 'Z1->A1' -> ('Z1', 'A1'), None/'' -> None (validated against the net later)."""
    if text is None or not text.strip():
        return None
    m = _EDGE.match(text)
    if m:
        return m.group(1), m.group(2)
    if re.fullmatch(r"\s*[A-Za-z0-9_]+\s*", text):
        return text.strip()
    raise RenderError(f"--select must be a node like Z1 or an edge like Z1->A1; got {text!r}")


def _headless_env() -> None:
    """No display (CI, ssh): Qt's offscreen platform. A person's choice of QT_QPA_PLATFORM wins."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def render_cli(args) -> int:
    try:
        return _render(args)
    except RenderError as err:
        print(f"chainview: {err}", file=sys.stderr)
        return 2
    except Exception as err:       # never a traceback: one line, exit 2 (CHAINVIEW_DEBUG=1 shows it)
        if os.environ.get("CHAINVIEW_DEBUG"):
            import traceback
            traceback.print_exc()
        from chainview.core.errors import NetError
        message = err.message if isinstance(err, NetError) else (" ".join(str(err).split()) or type(err).__name__)
        print(f"chainview: {message}", file=sys.stderr)
        return 2


def _render(args) -> int:
    size = parse_size(getattr(args, "size", "1600x900"))
    selection = parse_selection(getattr(args, "select", None))
    output = getattr(args, "output", None)
    if not output:
        raise RenderError("-o OUT.png is required")
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise RenderError(f"cannot write {output}: the folder {folder} does not exist")

    from chainview.core import Session
    from chainview.core.netfile import load_net
    from chainview.core.examples import example_path

    path = args.net if getattr(args, "net", None) else example_path("default")
    net = load_net(path)                 # NetError: one line, exit 2
    example = getattr(args, "example", 0) or 0
    if not 0 <= example < net.batch:
        raise RenderError(f"--example must be 0..{net.batch - 1} (the input has {net.batch} column(s)); got {example}")
    session = Session(net, layout=getattr(args, "layout", "denominator") or "denominator", example=example)
    n = len(session.steps)
    step = getattr(args, "step", None)
    if step is not None and not 0 <= step <= n:
        raise RenderError(f"--step must be 0..{n} (this net has {n} steps); got {step}")
    if selection is not None:
        from chainview.core.engine import node_ids
        from chainview.core.graph import edge_list
        nodes = node_ids(net.L)
        edge = isinstance(selection, tuple)
        if (selection not in edge_list(net.L)) if edge else (selection not in nodes):
            what = "->".join(selection) if edge else selection
            raise RenderError(f"--select {what}: no such {'edge' if edge else 'node'} in this net "
                              f"(nodes: {', '.join(nodes)}; an edge is SRC->DST, e.g. Z1->A1)")
        session.select(selection)

    # the state first, so the window's first paint is the one saved
    session.jump(n if step is None else step)
    if getattr(args, "check", False):
        session.run_check()

    _headless_env()
    from PySide6.QtCore import Qt
    from .app import create_main_window, ensure_app
    from .settings import Settings

    app = ensure_app()
    window = create_main_window(session, Settings.ephemeral(), theme=getattr(args, "theme", "light") or "light",
                                font_scale=1.0, restore_geometry=False, editing=False,
                                first_run_hint=False)
    try:
        window.name = _name(path)
        window._update_title()
        window.setAttribute(Qt.WA_DontShowOnScreen, True)
        window.resize(*size)
        if getattr(args, "train", 0) or getattr(args, "edit", False):
            window.install_editing_tools()      # the editor and training only when asked for (startup time)
        if getattr(args, "train", 0):
            _hook(window, ("train_steps", "train"), "--train", args.train, getattr(args, "lr", 0.005))
        if getattr(args, "edit", False):
            _hook(window, ("show_editor",), "--edit")
        window.setUpdatesEnabled(False)   # laid out but not painted: the grab is the one paint
        window.show()
        window.resize(*size)          # a window manager may not honour the size asked before show
        app.processEvents()
        if getattr(args, "train", 0):     # training replaced the net: back to the step asked for
            session.jump(len(session.steps) if step is None else min(step, len(session.steps)))
            app.processEvents()
        window.fit_view()
        window.statusBar().clearMessage()     # a passing message ("Trained 50 steps") is not the picture
        app.processEvents()
        window.setUpdatesEnabled(True)
        pixmap = window.grab()
        if not pixmap.save(output, "PNG", 70):     # lossless; a little less squeezed, much faster
            raise RenderError(f"cannot write {output}: is the folder writable?")
        print(f"wrote {output} ({pixmap.width()}x{pixmap.height()})")
        return 0
    finally:
        window.set_modified(False)    # a training run must not ask to save a picture's window
        window.close()
        window.deleteLater()
        app.processEvents()


def _name(path) -> str:
    from .main_window import display_name
    return display_name(path)


def _hook(window, names, option: str, *args) -> None:
    """--edit / --train call what the editor and training modules add to the window, when they have."""
    for name in names:
        fn = getattr(window, name, None)
        if callable(fn):
            fn(*args)
            return
    print(f"chainview: {option} is not available in this build; rendering without it", file=sys.stderr)
