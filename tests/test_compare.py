"""`chainview compare`: a person's own modules (or arrays) beside the engine, the first wrong number and how.

Buggy module files are made from tests/compare_cases/hw_correct.py by replacing one line, so each
case is a real file run in the real child process; every expected number comes from the engine
(itself tested against autograd and finite differences in test_engine.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainview.core import evaluate, example_path, load_net
from chainview.cli import main
from chainview.core.compare import (CompareError, KINDS, compare_modules, format_report,
                                    template_path)
from chainview.core.compare_values import compare_values

CASES = Path(__file__).parent / "compare_cases"
HW_NET = str(CASES / "hw_net.chainview.json")
CORRECT = (CASES / "hw_correct.py").read_text()
REGRESSION = str(example_path("relu-regression"))


def variant(tmp_path, old: str, new: str, base: str = CORRECT, name: str = "hw.py") -> Path:
    assert old in base, old
    path = tmp_path / name
    path.write_text(base.replace(old, new, 1))
    return path


def run_json(capsys, net, modules, *extra):
    code = main(["compare", str(net), "--modules", str(modules), "--json", "--timeout", "5", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def statuses(data):
    return {(r["phase"], r["node"]): r["status"] for r in data["results"]}


# ---- correct files agree on every node

@pytest.mark.parametrize("modules,convention", [("hw_correct.py", "fused"), ("hw_unfused.py", "unfused")])
def test_a_correct_file_agrees_on_every_node(capsys, modules, convention):
    code, data = run_json(capsys, HW_NET, CASES / modules)
    assert code == 0 and data["agree"] is True and data["first"] is None
    assert set(data) == {"agree", "convention", "first", "results"}
    assert data["convention"] == convention
    st = statuses(data)
    assert [(r["phase"], r["node"]) for r in data["results"]][:5] == [
        ("forward", "Z1"), ("forward", "A1"), ("forward", "Z2"), ("forward", "A2"), ("forward", "L")]
    # fused: NLL.backward returns dL/dZ², so dL/dA² is never computed; unfused: it is checked
    assert st[("backward", "A2")] == ("not_checked" if convention == "fused" else "ok")
    assert all(s == "ok" for k, s in st.items() if k != ("backward", "A2"))


@pytest.mark.parametrize("example", ["relu-regression", "softmax-3class", "default"])
def test_the_correct_file_agrees_on_the_examples_with_an_sgd_step(capsys, example):
    code, data = run_json(capsys, example_path(example), CASES / "hw_correct.py", "--lr", "0.05")
    assert code == 0, data["first"]
    update = [r for r in data["results"] if r["phase"] == "update"]
    assert update and all(r["status"] == "ok" for r in update)


def test_an_identity_layer_needs_no_class(capsys):
    code, data = run_json(capsys, REGRESSION, CASES / "hw_correct.py")
    assert code == 0
    assert statuses(data)[("forward", "A2")] == "not_checked"      # the file has no Identity class


# ---- each diagnosis, at the right first node and phase

BUGS = {
    # name: (old, new, net, (node, phase, kind), words in the message)
    "transposed dLdW": ("self.dLdW = self.A @ dLdZ.T", "self.dLdW = dLdZ @ self.A.T", HW_NET,
                        ("W2", "backward", "transposed"), ["dL/dZ² A¹ᵀ (2 × 3)", "A¹ (dL/dZ²)ᵀ", "3 × 2"]),
    "batch never summed": ("self.dLdW0 = np.sum(dLdZ, axis=1, keepdims=True)", "self.dLdW0 = dLdZ", HW_NET,
                           ("W0_2", "backward", "batch_sum"), ["2 × 4", "4 columns were not summed"]),
    "wrong axis": ("self.dLdW0 = np.sum(dLdZ, axis=1, keepdims=True)", "self.dLdW0 = np.sum(dLdZ, axis=0, keepdims=True)",
                   HW_NET, ("W0_2", "backward", "shape"), ["1 × 4", "b)", "n² × 1 = 2 × 1"]),
    "1-D offset gradient": ("self.dLdW0 = np.sum(dLdZ, axis=1, keepdims=True)", "self.dLdW0 = np.sum(dLdZ, axis=1)",
                            HW_NET, ("W0_2", "backward", "shape"), ["1-D array of 2", "keepdims"]),
    "sign": ("return self.Ypred - self.Y\n\n\nclass Sq", "return self.Y - self.Ypred\n\n\nclass Sq", HW_NET,
             ("Z2", "backward", "scaled"), ["-1 ×", "sign"]),
    "mean not sum": ("self.dLdW = self.A @ dLdZ.T", "self.dLdW = self.A @ dLdZ.T / dLdZ.shape[1]", HW_NET,
                     ("W2", "backward", "scaled"), ["1/4 ×", "mean"]),
    "half of squared": ("return 2 * (self.Ypred - self.Y)", "return self.Ypred - self.Y", REGRESSION,
                        ("A2", "backward", "scaled"), ["1/2 ×", "2(a−y)"]),
    "NaN": ("return dLdA * (1 - self.A ** 2)", "return dLdA * (1 - self.A ** 2) * np.log(self.A)", HW_NET,
            ("Z1", "backward", "nonfinite"), ["NaN at entry (1, 2)"]),
    "returns its input": ("return dLdA * (1 - self.A ** 2)", "return dLdA", HW_NET,
                          ("Z1", "backward", "values"), ["yours equals dL/dA¹", "did Tanh.backward return its input?"]),
    "wrong derivative": ("return dLdA * (1 - self.A ** 2)", "return dLdA * (1 - self.A)", HW_NET,
                         ("Z1", "backward", "values"), ["largest difference at entry"]),
    "no offset in forward": ("return self.W.T @ A + self.W0", "return self.W.T @ A", HW_NET,
                             ("Z1", "forward", "values"), ["largest difference"]),
    "exception in backward": ("return self.W @ dLdZ", "return self.W.T @ dLdZ", HW_NET,   # dL/dW², dL/dW0² were set
                              ("A1", "backward", "exception"), ["hw.py, line 18, in backward: ValueError: matmul"]),
    "sgd step up the gradient": ("self.W = self.W - lrate * self.dLdW", "self.W = self.W + lrate * self.dLdW", HW_NET,
                                 ("W1", "update", "scaled"), ["-1 ×", "up the gradient"]),
    "sgd step without lr": ("self.W = self.W - lrate * self.dLdW", "self.W = self.W - self.dLdW", HW_NET,
                            ("W1", "update", "scaled"), ["10 ×", "learning rate 0.1 was not applied"]),
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_each_bug_is_found_at_its_node_phase_and_kind(tmp_path, capsys, bug):
    old, new, net, (node, phase, kind), words = BUGS[bug]
    path = variant(tmp_path, old, new)
    code, data = run_json(capsys, net, path, "--lr", "0.1")
    first = data["first"]
    assert code == 1 and data["agree"] is False
    assert (first["node"], first["phase"], first["kind"]) == (node, phase, kind), first["message"]
    assert first["kind"] in KINDS
    for word in words:
        assert word in first["message"], (word, first["message"])
    # the first difference is the first "differs" of the results, and every step before it agrees
    rows = data["results"]
    at = next(i for i, r in enumerate(rows) if (r["node"], r["phase"]) == (node, phase))
    assert rows[at]["status"] == "differs"
    assert all(r["status"] in ("ok", "not_checked") for r in rows[:at])
    if kind not in ("exception", "timeout"):
        assert first["yours"] is not None and first["expected"] is not None


def test_yours_and_expected_are_the_numbers(tmp_path, capsys):
    path = variant(tmp_path, "self.dLdW = self.A @ dLdZ.T", "self.dLdW = dLdZ @ self.A.T")
    _, data = run_json(capsys, HW_NET, path)
    ev = evaluate(load_net(HW_NET))
    np.testing.assert_allclose(np.array(data["first"]["expected"]), ev.grads["W2"])
    np.testing.assert_allclose(np.array(data["first"]["yours"]), ev.grads["W2"].T)


def test_each_module_gets_the_correct_input_so_only_the_wrong_one_differs(tmp_path, capsys):
    path = variant(tmp_path, "self.dLdW = self.A @ dLdZ.T", "self.dLdW = dLdZ @ self.A.T")
    _, data = run_json(capsys, HW_NET, path)
    differs = [(r["phase"], r["node"]) for r in data["results"] if r["status"] == "differs"]
    assert differs == [("backward", "W2"), ("backward", "W1")]   # the same line makes both


# ---- their code failing: exception, time-out, syntax error, crash, memory

def test_an_exception_is_reported_in_their_words_with_their_source_line(tmp_path):
    path = variant(tmp_path, "return self.W @ dLdZ", "return self.W.T @ dLdZ")
    report = compare_modules(load_net(HW_NET), path)
    first = report.first
    assert first.message.startswith("hw.py, line 18, in backward: ValueError: ")
    assert first.source == "return self.W.T @ dLdZ"
    assert "Traceback" not in first.message and "compare_child" not in first.message


def test_an_endless_loop_times_out_at_its_step(tmp_path, capsys):
    path = variant(tmp_path, "return dLdA * (1 - self.A ** 2)", "while True:\n            pass")
    code = main(["compare", HW_NET, "--modules", str(path), "--json", "--timeout", "1.5"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    first = data["first"]
    assert (first["node"], first["phase"], first["kind"]) == ("Z1", "backward", "timeout")
    assert "Tanh.backward" in first["message"] and "1.5 s" in first["message"]
    # everything before the loop was still compared
    assert statuses(data)[("backward", "W2")] == "ok"


def test_a_syntax_error_is_a_load_error_with_no_node(tmp_path, capsys):
    path = variant(tmp_path, "def forward(self, Z):\n        self.A = np.tanh(Z)", "def forward(self, Z)\n        self.A = np.tanh(Z)")
    code, data = run_json(capsys, HW_NET, path)
    assert code == 1
    first = data["first"]
    assert (first["node"], first["phase"], first["kind"]) == (None, "load", "exception")
    assert first["message"].startswith("hw.py, line 26: SyntaxError:")
    assert all(r["status"] == "not_checked" for r in data["results"])


def test_a_bad_init_is_a_load_error(tmp_path, capsys):
    path = variant(tmp_path, "self.m, self.n = m, n", "self.m, self.n = m, n\n        1 / 0")
    code, data = run_json(capsys, HW_NET, path)
    assert code == 1
    assert data["first"]["phase"] == "load" and data["first"]["node"] is None
    assert data["first"]["message"] == "hw.py, line 8, in __init__: ZeroDivisionError: division by zero"


def test_their_process_ending_is_an_exception_at_its_step(tmp_path):
    path = variant(tmp_path, "self.A = A\n", "self.A = A\n        import os; os._exit(3)\n")
    first = compare_modules(load_net(HW_NET), path).first
    assert (first.node, first.phase, first.kind) == ("Z1", "forward", "exception")
    assert "exit code 3" in first.message


def test_a_huge_allocation_is_their_memory_error_not_our_crash(tmp_path):
    path = variant(tmp_path, "self.A = A\n", "self.A = A\n        big = np.ones((100000, 100000))\n")
    first = compare_modules(load_net(HW_NET), path).first
    assert (first.node, first.phase, first.kind) == ("Z1", "forward", "exception")
    assert "MemoryError" in first.message and "line 13" in first.message


def test_printing_to_stdout_does_not_corrupt_the_result(tmp_path):
    path = variant(tmp_path, "self.A = A\n", "self.A = A\n        print('hello from forward', A)\n        print('{\"agree\": false}')\n")
    proc = subprocess.run([sys.executable, "-m", "chainview.cli", "compare", HW_NET, "--modules", str(path),
                           "--json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["agree"] is True       # only our one object on stdout
    report = compare_modules(load_net(HW_NET), path)
    assert "hello from forward" in report.output


def test_their_folder_gets_no_pycache(tmp_path):
    helper = tmp_path / "helpers.py"
    helper.write_text("import numpy as np\ndef tanh(z):\n    return np.tanh(z)\n")
    path = variant(tmp_path, "import numpy as np\n", "import numpy as np\nfrom helpers import tanh\n")
    assert compare_modules(load_net(HW_NET), path).agree
    assert not list(tmp_path.rglob("__pycache__")) and not list(tmp_path.rglob("*.pyc"))


def test_the_untouched_template_says_not_implemented_per_method(capsys):
    report = compare_modules(load_net(HW_NET), template_path(), lr=0.1)
    first = report.first
    assert (first.node, first.phase, first.kind) == ("Z1", "forward", "exception")
    assert "NotImplementedError" in first.message and "modules_template.py" in first.message
    failing = {(r.phase, r.node) for r in report.rows if r.kind == "exception"}
    # every method of every class is called (each gets chainview's correct input) and says so
    assert {("forward", "Z1"), ("forward", "A1"), ("forward", "A2"), ("forward", "L"), ("backward", "A2"),
            ("backward", "W2"), ("backward", "Z1"), ("update", "W1")} <= failing
    assert "not implemented" in format_report(report)


# ---- exit codes and one-line messages

def test_exit_codes_and_one_line_messages(tmp_path, capsys):
    assert main(["compare", HW_NET, "--modules", str(CASES / "hw_correct.py")]) == 0
    out = capsys.readouterr().out
    assert "✓ dL/dW²" in out and "everything agrees" in out
    bad = variant(tmp_path, "self.dLdW = self.A @ dLdZ.T", "self.dLdW = dLdZ @ self.A.T")
    assert main(["compare", HW_NET, "--modules", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "✗ dL/dW²" in out and "first difference: dL/dW² (backward): transposed" in out

    no_tanh = variant(tmp_path, "class Tanh:", "class Tanhh:", name="hw2.py")
    cases = [
        (["compare", HW_NET, "--modules", str(tmp_path / "nope.py")], "no such file"),
        (["compare", str(tmp_path / "nope.json"), "--modules", str(CASES / "hw_correct.py")], "nope.json"),
        (["compare", HW_NET, "--modules", str(no_tanh)], "hw2.py has no class Tanh (for layer 1's activation tanh)"),
        (["compare", str(example_path("notes-z-squared")), "--modules", str(CASES / "hw_correct.py")], "z**2"),
        (["compare", HW_NET, "--modules", str(CASES / "hw_correct.py"), "--timeout", "0"], "--timeout"),
        (["compare", HW_NET, "--modules", str(CASES / "hw_correct.py"), "--lr", "-1"], "learning rate"),
    ]
    for argv, words in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_modules_and_values_are_one_or_the_other(capsys):
    assert main(["compare", HW_NET]) == 2
    assert main(["compare", HW_NET, "--modules", "a.py", "--values", "b.npz"]) == 2


def test_exit_codes_as_a_process(tmp_path):
    bad = variant(tmp_path, "return self.Ypred - self.Y\n\n\nclass Sq", "return self.Y - self.Ypred\n\n\nclass Sq")
    run = lambda mod: subprocess.run([sys.executable, "-m", "chainview.cli", "compare", HW_NET, "--modules", mod],
                                     capture_output=True, text=True, timeout=60)
    assert run(str(CASES / "hw_correct.py")).returncode == 0
    proc = run(str(bad))
    assert proc.returncode == 1 and "scaled" in proc.stdout and proc.stderr == ""
    proc = run(str(tmp_path / "missing.py"))
    assert proc.returncode == 2 and proc.stderr.startswith("chainview: no such file") and proc.stdout == ""


# ---- --values: arrays from any other code

def _dump(ev, lr=None):
    arrays = {}
    for node, value in ev.values.items():
        if node[0] in "ZA" and node != "A0" or node == "L":
            arrays[node] = value
    for node, grad in ev.grads.items():
        arrays[f"d{node}"] = grad
    return arrays


def test_values_npz_and_json(tmp_path, capsys):
    ev = evaluate(load_net(HW_NET))
    arrays = _dump(ev)
    np.savez(tmp_path / "mine.npz", A0=ev.values["A0"], W1=ev.values["W1"], Y=ev.values["Y"], **arrays)  # givens: ignored
    (tmp_path / "mine.json").write_text(json.dumps({k: v.tolist() for k, v in arrays.items()}))
    for name in ("mine.npz", "mine.json"):
        code = main(["compare", HW_NET, "--values", str(tmp_path / name), "--json"])
        data = json.loads(capsys.readouterr().out)
        assert code == 0 and data["agree"] and all(r["status"] == "ok" for r in data["results"]), name

    arrays["dW1"] = arrays["dW1"].T
    del arrays["dA0"]
    np.savez(tmp_path / "bad.npz", **arrays)
    report = compare_values(load_net(HW_NET), tmp_path / "bad.npz")
    assert (report.first.node, report.first.phase, report.first.kind) == ("W1", "backward", "transposed")
    assert report.row("backward", "A0").status == "not_checked"
    assert main(["compare", HW_NET, "--values", str(tmp_path / "bad.npz")]) == 1
    capsys.readouterr()


def test_values_files_chainview_cannot_read(tmp_path, capsys):
    np.savez(tmp_path / "typo.npz", dW01=np.zeros((3, 1)))
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "text.json").write_text('{"Z1": "abc"}')
    np.save(tmp_path / "obj.npy", np.zeros(2))
    (tmp_path / "obj.npz").write_bytes(b"not a zip")
    for name, words in [("typo.npz", "'dW01'"), ("list.json", "one JSON object"), ("text.json", "Z1 must be"),
                        ("obj.npz", "not a readable .npz"), ("obj.npy", ".npz or a .json")]:
        assert main(["compare", HW_NET, "--values", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, err


def test_pickled_values_are_refused_not_loaded(tmp_path, capsys):
    np.savez(tmp_path / "pickled.npz", Z1=np.array([object()], dtype=object))
    with pytest.raises(CompareError, match="not a readable .npz"):
        compare_values(load_net(HW_NET), tmp_path / "pickled.npz")


def test_the_command_line_forks_and_the_app_spawns_with_the_same_results(tmp_path):
    """A process of its own (one thread, no Qt) forks its child; this test process has Qt loaded, so it
    starts `python -I -B`. Both leave their folder clean, time out and report the same."""
    from chainview.core.compare_runner import can_fork
    assert not can_fork()                                # PySide6 is loaded in the test process
    helper = tmp_path / "helpers.py"
    helper.write_text("def slow():\n    while True:\n        pass\n")
    path = variant(tmp_path, "import numpy as np\n", "import numpy as np\nfrom helpers import slow\n")
    path.write_text(path.read_text().replace("return dLdA * (1 - self.A ** 2)", "slow()"))
    code = ("import sys, json; from chainview.core.compare_runner import can_fork; assert can_fork(); "
            "from chainview.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "compare", HW_NET, "--modules", str(path), "--json",
                           "--timeout", "1.5"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    forked = json.loads(proc.stdout)
    spawned = compare_modules(load_net(HW_NET), path, timeout=1.5).to_dict()
    assert forked == spawned
    assert (forked["first"]["node"], forked["first"]["kind"]) == ("Z1", "timeout")
    assert not list(tmp_path.rglob("__pycache__"))


def test_the_mixed_conventions_are_named(tmp_path, capsys):
    # NLL.backward gives the fused A - Y but SoftMax.backward applies the full Jacobian: unfused, and wrong at dL/dA²
    base = CORRECT.replace("    def backward(self, dLdZ):\n        return dLdZ",
                           "    def backward(self, dLdZ):\n        A = self.A\n"
                           "        return A * dLdZ - A * np.sum(A * dLdZ, axis=0, keepdims=True)")
    base = base.replace("        e = np.exp(Z - np.max(Z, axis=0, keepdims=True))\n        return e / np.sum(e, axis=0, keepdims=True)",
                        "        e = np.exp(Z - np.max(Z, axis=0, keepdims=True))\n        self.A = e / np.sum(e, axis=0, keepdims=True)\n"
                        "        return self.A")
    path = tmp_path / "hw.py"
    path.write_text(base)
    code, data = run_json(capsys, HW_NET, path)
    assert code == 1 and data["convention"] == "unfused"
    first = data["first"]
    assert (first["node"], first["phase"], first["kind"]) == ("A2", "backward", "values")
    assert "yours equals dL/dZ²" in first["message"] and "fused shortcut" in first["message"]


def test_an_sgd_step_that_forgets_W0_and_other_capitals(tmp_path, capsys):
    path = variant(tmp_path, "self.W0 = self.W0 - lrate * self.dLdW0", "pass")
    path.write_text(path.read_text().replace("class SoftMax:", "class Softmax:"))
    code, data = run_json(capsys, HW_NET, path, "--lr", "0.1")
    first = data["first"]
    assert (first["node"], first["phase"], first["kind"]) == ("W0_1", "update", "values")
    assert "all zeros" in first["message"]
    assert statuses(data)[("update", "W1")] == "ok"


def test_an_endless_loop_while_loading_is_a_load_timeout(tmp_path, capsys):
    path = variant(tmp_path, "import numpy as np\n", "import numpy as np\nwhile True:\n    pass\n")
    code = main(["compare", HW_NET, "--modules", str(path), "--json", "--timeout", "1"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (data["first"]["node"], data["first"]["phase"], data["first"]["kind"]) == (None, "load", "timeout")
    assert "did not finish within 1 s" in data["first"]["message"]


def test_the_app_form_of_modules_needs_a_file(capsys):
    assert main([HW_NET, "--modules"]) == 2
    err = capsys.readouterr().err
    assert "--modules needs your Python file" in err and err.count("\n") == 1


@pytest.mark.parametrize("old,new,words", [
    ("return self.W.T @ A + self.W0", "self.Z = self.W.T @ A + self.W0", "Linear.forward gave no array (None)"),
    ("self.dLdW = self.A @ dLdZ.T", "self.grad_W = self.A @ dLdZ.T", "Linear.backward set no self.dLdW"),
    ("return self.W @ dLdZ", "return 'dLdA'", "returned a str, not an array"),
])
def test_no_array_at_all_is_a_shape_difference(tmp_path, old, new, words):
    first = compare_modules(load_net(HW_NET), variant(tmp_path, old, new)).first
    assert first.kind == "shape" and words in first.message, first.message


def test_a_half_with_a_batch_of_two_names_both_slips():
    """c = ½ is the squared loss's missing 2 or, with b = 2, a mean over the batch: the hint names both."""
    from chainview.core.compare_diagnose import Context, diagnose
    expected = np.array([[0.3, -1.2], [2.0, 0.7]])
    two = diagnose(expected / 2, expected, Context("W1", "backward", 2, 2))
    four = diagnose(expected / 2, expected, Context("W1", "backward", 2, 4))
    assert two.kind == four.kind == "scaled"
    assert "2(a−y)" in two.message and "1/b with b = 2" in two.message
    assert "2(a−y)" in four.message and "1/b" not in four.message
