"""The `chainview` command line: trace (text and --json), check, train; exit codes and one-line errors.

Every command runs twice over: as a real process (python -m chainview.cli ...) for exit
codes, stderr and files, and in-process through cli.main(argv) with capsys.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from chainview.core import Session, edge_jacobian, evaluate, example_path
from chainview.cli import main
from chainview.core.netfile import dumps_net, load_net

EXAMPLE = {name: str(example_path(name)) for name in
           ("default", "relu-kink", "relu-regression", "softmax-3class", "notes-z-squared", "sigmoid-classifier")}

# the trace --json contract: exactly these keys (the issue's list, plus example/problems and the
# per-entry extras the app and the README use)
TOP_KEYS = {"layout", "example", "loss", "problems", "nodes", "edges", "steps"}
NODE_KEYS = {"kind", "layer", "symbol", "dims", "shape", "value", "grad"}
EDGE_KEYS = {"source", "target", "symbol", "shape", "dims", "kind", "value"}
STEP_KEYS = {"index", "phase", "node", "equation", "shapes", "operands", "value"}
ISSUE_KEYS = ({"layout", "loss", "nodes", "edges", "steps"}, {"kind", "layer", "shape", "value", "grad"},
              {"source", "target", "symbol", "shape", "dims", "value"}, {"phase", "node", "equation", "shapes"})


def _no_constants(token):
    raise AssertionError(f"{token} in JSON output: non-finite numbers must be null")


def run(*args, cwd=None):
    """python -m chainview.cli ARGS -> CompletedProcess (text)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "chainview.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120)


@functools.lru_cache(maxsize=None)
def _trace_stdout(*args):
    proc = run("trace", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def trace_json(*args):
    """`chainview trace ARGS --json` as a real process, parsed (one process per distinct ARGS)."""
    return json.loads(_trace_stdout(*map(str, args)), parse_constant=_no_constants)


def assert_one_line_error(proc):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr
    assert "Traceback" not in err and "Traceback" not in proc.stdout
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("chainview: ")


# ------------------------------------------------------------------------------ trace --json
def test_trace_json_has_exactly_the_documented_keys():
    data = trace_json(EXAMPLE["default"])
    assert set(data) == TOP_KEYS
    assert data["layout"] == "denominator" and data["example"] == 0 and data["problems"] == {}
    net = load_net(EXAMPLE["default"])
    assert data["loss"] == pytest.approx(evaluate(net).loss, rel=1e-15)
    assert set(data["nodes"]) == {"A0", "W1", "W0_1", "Z1", "A1", "W2", "W0_2", "Z2", "A2", "Y", "L"}
    for node in data["nodes"].values():
        assert set(node) == NODE_KEYS
    assert len(data["edges"]) == 10
    for edge in data["edges"]:
        assert set(edge) == EDGE_KEYS
    assert len(data["steps"]) == 14
    for step in data["steps"]:
        assert set(step) == STEP_KEYS
        assert step["phase"] in ("forward", "backward")
    top, node_keys, edge_keys, step_keys = ISSUE_KEYS
    assert top <= TOP_KEYS and node_keys <= NODE_KEYS and edge_keys <= EDGE_KEYS and step_keys <= STEP_KEYS


def test_trace_json_numbers(tmp_path):
    data = trace_json(EXAMPLE["default"])
    ev = evaluate(load_net(EXAMPLE["default"]))
    nodes = data["nodes"]
    assert nodes["Y"]["grad"] is None and nodes["L"]["grad"] is None
    for name, node in nodes.items():
        np.testing.assert_allclose(node["value"], ev.values[name], rtol=1e-15)
        assert node["shape"] == list(ev.values[name].shape)
        if name not in ("Y", "L"):
            np.testing.assert_allclose(node["grad"], ev.grads[name], rtol=1e-15)
    assert nodes["W1"]["kind"] == "W" and nodes["W0_1"]["kind"] == "W0" and nodes["W1"]["layer"] == 1
    assert nodes["W1"]["dims"] == ["m^1", "n^1"] and nodes["W1"]["shape"] == [2, 3]
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    # W -> Z: the notes' shorthand A^(l-1), an m^l x 1 column
    for l in (1, 2):
        e = edges[(f"W{l}", f"Z{l}")]
        assert e["symbol"] == f"A^{l - 1}" and e["kind"] == "shorthand" and e["dims"] == [f"m^{l}", "1"]
        np.testing.assert_allclose(e["value"], ev.values[f"A{l - 1}"], rtol=1e-15)
        assert e["shape"] == [len(e["value"]), 1]
    assert edges[("Z1", "A1")]["shape"] == [3, 3] and edges[("Z1", "A1")]["dims"] == ["n^1", "n^1"]
    np.testing.assert_allclose(edges[("Z1", "A1")]["value"], np.diag(1 - np.tanh(ev.values["Z1"][:, 0]) ** 2))
    np.testing.assert_allclose(edges[("W0_2", "Z2")]["value"], np.eye(2))
    steps = data["steps"]
    assert steps[0]["node"] == "Z1" and steps[0]["shapes"] == "(3x2)(2x1) + (3x1) -> (3x1)"
    assert steps[10]["node"] == "Z1" and steps[10]["shapes"] == "(3x3)(3x1) -> (3x1)"
    assert steps[10]["equation"] == "dL/dZ^1 = dA^1/dZ^1 · dL/dA^1"


def test_trace_json_numerator_layout_transposes_edge_values():
    den = trace_json(EXAMPLE["default"])
    num = trace_json(EXAMPLE["default"], "--layout", "numerator")
    assert num["layout"] == "numerator"
    for d, n in zip(den["edges"], num["edges"]):
        assert (d["source"], d["target"]) == (n["source"], n["target"])
        np.testing.assert_array_equal(np.array(n["value"]), np.array(d["value"]).T)
        assert n["shape"] == d["shape"][::-1] and n["dims"] == d["dims"][::-1]
    a_z = {(e["source"], e["target"]): e for e in num["edges"]}[("A0", "Z1")]
    assert a_z["symbol"] == "(W^1)^T" and a_z["shape"] == [3, 2]
    assert [s["node"] for s in num["steps"]] == [s["node"] for s in den["steps"]]
    assert num["steps"][10]["shapes"] == "(1x3)(3x3) -> (1x3)"


def test_trace_json_example_picks_a_column(capsys):
    net = load_net(EXAMPLE["softmax-3class"])
    ev = evaluate(net)
    runs = {k: trace_json(EXAMPLE["softmax-3class"], "--example", k) for k in (0, 2)}
    for k in range(3):
        if k not in runs:
            assert main(["trace", EXAMPLE["softmax-3class"], "--json", "--example", str(k)]) == 0
            runs[k] = json.loads(capsys.readouterr().out)
        data = runs[k]
        assert data["example"] == k
        edges = {(e["source"], e["target"]): e for e in data["edges"]}
        np.testing.assert_allclose(edges[("W1", "Z1")]["value"], ev.values["A0"][:, [k]], rtol=1e-15)
        np.testing.assert_allclose(edges[("Z2", "A2")]["value"], edge_jacobian(ev, "Z2", "A2", example=k).dense(),
                                   rtol=1e-15)
        np.testing.assert_allclose(edges[("A2", "L")]["value"], -net.Y[:, [k]] / ev.values["A2"][:, [k]],
                                   rtol=1e-14)
        assert data["nodes"]["Z1"]["shape"] == [4, 3]          # node values keep the whole batch
    assert runs[0]["edges"][3]["value"] != runs[2]["edges"][3]["value"]


def test_trace_json_non_finite_numbers_are_null(tmp_path):
    path = tmp_path / "overflow.chainview.json"
    path.write_text(json.dumps({
        "format": "chainview-net", "version": 1, "input": [[1.0]], "target": [[0.0]], "loss": "nll",
        "layers": [{"units": 1, "activation": "sigmoid", "W": [[1e6]], "W0": [[0.0]]}]}))
    data = trace_json(path)                         # parse_constant refuses NaN / Infinity tokens
    assert data["loss"] is None
    assert list(data["problems"]) == ["L"] and "log of 0" in data["problems"]["L"]
    assert data["nodes"]["L"]["value"] == [[None]]
    assert data["nodes"]["A1"]["grad"] == [[None]]
    assert data["nodes"]["A1"]["value"] == [[1.0]]
    proc = run("trace", path)                      # the text trace warns, still exit 0
    assert proc.returncode == 0 and "warning: L value has infinity" in proc.stdout


def test_trace_in_process_matches_the_subprocess(capsys):
    assert main(["trace", EXAMPLE["notes-z-squared"], "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out, parse_constant=_no_constants)
    assert data == trace_json(EXAMPLE["notes-z-squared"])
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("Z1", "A1")]["value"] == [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]
    assert data["nodes"]["A1"]["value"] == [[1.0], [4.0], [9.0]]


def test_trace_text(capsys):
    assert main(["trace", EXAMPLE["default"]]) == 0
    out = capsys.readouterr().out
    assert "FORWARD PASS" in out and "BACKWARD PASS" in out and "EDGE JACOBIANS" in out
    assert "(3x3)(3x1) -> (3x1)" in out
    assert out.index("FORWARD PASS") < out.index("BACKWARD PASS") < out.index("EDGE JACOBIANS")
    assert main(["trace", EXAMPLE["default"], "--layout", "numerator"]) == 0
    assert "numerator layout" in capsys.readouterr().out


def test_trace_bad_example_is_a_one_line_error(capsys):
    proc = run("trace", EXAMPLE["default"], "--example", "1")
    assert_one_line_error(proc)
    assert "--example must be 0..0" in proc.stderr
    for k in ("1", "-1"):
        assert main(["trace", EXAMPLE["default"], "--example", k]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--example must be 0..0" in err


# ------------------------------------------------------------------------------------ check
def test_check_passes_on_the_default_example(capsys):
    proc = run("check", EXAMPLE["default"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gradient check passed: all 9 node gradients and 10 edge Jacobians agree" in proc.stdout
    assert "✗" not in proc.stdout
    assert main(["check", EXAMPLE["default"]]) == 0
    assert capsys.readouterr().out == proc.stdout


def test_check_fails_on_relu_kink_and_says_why(capsys):
    proc = run("check", EXAMPLE["relu-kink"])
    assert proc.returncode == 1
    assert "gradient check FAILED" in proc.stdout
    lines = proc.stdout.splitlines()
    failed = [line for line in lines if line.startswith("✗")]
    assert failed and all(line.endswith("(see note 1)") for line in failed)   # every ✗ is explained ...
    notes = [line for line in lines if line.startswith("note ")]
    assert len(notes) == 1 and "kink" in notes[0]                              # ... once, by the kink
    assert main(["check", EXAMPLE["relu-kink"]]) == 1
    capsys.readouterr()


@pytest.mark.parametrize("name", ["relu-regression", "softmax-3class", "sigmoid-classifier"])
def test_check_with_example_column(name, capsys):
    assert main(["check", EXAMPLE[name], "--example", "2"]) == 0
    assert "gradient check passed" in capsys.readouterr().out


# ------------------------------------------------------------------------------------ train
def test_train_writes_a_loadable_net_with_lower_loss(tmp_path, capsys):
    out = tmp_path / "out.json"
    proc = run("train", EXAMPLE["relu-regression"], "--steps", 50, "--lr", 0.01, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout
    before = evaluate(load_net(EXAMPLE["relu-regression"])).loss
    trained = load_net(out)
    after = evaluate(trained).loss
    assert after < before
    assert "loss" in proc.stdout and f"{after:.6g}" in proc.stdout
    # in-process gives the same net (SGD is deterministic)
    out2 = tmp_path / "out2.json"
    assert main(["train", EXAMPLE["relu-regression"], "--steps", "50", "--lr", "0.01", "-o", str(out2)]) == 0
    capsys.readouterr()
    assert out2.read_text() == out.read_text() == dumps_net(trained)


def test_train_without_output_prints_the_loss_only(tmp_path):
    proc = run("train", EXAMPLE["relu-regression"], "--steps", 5, "--lr", 0.01, cwd=tmp_path)
    assert proc.returncode == 0 and "loss" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_train_divergence_is_a_one_line_error(tmp_path):
    out = tmp_path / "out.json"
    proc = run("train", EXAMPLE["relu-regression"], "--steps", 200, "--lr", 1e6, "-o", out)
    assert_one_line_error(proc)
    assert "training stopped" in proc.stderr
    assert not out.exists()


def test_train_bad_learning_rate(tmp_path, capsys):
    out = tmp_path / "out.json"
    proc = run("train", EXAMPLE["relu-regression"], "--lr", "-1", "-o", out)
    assert_one_line_error(proc)
    assert "learning rate" in proc.stderr
    for lr in ("0", "nan", "inf", "-1e-3"):
        assert main(["train", EXAMPLE["relu-regression"], f"--lr={lr}", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "learning rate" in err
    assert not out.exists()


# --------------------------------------------------------------------------------- bad files
def _bad_files(tmp_path):
    net = json.loads((example_path("default")).read_text())
    transposed = json.loads(json.dumps(net))
    transposed["layers"][0]["W"] = np.array(net["layers"][0]["W"]).T.tolist()
    hostile = json.loads(json.dumps(net))
    hostile["layers"][0]["activation"] = {"expr": "__import__('os').system('touch PWNED')"}
    files = {
        "not-json": ("{ this is not json", "not valid JSON"),
        "transposed-W": (json.dumps(transposed), "is it transposed?"),
        "hostile-expr": (json.dumps(hostile), "'__import__' is not an allowed function"),
        "binary": (b"\xff\xfe\x00garbage", "not UTF-8"),
        "missing": (None, "no such file"),
    }
    paths = {}
    for name, (content, message) in files.items():
        path = tmp_path / f"{name}.json"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content)
        paths[name] = (path, message)
    return paths


BAD = ["not-json", "transposed-W", "hostile-expr", "binary", "missing"]


# as real processes: each bad file once (the hostile one with every command); in-process, below, all of them
SUBPROCESS_CASES = [("not-json", ["check"]), ("transposed-W", ["train", "-o", "OUT"]), ("binary", ["trace", "--json"]),
                    ("missing", ["trace"]), ("hostile-expr", ["trace"]), ("hostile-expr", ["check"]),
                    ("hostile-expr", ["train", "-o", "OUT"])]


@pytest.mark.parametrize("bad, command", SUBPROCESS_CASES)
def test_bad_file_exits_2_with_one_line_and_creates_nothing(tmp_path, bad, command):
    work = tmp_path / "work"
    work.mkdir()
    path, message = _bad_files(tmp_path)[bad]
    args = [command[0], path, *[str(work / "out.json") if a == "OUT" else a for a in command[1:]]]
    proc = run(*args, cwd=work)
    assert_one_line_error(proc)
    assert message in proc.stderr
    assert proc.stdout == ""
    assert list(work.iterdir()) == []             # no out.json, no PWNED
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("bad", BAD)
def test_bad_file_in_process(tmp_path, bad, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path, message = _bad_files(tmp_path)[bad]
    before = set(tmp_path.iterdir())
    for argv in (["trace", str(path), "--json"], ["check", str(path)],
                 ["train", str(path), "-o", str(tmp_path / "out.json")]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err
    assert set(tmp_path.iterdir()) == before


def test_usage_errors_do_not_raise(capsys):
    assert main(["trace"]) == 2                      # argparse: missing NET.json
    assert "usage" in capsys.readouterr().err
    assert main(["check", EXAMPLE["default"], "--example", "x"]) == 2
    capsys.readouterr()
    assert main(["--help"]) == 0
    assert "trace" in capsys.readouterr().out


def test_session_and_cli_agree_on_layout_and_example(capsys):
    s = Session(load_net(EXAMPLE["softmax-3class"]), layout="numerator", example=1)
    from chainview.core.trace import trace_dict
    expected = json.loads(json.dumps(trace_dict(s)))
    assert main(["trace", EXAMPLE["softmax-3class"], "--json", "--layout", "numerator", "--example", "1"]) == 0
    assert json.loads(capsys.readouterr().out) == expected


def test_the_app_without_a_display_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "chainview.cli"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "chainview render" in lines[0]


def test_a_bad_file_given_to_the_app_is_said_and_the_app_still_opens(tmp_path, monkeypatch, capsys):
    """A double-clicked broken file has no terminal: the app must open (it shows the message in a dialog)."""
    import chainview.gui.app as app_module
    bad = tmp_path / "bad.chainview.json"
    bad.write_text('{"format": "chainview-net"')
    opened = []
    monkeypatch.setattr(app_module, "run_app", lambda path: opened.append(path) or 0)
    assert main([str(bad)]) == 0
    assert opened == [str(bad)]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not valid JSON" in err[0]


def test_a_command_parses_alike_when_its_parser_is_built_alone():
    """main() builds only the command's own subparser (start-up time): it must be the same as in the full one."""
    from chainview.cli import COMMANDS, _parser

    def options(parser, name):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return sorted((a.dest, tuple(a.option_strings), a.default, a.required) for a in sub.choices[name]._actions)

    full = _parser()
    for name in COMMANDS:
        alone = _parser(only=name)
        assert options(alone, name) == options(full, name), name
