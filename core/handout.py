"""A handout of every step, for posting after office hours: HTML, Markdown or LaTeX, chosen by the suffix.

    write_handout(session, "net.html", pictures=[png_bytes], digits=4, predict=False) -> [paths written]

Contents, in this order: the net (layers, activations, loss, X, Y, W, W0); the graph picture;
every step (equation, shape algebra, the numbers of every operand and of the result, a TA's
note); every edge's Jacobian (dims in symbols and numbers, the one-line reason for its form);
the gradient check. `predict=True` makes a worksheet: results left blank, answers at the end.

Pure Python: the picture (PNG bytes) is made by the caller (gui/teaching/handout_picture.py).
This module collects the content (core.handout_data's plain classes) and picks the writer by the
suffix (core.handout_html, core.handout_text: they read the data and never this module).
Matrices past 12 x 12 show their corners with ⋯ and the whole matrix goes to a CSV beside the
handout. Every file is written to a temporary name first and renamed into place, so a failure
leaves nothing half-written (NetError "cannot write ...": one line, exit 2 on the command line).
"""

from __future__ import annotations

import os
import tempfile
import numpy as np

from .errors import NetError
from .graph import edge_list, node_ids
from .handout_data import (  # noqa: F401  (BIG, MAX_DIGITS, number_text: re-exported)
    BIG, DEFAULT_DIGITS, MAX_DIGITS, EdgeBlock, Handout, Matrix, StepBlock, number_text,
)
from .symbols import dims_text, node_symbol, pretty, split_id

FORMATS = (".html", ".md", ".tex")


def operand_array(session, op) -> np.ndarray:
    """The numbers of a step's operand at the shape the step uses (a batch's column for a per-example shape)."""
    ev = session.evaluation
    if op.kind == "jacobian":
        arr = session.jacobian(*op.ref).dense()
    else:
        arr = (ev.grads if op.kind == "grad" else ev.values)[op.ref]
    arr = np.atleast_2d(np.asarray(arr, dtype=float))
    if op.transposed:
        arr = arr.T
    return fit(arr, op.shape, session.example)


def fit(arr: np.ndarray, shape, k: int) -> np.ndarray:
    shape = tuple(shape)
    if arr.shape == shape:
        return arr
    if shape[1] == 1 and arr.shape[0] == shape[0] and k < arr.shape[1]:
        return arr[:, k:k + 1]
    if shape[0] == 1 and arr.shape[1] == shape[1] and k < arr.shape[0]:
        return arr[k:k + 1, :]
    return arr


def collect(session, digits: int = DEFAULT_DIGITS, notes: dict | None = None, predict: bool = False) -> Handout:
    """Everything the handout shows, as plain data (the writers only lay it out)."""
    from .gradcheck import check_gradients
    from .predict import explain
    net, ev = session.net, session.evaluation
    digits = max(1, min(MAX_DIGITS, int(digits)))
    notes = dict(notes if notes is not None else getattr(net, "notes", ()) or ())
    M = lambda ref, title, a: Matrix(ref, title, np.atleast_2d(np.asarray(a, dtype=float)), digits)
    layers = [(str(l), f"{net.m(l)} → {net.n(l)}", net.layers[l - 1].activation.name,
               net.layers[l - 1].activation.formula) for l in range(1, net.L + 1)]
    givens = [M("given-X", "X = A^0", net.X), M("given-Y", "Y", net.Y)]
    givens += [M(f"given-{n}", node_symbol(n), ev.values[n])      # a tied layer has no W of its own
               for n in node_ids(net) if split_id(n)[0] in ("W", "W0")]
    steps = []
    for s in session.steps:
        ops = [M(f"step-{s.index}-op{k}", o.name, operand_array(session, o)) for k, o in enumerate(s.operands)]
        value = np.atleast_2d(np.asarray(s.value, dtype=float))
        shown = fit(value, s.result_shape, session.example)
        numerator_w = s.phase == "backward" and session.layout == "numerator" and split_id(s.node)[0] == "W"
        title = f"({s.title})^T" if numerator_w else s.title
        full = M(f"step-{s.index}-value", title, value) if shown.shape != value.shape else None
        result = M(f"step-{s.index}-result" if full is not None else f"step-{s.index}-value", title, shown)
        kind, l = split_id(s.node)
        arrow = (f"f^{l}" if s.phase == "forward" and kind == "A" else
                 "->" if any(j.strip() == "," for j in s.joiners) else "=")
        steps.append(StepBlock(s.index, s.phase, title, s.equation, s.shapes, s.note, ops, s.joiners, result, full,
                               explain(s, session.layout), str(notes.get(s.index, notes.get(str(s.index), ""))),
                               arrow))
    edges = []
    for u, v in edge_list(net):
        J = session.jacobian(u, v)
        name = f"d{node_symbol(v)}/d{node_symbol(u)}"
        edges.append(EdgeBlock(u, v, name, J.symbol, dims_text(J.dims, J.shape), J.kind, J.explanation,
                               M(f"edge-{u}-{v}", name, J.dense())))
    report = check_gradients(ev, example=session.example)
    rows = [(f"dL/d{node_symbol(n)}", r.ok, f"{r.max_error:.1e}", r.note) for n, r in report.nodes.items()]
    rows += [(f"d{node_symbol(v)}/d{node_symbol(u)}", r.ok, f"{r.max_error:.1e}", r.note)
             for (u, v), r in report.edges.items()]
    loss = float(ev.loss)
    return Handout(net.name or "net", net.description, session.layout, session.example, net.batch, digits, predict,
                   layers, (net.loss.name, net.loss.formula), givens, steps, edges, report.ok, rows,
                   number_text(loss, digits), [pretty(p) for p in ev.problems.values()])


# ---------------------------------------------------------------- writing, all or nothing

def check_output(path) -> str:
    """The output path, checked before anything is computed: a known suffix, an existing folder."""
    where = os.fspath(path)
    suffix = os.path.splitext(where)[1].lower()
    if suffix not in FORMATS:
        raise NetError(f"-o must end in .html, .md or .tex (the handout's format comes from it); got {where!r}")
    folder = os.path.dirname(os.path.abspath(where))
    if os.path.isdir(where):
        raise NetError(f"cannot write {where}: it is a folder")
    if not os.path.isdir(folder):
        raise NetError(f"cannot write {where}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise NetError(f"cannot write {where}: the folder {folder} is not writable")
    return suffix


def write_handout(session, path, *, pictures: list[bytes] = (), digits: int = DEFAULT_DIGITS, predict: bool = False,
                  notes: dict | None = None) -> list[str]:
    """Write the handout (and its PNG / CSV files beside it); returns the paths written, the handout first."""
    where = os.fspath(path)
    suffix = check_output(where)
    data = collect(session, digits, notes, predict)
    stem = os.path.basename(where)[: -len(suffix)]
    side: dict[str, bytes] = {}
    for m in _all_matrices(data):
        if m.big:
            side[f"{stem}-{m.ref}.csv"] = m.csv().encode("utf-8")
    if suffix == ".html":
        from .handout_html import html_handout
        text = html_handout(data, pictures, {m.ref: f"{stem}-{m.ref}.csv" for m in _all_matrices(data) if m.big})
    else:
        from .handout_text import markdown_handout, tex_handout
        names = [f"{stem}-graph.png" if len(pictures) == 1 else f"{stem}-graph-{k + 1}.png"
                 for k in range(len(pictures))]
        side.update(zip(names, pictures))
        csvs = {m.ref: f"{stem}-{m.ref}.csv" for m in _all_matrices(data) if m.big}
        text = (markdown_handout if suffix == ".md" else tex_handout)(data, names, csvs)
    folder = os.path.dirname(os.path.abspath(where))
    files = [(os.path.join(folder, name), blob) for name, blob in side.items()]
    files.append((os.path.abspath(where), text.encode("utf-8")))
    _write_all(files, where)
    return [where] + [os.path.join(os.path.dirname(where), name) for name in side]


def _all_matrices(data: Handout):
    yield from data.givens
    for s in data.steps:
        yield from s.operands
        yield s.result
        if s.full is not None:
            yield s.full
    for e in data.edges:
        yield e.matrix


def _write_all(files: list[tuple[str, bytes]], shown: str) -> None:
    """Every file to a temporary name in its folder, then each renamed into place; on any failure the
    temporary files are removed and nothing of this handout is left (an old handout stays as it was)."""
    temps, placed = [], []
    try:
        for target, blob in files:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix="." + os.path.basename(target) + ".",
                                       suffix=".tmp")
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, target in list(temps):
            existed = os.path.exists(target)
            os.replace(tmp, target)
            temps.remove((tmp, target))
            if not existed:
                placed.append(target)
        placed = []
    except OSError as err:
        raise NetError(f"cannot write {shown}: {err.strerror or err}") from err
    finally:
        for target in placed:           # a later file failed: take back the new ones already in place
            try:
                os.unlink(target)
            except OSError:
                pass
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    from .netfile import _umask as umask
    return umask()
