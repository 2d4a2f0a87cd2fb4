"""Amazon States Language: writing a state machine's definition from its edges, and reading one back.

``build(steps, compensations)`` chains one Task state per ``task`` edge, in edge order, with ``Retry`` and
``Catch`` where the edge asks; a Catch leads to the compensations of the steps before the failing one, run in
reverse order (each compensation state says ``undoes <step>`` in its ``Comment``), and then to a Fail state.

``tasks(definition)`` walks a definition (Parallel branches and Map iterators too) and yields each Task state with
what it calls and how; the importer resolves the resources named in ``Resource`` and ``Parameters``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Step", "TaskState", "build", "load_definition", "tasks"]

_UNDOES = re.compile(r"^\s*(?:undoes|compensates(?:\s+for)?)(?:\s+(.*?))?\s*$", re.IGNORECASE | re.DOTALL)
_UNDO_NAME = re.compile(r"^(undo|cancel|refund|release|revert|rollback|compensate|reverse)", re.IGNORECASE)
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


# ---------------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class TaskState:
    name: str
    resource: Any
    parameters: Any
    retry: bool
    catch: bool
    wait_for_callback: bool
    undoes: str | None  # set when the state compensates an earlier step


def load_definition(value: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The definition as a dict and the ``${name}`` values its text refers to (from a Sub or Join)."""
    if isinstance(value, dict) and "States" in value:
        return value, {}
    variables: dict[str, Any] = {}
    text: Any = value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict):
                variables = dict(arg[1])
        elif key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = []
            for i, part in enumerate(arg[1]):
                if isinstance(part, str):
                    parts.append(part)
                else:
                    variables[f"__join{i}"] = part
                    parts.append(f"${{__join{i}}}")
            text = str(arg[0]).join(parts) if isinstance(arg[0], str) else None
    if not isinstance(text, str):
        return None, {}
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None, {}
    return (parsed, variables) if isinstance(parsed, dict) else (None, {})


def tasks(definition: Mapping[str, Any]) -> Iterator[TaskState]:
    """Task states in flow order; states reached only from a Catch are read as compensations."""
    yield from _tasks(definition, depth=0)


def _tasks(definition: Mapping[str, Any], depth: int) -> Iterator[TaskState]:
    states = definition.get("States")
    if not isinstance(states, dict) or depth > 20:
        return
    main, handlers = _flow(definition.get("StartAt"), states)
    main_tasks = [n for n in main if _is_task(states[n])]
    inferred = _inferred_undoes(states, main_tasks)
    for name in [*main, *handlers, *(n for n in states if n not in main and n not in handlers)]:
        state = states[name]
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Parallel":
            for branch in state.get("Branches") or []:
                if isinstance(branch, dict):
                    yield from _tasks(branch, depth + 1)
        elif state.get("Type") == "Map":
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(inner, dict):
                yield from _tasks(inner, depth + 1)
        elif _is_task(state):
            comment = state.get("Comment")
            said = _UNDOES.match(comment) if isinstance(comment, str) else None
            undoes = (said.group(1) or "") if said else (inferred.get(name) if name not in main else None)
            resource = state.get("Resource")
            yield TaskState(
                name=str(name)[:80],
                resource=resource,
                parameters=state.get("Parameters") or state.get("Arguments") or {},
                retry=bool(state.get("Retry")),
                catch=bool(state.get("Catch")),
                wait_for_callback=isinstance(resource, str) and resource.endswith(".waitForTaskToken"),
                undoes=undoes,
            )


def _is_task(state: Any) -> bool:
    return isinstance(state, dict) and state.get("Type") == "Task"


def _flow(start: Any, states: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """States reached from StartAt without a Catch (in order), then those reached only through a Catch."""

    def walk(first: list[Any], with_catch: bool, seen: dict[str, None]) -> None:
        queue = [n for n in first if isinstance(n, str) and n in states]
        while queue:
            name = queue.pop(0)
            if name in seen:
                continue
            seen[name] = None
            state = states[name] if isinstance(states[name], dict) else {}
            nxt = [state.get("Next"), state.get("Default")]
            nxt += [c.get("Next") for c in state.get("Choices") or [] if isinstance(c, dict)]
            if with_catch:
                nxt += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
            queue.extend(n for n in nxt if isinstance(n, str) and n in states)

    main: dict[str, None] = {}
    walk([start], False, main)
    everything: dict[str, None] = {}
    walk([start], True, everything)
    return list(main), [n for n in everything if n not in main]


def _inferred_undoes(states: Mapping[str, Any], main_tasks: list[str]) -> dict[str, str]:
    """For handler states named like compensations (Undo..., Refund...): the step each undoes, by position.

    A Catch on step i leads to compensations of steps i-1, i-2, ... in that order.
    """
    found: dict[str, str] = {}
    for i, name in enumerate(main_tasks):
        for catch in states[name].get("Catch") or []:
            nxt, back = catch.get("Next") if isinstance(catch, dict) else None, i - 1
            seen: set[str] = set()
            while isinstance(nxt, str) and nxt in states and nxt not in seen and back >= 0:
                seen.add(nxt)
                state = states[nxt]
                if not _is_task(state) or not _UNDO_NAME.match(nxt):
                    break
                found.setdefault(nxt, main_tasks[back])
                nxt, back = state.get("Next"), back - 1
    return found
