"""The separate process that runs a person's module code (numpy only; never imports chainview).

Started by core/compare_runner.py as `python -I -B compare_child.py MODULES.py RECORDS.jsonl`:
-I keeps their environment and folder off sys.path except where we put it, -B keeps a
__pycache__ out of their folder. The task (net weights, the correct values) arrives as JSON on
stdin; every result goes, one JSON line at a time and flushed, to RECORDS.jsonl, so what they
print to stdout cannot corrupt it and a crash or a kill still leaves every result before it.

Each module call gets chainview's correct input (not the output of their previous call), so a
wrong number marks the module that made it, not everything downstream. Before each call a
"start" line names the step, so a time-out can be pinned on it. Node ids come in the task
(each layer's "ids", "target_id", "loss_id"; core/nodes.py spells them), never spelt here.
"""

import json
import math
import os
import sys
import traceback

import numpy as np

class Records:
    def __init__(self, path):
        self._file = open(path, "w", encoding="utf-8")
        self._pid = os.getpid()

    def write(self, **record):
        if os.getpid() != self._pid:   # their code forked: only the process we started reports
            os._exit(0)
        self._file.write(json.dumps(record, allow_nan=True) + "\n")
        self._file.flush()

    def start(self, phase, node):
        self.write(kind="start", phase=phase, node=node)


def describe_error(exc, path):
    """Their file, line, function, source line and the message, as Python writes them."""
    folder = os.path.dirname(path)
    message = traceback.format_exception_only(type(exc), exc)[-1].strip()
    if isinstance(exc, MemoryError):   # numpy's is numpy._core._exceptions._ArrayMemoryError
        message = f"MemoryError: {exc}" if str(exc) else "MemoryError"
    if isinstance(exc, SyntaxError) and exc.filename:
        return {"file": os.path.basename(exc.filename), "line": exc.lineno, "func": None,
                "type": type(exc).__name__, "message": message, "source": (exc.text or "").strip()}
    frames = traceback.extract_tb(exc.__traceback__)
    theirs = [f for f in frames if os.path.abspath(f.filename) == path]
    theirs = theirs or [f for f in frames if os.path.dirname(os.path.abspath(f.filename)) == folder]
    frame = theirs[-1] if theirs else (frames[-1] if frames else None)
    if frame is None:
        return {"file": os.path.basename(path), "line": None, "func": None, "type": type(exc).__name__,
                "message": message, "source": ""}
    return {"file": os.path.basename(frame.filename), "line": frame.lineno, "func": frame.name,
            "type": type(exc).__name__, "message": message, "source": (frame.line or "").strip()}


def as_record(value):
    """Their returned object as JSON: the array (nested lists), or what it is when it is not one."""
    if value is None:
        return {"value": None, "type": "None"}
    try:
        arr = np.array(value, dtype=float)
    except Exception:
        what = type(value).__name__
        if isinstance(value, np.ndarray):
            what = f"array of {value.dtype} (not numbers)"
        return {"value": None, "type": what}
    return {"value": arr.tolist(), "shape": list(arr.shape), "type": type(value).__name__}


class Runner:
    def __init__(self, task, module, path, records):
        self.task, self.mod, self.path, self.out = task, module, path, records

    def call(self, phase, node, fn, *args, raised_at=None):
        """fn(*args) as step (phase, node); (True, result) or (False, None) after recording their exception
        (at the node raised_at() names, when the call makes several numbers and some were already made)."""
        self.out.start(phase, node)
        try:
            with np.errstate(all="ignore"):
                return True, fn(*args)
        except BaseException as exc:  # noqa: B902 - SystemExit and KeyboardInterrupt from their code too
            node = raised_at() if raised_at is not None else node
            self.out.write(kind="error", phase=phase, node=node, error=describe_error(exc, self.path))
            return False, None

    def result(self, phase, node, value, note=""):
        self.out.write(kind="result", phase=phase, node=node, note=note, **as_record(value))

    def run(self):
        task, out = self.task, self.out
        values = {k: np.array(v, dtype=float) for k, v in task["values"].items()}
        grads = {k: np.array(v, dtype=float) for k, v in task["grads"].items()}
        given = lambda node: values[node].copy()   # a fresh copy per call: their code may change it in place
        given_grad = lambda node: grads[node].copy()
        ids = [spec["ids"] for spec in task["layers"]]
        top, Y, L = ids[-1], task["target_id"], task["loss_id"]
        layers = []
        for l, spec in enumerate(task["layers"], start=1):
            ok, lin = self.call("load", None, find_class(self.mod, "Linear"), spec["m"], spec["n"])
            if not ok:
                return
            try:
                lin.W, lin.W0 = np.array(spec["W"], dtype=float), np.array(spec["W0"], dtype=float)
            except BaseException as exc:
                out.write(kind="error", phase="load", node=None, error=describe_error(exc, self.path))
                return
            act = None
            if spec["cls"] and find_class(self.mod, spec["cls"]) is not None:
                ok, act = self.call("load", None, find_class(self.mod, spec["cls"]))
                if not ok:
                    return
            layers.append((lin, act))
        ok, loss = self.call("load", None, find_class(self.mod, task["loss_cls"]))
        if not ok:
            return

        # forward: Z^l, A^l, L
        for (lin, act), i in zip(layers, ids):
            ok, Z = self.call("forward", i["Z"], lin.forward, given(i["A_in"]))
            if ok:
                self.result("forward", i["Z"], Z)
            if act is not None:
                ok, A = self.call("forward", i["A"], act.forward, given(i["Z"]))
                if ok:
                    self.result("forward", i["A"], A)
        ok, value = self.call("forward", L, loss.forward, given(top["A"]), given(Y))
        if ok:
            self.result("forward", L, value)

        # backward. The output activation's backward is probed first with chainview's dL/dA^L: if it
        # returns it unchanged the file is fused (NLL.backward's output is dL/dZ^L), else its output is
        # dL/dZ^L itself. Known before NLL.backward runs, so an NLL.backward that raises or never returns
        # is pinned on the node its output would have been (dL/dZ^L when fused).
        last = layers[-1][1]
        probed = task["fusable"] and last is not None
        if probed:
            probe = given_grad(top["A"])
            ok_probe, passed = self.call("backward", top["Z"], last.backward, probe)
            if ok_probe:                 # when it raised, chainview decides from NLL's output
                fused = passed is probe or _same(passed, grads[top["A"]])
                out.write(kind="convention", value="fused" if fused else "unfused")
                if not fused:
                    self.result("backward", top["Z"], passed)
        ok, dA = self.call("backward", top["A"], loss.backward)   # the parent moves it to dL/dZ^L when fused
        if ok:
            self.result("backward", top["A"], dA)
        for (lin, act), i in reversed(list(zip(layers, ids))):
            if act is not None and not (probed and i is top):
                ok, dZ = self.call("backward", i["Z"], act.backward, given_grad(i["A"]))
                if ok:
                    self.result("backward", i["Z"], dZ)
            # Linear.backward makes dL/dW, dL/dW0 and dL/dA^(l-1), in schedule order. A time-out is at dL/dW (the
            # step it was running); an exception at the first of them it had not made, and the ones it had made
            # are compared: "which number of mine is wrong first" is then the one it failed on
            before = {attr: getattr(lin, attr, None) for attr in ("dLdW", "dLdW0")}
            made = lambda: [attr for attr in before if getattr(lin, attr, None) is not before[attr]]
            raised_at = lambda: (i["W"] if "dLdW" not in made() else i["W0"] if "dLdW0" not in made()
                                 else i["A_in"])
            outputs = ((i["W"], "dLdW"), (i["W0"], "dLdW0"))
            ok, dA = self.call("backward", i["W"], lin.backward, given_grad(i["Z"]), raised_at=raised_at)
            if not ok:
                for node, attr in outputs:
                    if attr in made() and node != raised_at():
                        self.result("backward", node, getattr(lin, attr))
                continue
            for node, attr in outputs:
                if hasattr(lin, attr):
                    self.result("backward", node, getattr(lin, attr))
                else:
                    self.result("backward", node, None, note=f"Linear.backward set no self.{attr}")
            self.result("backward", i["A_in"], dA)

        # update: their sgd_step after their own backward; like Linear.backward, an exception after W was
        # stepped is at W0 (W's step is compared), a time-out at W
        if task["lr"] is not None:
            spec_W = [spec["W"] for spec in task["layers"]]
            for l, (lin, _) in enumerate(layers, start=1):
                if not hasattr(lin, "sgd_step"):
                    out.write(kind="no_update", layer=l)
                    continue
                old_W = np.array(spec_W[l - 1], dtype=float)
                stepped = lambda: not _same(getattr(lin, "W", None), old_W)   # W done: it raised on W0
                i = ids[l - 1]
                ok, _ = self.call("update", i["W"], lin.sgd_step, task["lr"],
                                  raised_at=lambda: i["W0"] if stepped() else i["W"])
                if ok or stepped():
                    self.result("update", i["W"], getattr(lin, "W", None))
                if ok:
                    self.result("update", i["W0"], getattr(lin, "W0", None))


def find_class(module, name):
    """Their class `name`; spelled with other capitals (Softmax, Relu) it is still theirs if only one matches."""
    found = getattr(module, name, None)
    if isinstance(found, type):
        return found
    same = [v for k, v in vars(module).items() if k.lower() == name.lower() and isinstance(v, type)]
    return same[0] if len(same) == 1 else None


def _same(a, b):
    try:
        return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)
    except Exception:
        return False


def address_space() -> int:
    """Bytes of address space this process already has (Linux), so a cap can add to it."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


FILE_LIMIT = 1024 ** 3   # bytes in any one file their code writes (their prints go to a file too)


def limit_resources(cpu_seconds, memory_bytes):
    """CPU time, address space and file size caps (Linux, macOS); the parent's wall clock is the backstop."""
    try:
        import resource
    except ImportError:  # Windows: the wall-clock time-out alone
        return
    for which, amount in ((resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_AS, address_space() + memory_bytes),
                          (resource.RLIMIT_FSIZE, FILE_LIMIT)):
        try:
            soft, hard = resource.getrlimit(which)
            cap = amount if hard == resource.RLIM_INFINITY else min(amount, hard)
            resource.setrlimit(which, (cap, hard))
        except (ValueError, OSError):
            pass


def run(task, path, records_path):
    """Load their file and run every step of `task`, writing records; the whole job of the child."""
    path = os.path.abspath(path)
    out = Records(records_path)
    limit_resources(int(math.ceil(task["timeout"])) + 1, int(task["memory"]))
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(path))  # their helper modules beside their file
    import importlib.util
    try:
        spec = importlib.util.spec_from_file_location("_their_modules", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: B902
        out.write(kind="error", phase="load", node=None, error=describe_error(exc, path))
        out.write(kind="done")
        return
    needed = [("Linear", "every layer")]
    for l, spec in enumerate(task["layers"], start=1):
        if spec["cls"] and spec["cls"] != "Identity":
            needed.append((spec["cls"], f"layer {l}'s activation {spec['activation']}"))
    needed.append((task["loss_cls"], f"the loss {task['loss']}"))
    missing = [[name, why] for name, why in needed if find_class(module, name) is None]
    if missing:
        out.write(kind="missing", classes=missing)
        out.write(kind="done")
        return
    Runner(task, module, path, out).run()
    out.write(kind="done")


def main(argv):
    """`python -I -B compare_child.py MODULES.py RECORDS.jsonl`, the task as JSON on stdin."""
    task = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    run(task, argv[1], argv[2])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)   # not sys.exit: a thread their code started must not keep the process alive


if __name__ == "__main__":
    main(sys.argv)
