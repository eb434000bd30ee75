"""`chainview render NET.json -o out.png`: the window as a picture, with no display needed.

    chainview render --step 8 --select 'Z1->A1' --theme dark --size 1280x720 -o win.png

The arguments are parsed by cli/__init__.py; render_cli builds the real window at the requested
size (never shown on screen), applies the step, selection, layout, example and theme, and
saves window.grab(). Bad input is one line on stderr and exit code 2.

Only what the first frame needs is imported (no sympy, jsonschema, QtSvg, training), so this
starts about as fast as an empty Qt window.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

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


def render_cli(args: argparse.Namespace) -> int:
    """`args`: what cli/__init__.py's `render` subparser parsed (every option there, with its default).
    Bad input: one line, exit 2. A NetError or a bug of ours goes to chainview.cli, which says it in one line too."""
    try:
        return _render(args)
    except RenderError as err:
        print(f"chainview: {err}", file=sys.stderr)
        return 2


def _quiet_qt_noise() -> None:
    """The offscreen platform warns 'does not support propagateSizeHints()' on every window: not news."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(kind, context, message):
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def _render(args: argparse.Namespace) -> int:
    size = parse_size(args.size)
    selection = parse_selection(args.select)
    output = args.output
    if not output:
        raise RenderError("-o OUT.png is required")
    if not output.lower().endswith(".png"):
        raise RenderError(f"-o must name a .png file (render writes PNG); got {output!r}")
    train_steps = args.train
    lr = args.lr
    if train_steps:
        from chainview.core.training import check_learning_rate
        if not 1 <= train_steps <= 1_000_000:
            raise RenderError(f"--train must be 1..1000000 steps; got {train_steps}")
        check_learning_rate(lr)          # NetError: one line, exit 2
        if not 1e-6 <= lr <= 100:
            raise RenderError(f"--lr must be between 1e-6 and 100 for --train; got {lr}")
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise RenderError(f"cannot write {output}: the folder {folder} does not exist")

    import networkx  # noqa: F401  the canvas needs it; loaded before Qt's allocations it costs ~13 MB less peak
    from chainview.core import Session
    from chainview.core.netfile import load_net
    from chainview.core.examples import example_path

    path = args.net or example_path("default")
    net = load_net(path)                 # NetError: one line, exit 2
    example = args.example
    if not 0 <= example < net.batch:
        raise RenderError(f"--example must be 0..{net.batch - 1} (the input has {net.batch} column(s)); got {example}")
    session = Session(net, layout=args.layout, example=example)
    n = len(session.steps)
    step = args.step
    if step is not None and not 0 <= step <= n:
        raise RenderError(f"--step must be 0..{n} (this net has {n} steps); got {step}")
    if selection is not None:
        from chainview.core.graph import edge_list, node_ids
        nodes = node_ids(net)
        edge = isinstance(selection, tuple)
        if (selection not in edge_list(net)) if edge else (selection not in nodes):
            what = "->".join(selection) if edge else selection
            raise RenderError(f"--select {what}: no such {'edge' if edge else 'node'} in this net "
                              f"(nodes: {', '.join(nodes)}; an edge is SRC->DST, e.g. Z1->A1)")
        session.select(selection)

    # the state first, so the window's first paint is the one saved
    session.jump(n if step is None else step)
    if args.check:
        from chainview.core.budget import CHECK_SECONDS, check_plan
        from chainview.core.gradcheck import check_gradients
        plan = check_plan(session.net, seconds=CHECK_SECONDS)   # a 2 MB net stays within seconds (issue 9)
        session.show_check(check_gradients(session.evaluation, example=session.example, limit=plan.limit))

    from .startup import ensure_app, headless_env
    headless_env()
    _quiet_qt_noise()
    from PySide6.QtCore import Qt
    from .app import create_main_window
    from .png import write_png
    from .settings import Settings

    app = ensure_app()
    window = create_main_window(session, Settings.ephemeral(), theme=args.theme,
                                font_scale=1.0, restore_geometry=False, editing=False,
                                first_run_hint=False)
    try:
        window.name = _name(path)
        window._update_title()
        window.setAttribute(Qt.WA_DontShowOnScreen, True)
        window.resize(*size)
        if train_steps:                  # the editor and training only when asked for (startup time)
            window.train_steps(train_steps, lr)
            if window.editing_tools.controller.is_running():
                raise RenderError(f"--train {train_steps} did not finish in time; ask for fewer steps")
        if args.edit:
            window.show_editor()
        if args.present:
            window.presenter.set_active(True)     # --present: presenter mode, the card in its corner
        window.setUpdatesEnabled(False)   # laid out but not painted: the grab is the one paint
        window.show()
        window.resize(*size)          # a window manager may not honour the size asked before show
        app.processEvents()
        if train_steps:                   # training replaced the net: back to the step asked for
            session.jump(len(session.steps) if step is None else min(step, len(session.steps)))
            app.processEvents()
        view = window.view
        view.animate = False                  # a picture has no time for a camera move
        if args.fit:
            view.follow = False
            window.fit_view()                 # --fit: the whole graph, as for a slide
        elif not view.frame_current(animate=False):
            window.fit_view()                 # step 0: nothing to follow yet
        window.statusBar().clearMessage()     # a passing message ("Trained 50 steps") is not the picture
        app.processEvents()
        window.setUpdatesEnabled(True)
        pixmap = window.grab()
        try:
            write_png(pixmap.toImage(), output)    # gui/png.py: twice as fast as Qt's PNG writer
        except OSError as err:
            raise RenderError(str(err)) from err
        print(f"wrote {output} ({pixmap.width()}x{pixmap.height()})")
        return 0
    finally:
        window.set_modified(False)    # a training run must not ask to save a picture's window
        window.close()
        window.deleteLater()
        app.processEvents()


def _name(path) -> str:
    from .window.main_window import display_name
    return display_name(path)

