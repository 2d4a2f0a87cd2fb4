"""Pattern recognisers: find the catalog's patterns in a diagram and say what each still lacks.

Each recogniser takes a :class:`Context` and returns one :class:`PatternMatch` per place the pattern occurs; a
diagram usually holds several. The texts of ``missing`` name the nodes by label. They live by theme in
``requests`` (sync, async, load levelling), ``events`` (fan-out, choreography, event sourcing, scheduled, stream
ingestion), ``workflows`` (orchestration, saga) and ``frontends`` (BFF, strangler fig).
"""

from __future__ import annotations

from designer.domain.context import Context
from designer.domain.patterns import events, frontends, requests, workflows  # noqa: F401  (registers them)
from designer.domain.patterns.events import LOSS_TOLERANT_TAGS, UNBUFFERED_TYPES, shard_shortfall
from designer.domain.patterns.registry import RECOGNISERS
from designer.domain.patterns.workflows import saga_gaps, step_name
from designer.domain.report import PatternMatch

__all__ = [
    "LOSS_TOLERANT_TAGS",
    "PATTERN_IDS",
    "UNBUFFERED_TYPES",
    "recognise",
    "saga_gaps",
    "shard_shortfall",
    "step_name",
]

# The catalog's order (designer/data/patterns.yaml), in which matches are reported.
PATTERN_IDS = (
    "sync",
    "async",
    "load-leveling",
    "fan-out",
    "orchestration",
    "choreography",
    "saga",
    "bff",
    "strangler-fig",
    "event-sourcing-cqrs",
    "scheduled",
    "stream-ingestion",
)


def recognise(ctx: Context) -> list[PatternMatch]:
    """Every pattern match in the diagram, in catalog order."""
    return [m for pattern_id in PATTERN_IDS for m in RECOGNISERS[pattern_id](ctx)]
