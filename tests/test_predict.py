"""core.predict: answers parsed (never evaluated), judged against the step's own result, a round's score."""

from __future__ import annotations

import numpy as np
import pytest

from chainview.core import Session, example_paths, load_net
from chainview.core.predict import (JACOBIAN, KINDS, NUMBER, SHAPE, AnswerError, Predictor, close_enough, explain,
                                    parse_number, parse_shape, questions_for, result_matrix)


@pytest.mark.parametrize("text", ["3x2", "3 x 2", "3 × 2", "3,2", "3, 2", "(3, 2)", "3X2", "3*2", "3 by 2", " 3 2 "])
def test_shape_spellings(text):
    assert parse_shape(text) == (3, 2)


@pytest.mark.parametrize("text", ["", "3", "3x", "x2", "3x2x1", "__import__('os')", "3.5x2", "9" * 60, "-3x2"])
def test_bad_shapes_are_one_line_errors(text):
    with pytest.raises(AnswerError) as err:
        parse_shape(text)
    assert "\n" not in str(err.value) and "3x2" in str(err.value)


def test_numbers_parse_and_formulas_do_not():
    assert parse_number("0.35") == 0.35 and parse_number("−1.2e-3") == -1.2e-3 and parse_number(".5") == 0.5
    for text in ("1/2", "exp(1)", "0,35", "", "1e999999999999999999999999999999999999999999"):
        with pytest.raises(AnswerError):
            parse_number(text)


def test_two_significant_digits():
    assert close_enough(0.35, 0.3502) and close_enough(-2.4, -2.378) and close_enough(0.036, 0.03583)
    assert not close_enough(0.3, 0.3502) and not close_enough(2.4, -2.378) and not close_enough(0.04, 0.03583)
    assert close_enough(0, 0.0) and not close_enough(0.1, 0.0)


def _every_session():
    for name, path in example_paths().items():
        for layout in ("denominator", "numerator"):
            yield name, Session(load_net(path), layout=layout)


def test_the_expected_shape_is_the_shown_results_shape_in_both_layouts():
    """The answer is the matrix the step card shows (numerator layout: its transpose), not a stored number."""
    for name, s in _every_session():
        den = Session(s.net)
        for step, d in zip(s.steps, den.steps):
            q = questions_for(s, step, (SHAPE,))[0]
            assert q.expected == result_matrix(s, step).shape, (name, step.index)
            if s.layout == "numerator" and step.phase == "backward":
                assert q.expected == tuple(reversed(d.result_shape)), (name, step.index)
            assert q.kind == SHAPE and q.judge(f"{q.expected[0]}x{q.expected[1]}")


def test_explanation_comes_from_the_operands():
    s = Session(load_net(example_paths()["default"]))
    w2 = next(st for st in s.steps if st.phase == "backward" and st.node == "W2")
    assert explain(w2) == "A¹ is 3×1 and (dL/dZ²)ᵀ is 1×2, so the product is 3×2"
    z1 = s.steps[0]
    text = explain(z1)
    assert "W¹ᵀ is 3×2" in text and "A⁰ is 2×1" in text and "a sum keeps the shape: 3×1" in text
    s.set_layout("numerator")
    w2 = next(st for st in s.steps if st.phase == "backward" and st.node == "W2")
    assert explain(w2, "numerator").startswith("(dL/dZ²)ᵀ is 2×1 and (A¹)ᵀ is 1×3, so the product is 2×3")


def test_sum_joiners_are_handled_generally():
    """A fork step (a sum of products, issue 11) is explained term by term."""
    from dataclasses import replace
    s = Session(load_net(example_paths()["default"]))
    st = next(x for x in s.steps if x.phase == "backward" and x.node == "A1")
    fork = replace(st, operands=st.operands * 2, joiners=("", " + ", ""))
    text = explain(fork)
    assert text.count("W² dL/dZ² is 3×1") == 2 and text.endswith("a sum keeps the shape: 3×1")


def test_jacobian_question_names_the_edge_and_its_form():
    s = Session(load_net(example_paths()["default"]))
    by_node = {(st.phase, st.node): st for st in s.steps}
    q = questions_for(s, by_node[("backward", "Z2")], (JACOBIAN,))[0]
    assert q.choices[q.expected] == "dA²/dZ², full"          # softmax
    q = questions_for(s, by_node[("backward", "Z1")], (JACOBIAN,))[0]
    assert q.choices[q.expected] == "dA¹/dZ¹, diagonal"      # tanh
    assert q.judge(str(q.expected + 1)) and not q.judge(str((q.expected + 1) % 4 + 1))
    with pytest.raises(AnswerError):
        q.judge("7")
    # steps that multiply by no diagonal-or-full Jacobian are not asked
    assert questions_for(s, by_node[("backward", "W2")], (JACOBIAN,)) == []
    assert questions_for(s, by_node[("forward", "Z1")], (JACOBIAN,)) == []


def test_number_question_on_hand_sized_steps_matches_a_finite_difference():
    """The asked number is dL/dW0² (here 1x1 per entry): checked against a central difference of the loss."""
    from chainview.core import evaluate
    s = Session(load_net(example_paths()["default"]))
    st = next(x for x in s.steps if x.phase == "backward" and x.node == "W2")
    q = questions_for(s, st, (NUMBER,))[0]
    i, j = q.entry
    W = s.net.layers[1].W.copy()
    h = 1e-6
    up, down = W.copy(), W.copy()
    up[i, j] += h
    down[i, j] -= h
    fd = (evaluate(s.net.with_weights({"W2": up})).loss - evaluate(s.net.with_weights({"W2": down})).loss) / (2 * h)
    assert abs(q.expected - fd) < 1e-6
    assert q.judge(f"{fd:.2g}") and not q.judge(f"{fd * 1.3:.2g}")
    # a softmax forward step is not a hand calculation: no number asked
    a2 = next(x for x in s.steps if x.phase == "forward" and x.node == "A2")
    assert questions_for(s, a2, (NUMBER,)) == []


def test_a_round_guards_scores_and_does_not_reask():
    s = Session(load_net(example_paths()["default"]))
    p = Predictor(s, kinds=(SHAPE,))
    s.next()
    assert p.pending() and p.hides(s.current)
    s.next()                                   # refused: step 1 waits for an answer
    assert s.position == 1
    assert not p.submit("3x2").ok and p.pending()          # wrong
    assert p.submit("3 × 1").ok and not p.pending()        # right on a retry: still a miss
    s.next()
    assert p.submit("3,1").ok                              # A1 right first time
    assert p.mark(0) == "✗" and p.mark(1) == "✓"
    s.previous(); s.previous(); s.next(); s.next()        # back and forward: nothing asked again
    assert not p.pending() and s.position == 2
    s.next()
    v = p.reveal()
    assert v.finished and "2×1" in v.message and p.mark(2) == "✗"
    assert p.score_text() == "1/3 shapes right" and p.missed() == [0, 2]
    s.next()
    with pytest.raises(AnswerError):
        p.submit("what?")
    s.reset(); p.new_round()
    assert p.score_text() == "0/0 shapes right" and p.missed() == []
    p.detach()
    assert s.jump_guard is None


def test_several_kinds_are_asked_in_order():
    s = Session(load_net(example_paths()["default"]))
    p = Predictor(s, kinds=KINDS)
    s.jump(11)                                  # dL/dZ1 (landing there asks it)
    r = p.record(10)
    assert [q.kind for q in r.questions] == [SHAPE, JACOBIAN, NUMBER]
    assert p.submit("3x1").ok and p.pending()
    q = p.question()
    assert q.kind == JACOBIAN and p.submit(str(q.expected + 1)).ok
    v = p.submit(f"{p.question().expected:.2g}")
    assert v.ok and v.finished and p.mark(10) == "✓"
    assert p.score_text() == "1/1 shapes right · 1/1 Jacobians right · 1/1 numbers right"


def test_a_new_note_keeps_the_round_and_a_new_weight_ends_it():
    from dataclasses import replace
    s = Session(load_net(example_paths()["default"]))
    p = Predictor(s)
    s.next()
    assert p.submit("3x1").ok and p.mark(0) == "✓"
    s.set_net(replace(s.net, notes=((0, "shapes first"),)))
    assert p.mark(0) == "✓"
    W = s.net.layers[0].W.copy()
    W[0, 0] += 1
    s.set_net(s.net.with_weights({"W1": W}))
    assert p.mark(0) is None and p.score_text() == "0/0 shapes right"


def test_a_new_skip_tie_or_weight_decay_is_another_computation():
    """Same layers and weights, another graph: the answers were about other steps."""
    from dataclasses import replace
    from chainview.core.predict import same_computation
    res = load_net(example_paths()["residual-skip"])
    l = next(l for l, layer in enumerate(res.layers, start=1) if layer.skip_from is not None)
    assert same_computation(res, replace(res, notes=((0, "a note"),)))
    assert not same_computation(res, res.replace_layer(l, skip_from=None))
    ridge = load_net(example_paths()["ridge-regression"])
    assert ridge.weight_decay > 0
    assert not same_computation(ridge, replace(ridge, weight_decay=2 * ridge.weight_decay))
    assert not same_computation(ridge, replace(ridge, weight_decay=0.0))
    tied = load_net(example_paths()["unrolled-tied"])
    l = next(l for l, layer in enumerate(tied.layers, start=1) if layer.tie is not None)
    assert not same_computation(tied, tied.replace_layer(l, tie=None))
