"""The handout as one self-contained HTML file: pictures inline (base64 PNG), no script, no network,
math as HTML with unicode super- and subscripts, matrices as bracketed tables, a print style sheet.

Every matrix table carries data-ref (e.g. "step-7-value", "edge-Z1-A1") so a reader or a test can
find a step's or an edge's numbers; cells hold the numbers as the app shows them.
"""

from __future__ import annotations

import base64
from html import escape

from .handout_data import Handout, Matrix, StepBlock, edge_words, shape_algebra
from .symbols import pretty, shape_text

CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
h3 { margin: 1.4rem 0 .3rem; font-size: 1.15rem; }
.muted { color: #5a5a60; } .eq { font-size: 1.2rem; font-weight: 600; }
.shapes { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem; margin: .4rem 0; }
.op { font-size: 1.4rem; color: #6e6e73; }
figure.m { margin: 0; } figure.m figcaption { font-size: .85rem; color: #5a5a60; text-align: center; }
table.m { border-collapse: separate; border-spacing: .5rem .05rem; border-left: 2px solid #333;
          border-right: 2px solid #333; border-radius: 4px; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
          font-size: .9rem; }
table.m td { text-align: right; padding: 0 .15rem; }
table.blank td { min-width: 3.5rem; height: 1.4rem; border-bottom: 1px dotted #999; }
.note { background: #fff7d6; border-left: 4px solid #f5c400; padding: .3rem .6rem; margin: .4rem 0; }
.ta { background: #e8f1ff; border-left: 4px solid #0a84ff; padding: .3rem .6rem; margin: .4rem 0; }
.ok { color: #1b8a3a; } .bad { color: #c62828; }
table.grid { border-collapse: collapse; } table.grid td, table.grid th { border: 1px solid #ccc; padding: .2rem .5rem; }
section.step, section.edge { break-inside: avoid; page-break-inside: avoid; }
.picture { overflow-x: auto; } .picture img { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
@media print { body { max-width: none; margin: 0; font-size: 11pt; } h2 { break-after: avoid; }
               .picture img { max-width: 100%; } a { color: inherit; text-decoration: none; } }
"""


def _sym(text: str) -> str:
    return escape(pretty(text))


def matrix_html(m: Matrix, csv: dict[str, str], blank: bool = False) -> str:
    caption = f"{_sym(m.title)} <span class='muted'>{shape_text(m.shape)}</span>"
    if blank:
        return (f"<figure class='m'><table class='m blank' data-ref='{escape(m.ref)}-blank'>"
                f"<tr><td></td></tr></table><figcaption>{_sym(m.title)} = ?</figcaption></figure>")
    rows = []
    for row in m.cells():
        cells = "".join("<td>⋯</td>" if c is None else f"<td>{escape(c)}</td>" for c in row)
        rows.append(f"<tr>{cells}</tr>")
    more = ""
    if m.big:
        more = (f"<figcaption>corners of a {shape_text(m.shape)} matrix; every entry is in "
                f"<a href='{escape(csv[m.ref])}'>{escape(csv[m.ref])}</a></figcaption>")
    return (f"<figure class='m'><table class='m' data-ref='{escape(m.ref)}'>{''.join(rows)}</table>"
            f"<figcaption>{caption}</figcaption>{more}</figure>")


def _joiner(j: str) -> str:
    j = j.strip()
    return {"": "·", "+": "+", ",": ","}.get(j, escape(j) or "·")


def step_html(s: StepBlock, data: Handout, csv) -> str:
    head = f"Step {s.index + 1} · {s.phase}: {_sym(s.title)}"
    shapes = shape_algebra(s, data.predict)
    out = [f"<section class='step' id='step-{s.index}'><h3>{head}</h3>",
           f"<div class='eq'>{_sym(s.equation)}</div>",
           f"<div class='shapes'>shapes: {escape(shapes)}</div>"]
    if not data.predict:
        out.append(f"<div class='muted'>{escape(s.explanation)}</div>")
    if s.note:
        out.append(f"<div class='muted'>{_sym(s.note)}</div>")
    if s.user_note:
        out.append(f"<div class='ta'>Note: {escape(s.user_note)}</div>")
    row = []
    for k, m in enumerate(s.operands):
        row.append(matrix_html(m, csv))
        if k < len(s.joiners):
            row.append(f"<span class='op'>{_joiner(s.joiners[k])}</span>")
    arrow = {"=": "=", "->": "→"}.get(s.arrow, f"{_sym(s.arrow)} →")
    row.append(f"<span class='op'>{arrow}</span>")
    row.append(matrix_html(s.result, csv, blank=data.predict))
    out.append(f"<div class='row'>{''.join(row)}</div>")
    if s.full is not None and not data.predict:
        out.append(f"<div class='muted'>All {data.batch} examples of the batch, one per column:</div>")
        out.append(f"<div class='row'>{matrix_html(s.full, csv)}</div>")
    out.append("</section>")
    return "\n".join(out)


def html_handout(data: Handout, pictures: list[bytes], csv: dict[str, str]) -> str:
    title = escape(data.title)
    out = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           f"<title>{title} — chainview handout</title><style>{CSS}</style></head><body>",
           f"<h1>{title}{' — worksheet' if data.predict else ''}</h1>"]
    if data.description:
        out.append(f"<p class='muted'>{escape(data.description)}</p>")
    out.append(f"<p class='muted'>MIT 6.390 conventions, {escape(data.layout)} layout"
               + (f", example {data.example + 1} of {data.batch} for the Jacobians" if data.batch > 1 else "")
               + f"; numbers to {data.digits} significant digits. Made with chainview.</p>")
    if data.predict:
        out.append("<p><b>Worksheet:</b> each step's result is left blank. Work out its shape and numbers, "
                   "then check the answers at the end.</p>")
    # 1. the net
    out.append("<h2 id='net'>The net</h2><table class='grid'><tr><th>layer</th><th>units (m → n)</th>"
               "<th>activation</th><th>f(z)</th></tr>")
    for l, units, act, formula in data.layers:
        out.append(f"<tr><td>{l}</td><td>{escape(units)}</td><td>{escape(act)}</td><td>{_sym(formula)}</td></tr>")
    out.append(f"</table><p>Loss: <b>{escape(data.loss[0])}</b>, {_sym(data.loss[1])}"
               f"{'' if data.predict else f' = {escape(data.loss_value)}'}</p>")
    out.append("<div class='row'>" + "".join(matrix_html(m, csv) for m in data.givens) + "</div>")
    # 2. the graph
    out.append("<h2 id='graph'>The graph</h2><div class='picture'>")
    for k, png in enumerate(pictures):
        b64 = base64.b64encode(png).decode("ascii")
        part = f" (part {k + 1} of {len(pictures)})" if len(pictures) > 1 else ""
        out.append(f"<img alt='the computation graph{part}' src='data:image/png;base64,{b64}'>")
    out.append("</div>")
    # 3. the steps
    out.append("<h2 id='steps'>Every step</h2>")
    for s in data.steps:
        if s.index == 0 or s.phase != data.steps[s.index - 1].phase:
            out.append(f"<h2 class='phase'>{'Forward pass' if s.phase == 'forward' else 'Backward pass'}</h2>")
        out.append(step_html(s, data, csv))
    # 4. the edges
    out.append(f"<h2 id='edges'>Every edge's Jacobian</h2><p class='muted'>In the {escape(data.layout)} layout"
               + (f", for example {data.example + 1}" if data.batch > 1 else "") + ".</p>")
    for e in data.edges:
        out.append(f"<section class='edge' id='edge-{escape(e.source)}-{escape(e.target)}'>"
                   f"<h3>{escape(edge_words(e))} = {_sym(e.symbol)}</h3>"
                   f"<div class='shapes'>{_sym(e.dims)} · {escape(e.kind)}</div>"
                   f"<div class='muted'>{_sym(e.reason)}</div>"
                   f"<div class='row'>{matrix_html(e.matrix, csv)}</div></section>")
    # 5. the gradient check
    verdict = ("<span class='ok'>✓ passed</span>: every gradient and Jacobian agrees with central finite differences"
               if data.check_ok else "<span class='bad'>✗ failed</span> for the rows marked ✗ below")
    out.append(f"<h2 id='check'>Gradient check</h2><p>{verdict}.</p><table class='grid'>"
               "<tr><th></th><th>what</th><th>largest relative error</th><th>note</th></tr>")
    for what, ok, err, note in data.check_rows:
        out.append(f"<tr><td class='{'ok' if ok else 'bad'}'>{'✓' if ok else '✗'}</td><td>{_sym(what)}</td>"
                   f"<td>{escape(err)}</td><td>{_sym(note)}</td></tr>")
    out.append("</table>")
    for p in data.problems:
        out.append(f"<p class='bad'>warning: {escape(p)}</p>")
    if data.predict:
        out.append("<h2 id='answers'>Answers</h2>")
        for s in data.steps:
            out.append(f"<section class='step'><h3>Step {s.index + 1}: {_sym(s.title)} is "
                       f"{shape_text(s.result.shape)}</h3><div class='muted'>{escape(s.explanation)}</div>"
                       f"<div class='row'>{matrix_html(s.result, csv)}"
                       + (matrix_html(s.full, csv) if s.full is not None else "") + "</div></section>")
        out.append(f"<p>Loss L = {escape(data.loss_value)}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
