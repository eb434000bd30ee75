"""One numbering for a step everywhere (toolbar, step chips, step card, presenter card, status bar):
within its pass, F1..F5 forward and B1..B9 backward, as the step chips are labelled."""

from __future__ import annotations


def step_tag(index: int, forward_length: int) -> str:
    """'F3' or 'B2' for the step at 0-based `index` of the schedule."""
    return f"F{index + 1}" if index < forward_length else f"B{index + 1 - forward_length}"


def step_words(index: int, forward_length: int, total: int) -> tuple[str, str]:
    """('Forward', 'step 3 of 5') / ('Backward', 'step 2 of 9'): the phase and where in it."""
    if index < forward_length:
        return "Forward", f"step {index + 1} of {forward_length}"
    return "Backward", f"step {index + 1 - forward_length} of {total - forward_length}"
