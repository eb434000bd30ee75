"""The Qt-free model behind a window: a net, its evaluation, the layout, the example and the step cursor.

Views connect to its signals (napari style) and never compute anything themselves:
  net_changed(), position_changed(old, new), layout_changed(layout), example_changed(k),
  selection_changed(selection), check_changed(report or None).
Selection is a node id ("Z1"), an edge (("Z1", "A1")) or None.
An edit replaces the Net (it is immutable) and keeps the step position where it still exists.
"""

from __future__ import annotations

from .engine import Evaluation, evaluate
from .graph import reading_order, structure
from .events import Signal
from .jacobians import LAYOUTS, Jacobian, edge_jacobian
from .net import Net
from .steps import Step, build_steps



class _Derived:
    """What follows from the net, the layout and the example, each made on first use.

    A change replaces the whole object (Session._derive) and hands over what the change leaves
    valid: the evaluation depends on the net alone, the steps on the net and the layout; the graph
    and the Jacobians on all three."""

    def __init__(self, net: Net, layout: str, example: int, *, evaluation: Evaluation | None = None,
                 steps: list[Step] | None = None):
        self.net, self.layout, self.example = net, layout, example
        self.made_evaluation = evaluation
        self.made_steps = steps
        self.made_graph = None
        self.made_step_index: dict | None = None
        self.jacobians: dict = {}

    @property
    def evaluation(self) -> Evaluation:
        if self.made_evaluation is None:
            self.made_evaluation = evaluate(self.net)
        return self.made_evaluation

    @property
    def steps(self) -> list[Step]:
        if self.made_steps is None:
            self.made_steps = build_steps(self.evaluation, self.layout)
        return self.made_steps

    @property
    def step_index(self) -> dict[tuple[str, str], int]:
        if self.made_step_index is None:
            self.made_step_index = {(s.phase, s.node): s.index for s in self.steps}
        return self.made_step_index

    def jacobian(self, source: str, target: str) -> Jacobian:
        key = (source, target)
        if key not in self.jacobians:
            self.jacobians[key] = edge_jacobian(self.evaluation, source, target,
                                                layout=self.layout, example=self.example)
        return self.jacobians[key]

    @property
    def graph(self) -> "networkx.DiGraph":
        if self.made_graph is None:
            from .evaluated_graph import build_graph
            self.made_graph = build_graph(self.evaluation, layout=self.layout, example=self.example,
                                          jacobian=self.jacobian)
        return self.made_graph


class Session:
    def __init__(self, net: Net, *, layout: str = "denominator", example: int = 0):
        if layout not in LAYOUTS or not 0 <= example < net.batch:  # as set_layout / set_example check
            raise ValueError(f"layout must be one of {LAYOUTS} and example 0..{net.batch - 1}; got {layout!r}, {example!r}")
        self.net_changed = Signal()
        self.position_changed = Signal()
        self.layout_changed = Signal()
        self.example_changed = Signal()
        self.selection_changed = Signal()
        self.check_changed = Signal()
        self._selection = None
        self._check = None
        self._net = net
        self._layout = layout
        self._example = example
        self._position = 0
        self._derived = _Derived(net, layout, example)
        # callable(old, new) -> bool, or None: core.predict refuses forward moves past an unanswered step
        self.jump_guard = None

    # ---- the net and what follows from it (cached until it changes)
    @property
    def net(self) -> Net:
        return self._net

    def set_net(self, net: Net) -> None:
        """Replace the net (an edit, a training step, a file): keeps position, example and selection where they exist.

        net_changed is the one signal sent: it means everything (position, example, selection,
        check) may have changed, so a view refreshes all it shows.
        """
        self._net = net
        self._example = min(self._example, net.batch - 1)
        self._derive()
        self._position = min(self._position, len(self.steps))
        if self._selection is not None and not self._exists(self._selection):
            self._selection = None
        self._check = None
        self.net_changed.emit()

    def _exists(self, selection) -> bool:
        st = structure(self._net)
        return selection in st.edge_set if isinstance(selection, tuple) else selection in st.node_set

    # ---- selection: what the inspector shows
    @property
    def selection(self):
        return self._selection

    def select(self, selection) -> None:
        """A node id, a (source, target) edge, or None; unknown ones raise KeyError."""
        if isinstance(selection, list):
            selection = tuple(selection)
        if selection is not None and not self._exists(selection):
            raise KeyError(f"no node or edge {selection!r} in this net")
        if selection != self._selection:
            self._selection = selection
            self.selection_changed.emit(selection)

    def select_next(self, step: int = 1) -> None:
        """Move the selection step items along reading_order (1: next, -1: previous), wrapping around.

        With nothing selected it starts where the person is looking: the current step's node (at
        step 0, the first or the last item)."""
        order = reading_order(self._net)
        if self._selection is None:
            current = self.current
            self.select(current.node if current is not None else order[0 if step > 0 else -1])
        else:
            self.select(order[(order.index(self._selection) + step) % len(order)])

    # ---- gradient check results, shown as marks
    @property
    def check_report(self):
        return self._check

    def clear_check(self) -> None:
        if self._check is not None:
            self._check = None
            self.check_changed.emit(None)

    def show_check(self, report) -> None:
        """A report made elsewhere (the GUI's background check) on this session's current evaluation."""
        self._check = report
        self.check_changed.emit(report)

    def run_check(self):
        from .gradcheck import check_gradients
        self._check = check_gradients(self.evaluation, example=self._example)
        self.check_changed.emit(self._check)
        return self._check

    def _derive(self, *, keep_evaluation: bool = False, keep_steps: bool = False) -> None:
        """Forget what the change made stale; keep_* hands over what it left valid."""
        d = self._derived
        self._derived = _Derived(self._net, self._layout, self._example,
                                 evaluation=d.made_evaluation if keep_evaluation else None,
                                 steps=d.made_steps if keep_steps else None)

    @property
    def evaluation(self) -> Evaluation:
        return self._derived.evaluation

    @property
    def steps(self) -> list[Step]:
        return self._derived.steps

    @property
    def graph(self) -> "networkx.DiGraph":
        """Structure and labels; Jacobian values are in it lazily (see core.evaluated_graph)."""
        return self._derived.graph

    def jacobian(self, source: str, target: str) -> Jacobian:
        return self._derived.jacobian(source, target)

    # ---- display options
    @property
    def layout(self) -> str:
        return self._layout

    def set_layout(self, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}")
        if layout != self._layout:
            self._layout = layout
            self._derive(keep_evaluation=True)
            self.layout_changed.emit(layout)

    @property
    def example(self) -> int:
        return self._example

    def set_example(self, k: int) -> None:
        if not 0 <= k < self._net.batch:
            raise ValueError(f"example must be 0..{self._net.batch - 1}")
        if k != self._example:
            self._example = k
            self._derive(keep_evaluation=True, keep_steps=True)
            self.example_changed.emit(k)
            if self._check is not None:  # edge checks were for the other example
                self._check = None
                self.check_changed.emit(None)

    # ---- stepping: a cursor over precomputed steps, so each call is O(1)
    @property
    def position(self) -> int:
        """How many steps are done: 0 (nothing computed) .. len(steps) (backward finished)."""
        return self._position

    @property
    def current(self) -> Step | None:
        """The step just done, or None at the start."""
        return self.steps[self._position - 1] if self._position else None

    @property
    def forward_length(self) -> int:
        return sum(1 for s in self.steps if s.phase == "forward")

    def jump(self, k: int) -> None:
        k = max(0, min(int(k), len(self.steps)))
        if k != self._position and (self.jump_guard is None or self.jump_guard(self._position, k)):
            old, self._position = self._position, k
            self.position_changed.emit(old, k)

    def next(self) -> None:
        self.jump(self._position + 1)

    def previous(self) -> None:
        self.jump(self._position - 1)

    def reset(self) -> None:
        self.jump(0)

    def run_to_end(self) -> None:
        self.jump(len(self.steps))

    def finish_forward(self) -> None:
        self.jump(max(self._position, self.forward_length))

    @property
    def step_index(self) -> dict[tuple[str, str], int]:
        """(phase, node) -> 0-based index of the step that computes it: a node is known once position > index."""
        return self._derived.step_index

    def done(self, k: int | None = None) -> list[Step]:
        return self.steps[: self._position if k is None else k]

    def known_values(self) -> set[str]:
        """Nodes whose value is known at this position: the givens plus what forward steps made."""
        known = set(structure(self._net).givens)  # A0, Y, every W and W0: what no edge feeds
        return known | {s.node for s in self.done() if s.phase == "forward"}

    def known_grads(self) -> set[str]:
        return {s.node for s in self.done() if s.phase == "backward"}
