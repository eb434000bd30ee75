"""The whole step-by-step story, as JSON for other tools or as text for a terminal."""

from __future__ import annotations

import math

import numpy as np

from .evaluated_graph import dressed_tables
from .graph import edge_list, reading_order
from .session import Session
from .symbols import dims_text, pretty, split_id


def jsonable(a) -> list | float | None:
    """An array as nested lists of floats, NaN and inf as None (JSON has neither); a matrix as rows.
    tolist() first: a numpy scalar per entry made a 256-unit net's JSON take seconds."""
    if a is None:
        return None
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:                     # every array chainview makes: one flat comprehension
        return [[x if math.isfinite(x) else None for x in row] for row in a.tolist()]
    return _finite_or_none(a.tolist())  # any other shape (a person's array in compare)


def _finite_or_none(x):
    if isinstance(x, list):
        return [_finite_or_none(v) for v in x]
    return x if math.isfinite(x) else None


def trace_dict(session: Session) -> dict:
    """The documented `chainview trace --json` object (README: "trace JSON")."""
    ev = session.evaluation
    _, node_rows, edge_rows = dressed_tables(ev, layout=session.layout, example=session.example,
                                             jacobian=session.jacobian)   # session.graph's labels, no networkx
    nodes = {}
    for node, d in node_rows:
        nodes[node] = {"kind": d["kind"], "layer": d["layer"], "symbol": d["symbol"], "dims": list(d["dims"]),
                       "shape": list(d["shape"]), "value": jsonable(d["value"]),
                       "grad": jsonable(d["grad"]) if node not in ("Y", "L") else None}
    by_source = {e: i for i, e in enumerate(x for x in reading_order(session.net) if isinstance(x, tuple))}
    edges = []
    for u, v, d in sorted(edge_rows, key=lambda r: by_source[r[0], r[1]]):   # as session.graph lists them
        edges.append({"source": u, "target": v, "symbol": d["symbol"], "shape": list(d["shape"]),
                      "dims": list(d["dims"]), "kind": d["kind"], "value": jsonable(d["jacobian"].dense())})
    steps = [_step_dict(s) for s in session.steps]
    return {"layout": session.layout, "example": session.example,
            "loss": float(ev.loss) if np.isfinite(ev.loss) else None,
            "problems": ev.problems, "nodes": nodes, "edges": edges, "steps": steps}


def _step_dict(s) -> dict:
    """A step as JSON. A fork's step (a node with several outgoing edges) also has "joiners" (between
    its operands; " + " between terms) and "terms" (each term's equation, operand range, edge, value)."""
    out = {"index": s.index, "phase": s.phase, "node": s.node, "equation": s.equation, "shapes": s.shapes,
           "operands": [{"name": o.name, "shape": list(o.shape)} for o in s.operands],
           "value": jsonable(s.value)}
    if s.terms:
        out["joiners"] = list(s.joiners)
        out["terms"] = [{"equation": t.equation, "operands": [t.start, t.stop], "edge": list(t.edge),
                         "value": jsonable(t.value)} for t in s.terms]
    return out


def format_matrix(a: np.ndarray, indent: str = "      ", precision: int = 4) -> str:
    a = np.atleast_2d(np.asarray(a, dtype=float))
    if a.size > 400:
        return f"{indent}[{a.shape[0]} x {a.shape[1]} matrix; use --json for every entry]"
    cells = [[f"{x + 0.0:.{precision}g}" for x in row] for row in a]  # + 0.0 turns -0 into 0
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells)


def format_trace(session: Session) -> str:
    net, ev = session.net, session.evaluation
    out = [f"chainview trace — {net.name or 'net'}: {net.L} layer(s), batch of {net.batch}, "
           f"loss {net.loss.name}, {session.layout} layout, example {session.example}"]
    dims = " → ".join(f"{net.n(l)}" for l in range(0, net.L + 1))
    out.append(f"units per layer: {dims}")
    for s in session.steps:
        if s.index == 0 or s.phase != session.steps[s.index - 1].phase:
            out.append("")
            out.append("FORWARD PASS" if s.phase == "forward" else "BACKWARD PASS")
        out.append(f"  [{s.index + 1:>2}] {pretty(s.title)}:  {pretty(s.equation)}")
        ops = ", ".join(f"{pretty(o.name)} {o.shape[0]}x{o.shape[1]}" for o in s.operands)
        out.append(f"       shapes: {s.shapes}    ({ops})")
        if s.note:
            out.append(f"       note: {pretty(s.note)}")
        value = s.value
        if net.batch > 1 and s.phase == "backward" and split_id(s.node)[0] in ("A", "Z"):
            out.append(f"       (all {net.batch} examples, one per column; the shapes above are per example)")
        for t in s.terms:           # a fork: each term, then their sum
            out.append(f"       term {pretty(t.equation)}:")
            out.append(format_matrix(t.value, indent="         "))
        if s.terms:
            out.append("       sum:")
        out.append(format_matrix(value))
    out.append("")
    out.append(f"EDGE JACOBIANS (example {session.example}, {session.layout} layout)")
    for u, v in edge_list(net):
        J = session.jacobian(u, v)
        out.append(f"  {u} → {v}:  {pretty(J.symbol)}   {pretty(dims_text(J.dims, J.shape))}")
        out.append(format_matrix(J.dense()))
    out.append("")
    out.append(f"loss L = {ev.loss:.6g}")
    for msg in ev.problems.values():
        out.append(f"warning: {msg}")
    return "\n".join(out)
