"""`chainview handout`: every example in every format; the HTML parses and holds every step's and every
edge's numbers of `trace --json` at the shown digits; the .tex compiles; bad paths write nothing."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

from chainview.core import Session, build_net, example_paths, load_net, save_net
from chainview.cli import main
from chainview.core.handout import BIG, number_text
from chainview.core.trace import trace_dict

VOID = {"meta", "img", "br", "hr", "link", "input"}


class Reader(HTMLParser):
    """Checks that tags nest and close, and collects every matrix table's cells by data-ref."""

    def __init__(self):
        super().__init__()
        self.stack, self.tables, self.images, self.links, self.scripts = [], {}, [], [], 0
        self._ref = None
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "a":
            self.links.append(a.get("href", ""))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table" and a.get("data-ref"):
            self._ref = a["data-ref"]
            self.tables[self._ref] = []
        elif tag == "tr" and self._ref:
            self._row = []
            self.tables[self._ref].append(self._row)
        elif tag == "td" and self._ref:
            self._cell = ""

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "table":
            self._ref = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def read_html(path) -> Reader:
    r = Reader()
    with open(path, encoding="utf-8") as f:
        r.feed(f.read())
    r.close()
    assert r.stack == ["html"] or r.stack == [], r.stack
    return r


def cells(values, digits=4):
    return [[number_text(x, digits) if x is not None else "NaN" for x in row] for row in values]


@pytest.mark.parametrize("layout", ["denominator", "numerator"])
@pytest.mark.parametrize("name", sorted(example_paths()))
def test_html_holds_every_step_and_edge_of_the_trace(tmp_path, capsys, name, layout):
    path = example_paths()[name]
    out = tmp_path / f"{name}.html"
    assert main(["handout", str(path), "--layout", layout, "-o", str(out)]) == 0
    capsys.readouterr()
    doc = read_html(out)
    assert doc.scripts == 0
    assert all(src.startswith("data:image/png;base64,") for src in doc.images) and doc.images
    assert base64.b64decode(doc.images[0].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not any(link.startswith(("http:", "https:", "//")) for link in doc.links)
    assert main(["trace", str(path), "--layout", layout, "--json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    for step in trace["steps"]:
        assert doc.tables[f"step-{step['index']}-value"] == cells(step["value"]), step["index"]
    for edge in trace["edges"]:
        assert doc.tables[f"edge-{edge['source']}-{edge['target']}"] == cells(edge["value"])
    text = out.read_text(encoding="utf-8")
    for heading in ("The net", "The graph", "Every step", "Every edge", "Gradient check"):
        assert heading in text
    order = [text.index(h) for h in ("id='net'", "id='graph'", "id='steps'", "id='edges'", "id='check'")]
    assert order == sorted(order)


def test_the_givens_are_the_graphs_own_w_nodes_so_a_tied_w_shows_once(tmp_path, capsys):
    """Every W and W0 node of the net's graph, with its numbers; a tied layer has no W of its own."""
    from chainview.core.graph import node_ids
    path = example_paths()["unrolled-tied"]
    out = tmp_path / "tied.html"
    assert main(["handout", str(path), "-o", str(out)]) == 0
    capsys.readouterr()
    doc = read_html(out)
    net = load_net(path)
    ws = [n for n in node_ids(net) if n.startswith("W")]
    assert "W2" not in ws and "W1" in ws and "W0_2" in ws
    values = Session(net).evaluation.values
    givens = sorted(ref[len("given-"):] for ref in doc.tables if ref.startswith("given-") and ref[6] == "W")
    assert givens == sorted(ws)
    for n in ws:
        assert doc.tables[f"given-{n}"] == cells(values[n].tolist())


def test_digits_follow_the_option(tmp_path, capsys):
    path = example_paths()["default"]
    out = tmp_path / "d.html"
    assert main(["handout", str(path), "--digits", "6", "-o", str(out)]) == 0
    capsys.readouterr()
    main(["trace", str(path), "--json"])
    trace = json.loads(capsys.readouterr().out)
    doc = read_html(out)
    assert doc.tables["step-6-value"] == cells(trace["steps"][6]["value"], 6)


def test_worksheet_leaves_results_blank_and_answers_at_the_end(tmp_path, capsys):
    out = tmp_path / "w.html"
    assert main(["handout", str(example_paths()["default"]), "--predict", "-o", str(out)]) == 0
    doc = read_html(out)
    text = out.read_text(encoding="utf-8")
    assert "step-7-value-blank" in doc.tables and "Answers" in text
    assert text.index("step-7-value-blank") < text.index("id='answers'") < text.index("data-ref='step-7-value'")
    assert "A¹ is 3×1 and (dL/dZ²)ᵀ is 1×2, so the product is 3×2" in text.split("id='answers'")[1]
    assert "shapes: (3 × 1)(1 × 2) → ?" in text


@pytest.mark.parametrize("name", sorted(example_paths()))
def test_markdown_and_tex_have_every_step_and_the_picture_beside_them(tmp_path, capsys, name):
    path = example_paths()[name]
    for suffix in ("md", "tex"):
        out = tmp_path / f"{name}.{suffix}"
        assert main(["handout", str(path), "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        pngs = sorted(p.name for p in tmp_path.glob(f"{name}-graph*.png"))
        assert pngs and all((tmp_path / p).read_bytes()[:4] == b"\x89PNG" and p in text for p in pngs)
        steps = Session(load_net(path)).steps
        for s in steps:
            assert f"Step {s.index + 1}" in text
        assert text.count(r"\begin{bmatrix}") > len(steps)
        if suffix == "md":
            assert "$$" in text and "## Gradient check" in text
        else:
            assert text.startswith(r"\documentclass") and r"\usepackage{amsmath}" in text
            packages = [line for line in text.splitlines() if line.startswith(r"\usepackage")]
            assert packages == [r"\usepackage{amsmath}", r"\usepackage{graphicx}"]
            assert all(ord(ch) < 128 for ch in text), "pdflatex wants ASCII"


def _pdflatex():
    return shutil.which("pdflatex")


@pytest.mark.skipif(_pdflatex() is None, reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)")
@pytest.mark.parametrize("name,extra", [(n, []) for n in sorted(example_paths())]
                         + [("default", ["--predict", "--layout", "numerator"])])
def test_tex_compiles_with_plain_pdflatex(tmp_path, capsys, name, extra):
    out = tmp_path / "handout.tex"
    assert main(["handout", str(example_paths()[name]), *extra, "-o", str(out)]) == 0
    run = subprocess.run([_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "handout.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "handout.pdf").stat().st_size > 10_000


def test_unwritable_output_is_one_line_exit_2_and_nothing_written(tmp_path, capsys):
    path = str(example_paths()["default"])
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for out in (tmp_path / "missing" / "h.html", blocker / "h.html", tmp_path / "h.pdf", tmp_path):
        assert main(["handout", path, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("chainview: ")
    assert sorted(os.listdir(tmp_path)) == ["file.txt"]


def test_a_failed_rename_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    """Two files (the PNG beside, then the .md): the second rename fails, so the first is taken back too."""
    from chainview.core import handout
    calls = []
    real = os.replace

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(handout.os, "replace", flaky)
    out = tmp_path / "h.md"
    assert main(["handout", str(example_paths()["default"]), "-o", str(out)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_bad_input_gets_the_same_one_line_error_as_trace(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "chainview-net", "version": 1, "input": [[1]], "target": [[1]], "loss": "squared"}')
    assert main(["trace", str(bad)]) == 2
    trace_err = capsys.readouterr().err
    assert main(["handout", str(bad), "-o", str(tmp_path / "h.html")]) == 2
    assert capsys.readouterr().err == trace_err
    assert not (tmp_path / "h.html").exists()


def test_twelve_layers_stay_readable_and_big_matrices_show_corners(tmp_path, capsys):
    rng = np.random.default_rng(0)
    layers = [{"units": 14 if l == 5 else 3, "activation": "tanh"} for l in range(11)] + \
             [{"units": 2, "activation": "softmax"}]
    net = build_net(rng.normal(size=(2, 1)), np.array([[0.0], [1.0]]), "nllm", layers, seed=1)
    src = tmp_path / "deep.chainview.json"
    save_net(net, src)
    out = tmp_path / "deep.html"
    assert main(["handout", str(src), "-o", str(out)]) == 0
    doc = read_html(out)
    from PySide6.QtGui import QImage
    widths = []
    for src_ in doc.images:
        img = QImage.fromData(base64.b64decode(src_.split(",", 1)[1]))
        widths.append(img.width())
    assert len(widths) >= 3 and max(widths) <= 3600, widths    # cut in parts, each about a page wide
    s = Session(load_net(src))
    assert len(s.steps) == 12 * 6 + 2
    big = "edge-Z6-A6"                                         # tanh over 14 units: a 14 x 14 Jacobian
    table = doc.tables[big]
    assert len(table) == 11 and table[5] == ["⋯"] * 11 and table[0][5] == "⋯"
    J = s.jacobian("Z6", "A6").dense()
    assert table[0][0] == number_text(J[0, 0]) and table[-1][-1] == number_text(J[-1, -1])
    name = f"deep-{big}.csv"
    assert name in doc.links
    rows = list(csv.reader(io.StringIO((tmp_path / name).read_text())))
    assert np.allclose(np.array(rows, dtype=float), J, rtol=0, atol=0)
    assert J.shape[0] > BIG


@pytest.mark.skipif(_pdflatex() is None, reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)")
def test_tex_survives_any_text_in_a_name_or_a_note(tmp_path, capsys):
    """A TA's note and a net's name are text, not TeX: specials and unicode must not break pdflatex."""
    from dataclasses import replace
    net = load_net(example_paths()["notes-z-squared"])
    nasty = r"50% & $x_1^T$ {~} \\ # 🙂 √ ′ — “quotes” \end{document} <script>alert(1)</script>"
    net = replace(net, name=nasty, description=nasty, notes=((0, nasty), (3, "watch the transpose here")))
    src = tmp_path / "nasty.chainview.json"
    save_net(net, src)
    out = tmp_path / "nasty.tex"
    assert main(["handout", str(src), "-o", str(out)]) == 0
    run = subprocess.run([_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "nasty.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    md = tmp_path / "nasty.md"
    assert main(["handout", str(src), "-o", str(md)]) == 0
    assert "watch the transpose here" in md.read_text(encoding="utf-8")
    page = tmp_path / "nasty.html"
    assert main(["handout", str(src), "-o", str(page)]) == 0
    doc = read_html(page)
    assert doc.scripts == 0 and "&lt;script&gt;" in page.read_text(encoding="utf-8")


def test_the_installed_command_writes_and_exits_with_its_code(tmp_path):
    """As a process, `handout` ends without tearing Qt down (like render): the files are complete, the code kept."""
    import sys
    from pathlib import Path
    script = Path(sys.executable).with_name("chainview")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "chainview.cli"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = tmp_path / "p.html"
    run = subprocess.run(cmd + ["handout", str(example_paths()["default"]), "-o", str(out)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "" and read_html(out).tables["step-0-value"]
    run = subprocess.run(cmd + ["handout", str(example_paths()["default"]), "-o", str(tmp_path / "no" / "p.html")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
