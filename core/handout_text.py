"""The handout as Markdown ($…$ / $$…$$ math, which common code hosts render) or as a LaTeX article
that a plain pdflatex compiles (amsmath and graphicx only; matrices as bmatrix). The graph picture is
a PNG beside the file, linked relatively; a matrix past 12 x 12 shows its corners and sits whole in
a CSV beside it.

Our symbols are plain text ("dL/dW^2 = A^1 (dL/dZ^2)^T"); tex_math turns them into TeX math and
tex_text makes any other text (a net's name, a TA's note) safe for LaTeX: every special character
escaped, every character pdflatex cannot typeset replaced.
"""

from __future__ import annotations

import re
import unicodedata

from .handout_data import Handout, Matrix, StepBlock, shape_algebra
from .symbols import pretty, shape_text

_FUNCS = ("diag", "tanh", "exp", "log", "max", "min", "sigmoid", "softmax", "relu", "abs", "sqrt", "sum")
_MATH_CHARS = {"−": "-", "·": r"\cdot ", "⊙": r"\odot ", "Σ": r"\Sigma ", "½": r"\tfrac{1}{2}", "²": "^{2}",
               "×": r"\times ", "δ": r"\delta ", "ᵀ": r"^{\top}", "→": r"\to ", "⋯": r"\cdots ", "≈": r"\approx ",
               # what sympy's unicode printing of a typed f(z) may hold
               "⋅": r"\cdot ", "√": r"\surd ", "π": r"\pi ", "ℯ": "e", "θ": r"\theta ", "≤": r"\le ", "≥": r"\ge ",
               "³": "^{3}", "∞": r"\infty ", "′": "'"}
_SUPS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀᴸⁱʲᵏˡᵐⁿᵇ", list("0123456789-") + [r"\top", "L", "i", "j", "k", "l", "m", "n", "b"]))
_SUBS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ", "0123456789ijk"))
_TEXT_CHARS = {"−": "-", "—": "---", "–": "--", "’": "'", "‘": "`", "“": "``", "”": "''", "½": "1/2",
               "×": r"$\times$", "·": r"$\cdot$", "⊙": r"$\odot$", "Σ": r"$\Sigma$", "→": r"$\to$", "δ": r"$\delta$",
               "⋯": r"$\cdots$", "≈": r"$\approx$", "✓": "ok", "✗": "FAILED", "…": "...", "∞": r"$\infty$",
               "⟷": r"$\leftrightarrow$", "∂": r"$\partial$", "⋅": r"$\cdot$", "√": r"$\surd$", "π": r"$\pi$",
               "ℯ": "e", "θ": r"$\theta$", "≤": r"$\le$", "≥": r"$\ge$", "³": "$^{3}$",
               "′": "'"}
_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}"}


def _script(ch: str) -> str:
    """A superscript or subscript character in TeX math: '²' -> '^{2}', 'ᵀ' -> '^{\\top}', 'ₖ' -> '_{k}'; else ''."""
    if ch in _SUPS:
        return f"^{{{_SUPS[ch]}}}"
    if ch in _SUBS:
        return f"_{{{_SUBS[ch]}}}"
    return ""


def tex_text(text: str) -> str:
    """Any text, safe in a LaTeX paragraph: specials escaped, unicode maths as math, the rest ASCII."""
    out = []
    for ch in str(text):
        if ch in _TEXT_SPECIAL:
            out.append(_TEXT_SPECIAL[ch])
        elif ch in _TEXT_CHARS:
            out.append(_TEXT_CHARS[ch])
        elif _script(ch):
            out.append(f"${_script(ch)}$")
        elif ord(ch) < 128:
            out.append(ch if ch.isprintable() or ch == "\n" else " ")
        else:
            ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(ascii_ if ascii_ and ascii_.isprintable() else "?")
    return "".join(out)


def tex_math(symbol: str) -> str:
    """Our plain symbols as TeX math: 'W^1^T A^0' -> '{W^{1}}^{\\top} A^{0}', 'Σ_k' -> '\\Sigma _{k}'."""
    t = "".join(ch for ch in str(symbol) if ch not in "#$%&~\\{}")
    t = re.sub(r"\*\*\s*(\w+|\([^)]*\))", lambda m: "^{" + m.group(1).strip("()") + "}", t)   # z**2
    t = t.replace("*", r" \cdot ").replace("<->", r" \leftrightarrow ").replace("->", r" \to ")
    t = re.sub(r"(?<=\S) x (?=\S)", r" \\times ", t)
    t = re.sub(r"\^\(([^)]*)\)", r"^{\1}", t)
    t = re.sub(r"\^([0-9A-Za-z]+)", r"^{\1}", t)
    t = re.sub(r"(?<=[A-Za-z0-9}])_([0-9A-Za-z]+)", r"_{\1}", t)
    t = t.replace("^{T}", r"^{\top}")
    # a double superscript (W^{1}^{\top}) is an error in TeX: brace the first
    t = re.sub(r"([A-Za-z][A-Za-z0-9]*|\))(\^\{[^}]*\})(\^\{[^}]*\})", r"{\1\2}\3", t)
    t = re.sub(r"\b(" + "|".join(_FUNCS) + r")\b", r"\\operatorname{\1}", t)
    t = re.sub(r"(?<![\\a-zA-Z{])([A-Za-z]{3,})(?![a-zA-Z}])", r"\\mathrm{\1}", t)
    out = []
    for ch in t:
        if ch in _MATH_CHARS:
            out.append(_MATH_CHARS[ch])
        elif _script(ch):
            out.append(_script(ch))
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return re.sub(r"\s+", " ", "".join(out)).replace("\\mathrm{operatorname}", "\\operatorname").strip()


def _split_equation(eq: str) -> tuple[str, str]:
    """'dL/dW0^1 = dL/dZ^1 (summed over the batch)' -> (the math, 'summed over the batch')."""
    m = re.search(r"\s*\(((?:numerator|summed)[^)]*)\)\s*$", eq)
    return (eq[:m.start()], m.group(1)) if m else (eq, "")


def equation_math(eq: str) -> tuple[str, str]:
    """The equation as math (its parts split at ',  ' joined by a quad) and any words after it."""
    math, words = _split_equation(eq)
    return r" \qquad ".join(tex_math(p) for p in math.split(",  ")), words


def bmatrix(m: Matrix, blank: bool = False) -> str:
    if blank:
        return r"\begin{bmatrix} \;?\; \end{bmatrix}"
    rows = []
    for row in m.cells():
        if all(c is None for c in row):
            rows.append(" & ".join(r"\vdots" if k % 2 == 0 else "" for k in range(len(row))))
            continue
        rows.append(" & ".join(r"\cdots" if c is None else c.replace("−", "-").replace("∞", r"\infty")
                               for c in row))
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _labelled(m: Matrix, blank: bool = False) -> str:
    shape = rf"{m.shape[0]}\times {m.shape[1]}" if not blank else "?"
    return rf"\underbrace{{{bmatrix(m, blank)}}}_{{{tex_math(m.title)}\;({shape})}}"


GIVENS_PER_LINE = 4          # X, Y, W, W0 ... four to a line: a deep net's givens stay legible

_JOIN = {"": r"\,", "+": "+", ",": r",\quad "}


def step_math(s: StepBlock, predict: bool) -> str:
    parts = []
    for k, m in enumerate(s.operands):
        parts.append(_labelled(m))
        if k < len(s.joiners):
            parts.append(_JOIN.get(s.joiners[k].strip(), r"\,"))
    arrows = {"=": "=", "->": r"\;\to\;"}
    parts.append(arrows.get(s.arrow, r"\;\xrightarrow{" + tex_math(s.arrow) + r"}\;"))
    parts.append(_labelled(s.result, blank=predict))
    return " ".join(parts)


# ---------------------------------------------------------------- Markdown

def _md(text: str) -> str:
    """Prose for Markdown: unicode symbols, the characters Markdown would act on escaped."""
    return re.sub(r"([\\`*_{}\[\]<>#|$])", r"\\\1", pretty(str(text)))


def markdown_handout(data: Handout, pictures: list[str], csv: dict[str, str]) -> str:
    out = [f"# {_md(data.title)}{' — worksheet' if data.predict else ''}", ""]
    if data.description:
        out += [_md(data.description), ""]
    out += [f"MIT 6.390 conventions, {data.layout} layout"
            + (f", example {data.example + 1} of {data.batch} for the Jacobians" if data.batch > 1 else "")
            + f"; numbers to {data.digits} significant digits. Made with chainview.", ""]
    if data.predict:
        out += ["**Worksheet:** each step's result is left blank; the answers are at the end.", ""]
    out += ["## The net", "", "| layer | units (m → n) | activation | f(z) |", "| --- | --- | --- | --- |"]
    out += [f"| {l} | {u} | {_md(a)} | ${tex_math(f)}$ |" for l, u, a, f in data.layers]
    value = "" if data.predict else f" = {data.loss_value.replace('−', '-')}"
    out += ["", f"Loss: **{_md(data.loss[0])}**", "", f"$${tex_math(data.loss[1])}{value}$$", ""]
    for k in range(0, len(data.givens), GIVENS_PER_LINE):
        out += ["$$" + r" \qquad ".join(_labelled(m) for m in data.givens[k:k + GIVENS_PER_LINE]) + "$$", ""]
    out += _csv_links(data.givens, csv)
    out += ["## The graph", ""] + [f"![the computation graph]({name})" for name in pictures] + [""]
    for s in data.steps:
        if s.index == 0 or s.phase != data.steps[s.index - 1].phase:
            out += [f"## {'Forward pass' if s.phase == 'forward' else 'Backward pass'}", ""]
        math, words = equation_math(s.equation)
        out += [f"### Step {s.index + 1} · {s.phase}: {_md(s.title)}", "", f"$${math}$$", ""]
        if words:
            out += [f"({_md(words)})", ""]
        out += [f"shapes: `{shape_algebra(s, data.predict)}`", ""]
        if not data.predict:
            out += [_md(s.explanation), ""]
        if s.note:
            out += [f"*{_md(s.note)}*", ""]
        if s.user_note:
            out += [f"> **Note:** {_md(s.user_note)}", ""]
        out += [f"$${step_math(s, data.predict)}$$", ""]
        if s.full is not None and not data.predict:
            out += [f"All {data.batch} examples, one per column: $${_labelled(s.full)}$$", ""]
        out += _csv_links([*s.operands, s.result] + ([s.full] if s.full is not None else []), csv)
    out += ["## Every edge's Jacobian", ""]
    for e in data.edges:
        out += [f"### ${tex_math(e.name)} = {tex_math(e.symbol)}$", "", f"`{pretty(e.dims)}` · {e.kind}", "",
                _md(e.reason), "", f"$${bmatrix(e.matrix)}$$", ""]
        out += _csv_links([e.matrix], csv)
    out += ["## Gradient check", "", ("✓ passed: every gradient and Jacobian agrees with central finite differences"
                                      if data.check_ok else "✗ failed for the rows marked ✗"), "",
            "| | what | largest relative error | note |", "| --- | --- | --- | --- |"]
    out += [f"| {'✓' if ok else '✗'} | {_md(what)} | {err} | {_md(note)} |" for what, ok, err, note in data.check_rows]
    out += [""] + [f"warning: {_md(p)}" for p in data.problems]
    if data.predict:
        out += ["## Answers", ""]
        for s in data.steps:
            out += [f"**Step {s.index + 1}:** {_md(s.title)} is {shape_text(s.result.shape)}. "
                    f"{_md(s.explanation)}", "", f"$${_labelled(s.result)}$$", ""]
        out += [f"Loss L = {data.loss_value}", ""]
    return "\n".join(out) + "\n"


def _csv_links(matrices, csv) -> list[str]:
    return [f"(the whole {shape_text(m.shape)} matrix {_md(m.title)}: [{csv[m.ref]}]({csv[m.ref]}))\n"
            for m in matrices if m.big]


# ---------------------------------------------------------------- LaTeX

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{graphicx}
\setlength{\textwidth}{17cm}\setlength{\oddsidemargin}{-0.5cm}\setlength{\evensidemargin}{-0.5cm}
\setlength{\textheight}{23.5cm}\setlength{\topmargin}{-1.5cm}
\setlength{\parindent}{0pt}\setlength{\parskip}{4pt}
\setcounter{MaxMatrixCols}{40}
\newsavebox{\cvbox}
% a line of maths that is wider than the page is scaled down to fit it
\newcommand{\fitline}[1]{\sbox{\cvbox}{#1}\ifdim\wd\cvbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\cvbox}}\else\usebox{\cvbox}\fi}
"""


def _display(math: str) -> str:
    return "\\begin{center}\\fitline{$\\displaystyle " + math + "$}\\end{center}"


def tex_handout(data: Handout, pictures: list[str], csv: dict[str, str]) -> str:
    out = [_PREAMBLE, "\\title{" + tex_text(data.title) + (" --- worksheet" if data.predict else "") + "}",
           "\\author{}\\date{}", "\\begin{document}", "\\maketitle"]
    if data.description:
        out.append(tex_text(data.description) + "\n")
    out.append(tex_text(f"MIT 6.390 conventions, {data.layout} layout"
                        + (f", example {data.example + 1} of {data.batch} for the Jacobians" if data.batch > 1 else "")
                        + f"; numbers to {data.digits} significant digits. Made with chainview.") + "\n")
    if data.predict:
        out.append("\\textbf{Worksheet:} each step's result is left blank; the answers are at the end.\n")
    out.append("\\section*{The net}\n\\begin{tabular}{llll}\nlayer & units ($m\\to n$) & activation & $f(z)$\\\\\\hline")
    out += [f"{l} & {tex_text(u)} & {tex_text(a)} & ${tex_math(f)}$\\\\" for l, u, a, f in data.layers]
    out.append("\\end{tabular}\n")
    out.append(f"Loss: \\textbf{{{tex_text(data.loss[0])}}}, ${tex_math(data.loss[1])}$"
               + ("" if data.predict else f" $= {data.loss_value.replace('−', '-')}$") + "\n")
    for k in range(0, len(data.givens), GIVENS_PER_LINE):
        out.append(_display(r" \qquad ".join(_labelled(m) for m in data.givens[k:k + GIVENS_PER_LINE])))
    out += _tex_csv(data.givens, csv)
    out.append("\\section*{The graph}")
    out += [f"\\begin{{center}}\\includegraphics[width=\\linewidth]{{{name}}}\\end{{center}}" for name in pictures]
    for s in data.steps:
        if s.index == 0 or s.phase != data.steps[s.index - 1].phase:
            out.append("\\section*{" + ("Forward pass" if s.phase == "forward" else "Backward pass") + "}")
        math, words = equation_math(s.equation)
        out.append(f"\\subsection*{{Step {s.index + 1} ({s.phase}): ${tex_math(s.title)}$}}")
        out.append(_display(math))
        if words:
            out.append(f"({tex_text(words)})\n")
        out.append(f"shapes: {tex_text(shape_algebra(s, data.predict))}\n")
        if not data.predict:
            out.append(tex_text(s.explanation) + "\n")
        if s.note:
            out.append("\\emph{" + tex_text(pretty(s.note)) + "}\n")
        if s.user_note:
            out.append("\\fbox{\\parbox{0.95\\linewidth}{\\textbf{Note:} " + tex_text(s.user_note) + "}}\n")
        out.append(_display(step_math(s, data.predict)))
        if s.full is not None and not data.predict:
            out.append(f"All {data.batch} examples, one per column:")
            out.append(_display(_labelled(s.full)))
        out += _tex_csv([*s.operands, s.result] + ([s.full] if s.full is not None else []), csv)
    out.append("\\section*{Every edge's Jacobian}")
    for e in data.edges:
        out.append(f"\\subsection*{{${tex_math(e.name)} = {tex_math(e.symbol)}$}}")
        out.append(f"${tex_math(e.dims)}$, {tex_text(e.kind)}. {tex_text(pretty(e.reason))}\n")
        out.append(_display(bmatrix(e.matrix)))
        out += _tex_csv([e.matrix], csv)
    out.append("\\section*{Gradient check}")
    out.append(("Passed: every gradient and Jacobian agrees with central finite differences."
                if data.check_ok else "FAILED for the rows marked below.") + "\n")
    out.append("\\begin{tabular}{lll}\n & what & largest relative error\\\\\\hline")
    out += [f"{'ok' if ok else 'FAILED'} & ${tex_math(what)}$ & {tex_text(err)}\\\\" for what, ok, err, _ in
            data.check_rows]
    out.append("\\end{tabular}\n")
    notes = list(dict.fromkeys(note for *_, note in data.check_rows if note))
    out += [tex_text(pretty(n)) + "\n" for n in notes]
    out += [f"warning: {tex_text(p)}\n" for p in data.problems]
    if data.predict:
        out.append("\\section*{Answers}")
        for s in data.steps:
            out.append(f"\\textbf{{Step {s.index + 1}:}} ${tex_math(s.title)}$ is "
                       f"${s.result.shape[0]}\\times {s.result.shape[1]}$. {tex_text(s.explanation)}")
            out.append(_display(_labelled(s.result)))
        out.append(f"Loss $L = {data.loss_value.replace('−', '-')}$\n")
    out.append("\\end{document}")
    return "\n".join(out) + "\n"


def _tex_csv(matrices, csv) -> list[str]:
    return [f"(the whole ${m.shape[0]}\\times {m.shape[1]}$ matrix ${tex_math(m.title)}$ is in "
            f"\\texttt{{{tex_text(csv[m.ref])}}})\n" for m in matrices if m.big]
