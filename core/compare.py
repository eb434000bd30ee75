"""Put a person's own backprop beside chainview's and find the first number that is wrong, and how.

Two sources of "theirs": a Python file of 6.390-homework modules (Linear, Tanh, ..., NLL; run in a
child process, see compare_runner) or a file of arrays (--values: .npz or .json, named Z1, A1, L,
dZ1, dA1, dW1, dW0_1, ...). Both give a CompareReport: one row per step of the schedule (forward,
backward, and with a learning rate the SGD update), the first difference with its diagnosis
(compare_diagnose), and the softmax + NLL convention the file follows. --values files are read by
compare_values.py. The docs: docs/compare.md.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from .compare_diagnose import Context, diagnose, title
from .engine import Evaluation, evaluate
from .errors import NetError
from .graph import node_ids, schedule
from .net import Net
from .nodes import LOSS, TARGET, a_id, w0_id, w_id, z_id
from .symbols import split_id
from .trace import jsonable

ACTIVATION_CLASSES = {"identity": "Identity", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
                      "softmax": "SoftMax"}
LOSS_CLASSES = {"squared": "SquaredLoss", "half_squared": "HalfSquaredLoss", "nll": "NLL", "nllm": "NLL"}
KINDS = ("shape", "transposed", "scaled", "batch_sum", "values", "nonfinite", "exception", "timeout")


class CompareError(NetError):
    """chainview cannot run the comparison (exit 2): a missing file or class, an activation with no class."""


@dataclass
class Row:
    """One step of the comparison: status ok | differs | not_checked, and for a difference its diagnosis."""
    node: str | None
    phase: str
    status: str
    kind: str | None = None
    message: str = ""
    yours: np.ndarray | None = None
    expected: np.ndarray | None = None
    source: str = ""          # for an exception: their source line

    @property
    def title(self) -> str:
        return "loading the file" if self.node is None else title(self.phase, self.node)

    def to_dict(self) -> dict:
        return {"node": self.node, "phase": self.phase, "status": self.status}

    def first_dict(self) -> dict:
        return {"node": self.node, "phase": self.phase, "kind": self.kind, "message": self.message,
                "yours": jsonable(self.yours), "expected": jsonable(self.expected)}


@dataclass
class CompareReport:
    source: str                              # their file
    rows: list[Row]
    convention: str | None = None            # fused | unfused | None (no softmax + NLL)
    load_error: Row | None = None
    stopped: bool = False
    output: str = ""                         # the tail of what their code printed

    @property
    def first(self) -> Row | None:
        if self.load_error is not None:
            return self.load_error
        return next((r for r in self.rows if r.status == "differs"), None)

    @property
    def agree(self) -> bool:
        return self.first is None and not self.stopped

    def row(self, phase: str, node: str) -> Row | None:
        return next((r for r in self.rows if r.phase == phase and r.node == node), None)

    def to_dict(self) -> dict:
        """The documented `chainview compare --json` object."""
        first = self.first
        return {"agree": self.agree, "convention": self.convention,
                "first": first.first_dict() if first is not None else None,
                "results": [r.to_dict() for r in self.rows]}


def template_path():
    """The shipped module file with the API and NotImplementedError bodies (assets/templates)."""
    from pathlib import Path
    import chainview.assets
    return Path(chainview.assets.__path__[0]) / "templates" / "modules_template.py"


# ---- what is compared, and the correct numbers

def order(net: Net, lr: float | None) -> list[tuple[str, str]]:
    """(phase, node) in the order a person meets them: the schedule, then the update of every W and W0 node."""
    rows = list(schedule(net))
    if lr is not None:
        rows += [("update", n) for n in node_ids(net) if split_id(n)[0] in ("W", "W0")]
    return rows


def expected_arrays(ev: Evaluation, lr: float | None = None) -> dict:
    """(phase, node) -> chainview's number; an update's is the step −lr · dL/dW."""
    out = {}
    for phase, node in order(ev.net, lr):
        if phase == "forward":
            out[(phase, node)] = ev.values[node]
        elif phase == "backward":
            out[(phase, node)] = ev.grads[node]
        else:
            out[(phase, node)] = -lr * ev.grads[node]
    return out


def check_supported(net: Net) -> None:
    """A typed f(z), a skip connection, a tied W or weight decay has no homework class: refuse it (exit 2)
    before running anything."""
    if getattr(net, "weight_decay", 0):
        raise CompareError("the net has weight decay (λ > 0), which the homework modules do not compute; "
                           "set weight_decay to 0 to compare")
    for l, layer in enumerate(net.layers, start=1):
        for attr, what in (("skip_from", "a skip connection"), ("tie", "a tied W")):
            if getattr(layer, attr, None) is not None:
                raise CompareError(f"layer {l} has {what} ({attr}), which the homework's Linear cannot express; "
                                   f"compare needs a plain chain of layers")
        if layer.activation.expr is not None:
            raise CompareError(f"layer {l}'s activation is the formula {layer.activation.formula}; compare needs a "
                               f"built-in activation ({', '.join(ACTIVATION_CLASSES)}) with a class in your file")


def _fusable(net: Net) -> bool:
    """An output activation NLL can be fused with: softmax + nllm, and sigmoid + nll (both give A − Y = dL/dZ^L).
    Only softmax + NLL is reported as a `convention`; a fused sigmoid + NLL is understood the same way."""
    return (net.layers[-1].activation.name, net.loss.name) in (("softmax", "nllm"), ("softmax", "nll"),
                                                                 ("sigmoid", "nll"), ("sigmoid", "nllm"))


def _softmax_nll(net: Net) -> bool:
    return net.layers[-1].activation.name == "softmax" and net.loss.name in ("nll", "nllm")


def _producer(net: Net, phase: str, node: str, convention: str | None) -> tuple[str, tuple | None]:
    """Which method of theirs made this number, and the (phase, node) of what it was given."""
    kind, l = split_id(node)
    loss = LOSS_CLASSES[net.loss.name]
    act = lambda k: ACTIVATION_CLASSES[net.layers[k - 1].activation.name]
    if phase == "forward":
        if node == LOSS:
            return f"{loss}.forward", ("forward", a_id(net.L))
        if kind == "Z":
            return "Linear.forward", ("forward", a_id(l - 1))
        return f"{act(l)}.forward", ("forward", z_id(l))
    if phase == "update":
        return "Linear.sgd_step", None
    if kind == "A" and l == net.L:
        return f"{loss}.backward", None
    if kind == "Z":
        if l == net.L and convention == "fused":
            return f"{loss}.backward (passed through {act(l)}.backward)", None
        return f"{act(l)}.backward", ("backward", a_id(l))
    if kind == "A":                                     # dL/dA^l comes from layer l+1's Linear.backward
        return "Linear.backward", ("backward", z_id(l + 1))
    return "Linear.backward", ("backward", z_id(l))


def _context(net: Net, ev: Evaluation, phase: str, node: str, lr, convention, candidates) -> Context:
    producer, given = _producer(net, phase, node, convention)
    kind, l = split_id(node)
    sizes = {}                                          # the sizes a wrong shape of this node could be made of
    if kind == "A":                                     # A^l is n^l x b (A^0: m^1 x b); dL/dZ^(l+1) is n^(l+1) x b
        sizes = {f"n^{l}": net.n(l)} if l else {"m^1": net.m(1)}
        if l < net.L:
            sizes[f"n^{l + 1}"] = net.n(l + 1)
    elif l:
        sizes = {f"m^{l}": net.m(l), f"n^{l}": net.n(l)}
    sizes["b"] = net.batch
    return Context(node, phase, net.L, net.batch, producer, given, lr, candidates, sizes)


def _candidates(ev: Evaluation) -> dict:
    """Every correct value and gradient, for "yours equals dL/dA² ..." (inputs and targets too)."""
    out = {("forward", n): v for n, v in ev.values.items() if n != LOSS}
    out.update({("backward", n): g for n, g in ev.grads.items()})
    return out


def build_report(net: Net, theirs: dict, *, source: str, lr: float | None = None, convention: str | None = None,
                 errors: dict | None = None, failure: tuple | None = None,
                 skipped: dict | None = None, ev: Evaluation | None = None) -> CompareReport:
    """Compare `theirs` ((phase, node) -> array, None, or a text saying why there is no array) with
    chainview's numbers.

    errors: (phase, node) -> (message, source line) of their exception; failure: ((phase, node), kind,
    message) for the step that was running when time ran out or the process ended; skipped:
    (phase, node) -> why it is not checked (the fused convention, no class, ...)."""
    ev = ev or evaluate(net)
    expected = expected_arrays(ev, lr)
    candidates = _candidates(ev)
    errors, skipped = errors or {}, skipped or {}
    rows = []
    for phase, node in order(net, lr):
        key = (phase, node)
        exp = expected[key]
        row = Row(node, phase, "not_checked", expected=exp)
        if key in errors:
            row.status, row.kind = "differs", "exception"
            row.message, row.source = errors[key]
        elif failure is not None and key == failure[0]:
            row.status, (_, row.kind, row.message) = "differs", failure
        elif key in skipped:
            row.message = skipped[key]
        elif key in theirs:
            yours = theirs[key]
            if phase == "update" and isinstance(yours, np.ndarray):
                old = ev.values[node]
                yours_arr = np.asarray(yours, dtype=float)
                yours = yours_arr - old if yours_arr.shape == old.shape else yours_arr
            row.yours = None if yours is None or isinstance(yours, str) else np.asarray(yours, dtype=float)
            diag = diagnose(yours, exp, _context(net, ev, phase, node, lr, convention, candidates))
            if diag is None:
                row.status = "ok"
            else:
                row.status, row.kind, row.message = "differs", diag.kind, diag.message
        rows.append(row)
    return CompareReport(source, rows, convention)


# ---- their modules, run in a child process

def _task(net: Net, ev: Evaluation, lr: float | None) -> dict:
    """What the child needs, as JSON: each layer's weights, classes and node ids (the child never imports
    chainview, so it spells no id itself), and chainview's correct values and gradients dL/d(node) ("d" + id)."""
    values = {n: ev.values[n].tolist() for n in node_ids(net) if split_id(n)[0] in ("A", "Z", TARGET)}
    grads = {n: ev.grads[n].tolist() for n in ev.grads if split_id(n)[0] in ("A", "Z")}
    layers = [{"m": net.m(l), "n": net.n(l), "W": layer.W.tolist(), "W0": layer.W0.tolist(),
               "activation": layer.activation.name, "cls": ACTIVATION_CLASSES[layer.activation.name],
               "ids": {"A_in": a_id(l - 1), "Z": z_id(l), "A": a_id(l), "W": w_id(l), "W0": w0_id(l)}}
              for l, layer in enumerate(net.layers, start=1)]
    return {"layers": layers, "loss": net.loss.name, "loss_cls": LOSS_CLASSES[net.loss.name],
            "fusable": _fusable(net), "lr": lr, "target_id": TARGET, "loss_id": LOSS,
            "values": values, "grads": grads}


def _check_modules_path(path) -> str:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CompareError(f"no such file: {path}")
    if not os.path.isfile(path):
        raise CompareError(f"{path} is not a file; --modules wants your Python file, e.g. hw.py")
    return path


def start_modules(net: Net, modules, *, lr: float | None = None, timeout: float = 10.0):
    """A ModuleRun ready to wait() on (the app keeps it to stop it); raises CompareError first if it cannot run."""
    from .compare_runner import ModuleRun
    from .training import check_learning_rate
    check_supported(net)
    path = _check_modules_path(modules)
    if lr is not None:
        check_learning_rate(lr)
    if not (isinstance(timeout, (int, float)) and timeout > 0 and math.isfinite(timeout)):
        raise CompareError(f"--timeout must be a positive number of seconds; got {timeout!r}")
    return ModuleRun(path, _task(net, evaluate(net), lr), timeout)


def compare_modules(net: Net, modules, *, lr: float | None = None, timeout: float = 10.0, run=None) -> CompareReport:
    """Run their file's modules on `net` (in a child process) and compare every step."""
    run = run or start_modules(net, modules, lr=lr, timeout=timeout)
    outcome = run.wait()
    return report_from_outcome(net, run.modules, outcome, lr=lr, timeout=run.timeout)


def report_from_outcome(net: Net, path: str, outcome, *, lr=None, timeout=10.0) -> CompareReport:
    """A CompareReport from what the child wrote (core/compare_runner.ChildOutcome)."""
    from .compare_runner import record_array
    name = os.path.basename(path)
    if outcome.missing:
        cls, why = outcome.missing[0]
        raise CompareError(f"{name} has no class {cls} (for {why}); add one, or change the net")
    fused = (outcome.convention or _convention_from_loss(net, outcome)) if _fusable(net) else None  # how it is read
    moved = _loss_backward_key(net, fused)
    errors, load_error = {}, None
    for key, err in outcome.errors.items():
        key = moved(key)
        if key in errors:                                   # the probe of SoftMax.backward raised first
            continue
        message, source = _error_text(err)
        if key[0] == "load":
            load_error = Row(None, "load", "differs", "exception", message, source=source)
        else:
            errors[key] = (message, source)
    theirs = {}
    for key, rec in outcome.results.items():
        key = moved(key)
        arr = record_array(rec)
        if arr is None and rec.get("note"):
            arr = rec["note"]                                   # e.g. "Linear.backward set no self.dLdW"
        elif arr is None and rec.get("type") not in (None, "None"):
            arr = f"returned a {rec['type']}, not an array"
        theirs[key] = arr
    convention = fused if _softmax_nll(net) else None         # what is reported
    skipped = _skipped(net, outcome, fused, errors)
    failure = None                                      # (phase, node), kind, message: where it stopped short
    if not outcome.finished and not outcome.stopped and load_error is None:
        kind = "timeout" if outcome.timed_out else "exception"
        at = outcome.last_started
        what = _producer(net, *at, fused)[0] if at is not None and at[1] else f"loading {name}"
        message = (f"{what} did not finish within {timeout:g} s - an endless loop?" if outcome.timed_out
                   else f"{what} ended the process ({_exit_text(outcome.exit_code)})")
        if at is None or at[0] == "load":
            load_error = Row(None, "load", "differs", kind, message)
        else:
            failure = (moved(at), kind, message)
    report = build_report(net, theirs, source=path, lr=lr, convention=fused, errors=errors,
                          failure=failure, skipped=skipped)
    report.convention = convention
    report.load_error = load_error
    report.stopped = outcome.stopped
    report.output = outcome.output
    return report


def _loss_backward_key(net: Net, fused: str | None):
    """(phase, node) -> (phase, node), moving NLL.backward's output (the child records it as dL/dA^L) to
    dL/dZ^L when the file is fused: there its number, an exception or a time-out in it is dL/dZ^L's step."""
    loss_key, fused_key = ("backward", a_id(net.L)), ("backward", z_id(net.L))
    return lambda key: fused_key if fused == "fused" and tuple(key) == loss_key else tuple(key)


def _convention_from_loss(net: Net, outcome) -> str | None:
    """When SoftMax.backward raised or never returned, NLL.backward's output says which convention the file
    meant: the correct dL/dZ^L (A − Y) is fused; anything else is read as dL/dA^L. None without an output."""
    from .compare_diagnose import close
    from .compare_runner import record_array
    rec = outcome.results.get(("backward", a_id(net.L)))
    theirs = record_array(rec) if rec is not None else None
    if theirs is None:
        return None
    dZ = evaluate(net).grads[z_id(net.L)]
    return "fused" if theirs.shape == dZ.shape and close(theirs, dZ) else "unfused"


def _skipped(net: Net, outcome, convention, errors) -> dict:
    """(phase, node) -> why it is not checked: the fused convention, an identity with no class, no sgd_step."""
    L, skipped = net.L, {}
    if convention == "fused":
        act = ACTIVATION_CLASSES[net.layers[-1].activation.name]
        skipped[("backward", a_id(L))] = (f"fused convention: NLL.backward returns dL/dZ^L = A^L − Y and {act}.backward "
                                          "passes it on, so dL/dA^L is never computed")
    for l, layer in enumerate(net.layers, start=1):
        key = ("forward", a_id(l))
        if layer.activation.name == "identity" and key not in outcome.results and key not in errors:
            skipped[key] = "identity: your file has no Identity class, so A = Z"
            skipped[("backward", z_id(l))] = "identity: your file has no Identity class, so dL/dZ = dL/dA"
    for l in outcome.no_update:
        for node in (w_id(l), w0_id(l)):
            skipped[("update", node)] = "Linear has no sgd_step"
    return skipped


def _exit_text(code) -> str:
    if code is None:
        return "no exit code"
    if code < 0:
        import signal
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _error_text(err: dict) -> tuple[str, str]:
    """'hw.py, line 16, in forward: ValueError: ...' (Python's own words) and their source line."""
    where = err["file"]
    if err.get("line"):
        where += f", line {err['line']}"
    if err.get("func"):
        where += f", in {err['func']}"
    message = err["message"]
    if err.get("type") == "NotImplementedError" and message == "NotImplementedError":
        message = "NotImplementedError (not implemented yet)"
    return f"{where}: {message}", err.get("source", "")


# ---- text for a terminal

def format_report(report: CompareReport, net_name: str = "") -> str:
    from .symbols import pretty
    lines = [f"compare {net_name} with {os.path.basename(report.source)}".replace("  ", " ")
             + (f" (softmax + NLL convention: {report.convention})" if report.convention else "")]
    width = max([len(r.title) for r in report.rows] + [8])
    marks = {"ok": "✓", "differs": "✗", "not_checked": "·"}
    for r in report.rows:
        extra = r.kind or ("not checked" if r.status == "not_checked" else "")
        if r.status == "not_checked" and r.message:
            extra += f" ({r.message.split(':')[0]})"           # "fused convention", "identity", ...
        if r.kind == "exception" and "NotImplementedError" in r.message:
            extra = "not implemented"
        lines.append(f"{marks[r.status]} {r.title:<{width}}  {r.phase:<8}  {extra}".rstrip())
    first = report.first
    if first is None:
        lines.append("everything agrees" if not report.stopped else "stopped")
    else:
        where = "loading your file" if first.node is None else f"{first.title} ({first.phase})"
        lines.append(f"first difference: {where}: {first.kind}")
        lines.append(f"  {pretty(first.message)}")
        if first.source:
            lines.append(f"    {first.source}")
    return "\n".join(lines)
