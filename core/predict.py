"""Predict before reveal: ask about a step's result before showing it, judge the answer, keep score.

Students who predict first learn more than ones who only watch (Crouch et al. 2004). Every step
already knows its operands, joiners and result shape, so the questions and their explanations come
from the step itself, in whatever layout the session shows (numerator layout: the transposes).

    p = Predictor(session, kinds=("shape",))   # attaches: forward moves past an unanswered step are refused
    p.question(step)         -> Question | None   the one being asked now at that step
    p.submit("3 x 2")        -> Verdict(ok, message, explanation)
    p.reveal()               -> Verdict            (counts as missed)
    p.mark(k) -> "✓" / "✗" / None;  p.score_text() -> "7/9 shapes right";  p.missed() -> [step indices]
    p.new_round()                                  Home: forget every answer
    p.detach()

Question kinds: "shape" (always possible), "jacobian" (multiple choice: which Jacobian a backward
step multiplies by and whether it is diagonal or full), "number" (one entry to 2 significant
digits, on 1 x 1 results and small products). Answers are parsed, never evaluated.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .events import Signal
from .graph import edge_list
from .symbols import node_symbol, pretty, split_id

SHAPE, JACOBIAN, NUMBER = "shape", "jacobian", "number"
KINDS = (SHAPE, JACOBIAN, NUMBER)
KIND_WORDS = {SHAPE: "shapes", JACOBIAN: "Jacobians", NUMBER: "numbers"}
MAX_ANSWER_CHARS = 40                 # anything longer is not an answer to these questions
HAND_INNER = 3                        # a product is done by hand when each entry sums at most this many terms

_SHAPE = re.compile(r"^\(?\s*(\d{1,5})\s*(?:x|×|\*|,|by|\s)\s*(\d{1,5})\s*\)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


class AnswerError(ValueError):
    """An answer that is not in a form we can judge: one line saying how to type it."""


def dims(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def parse_shape(text: str) -> tuple[int, int]:
    """'3x2', '3 × 2', '3,2', '(3, 2)', '3 by 2' -> (3, 2); anything else -> AnswerError."""
    t = str(text).strip()[:MAX_ANSWER_CHARS + 1]
    m = _SHAPE.match(t) if len(t) <= MAX_ANSWER_CHARS else None
    if not m:
        raise AnswerError("type the shape as rows × columns, e.g. 3x2, 3 × 2 or 3,2")
    return int(m.group(1)), int(m.group(2))


def parse_number(text: str) -> float:
    """'0.35', '-.5', '−1.2e-3' -> float; anything else (a formula included) -> AnswerError."""
    t = str(text).strip().replace("−", "-").replace(" ", "")
    if len(t) > MAX_ANSWER_CHARS or not _NUMBER.match(t):
        raise AnswerError("type one number, e.g. 0.35 or -1.2 (2 significant digits are enough)")
    return float(t)


def two_digits(x: float) -> str:
    """x to 2 significant digits, as the answer is shown: 0.3502 -> '0.35', -2.378 -> '-2.4'."""
    return f"{x + 0.0:.2g}"


def close_enough(guess: float, x: float) -> bool:
    """Right to 2 significant digits: within half a unit of x's second significant digit."""
    if not math.isfinite(x):
        return False
    if x == 0:
        return abs(guess) < 0.005
    unit = 10.0 ** (math.floor(math.log10(abs(x))) - 1)
    return abs(guess - x) <= 0.5 * unit * (1 + 1e-9) or two_digits(guess) == two_digits(x)


# ---------------------------------------------------------------- what a step is, in words

def terms(step) -> list[list[int]]:
    """The operands' indices grouped into terms: products ("" joiners) split by " + " or ", "."""
    groups = [[0]] if step.operands else []
    for k, join in enumerate(step.joiners, start=1):
        if join.strip() in ("+", ","):
            groups.append([k])
        else:
            groups[-1].append(k)
    return groups


def _is_list(step) -> bool:
    return any(j.strip() == "," for j in step.joiners)


def result_name(step, layout: str) -> str:
    """'dL/dW²', or 'dL/dW²ᵀ'... as the result is written in this layout."""
    kind = split_id(step.node)[0]
    t = pretty(step.title)
    if step.phase == "backward" and layout == "numerator" and kind == "W":
        return f"({t})ᵀ"
    return t


def explain(step, layout: str = "denominator") -> str:
    """The shape algebra in a sentence, from the step's own operands: 'A¹ is 3×1 and (dL/dZ²)ᵀ is 1×2,
    so the product is 3×2'."""
    ops, res = step.operands, step.result_shape
    name = lambda k: pretty(ops[k].name)
    parts = []
    groups = terms(step)
    if _is_list(step):
        listed = ", ".join(f"{name(k)} is {dims(ops[k].shape)}" for k in range(len(ops)))
        what = "the loss is one number" if step.node == "L" else f"{result_name(step, layout)} has one entry per unit"
        text = f"{listed}; {what}: {dims(res)}"
    else:
        for g in groups:
            if len(g) == 1:
                parts.append((f"{name(g[0])} is {dims(ops[g[0]].shape)}", ops[g[0]].shape))
            else:
                facts = [f"{name(k)} is {dims(ops[k].shape)}" for k in g]
                listed = ", ".join(facts[:-1]) + " and " + facts[-1]
                shape = (ops[g[0]].shape[0], ops[g[-1]].shape[1])
                if len(groups) == 1:
                    parts.append((f"{listed}, so the product is {dims(shape)}", shape))
                else:
                    product = " ".join(name(k) for k in g)
                    parts.append((f"{product} is {dims(shape)} ({listed})", shape))
        if len(groups) == 1 and len(groups[0]) > 1:
            text = parts[0][0]
            if parts[0][1] != res:       # a per-example product whose batch is summed, or similar
                text += f"; the step shows {dims(res)}"
        elif len(groups) == 1:
            op = ops[groups[0][0]]
            if step.phase == "forward":
                text = f"f is applied entry by entry, so {result_name(step, layout)} has {name(0)}'s shape: {dims(res)}"
            else:
                text = f"{name(0)} is {dims(op.shape)}, and {result_name(step, layout)} is that same matrix: {dims(res)}"
        else:
            text = ("; ".join(p[0] for p in parts) + f"; a sum keeps the shape: {dims(res)}")
    value_shape = np.shape(step.value)
    if step.phase == "backward" and len(value_shape) == 2 and tuple(value_shape) != tuple(res) and \
            tuple(value_shape) != tuple(res[::-1]):
        text += " (per example: one example of the batch at a time)"
    if step.phase == "backward" and layout == "numerator" and res[0] != res[1]:
        text += f" (numerator layout: the transpose of 6.390's {dims(res[::-1])})"
    return text


# ---------------------------------------------------------------- questions

@dataclass(frozen=True)
class Question:
    kind: str                      # SHAPE, JACOBIAN or NUMBER
    prompt: str                    # "What shape is dL/dW²?"
    expected: object               # (rows, cols), a choice index, or the float
    answer_text: str               # the right answer as shown: "3×2", "dA²/dZ², diagonal", "0.35"
    explanation: str               # why, from the step's own algebra
    choices: tuple[str, ...] = ()  # JACOBIAN: the options, numbered 1.. on screen
    entry: tuple[int, int] | None = None   # NUMBER: the (row, column) asked, 0-based

    def judge(self, text: str) -> bool:
        """True / False for a well-formed answer; AnswerError (one line) for one we cannot read."""
        if self.kind == SHAPE:
            return parse_shape(text) == tuple(self.expected)
        if self.kind == NUMBER:
            return close_enough(parse_number(text), float(self.expected))
        t = str(text).strip()
        if not t.isdigit() or not 1 <= int(t) <= len(self.choices):
            raise AnswerError(f"choose one of 1 to {len(self.choices)}")
        return int(t) - 1 == self.expected


def result_matrix(session, step) -> np.ndarray:
    """The step's result as the step card shows it: a batch's backward A/Z as the chosen example's column."""
    value = np.atleast_2d(np.asarray(step.value, dtype=float))
    rs = tuple(step.result_shape)
    if value.shape == rs:
        return value
    k = session.example
    if rs[1] == 1 and value.shape[0] == rs[0] and k < value.shape[1]:
        return value[:, k:k + 1]
    if rs[0] == 1 and value.shape[1] == rs[1] and k < value.shape[0]:
        return value[k:k + 1, :]
    return value


def hand_sized(step) -> bool:
    """A result one can work out by hand: a 1 × 1 result, or small products (and sums of them)."""
    if tuple(step.result_shape) == (1, 1):
        return True
    if _is_list(step) or not step.joiners:
        return False
    for g in terms(step):
        if len(g) > 2 or (len(g) == 2 and step.operands[g[0]].shape[1] > HAND_INNER):
            return False
    return True


def _edge_words(edge) -> str:
    u, v = edge
    return f"d{pretty(node_symbol(v))}/d{pretty(node_symbol(u))}"


def jacobian_edge(session, step):
    """The one edge whose Jacobian a backward step multiplies by (diagonal or full), or None."""
    if step.phase != "backward":
        return None
    found = []
    for u, v in step.edges:
        if v == "L" or u != step.node:
            continue
        if session.jacobian(u, v).kind in ("diagonal", "dense"):
            found.append((u, v))
    return found[0] if len(found) == 1 else None


def _form(kind: str) -> str:
    return "diagonal" if kind == "diagonal" else "full"


def questions_for(session, step, kinds=(SHAPE,)) -> list[Question]:
    """The questions to ask at `step`, in the order asked (shape, then Jacobian, then number)."""
    layout = session.layout
    res = tuple(step.result_shape)
    title = result_name(step, layout)
    why = explain(step, layout)
    out = []
    if SHAPE in kinds:
        out.append(Question(SHAPE, f"What shape is {title}?", res, dims(res), why))
    if JACOBIAN in kinds:
        edge = jacobian_edge(session, step)
        if edge is not None:
            J = session.jacobian(*edge)
            others = [e for e in _neighbours(session, edge)]
            options = [(edge, "diagonal"), (edge, "full")]
            if others:
                options += [(others[0], "diagonal"), (others[0], "full")]
            options.sort(key=lambda o: (_edge_words(o[0]), o[1]))
            right = options.index((edge, _form(J.kind)))
            choices = tuple(f"{_edge_words(e)}, {f}" for e, f in options)
            reason = J.explanation.split(". ")[0].rstrip(".")
            out.append(Question(JACOBIAN, f"Which Jacobian is in {title}?",
                                right, choices[right], f"{choices[right]}: {pretty(reason)}", choices))
    if NUMBER in kinds and hand_sized(step):
        value = result_matrix(session, step)
        if value.size and np.all(np.isfinite(value)):
            i, j = divmod(step.index % value.size, value.shape[1])
            where = "" if value.size == 1 else f"entry ({i + 1}, {j + 1}) of "
            x = float(value[i, j])
            out.append(Question(NUMBER, f"What is {where}{title}?", x, two_digits(x),
                                f"{why}; the entry is {x:.4g}", entry=(i, j)))
    return out


def _neighbours(session, edge):
    """Other diagonal-or-full edges that touch this one: the distractors of the multiple choice."""
    u, v = edge
    out = []
    for e in edge_list(session.net):
        if e == edge or "L" in e or split_id(e[0])[0] in ("W", "W0", "Y"):
            continue
        if u in e or v in e:
            out.append(e)
    return out


# ---------------------------------------------------------------- a round

@dataclass
class StepRecord:
    questions: list[Question]
    at: int = 0                                        # the question being asked
    outcomes: list[str] = field(default_factory=list)  # per question: "right", "retried" or "revealed"
    wrong_tries: int = 0                               # at the current question

    @property
    def done(self) -> bool:
        return self.at >= len(self.questions)

    @property
    def current(self) -> Question | None:
        return None if self.done else self.questions[self.at]

    @property
    def all_right(self) -> bool:
        return all(o == "right" for o in self.outcomes)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str               # "✓ Right: 3×2" / "✗ Not 2×3. Try again, or reveal"
    explanation: str = ""      # shown with a right answer or a reveal
    finished: bool = False     # the step has no more questions: its result may show


class Predictor:
    """One round of predictions over a session's steps; see the module docstring."""

    def __init__(self, session, kinds=(SHAPE,)):
        self.session = session
        self.kinds = tuple(k for k in KINDS if k in kinds) or (SHAPE,)
        self.records: dict[int, StepRecord] = {}
        self.changed = Signal()        # (step index or None): marks, score or the question changed
        self.blocked = Signal()        # a forward move was refused: the current step waits for an answer
        self._attached = False
        self._net = session.net
        self.attach()

    # ---- attaching to the session
    def attach(self) -> None:
        if not self._attached:
            s = self.session
            s.position_changed.connect(self._on_position)
            s.layout_changed.connect(self._on_reset)
            s.net_changed.connect(self._on_net)
            s.example_changed.connect(self._on_reset)
            s.jump_guard = self.allows
            self._attached = True

    def detach(self) -> None:
        if self._attached:
            s = self.session
            s.position_changed.disconnect(self._on_position)
            s.layout_changed.disconnect(self._on_reset)
            s.net_changed.disconnect(self._on_net)
            s.example_changed.disconnect(self._on_reset)
            if getattr(s, "jump_guard", None) == self.allows:
                s.jump_guard = None
            self._attached = False

    def set_kinds(self, kinds) -> None:
        """Which questions to ask from now on; the pending step is asked again with them."""
        self.kinds = tuple(k for k in KINDS if k in kinds) or (SHAPE,)
        self._drop_pending()
        self._ask_current()
        self.changed.emit(None)

    def new_round(self) -> None:
        """Forget every answer (Home)."""
        self.records.clear()
        self._ask_current()
        self.changed.emit(None)

    def _on_reset(self, *_):
        # a new net, layout or example: the old answers were about other numbers or shapes
        self.records.clear()
        self.changed.emit(None)

    def _on_net(self) -> None:
        old, self._net = self._net, self.session.net
        if not same_computation(old, self._net):   # a note edited: the answers still stand
            self._on_reset()

    def _drop_pending(self) -> None:
        for k in [k for k, r in self.records.items() if not r.done and not r.outcomes]:
            del self.records[k]

    def _on_position(self, old: int, new: int) -> None:
        self.changed.emit(None)

    def _ask_current(self) -> None:
        if self.session.position:
            self._ask(self.session.position - 1)

    def _ask(self, index: int) -> None:
        steps = self.session.steps
        if 0 <= index < len(steps) and index not in self.records:
            qs = questions_for(self.session, steps[index], self.kinds)
            if qs:
                self.records[index] = StepRecord(qs)

    def allows(self, old: int, new: int) -> bool:
        """The session's jump guard: no forward move while the current step waits for an answer."""
        if new > old and self.pending():
            self.blocked.emit(old)
            return False
        if new > old:       # asked before the move is announced, so every view hides the result at once
            self._ask(new - 1)
        return True

    # ---- the question at the cursor
    def record(self, index: int) -> StepRecord | None:
        return self.records.get(index)

    def pending(self, step=None) -> bool:
        """Whether `step` (default: the current one) still waits for an answer; its result stays hidden."""
        step = self.session.current if step is None else step
        if step is None:
            return False
        r = self.records.get(step.index)
        return r is not None and not r.done

    def hides(self, step) -> bool:
        """Whether the step's result shows as '?' now: it is the current step and not answered yet."""
        cur = self.session.current
        return cur is not None and step is not None and step.index == cur.index and self.pending(step)

    def question(self, step=None) -> Question | None:
        step = self.session.current if step is None else step
        r = self.records.get(step.index) if step is not None else None
        return r.current if r is not None else None

    def submit(self, text: str) -> Verdict:
        """Judge an answer to the current question; a malformed one raises AnswerError (nothing is counted)."""
        step = self.session.current
        r = self.records.get(step.index) if step is not None else None
        if r is None or r.done:
            return Verdict(True, "Nothing to answer here: press → to go on", finished=True)
        q = r.current
        if q.judge(text):
            r.outcomes.append("right" if r.wrong_tries == 0 else "retried")
            verdict = Verdict(True, f"✓ Right: {q.answer_text}", q.explanation, self._advance(r))
        else:
            r.wrong_tries += 1
            verdict = Verdict(False, f"✗ Not {_echo(q, text)}. Try again, or reveal the answer")
        self.changed.emit(step.index)
        return verdict

    def reveal(self) -> Verdict:
        step = self.session.current
        r = self.records.get(step.index) if step is not None else None
        if r is None or r.done:
            return Verdict(True, "Nothing to reveal here: press → to go on", finished=True)
        q = r.current
        r.outcomes.append("revealed")
        verdict = Verdict(False, f"The answer: {q.answer_text}", q.explanation, self._advance(r))
        self.changed.emit(step.index)
        return verdict

    @staticmethod
    def _advance(r: StepRecord) -> bool:
        r.at += 1
        r.wrong_tries = 0
        return r.done

    # ---- marks and the score
    def mark(self, index: int) -> str | None:
        """'✓' when every question of the step was right first time, '✗' when one was missed, None before."""
        r = self.records.get(index)
        if r is None or not r.outcomes or (not r.done and r.all_right):
            return None
        return "✓" if r.all_right else "✗"

    def score(self) -> dict[str, tuple[int, int]]:
        """kind -> (right first time, answered)."""
        out = {k: [0, 0] for k in self.kinds}
        for r in self.records.values():
            for q, o in zip(r.questions, r.outcomes):
                if q.kind in out:
                    out[q.kind][1] += 1
                    out[q.kind][0] += o == "right"
        return {k: (v[0], v[1]) for k, v in out.items()}

    def score_text(self) -> str:
        """'7/9 shapes right' (and the other kinds asked, when any were answered)."""
        sc = self.score()
        parts = [f"{r}/{n} {KIND_WORDS[k]} right" for k, (r, n) in sc.items() if n or k == self.kinds[0]]
        return " · ".join(parts)

    def missed(self) -> list[int]:
        """Indices of the steps with a question answered wrong first time or revealed, in order."""
        return sorted(k for k, r in self.records.items() if r.outcomes and not r.all_right)

    def finished(self) -> bool:
        """The round is over: at the last step, with nothing pending."""
        s = self.session
        return s.position == len(s.steps) and not self.pending()


def same_computation(a, b) -> bool:
    """Whether two nets compute the same steps (they may differ in name, description or notes)."""
    if a is b:
        return True
    if (a.loss.name != b.loss.name or a.signature != b.signature or a.weight_decay != b.weight_decay
            or not np.array_equal(a.X, b.X) or not np.array_equal(a.Y, b.Y)):
        return False                    # the signature: the graph's shape (layers, skips, ties, weight decay)
    return all(la.units == lb.units and la.activation.spec == lb.activation.spec and np.array_equal(la.W, lb.W)
               and np.array_equal(la.W0, lb.W0) for la, lb in zip(a.layers, b.layers))


def _echo(q: Question, text: str) -> str:
    """The wrong answer as read back: '2×3', '0.5', 'choice 2'."""
    try:
        if q.kind == SHAPE:
            return dims(parse_shape(text))
        if q.kind == NUMBER:
            return f"{parse_number(text):g}"
    except AnswerError:
        pass
    return f"choice {str(text).strip()}" if q.kind == JACOBIAN else str(text).strip()
