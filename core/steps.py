"""The one schedule a person steps through: forward Z1, A1, ..., L; then backward down to A0.

Each Step knows its node, its equation in symbols, its operands with shapes, the shape
algebra ((3x3)(3x1) -> (3x1)), the edges it uses (for highlighting) and its numbers.
Steps are described lazily from an Evaluation, so building the list is cheap.

The schedule and every step's inputs come from the graph (core.graph). A backward step is one
term per edge that leaves its node: where a node forks (a skip's source, a tied W, a W that also
feeds weight decay) the step lists every term, joined by " + ", and `terms` says which operands
make each term and holds its numbers, so a view can show them one under the other, then the sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Evaluation
from .graph import schedule, structure  # noqa: F401  (schedule: re-exported; it is a graph query)
from .nodes import KINDS, TARGET, a_id
from .symbols import node_symbol, split_id


@dataclass(frozen=True)
class Operand:
    """One matrix of a step's equation, and where its numbers come from.

    kind "value": Evaluation.values[ref]; "grad": Evaluation.grads[ref] (node-shaped);
    "jacobian": the Jacobian of edge ref = (source, target) in the step's layout. `transposed`:
    the equation uses the transpose of that. A batch quantity (n x b) whose `shape` says one
    column (or row) means the chosen example's column (or row).
    """
    name: str                 # symbol as written in the equation, e.g. "dA^1/dZ^1"
    shape: tuple[int, int]
    kind: str = "value"
    ref: object = None        # node id, or (source, target) for a Jacobian
    transposed: bool = False


@dataclass(frozen=True, eq=False)
class Step:
    """One node's value (forward) or gradient (backward): its equation, operands, shapes and result."""

    index: int                # 0-based position in the schedule
    phase: str                # "forward" or "backward"
    node: str                 # node id whose value (forward) or gradient (backward) this step makes
    equation: str             # in symbols, in the chosen layout
    operands: tuple[Operand, ...]
    joiners: tuple[str, ...]  # between operands: "" a product, " + " a sum, ", " a list of inputs
    shapes: str               # shape algebra with numbers: "(3x3)(3x1) -> (3x1)"
    result_shape: tuple[int, int]  # the right-hand side of `shapes` (per example for a batch's backward A, Z)
    edges: tuple[tuple[str, str], ...]
    value: np.ndarray         # the result as shown (a gradient is node-shaped in denominator layout)
    note: str = ""
    terms: tuple["Term", ...] = ()  # a fork's backward step: one per outgoing edge (empty otherwise)

    @property
    def title(self) -> str:
        sym = node_symbol(self.node)
        return sym if self.phase == "forward" else f"dL/d{sym}"


@dataclass(frozen=True, eq=False)
class Term:
    """One chain-rule term of a fork's gradient: operands[start:stop] of its step, through `edge`."""
    equation: str             # e.g. "W^2 · dL/dZ^2"
    start: int
    stop: int
    edge: tuple[str, str]
    value: np.ndarray         # its numbers, shaped as the step's value


def _s(shape) -> str:
    return f"({shape[0]}x{shape[1]})"


def _shapes(ops: tuple[Operand, ...], joins: tuple[str, ...], result_shape: tuple[int, int]) -> str:
    """The shape algebra with numbers: "(3x3)(3x1) + (3x1) -> (3x1)"."""
    text = _s(ops[0].shape)
    for join, op in zip(joins, ops[1:]):
        text += join + _s(op.shape)
    return f"{text} -> {_s(result_shape)}"


_SPECS: dict = {}          # what a step says, by shape of net (see _spec_key): the numbers are bound per evaluation
_SPECS_MAX = 64


def _spec_key(net, layout: str) -> tuple:
    """Everything a step's text and shapes depend on: the graph, the sizes, the formulas, λ, the layout."""
    return (net.signature, net.X.shape, net.Y.shape, net.loss.name, float(net.weight_decay), layout,
            tuple((layer.units, layer.activation.name, layer.activation.formula, layer.activation.elementwise)
                  for layer in net.layers))


def build_steps(ev: Evaluation, layout: str = "denominator") -> list[Step]:
    """Every step of the schedule; a step's value is the evaluation's own array (or its transpose), not a copy.

    What a step says (equation, operands, shapes, edges, note) is made once per shape of net and kept;
    each evaluation only binds its numbers to it (a training run or an edit of a number reuses it)."""
    key = _spec_key(ev.net, layout)
    specs = _SPECS.get(key)
    if specs is None:
        if len(_SPECS) >= _SPECS_MAX:
            _SPECS.pop(next(iter(_SPECS)))
        specs = _SPECS[key] = _build_specs(ev, layout)
    v, g, terms_of = ev.values, ev.grads, ev.terms
    num = layout == "numerator"
    steps = []
    for i, (phase, node, eq, ops, joins, shapes, result, edges, note, terms) in enumerate(specs):
        if phase == "forward":
            value = v[node]
        else:
            value = g[node].T if num else g[node]
            if terms:
                by_edge = dict(terms_of.get(node, ()))
                terms = tuple(Term(t.equation, t.start, t.stop, t.edge,
                                   (by_edge[t.edge].T if num else by_edge[t.edge]) if t.edge in by_edge else None)
                              for t in terms)
        steps.append(Step(i, phase, node, eq, ops, joins, shapes, result, edges, value, note, terms))
    return steps


def _build_specs(ev: Evaluation, layout: str) -> list[tuple]:
    """The steps' words and shapes, without their numbers (shapes are read from `ev`)."""
    net, v, g = ev.net, ev.values, ev.grads
    L, b = net.L, net.batch
    st = structure(net)
    num = layout == "numerator"
    per_example = f"; per example, for each of the b = {b} columns" if b > 1 else ""
    batch_note = f"summed over the {b} columns of the batch" if b > 1 else ""
    steps: list[Step] = []

    def add(phase, node, equation, ops, result_shape, edges, value, joiners="", note="", terms=()):
        """ops: a tuple of Operands; joiners: one string for every gap, or a tuple with one each."""
        joins = (joiners,) * (len(ops) - 1) if isinstance(joiners, str) else joiners
        steps.append((phase, node, equation, ops, joins, _shapes(ops, joins, result_shape), result_shape, edges,
                      note, terms))

    val = lambda name, shape, node, t=False: Operand(name, shape, "value", node, t)
    grd = lambda name, shape, node, t=False: Operand(name, shape, "grad", node, t)
    jac = lambda name, shape, edge: Operand(name, shape, "jacobian", edge)
    # backward shapes are per example: a node's column (denominator layout) or row (numerator layout)
    n_of = lambda nid: v[nid].shape[0]
    col = lambda nid: (n_of(nid), 1)
    row = lambda nid: (1, n_of(nid))
    grad_shape = row if num else col
    sym = node_symbol
    feeding: dict[str, tuple] = {n: ins for n, _, _, ins in st.forward_plan}

    def forward_step(node, kind, l, ins):
        if kind == "Z":
            a, w, w0 = ins[0][0], ins[1][0], ins[2][0]
            skip = ins[3][0] if len(ins) > 3 else None
            ops = [val(f"{sym(w)}^T", v[w].T.shape, w, True), val(sym(a), v[a].shape, a), val(sym(w0), v[w0].shape, w0)]
            joins = ["", " + "]
            if skip is not None:
                ops.append(val(sym(skip), v[skip].shape, skip))
                joins.append(" + ")
            wk, sk = split_id(w)[1], split_id(skip)[1] if skip is not None else None
            add("forward", node, KINDS["Z"].equation(l, wk, sk), tuple(ops), v[node].shape,
                tuple((u, node) for u, _ in ins), v[node], tuple(joins),
                note="W0 is added to every column" if b > 1 else "")
        elif kind == "A":
            act = net.layers[l - 1].activation
            z = ins[0][0]
            add("forward", node, KINDS["A"].equation(l, act.formula), (val(sym(z), v[z].shape, z),),
                v[node].shape, ((z, node),), v[node], "")
        elif kind == "R":
            ws = tuple(u for u, _ in ins)
            add("forward", node, KINDS["R"].equation(tuple(split_id(w)[1] for w in ws)),
                tuple(val(sym(w), v[w].shape, w) for w in ws), (1, 1), tuple((w, node) for w in ws), v[node], ", ",
                note=f"λ = {net.weight_decay:g}; weight decay, summed over every distinct W (not W0)")
        else:  # L
            aL = ins[0][0]
            ops = [val(sym(aL), v[aL].shape, aL), val("Y", v[TARGET].shape, TARGET)]
            joins = [", "]
            if len(ins) > 2:
                ops.append(val("R", (1, 1), ins[2][0]))
                joins.append(" + ")
            add("forward", node, KINDS["L"].equation(net.loss.formula, len(ins) > 2), tuple(ops), (1, 1),
                tuple((u, node) for u, _ in ins), v[node], tuple(joins), note=batch_note)

    def term(node, target, role):
        """(equation text, operands, joiners, note) of dL/d(node) through node -> target."""
        kind, l = split_id(node)
        tl = split_id(target)[1]
        if role == "output":
            return (net.loss.grad_formula.split(" = ", 1)[1], (val(sym(node), col(node), node), val("Y", col(TARGET), TARGET)),
                    (", ",), per_example.lstrip("; "))
        if role == "activation":
            dA = grd(f"dL/d{sym(target)}", grad_shape(target), target, num)
            J = jac(f"d{sym(target)}/d{sym(node)}", (n_of(node), n_of(node)), (node, target))
            act = net.layers[l - 1].activation
            note = ("softmax's Jacobian is full" if not act.elementwise
                    else f"d{sym(target)}/d{sym(node)} = diag(f'({sym(node)})), so this is f'({sym(node)}) ⊙ dL/d{sym(target)}")
            if num:
                return f"dL/d{sym(target)} · d{sym(target)}/d{sym(node)}", (dA, J), ("",), note + per_example
            return f"d{sym(target)}/d{sym(node)} · dL/d{sym(target)}", (J, dA), ("",), note + per_example
        if role == "weight":
            m, n = v[node].shape
            a = a_id(tl - 1)
            if num:
                return (f"(dL/dZ^{tl})^T (A^{tl - 1})^T",
                        (grd(f"(dL/dZ^{tl})^T", (n, b), target), val(f"(A^{tl - 1})^T", (b, m), a, True)), ("",), batch_note)
            return (f"A^{tl - 1} (dL/dZ^{tl})^T",
                    (val(f"A^{tl - 1}", (m, b), a), grd(f"(dL/dZ^{tl})^T", (b, n), target, True)), ("",), batch_note)
        if role == "offset":
            n = v[node].shape[0]
            return f"dL/dZ^{tl}", (grd(f"dL/dZ^{tl}", (1, n) if num else (n, 1), target, num),), (), "dZ/dW0 = I"
        if role == "input":
            w = st.w_of[tl]
            Wsh = v[w].shape
            dZ = grd(f"dL/dZ^{tl}", grad_shape(target), target, num)
            if num:
                return f"dL/dZ^{tl} · {sym(w)}^T", (dZ, val(f"{sym(w)}^T", (Wsh[1], Wsh[0]), w, True)), ("",), ""
            return f"{sym(w)} · dL/dZ^{tl}", (val(sym(w), Wsh, w), dZ), ("",), ""
        if role == "skip":
            dZ = grd(f"dL/dZ^{tl}", grad_shape(target), target, num)
            I = jac("I", (n_of(target), n_of(node)) if num else (n_of(node), n_of(target)), (node, target))
            return (f"dL/dZ^{tl} · I", (dZ, I), ("",), "") if num else (f"I · dL/dZ^{tl}", (I, dZ), ("",), "")
        if role == "decay":
            m, n = v[node].shape
            dR = grd("dL/dR", (1, 1), target)
            if num:
                return f"dL/dR · (2λ {sym(node)})^T", (dR, jac(f"(dR/d{sym(node)})^T", (n, m), (node, target))), ("",), ""
            return f"2λ {sym(node)} · dL/dR", (jac(f"dR/d{sym(node)}", (m, n), (node, target)), dR), ("",), ""
        # penalty: R -> L
        return "1", (jac("dL/dR", (1, 1), (node, target)),), (), "L = Σ loss + R, so dL/dR = 1"

    for node, kind, l, ins in st.forward_plan:
        forward_step(node, kind, l, ins)

    for node, outs in st.backward_plan:
        kind, l = split_id(node)
        value = None          # bound per evaluation by build_steps
        result = (v[node].shape if not num else v[node].shape[::-1]) if kind in ("W", "W0", "R") else grad_shape(node)
        if kind == "W0":
            result = (1, n_of(node)) if num else (n_of(node), 1)
        parts = [term(node, t, role) for t, role in outs]
        edges = tuple((node, t) for t, _ in outs)
        if len(parts) == 1:
            eq, ops, joins, note = parts[0]
            if outs[0][1] == "output":
                eq = net.loss.grad_formula
            else:
                eq = f"dL/d{sym(node)} = {eq}"
                if kind == "W" and num:
                    eq += f"  (numerator layout: n^{l} x m^{l})"
                elif kind == "W0" and b > 1:
                    eq += " (summed over the batch)"
            if kind == "A" and l == 0 and outs[0][1] == "input":
                note = ("A^0 is the input: its gradient is shown, nothing is learned from it" + per_example).lstrip("; ")
            elif kind == "A" and outs[0][1] == "input":
                note = per_example.lstrip("; ")
            add("backward", node, eq, ops, result, edges, value, joins, note)
            continue
        # a fork: one term per outgoing edge, then their sum
        ops, joins, terms, texts = [], [], [], []
        for (eq, t_ops, t_joins, _), (t, _) in zip(parts, outs):
            if ops:
                joins.append(" + ")
            start = len(ops)
            ops += t_ops
            joins += t_joins
            terms.append(Term(eq, start, len(ops), (node, t), None))
            texts.append(eq)
        eq = f"dL/d{sym(node)} = " + " + ".join(texts)
        if kind == "W" and num:
            eq += f"  (numerator layout: n^{l} x m^{l})"
        note = (f"{sym(node)} feeds {len(outs)} nodes, so its gradient is the sum of one chain-rule term per path"
                + (f"; {batch_note}" if kind == "W" and b > 1 else per_example if kind in ("A", "Z") else ""))
        add("backward", node, eq, tuple(ops), result, edges, value, tuple(joins), note, tuple(terms))
    return steps
