"""A matrix as text for other programs: CSV (numpy, spreadsheets) and LaTeX (a bmatrix for notes).

Pure functions plus one that puts the text on the clipboard:

    matrix_to_csv(a)            full precision, np.loadtxt(io.StringIO(text), delimiter=",") gives a back exactly
    matrix_to_latex(a)          "\\begin{bmatrix} 1 & 0 \\\\ 0 & 2 \\end{bmatrix}"
    copy_matrix(a, "csv")       -> the text, now on QGuiApplication.clipboard()
"""

from __future__ import annotations

import math

from .matrix_model import as_matrix

FORMATS = ("csv", "latex")


def _csv_number(x, precision: int | None) -> str:
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if precision is None:
        return repr(x)  # shortest string that reads back as the same float ('nan', 'inf' included)
    return f"{x:.{max(1, int(precision))}g}"


def matrix_to_csv(a, precision: int | None = None) -> str:
    """Rows on lines, entries separated by commas, ASCII minus. precision=None: full (repr) precision."""
    rows = as_matrix(a).tolist()
    return "".join(",".join(_csv_number(x, precision) for x in row) + "\n" for row in rows)


def _latex_number(x, precision: int) -> str:
    x = float(x)
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    text = f"{x:.{max(1, int(precision))}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        exponent = str(int(exponent))
        return (f"10^{{{exponent}}}" if mantissa == "1" else
                f"-10^{{{exponent}}}" if mantissa == "-1" else
                rf"{mantissa} \times 10^{{{exponent}}}")
    return text


def matrix_to_latex(a, precision: int = 6) -> str:
    r"""One line: '\begin{bmatrix} 1 & 0 \\ 0 & 2 \end{bmatrix}', numbers to `precision` significant digits."""
    rows = as_matrix(a).tolist()
    body = r" \\ ".join(" & ".join(_latex_number(x, precision) for x in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def matrix_text(a, fmt: str, precision: int | None = None) -> str:
    if fmt == "csv":
        return matrix_to_csv(a, precision)
    if fmt == "latex":
        return matrix_to_latex(a, 6 if precision is None else precision)
    raise ValueError(f"format must be one of {FORMATS}; got {fmt!r}")


def copy_matrix(a, fmt: str = "csv", precision: int | None = None) -> str:
    """Put the matrix on the system clipboard as "csv" or "latex"; returns the text."""
    from PySide6.QtGui import QGuiApplication

    text = matrix_text(a, fmt, precision)
    app = QGuiApplication.instance()
    if app is None:
        raise RuntimeError("copy_matrix needs a running QGuiApplication")
    QGuiApplication.clipboard().setText(text)
    return text
