"""Run a person's module file in a child process and read back what it returned, step by step.

Nothing of theirs runs in our process: the child (core/compare_child.py) gets the task as JSON on
stdin and writes JSON lines to a temporary file; we never unpickle anything. The child has a CPU
and memory cap (Linux/macOS) and a wall-clock time-out here; its stdout and stderr go to a
temporary file whose tail is kept (a person's print() is theirs to read, never our protocol).
`ModuleRun.stop()` may be called from another thread (the app's Stop button).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import NetError

CHILD = Path(__file__).with_name("compare_child.py")
MEMORY_LIMIT = 2 * 1024 ** 3     # address space for their code: a runaway np.zeros((10**6, 10**6)) is a MemoryError
OUTPUT_TAIL = 4000               # characters of their printed output kept


@dataclass
class ChildOutcome:
    """What the child reported: results and errors by (phase, node), in the order they came."""
    results: dict = field(default_factory=dict)       # (phase, node) -> {"value", "shape", "type", "note"}
    errors: dict = field(default_factory=dict)        # (phase, node) -> error dict (node None: loading)
    convention: str | None = None
    missing: list = field(default_factory=list)       # [[class name, what needs it]]
    no_update: list = field(default_factory=list)     # layers without sgd_step
    last_started: tuple | None = None                 # (phase, node) of the last call begun
    finished: bool = False
    timed_out: bool = False
    stopped: bool = False
    exit_code: int | None = None
    output: str = ""                                  # the tail of what their code printed


def child_command() -> list[str]:
    """The interpreter and flags the child runs with (-I: isolated, -B: no __pycache__ in their folder)."""
    if getattr(sys, "frozen", False):
        raise NetError("the stand-alone app cannot run Python files; install chainview with pip to compare modules")
    return [sys.executable, "-I", "-B", str(CHILD)]


def can_fork() -> bool:
    """Whether a fork is a safe, fast way to start the child: a POSIX process with one thread and no Qt
    (the command line). numpy is then already loaded in the child, which makes `chainview compare` about
    as fast as running their file by hand; the app (threads) starts a fresh interpreter instead."""
    return (hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1
            and "PySide6.QtCore" not in sys.modules and not getattr(sys, "frozen", False))


class _Forked:
    """The little of Popen that ModuleRun uses, for a forked child."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self):
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _fork_child(modules: str, task: dict, records: Path, printed: Path) -> _Forked:
    """Run compare_child.run in a forked process of its own session; only that process runs their code."""
    from . import compare_child
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    pid = os.fork()
    if pid:
        return _Forked(pid)
    code = 0
    try:                                    # the child: never returns into our code
        os.setsid()
        fd = os.open(printed, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(os.path.dirname(modules))
        compare_child.run(task, modules, str(records))
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:  # noqa: B902 - whatever happens, the child ends here
        code = 70
    finally:
        os._exit(code)


class ModuleRun:
    """One run of their file on one task; `wait()` returns a ChildOutcome.

    fork: None picks by itself (can_fork()); False always starts `python -I -B compare_child.py`."""

    def __init__(self, modules: str | os.PathLike, task: dict, timeout: float, *, fork: bool | None = None):
        self.modules = os.path.abspath(modules)
        self.task = dict(task, timeout=timeout, memory=MEMORY_LIMIT)
        self.timeout = timeout
        self.fork = can_fork() if fork is None else fork
        self._proc = None
        self._stopped = threading.Event()

    def stop(self) -> None:
        """End the run now (any thread); wait() then reports it as stopped."""
        self._stopped.set()
        self._kill()

    def _kill(self, group: bool = False) -> None:
        """Kill the child; group=True (right after it ran) also what it left behind in its process group."""
        proc = self._proc
        if proc is not None and (proc.poll() is None or (group and hasattr(os, "killpg"))):
            try:
                if hasattr(os, "killpg"):
                    os.killpg(proc.pid, signal.SIGKILL)   # their code may have started processes of its own
                else:
                    proc.kill()
            except (ProcessLookupError, PermissionError):
                pass

    def _spawn(self, records: Path, printed: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
        with open(printed, "wb") as sink:
            proc = subprocess.Popen(
                child_command() + [self.modules, str(records)], stdin=subprocess.PIPE, stdout=sink,
                stderr=subprocess.STDOUT, cwd=os.path.dirname(self.modules), env=env,
                start_new_session=hasattr(os, "killpg"))
        try:
            proc.stdin.write(json.dumps(self.task).encode())
            proc.stdin.close()
        except OSError:           # it died before reading: its exit code tells
            pass
        return proc

    def _wait_exit(self, deadline: float) -> bool:
        """Wait until the child ends, stop() is called or the deadline passes (then True). On Linux a pidfd
        wakes us the moment it ends; polling with growing pauses noticed it up to 20 ms late."""
        proc, fd = self._proc, None
        try:
            fd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):          # not Linux 5.3+: poll
            pass
        try:
            pause = 0.001
            while proc.poll() is None and not self._stopped.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                if fd is not None:
                    select.select([fd], [], [], min(left, 0.1))   # 0.1: a stop() from another thread is seen soon
                else:
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.02)
            return False
        finally:
            if fd is not None:
                os.close(fd)

    def wait(self) -> ChildOutcome:
        with tempfile.TemporaryDirectory(prefix="chainview-compare-") as tmp:
            records = Path(tmp, "records.jsonl")
            printed = Path(tmp, "printed.txt")
            timed_out = False
            try:
                if self._stopped.is_set():
                    code = None
                else:
                    self._proc = (_fork_child(self.modules, self.task, records, printed) if self.fork
                                  else self._spawn(records, printed))
                    timed_out = self._wait_exit(time.monotonic() + self.timeout)
            finally:                                    # a Ctrl+C here must not leave their process running,
                self._kill(group=True)                  # nor a process their code forked
            code = self._proc.wait() if self._proc is not None else None
            outcome = read_records(records)
            cpu_limit = getattr(signal, "SIGXCPU", None)   # the CPU cap ran out before the wall clock did
            outcome.stopped = self._stopped.is_set()
            outcome.timed_out = not outcome.stopped and (timed_out or (cpu_limit is not None and code == -cpu_limit))
            outcome.exit_code = code
            try:
                outcome.output = printed.read_bytes()[-OUTPUT_TAIL:].decode("utf-8", "replace")
            except OSError:
                outcome.output = ""
        return outcome


def read_records(path: Path) -> ChildOutcome:
    """The child's JSON lines; a line cut short by a kill is skipped."""
    out = ChildOutcome()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        kind = rec.get("kind")
        key = (rec.get("phase"), rec.get("node"))
        if kind == "start":
            out.last_started = key
        elif kind == "result":
            out.results.setdefault(key, rec)
        elif kind == "error":
            out.errors.setdefault(key, rec["error"])
        elif kind == "convention":
            out.convention = rec["value"]
        elif kind == "missing":
            out.missing = rec["classes"]
        elif kind == "no_update":
            out.no_update.append(rec["layer"])
        elif kind == "done":
            out.finished = True
    return out


def record_array(rec: dict):
    """A result record's value as a float array, or None when they returned no array."""
    if rec.get("value") is None:
        return None
    return np.array(rec["value"], dtype=float)
