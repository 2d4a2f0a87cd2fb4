"""Amazon States Language: writing a state machine's definition from its edges (``asl_read`` reads one back).

``build(steps, compensations)`` chains one Task state per ``task`` edge, in edge order, with ``Retry`` and
``Catch`` where the edge asks; a Catch leads to the compensations of the steps before the failing one, run in
reverse order (each compensation state says ``undoes <step>`` in its ``Comment``), and then to a Fail state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RETRY", "Step", "build"]

RETRY = [
    {
        "ErrorEquals": ["States.TaskFailed", "States.Timeout"],
        "IntervalSeconds": 2,
        "MaxAttempts": 3,
        "BackoffRate": 2,
    }
]


@dataclass(frozen=True)
class Step:
    """One state to write: its name, the Task's resource and parameters, and how it handles errors."""

    name: str
    resource: str
    parameters: Mapping[str, Any]
    retry: bool = False
    catch: bool = False
    undoes: str | None = None  # set on compensation states
    pass_only: bool = False  # a placeholder for a call the template cannot make (an external API)


def build(steps: Sequence[Step], compensations: Sequence[Step], comment: str = "") -> dict[str, Any]:
    """A definition that runs ``steps`` in order and, on a caught failure, the compensations in reverse."""
    states: dict[str, Any] = {}
    names = [s.name for s in steps]
    position = {name: i for i, name in enumerate(names)}
    # Compensations run latest step first; those undoing no known step run last, in edge order.
    ordered = sorted(enumerate(compensations), key=lambda ic: (-position.get(ic[1].undoes or "", -1), ic[0]))
    chain = [c for _, c in ordered]
    needs_fail = any(s.catch for s in steps) or bool(chain)
    for i, step in enumerate(steps):
        state = _state(step)
        if i + 1 < len(steps):
            state["Next"] = steps[i + 1].name
        else:
            state["End"] = True
        if step.catch and not step.pass_only:
            state["Catch"] = [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": _handler(i, chain, position)}
            ]
        states[step.name] = state
    for j, comp in enumerate(chain):
        state = _state(comp)
        state["Comment"] = f"undoes {comp.undoes}" if comp.undoes is not None else "compensation"
        state["Next"] = chain[j + 1].name if j + 1 < len(chain) else "Failed"
        states[comp.name] = state
    if needs_fail:
        states["Failed"] = {"Type": "Fail", "Error": "StepFailed", "Cause": "A step failed; earlier steps were undone"}
    if not steps:
        states = {"Done": {"Type": "Succeed"}, **states}
    definition: dict[str, Any] = {"Comment": comment} if comment else {}
    definition["StartAt"] = steps[0].name if steps else "Done"
    definition["States"] = states
    return definition


def _state(step: Step) -> dict[str, Any]:
    if step.pass_only:
        return {"Type": "Pass", "Comment": step.resource}
    state: dict[str, Any] = {"Type": "Task", "Resource": step.resource, "Parameters": dict(step.parameters)}
    if step.retry or step.undoes is not None:
        state["Retry"] = RETRY
    return state


def _handler(index: int, chain: Sequence[Step], position: Mapping[str, int]) -> str:
    """First compensation that undoes a step before ``index``; the Fail state when there is none."""
    for comp in chain:
        undone = position.get(comp.undoes or "")
        if undone is not None and undone < index:
            return comp.name
    return "Failed"
