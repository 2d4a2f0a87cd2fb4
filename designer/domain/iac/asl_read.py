"""Reading an Amazon States Language definition: each Task state, what it calls and how it handles failure.

``tasks(definition)`` walks a definition (Parallel branches and Map item processors too) and yields each Task state
in flow order with its resource, parameters, Retry and Catch (the error names each Catch matches), its
``TimeoutSeconds`` and ``HeartbeatSeconds``, whether it waits for a task token, and, for a state reached only through
a Catch, the step it undoes. Compensations are read from the Catch chains: the undoing states (named Cancel...,
Refund..., Undo..., Release..., or commented ``undoes <step>``) in the chain a step's Catch starts are the
compensations run when that step fails, latest step first; other handlers (a notification, a log) are tasks. A chain that a step's Catch starts and no earlier step's
does is that step's own compensation (the saga undoes what it tried) when the first step's Catch already leads to
one; otherwise it undoes the step before (nothing to undo when the first step fails). A compensation whose name
shares a word with a step's name (``CancelHotel`` / ``BookHotel``) undoes that step, whatever its position. A
``Comment`` of ``undoes <step>`` says so outright.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from designer.domain.steps import UNDO_NAME, UNDOES, entity_words

__all__ = ["TaskState", "load_definition", "tasks"]

MAX_DEPTH = 20  # nesting of Parallel and Map states read


@dataclass(frozen=True)
class TaskState:
    name: str
    resource: Any
    parameters: Any
    retry: bool
    catch: bool
    wait_for_callback: bool
    undoes: str | None  # set when the state compensates an earlier step
    catch_errors: tuple[str, ...] = ()
    timeout_s: float | None = None
    heartbeat_s: float | None = None
    on_error: bool = False  # reached only through a Catch: an error handler


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
    if not isinstance(states, dict) or depth > MAX_DEPTH:
        return
    main, handlers = _flow(definition.get("StartAt"), states)
    main_tasks = [n for n in main if _is_task(states[n])]
    inferred, order = _compensations(states, main_tasks)
    # Compensations in the order the latest step's chain runs them, so that "reverse order" can be judged.
    handlers = [h for h in order if h in handlers] + [h for h in handlers if h not in order]
    for name in [*main, *handlers, *(n for n in states if n not in main and n not in handlers)]:
        state = states[name]
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Parallel":
            for branch in state.get("Branches") or []:
                if isinstance(branch, dict):
                    yield from _tasks(branch, depth + 1)
        elif state.get("Type") == "Map":
            for part in ("ItemReader", "ResultWriter"):  # a Distributed Map reads its items from S3 and may write there
                spec = state.get(part)
                if isinstance(spec, dict) and isinstance(spec.get("Resource"), str):
                    yield TaskState(
                        f"{str(name)[:60]} ({'items' if part == 'ItemReader' else 'results'})",
                        spec["Resource"], spec.get("Parameters") or spec.get("Arguments") or {},
                        False, False, False, None,
                    )  # fmt: skip
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(inner, dict):
                yield from _tasks(inner, depth + 1)
        elif _is_task(state):
            comment = state.get("Comment")
            said = UNDOES.match(comment) if isinstance(comment, str) else None
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
                catch_errors=_caught(state),
                timeout_s=_seconds(state.get("TimeoutSeconds")),
                heartbeat_s=_seconds(state.get("HeartbeatSeconds")),
                on_error=name in handlers,
            )


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None


def _caught(state: Mapping[str, Any]) -> tuple[str, ...]:
    errors = [e for c in state.get("Catch") or [] if isinstance(c, dict) for e in c.get("ErrorEquals") or []]
    return tuple(dict.fromkeys(str(e)[:80] for e in errors if isinstance(e, str)))[:20]


def _is_task(state: Any) -> bool:
    return isinstance(state, dict) and state.get("Type") == "Task"


def _next(state: Mapping[str, Any], with_catch: bool) -> list[str]:
    nxt = [state.get("Next"), state.get("Default")]
    nxt += [c.get("Next") for c in state.get("Choices") or [] if isinstance(c, dict)]
    if with_catch:
        nxt += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
    return [n for n in nxt if isinstance(n, str)]


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
            queue.extend(n for n in _next(state, with_catch) if n in states)

    main: dict[str, None] = {}
    walk([start], False, main)
    everything: dict[str, None] = {}
    walk([start], True, everything)
    return list(main), [n for n in everything if n not in main]


def _chain(states: Mapping[str, Any], first: Any) -> list[str]:
    """The Task states a Catch handler runs, in order, following Next (and Choice defaults) until the chain ends."""
    out: list[str] = []
    seen: set[str] = set()
    name = first
    while isinstance(name, str) and name in states and name not in seen and len(seen) < 200:
        seen.add(name)
        state = states[name] if isinstance(states[name], dict) else {}
        if _is_task(state):
            out.append(name)
        following = _next(state, False)
        name = following[0] if following else None
    return out


def _undoes_by_name(states: Mapping[str, Any], name: str) -> bool:
    comment = states[name].get("Comment") if isinstance(states[name], dict) else None
    return bool(UNDO_NAME.match(name.strip()) or (isinstance(comment, str) and UNDOES.match(comment)))


def _compensations(states: Mapping[str, Any], main_tasks: list[str]) -> tuple[dict[str, str], list[str]]:
    """Handler task -> the main step it undoes, read from the Catch chains (see the module's docstring), and the
    compensations in the order the latest step's chain (then the earlier ones) runs them."""
    chains: list[tuple[int, list[str]]] = []
    for i, name in enumerate(main_tasks):
        for catch in states[name].get("Catch") or []:
            if isinstance(catch, dict):
                chain = [
                    c for c in _chain(states, catch.get("Next")) if c not in main_tasks and _undoes_by_name(states, c)
                ]
                if chain:
                    chains.append((i, chain))
    if not chains:
        return {}, []
    self_undo = chains[0][0] == 0  # the first step's own failure already leads to a compensation
    found: dict[str, str] = {}
    known: set[str] = set()
    for i, chain in sorted(chains, key=lambda ic: ic[0]):
        fresh = [c for c in chain if c not in known]
        target = i if self_undo else i - 1
        for comp in fresh:
            named = [s for s in main_tasks if entity_words(s) & entity_words(comp)]
            if len(named) == 1:
                found[comp] = named[0]
            elif 0 <= target < len(main_tasks):
                found[comp] = main_tasks[target]
            target -= 1
        known.update(chain)
    order = [c for _, chain in sorted(chains, key=lambda ic: -ic[0]) for c in chain]
    return found, list(dict.fromkeys(order))
