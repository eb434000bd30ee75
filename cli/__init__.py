"""The `chainview` command: open the app, or trace / check / train / render a net file.

The entry package: it depends on both chainview.core (the engine) and chainview.gui (the app,
`render`, handout pictures); core never imports it.

Exit codes: 0 fine, 1 gradient check failed, 2 bad input, 3 a bug of ours (always one line on stderr,
never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from chainview.gui.startup import collector_paused, started_as_command   # Qt-free; what each buys is said there

with collector_paused(freeze=started_as_command()):
    from chainview.core.errors import NetError        # the engine: numpy and every core module

# Every command, in one place: main() tells a command from a net file by this list, and a typo
# is matched against it ("did you mean 'trace'?"). A new command adds its name here and a parser below.
COMMANDS = (
    "trace",
    "check",
    "train",
    "render",
    "install-desktop",
    "uninstall-desktop",
    "compare",
)


def _load(path: str):
    from chainview.core.netfile import load_net
    return load_net(path)


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line. With `only`, just that command's subparser: a run needs one, and building
    argparse's parsers for all of them took ~10 ms of `chainview render`'s start-up."""
    want = lambda name: only is None or only == name
    p = argparse.ArgumentParser(prog="chainview", description=(
        "Step through backpropagation one node at a time (MIT 6.390 conventions). "
        "With no command, opens the app on NET.json or on the default example."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    if want("trace"):
        t = sub.add_parser("trace", help="print every step's equation, shapes and numbers")
        t.add_argument("net", metavar="NET.json")
        t.add_argument("--layout", choices=("denominator", "numerator"), default="denominator")
        t.add_argument("--example", type=int, default=0, metavar="K", help="batch column the Jacobians show (default 0)")
        t.add_argument("--json", action="store_true", help="machine-readable output (documented in the README)")

    if want("check"):
        c = sub.add_parser("check", help="validate and gradient-check: exit 0 fine, 1 check failed, 2 bad file")
        c.add_argument("net", metavar="NET.json")
        c.add_argument("--example", type=int, default=0, metavar="K")

    if want("train"):
        r = sub.add_parser("train", help="N steps of SGD on the whole batch; writes the trained net")
        r.add_argument("net", metavar="NET.json")
        r.add_argument("--lr", type=float, default=0.005, metavar="ETA", help="learning rate η (default 0.005)")
        r.add_argument("--steps", type=int, default=100, metavar="N", help="SGD steps on the whole batch (default 100)")
        r.add_argument("-o", "--output", metavar="OUT.json", help="where to write the trained net (default: print the loss only)")

    if want("render"):
        g = sub.add_parser("render", help="render the window to a PNG with no display (for slides and tests)")
        g.add_argument("net", metavar="NET.json", nargs="?", help="default: the default example")
        g.add_argument("--step", type=int, default=None, metavar="K", help="after K steps (default: all)")
        g.add_argument("--select", metavar="NODE|SRC->DST", help="e.g. Z1 or Z1->A1")
        g.add_argument("--theme", choices=("light", "dark"), default="light")
        g.add_argument("--size", default="1600x900", metavar="WxH")
        g.add_argument("--layout", choices=("denominator", "numerator"), default="denominator")
        g.add_argument("--example", type=int, default=0, metavar="K")
        g.add_argument("--edit", action="store_true", help="show the net editor")
        g.add_argument("--train", type=int, default=0, metavar="N", help="train N SGD steps first (shows the loss plot)")
        g.add_argument("--lr", type=float, default=0.005)
        g.add_argument("--check", action="store_true", help="run the gradient check first (shows ✓/✗ marks)")
        g.add_argument("--present", action="store_true", help="presenter mode: the graph fills the window, the step as a card")
        g.add_argument("--fit", action="store_true", help="the whole graph fitted, instead of following the step")
        g.add_argument("-o", "--output", required=True, metavar="OUT.png")

    if want("compare"):
        _compare_parser(sub)
    for name in ("install-desktop", "uninstall-desktop"):
        if want(name):
            sub.add_parser(name, help=f"{name.split('-')[0]} the desktop entry, icons and MIME type for this user")
    if want("handout"):
        _handout_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    as_process = argv is None  # the console script, not a caller in the same process
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and any(a == "--modules" or a.startswith("--modules=") for a in argv):
        rest, modules = _take_modules(argv)          # `chainview [NET.json] --modules hw.py`: the app, comparing
        if not modules:
            print("chainview: --modules needs your Python file, e.g. chainview NET.json --modules hw.py", file=sys.stderr)
            return 2
        rest, lr = _take_option(rest, "--lr")         # [--lr 0.01]: also check their sgd_step
        return _open_app_comparing(rest[0] if rest else None, modules, lr)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        if argv and not os.path.lexists(argv[0]):
            return _not_a_file_nor_a_command(argv[0])
        if argv and not os.path.isfile(argv[0]):       # a named pipe, a device, a folder: never a window
            return _not_a_regular_file(argv[0])
        return _open_app(argv[0] if argv else None)
    try:
        args = _parser(only=argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not (as_process and args.command in ONE_SHOT):
        return _run_safely(args)
    from chainview.gui.startup import collector_paused, end_process   # see there for what each buys
    with collector_paused():            # never back on: the process ends inside (a last collection costs ~5 ms)
        end_process(_run_safely(args))


def _run_safely(args) -> int:
    try:
        return _run(args)
    except NetError as err:
        print(f"chainview: {err.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("chainview: interrupted", file=sys.stderr)
        return 130
    except OSError as err:
        print(f"chainview: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except Exception as err:  # a bug of ours: still one line, never a traceback
        print(f"chainview: internal error ({type(err).__name__}: {' '.join(str(err).split())}); "
              f"please report it with the command you ran", file=sys.stderr)
        return 3


def _not_a_file_nor_a_command(word: str) -> int:
    """`chainview trcae net.json` or a path that is not there: one line and exit 2, never a window
    (with no display a window never ends). Started from the desktop launcher, with no terminal to
    print to, the same line is shown in a dialog."""
    import difflib
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    if close:
        message = f"'{word}' is neither a net file nor a command; did you mean '{close[0]}'?"
    elif os.sep in word or "." in word or (os.altsep and os.altsep in word):
        message = f"no such file: {word} (nothing is there; check the path)"
    else:
        message = f"'{word}' is neither a net file nor a command (commands: {', '.join(COMMANDS)})"
    print(f"chainview: {message}", file=sys.stderr)
    if _app_without_terminal():
        _dialog(message)
    return 2


def _not_a_regular_file(path: str) -> int:
    try:
        _load(path)
        message = f"{path} is not a regular file"
    except NetError as err:
        message = err.message
    print(f"chainview: {message}", file=sys.stderr)
    if _app_without_terminal():
        _dialog(message)
    return 2


def _app_without_terminal() -> bool:
    """Started from a desktop launcher: no terminal to read stderr, and a display to show a dialog on."""
    if any(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stderr)):
        return False
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def _dialog(message: str) -> None:
    try:
        from chainview.gui.startup import ensure_app
        from PySide6.QtWidgets import QMessageBox
        ensure_app(sys.argv[:1])
        QMessageBox.warning(None, "chainview", message)
    except Exception:            # no Qt, no display: the line on stderr is all we can do
        pass


def _open_app(path: str | None) -> int:
    if path is not None:
        try:
            _load(path)
        except NetError as err:
            # said on the terminal too; the app still opens (a double-clicked file has no terminal):
            # it shows the same message in a dialog and opens the default example instead
            print(f"chainview: {err.message}", file=sys.stderr)
    try:
        from chainview.gui.app import run_app
    except ImportError as err:
        print(f"chainview: the app cannot start ({err}); `chainview trace NET.json` works without it",
              file=sys.stderr)
        return 2
    return run_app(path)


def _session(args, layout: str = "denominator"):
    """The session of `args.net` at `args.example` (trace, check, handout); check has no --layout."""
    from chainview.core.session import Session
    net = _load(args.net)
    if not 0 <= args.example < net.batch:
        raise NetError(f"--example must be 0..{net.batch - 1} (the input has {net.batch} column(s)); got {args.example}")
    return Session(net, layout=layout, example=args.example)


def _run(args) -> int:
    if args.command == "trace":
        from chainview.core.trace import format_trace, trace_dict
        s = _session(args, args.layout)
        import json
        print(json.dumps(trace_dict(s)) if args.json else format_trace(s))
        return 0
    if args.command == "check":
        return _check(args)
    if args.command == "train":
        return _train(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "render":
        from chainview.gui.render import render_cli
        return render_cli(args)
    if args.command == "handout":
        return _handout(args)
    from . import desktop
    return desktop.install() if args.command == "install-desktop" else desktop.uninstall()


def _check(args) -> int:
    from chainview.core.gradcheck import check_gradients
    from chainview.core.symbols import node_symbol, pretty
    s = _session(args)
    from chainview.core.budget import CHECK_SECONDS, check_plan
    plan = check_plan(s.net, seconds=CHECK_SECONDS)      # a net of a 2 MB file stays within seconds
    report = check_gradients(s.evaluation, example=args.example, limit=plan.limit)
    for problem in s.evaluation.problems.values():
        print(f"warning: {problem}")
    if plan.sampled and not report.unchecked:
        print(f"note: {plan.why}; checking {plan.limit} random entr{'y' if plan.limit == 1 else 'ies'} of each instead")
    if report.unchecked:
        print(report.unchecked)
        return 1
    sym = lambda node: pretty(node_symbol(node))
    # dL/dA^L is both a node gradient and the Jacobian of the edge A^L -> L: each line says which it is
    rows = [(f"dL/d{sym(n)}", "node gradient", r) for n, r in report.nodes.items()]
    rows += [(f"d{sym(v)}/d{sym(u)}", f"edge {sym(u)} → {sym(v)}", r) for (u, v), r in report.edges.items()]
    width = max(len(name) for name, _, _ in rows)
    kind_width = max(len(kind) for _, kind, _ in rows)
    notes = list(dict.fromkeys(r.note for _, _, r in rows if r.note))   # each explanation once, numbered
    for name, kind, r in rows:
        mark = f"  (see note {notes.index(r.note) + 1})" if r.note else ""
        print(f"{'✓' if r.ok else '✗'} {name:<{width}}  {kind:<{kind_width}}  max rel error {r.max_error:.2e}{mark}")
    for k, note in enumerate(notes, start=1):
        print(f"note {k}: {pretty(note)}")
    bad_nodes = sum(not r.ok for r in report.nodes.values())
    bad_edges = sum(not r.ok for r in report.edges.values())
    if report.ok:
        print(f"gradient check passed: all {len(report.nodes)} node gradients and "
              f"{len(report.edges)} edge Jacobians agree with finite differences")
    else:
        print(f"gradient check FAILED: {bad_nodes} of {len(report.nodes)} node gradients and "
              f"{bad_edges} of {len(report.edges)} edge Jacobians disagree with finite differences")
    return 0 if report.ok else 1


COMMANDS += ("handout",)
ONE_SHOT = ("render", "handout")     # commands that start Qt, write their files and end: no teardown


def _handout_parser(sub) -> None:
    h = sub.add_parser("handout", help="a handout of every step for students: .html, .md or .tex (by the suffix)")
    h.add_argument("net", metavar="NET.json")
    h.add_argument("--layout", choices=("denominator", "numerator"), default="denominator")
    h.add_argument("--example", type=int, default=0, metavar="K", help="batch column the Jacobians show (default 0)")
    h.add_argument("--digits", type=int, default=4, metavar="N", help="significant digits (default 4, as the app)")
    h.add_argument("--predict", action="store_true", help="a worksheet: results left blank, answers at the end")
    h.add_argument("-o", "--output", required=True, metavar="OUT.html|OUT.md|OUT.tex")


def _handout(args) -> int:
    from chainview.core.handout import MAX_DIGITS, check_output, write_handout
    check_output(args.output)                     # before any work: a bad path is one line, exit 2
    if not 1 <= args.digits <= MAX_DIGITS:
        raise NetError(f"--digits must be 1..{MAX_DIGITS}; got {args.digits}")
    s = _session(args, args.layout)
    if not args.predict:                          # the picture shows every value and gradient
        s.run_to_end()                            # (a worksheet's shows none: they are the questions)
    from chainview.gui.teaching.handout_picture import graph_pictures   # Qt, only for the picture
    written = write_handout(s, args.output, pictures=graph_pictures(s), digits=args.digits, predict=args.predict)
    print(f"wrote {written[0]}" + (f" (and {len(written) - 1} file(s) beside it)" if len(written) > 1 else ""))
    return 0


def _train(args) -> int:
    from chainview.core.netfile import save_net
    from chainview.core.training import train
    net = _load(args.net)
    start = time.monotonic()
    every = max(1, args.steps // 20)
    show_bar = sys.stderr.isatty()

    def on_step(i, loss):
        # core.train reports step i with the loss it started from: the loss after i - 1 steps
        if i % every == 0 or i == args.steps:
            if show_bar and time.monotonic() - start > 0.5:
                done = int(30 * i / args.steps)
                print(f"\r[{'#' * done}{'.' * (30 - done)}] step {i}/{args.steps}  loss {loss:.6g}",
                      end="", file=sys.stderr, flush=True)
            elif not show_bar:
                print(f"step {i:>6}  loss before it {loss:.6g}")

    result = train(net, args.lr, args.steps, on_step=on_step)
    if show_bar:
        print(file=sys.stderr)
    done = len(result.losses) - 1
    print(f"loss {result.losses[0]:.6g} -> {result.losses[-1]:.6g} after {done} step(s) at lr {args.lr}")
    if result.stopped:
        written = "; nothing written" if args.output else ""
        raise NetError(f"training stopped after {done} of {args.steps} step(s): {result.stopped}{written}")
    if args.output:
        save_net(result.net, args.output)
        print(f"wrote {args.output}")
    return 0


def _compare_parser(sub) -> None:
    m = sub.add_parser("compare", help="run your own backprop code beside chainview's: exit 0 agrees, 1 differs, 2 cannot run")
    m.add_argument("net", metavar="NET.json")
    src = m.add_mutually_exclusive_group(required=True)
    src.add_argument("--modules", metavar="FILE.py", help="your Linear, Tanh, ..., NLL classes (docs/compare.md)")
    src.add_argument("--values", metavar="MINE.npz", help="your arrays Z1, A1, L, dZ1, dW1, dW0_1, ... (.npz or .json)")
    m.add_argument("--lr", type=float, default=None, metavar="ETA", help="also check your sgd_step with this learning rate")
    m.add_argument("--json", action="store_true", help="machine-readable output (docs/compare.md)")
    m.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="time limit for your code (default 10)")


def _compare(args) -> int:
    from chainview.core.compare import compare_modules, format_report
    from chainview.core.compare_values import compare_values
    net = _load(args.net)
    if args.values is not None:
        report = compare_values(net, args.values)
    else:
        report = compare_modules(net, args.modules, lr=args.lr, timeout=args.timeout)
    import json
    print(json.dumps(report.to_dict()) if args.json else format_report(report, os.path.basename(args.net)))
    return 0 if report.agree else 1


def _take_modules(argv: list[str]) -> tuple[list[str], str | None]:
    """`chainview NET.json --modules FILE.py`: the app, comparing with FILE.py; argv without the option."""
    return _take_option(argv, "--modules")


def _take_option(argv: list[str], name: str) -> tuple[list[str], str | None]:
    """argv without `name VALUE` / `name=VALUE`, and VALUE (None: not given; "": given without a value)."""
    rest, value, items = [], None, iter(argv)
    for arg in items:
        if arg == name:
            value = next(items, "")
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, value


def _open_app_comparing(path: str | None, modules: str, lr: str | None = None) -> int:
    if lr is not None:
        from chainview.core.training import check_learning_rate
        try:
            check_learning_rate(float(lr))
        except (ValueError, NetError):
            print(f"chainview: --lr must be a positive number, e.g. --lr 0.01; got {lr!r}", file=sys.stderr)
            return 2
        os.environ["CHAINVIEW_COMPARE_LR"] = lr                          # read once by the window, as is:
    os.environ["CHAINVIEW_COMPARE_MODULES"] = os.path.abspath(modules)  # (gui/compare/tools.py)
    return _open_app(path)

