"""The whole step-by-step story, as JSON for other tools or as text for a terminal."""

from __future__ import annotations

import math

import numpy as np

from .engine import edge_list, node_ids
from .session import Session
from .symbols import dims_text, node_dims, node_symbol, pretty, split_id


def _jsonable(a) -> list | float | None:
    """A matrix as rows of floats, NaN and inf as None (JSON has neither). tolist() first: a numpy
    scalar per entry made a 256-unit net's JSON take seconds."""
    if a is None:
        return None
    return [[x if math.isfinite(x) else None for x in row] for row in np.asarray(a, dtype=float).tolist()]


def trace_dict(session: Session) -> dict:
    """The documented `chainview trace --json` object (README: "trace JSON")."""
    net, ev = session.net, session.evaluation
    nodes = {}
    for node in node_ids(net.L):
        kind, l = split_id(node)
        nodes[node] = {"kind": kind, "layer": l if l is not None else net.L,  # as in core.graph
                       "symbol": node_symbol(node), "dims": list(node_dims(node, net.L, net.batch)),
                       "shape": list(ev.values[node].shape), "value": _jsonable(ev.values[node]),
                       "grad": _jsonable(ev.grads.get(node)) if node not in ("Y", "L") else None}
    edges = []
    for u, v in edge_list(net.L):
        J = session.jacobian(u, v)
        edges.append({"source": u, "target": v, "symbol": J.symbol, "shape": list(J.shape), "dims": list(J.dims),
                      "kind": J.kind, "value": _jsonable(J.dense())})
    steps = [{"index": s.index, "phase": s.phase, "node": s.node, "equation": s.equation, "shapes": s.shapes,
              "operands": [{"name": o.name, "shape": list(o.shape)} for o in s.operands],
              "value": _jsonable(s.value)} for s in session.steps]
    return {"layout": session.layout, "example": session.example,
            "loss": float(ev.loss) if np.isfinite(ev.loss) else None,
            "problems": ev.problems, "nodes": nodes, "edges": edges, "steps": steps}


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
        out.append(format_matrix(value))
    out.append("")
    out.append(f"EDGE JACOBIANS (example {session.example}, {session.layout} layout)")
    for u, v in edge_list(net.L):
        J = session.jacobian(u, v)
        out.append(f"  {u} → {v}:  {pretty(J.symbol)}   {pretty(dims_text(J.dims, J.shape))}")
        out.append(format_matrix(J.dense()))
    out.append("")
    out.append(f"loss L = {ev.loss:.6g}")
    for msg in ev.problems.values():
        out.append(f"warning: {msg}")
    return "\n".join(out)
