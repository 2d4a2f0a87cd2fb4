"""Points, ranks and team standings of a live workshop.

Pure Python. Accuracy comes first: a question earns its quiz grade (0-100). With the speed bonus switched on,
a fast answer adds up to half of its own grade::

    bonus = round(score * 0.5 * max(0, 1 - elapsed / window))

where ``elapsed`` is the seconds from the question opening to the answer that counts (the last one sent) and
``window`` is the question's time limit, or, without one, how long the question stayed open. A wrong answer
earns no bonus however fast it was, and a perfect answer sent at once earns 150 points.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BONUS_SHARE", "TeamStanding", "rank", "speed_bonus", "team_standings"]

BONUS_SHARE = 0.5


def speed_bonus(*, score: int, elapsed: float, window: float) -> int:
    """The bonus for an answer graded ``score`` sent ``elapsed`` seconds into a ``window``-second question."""
    if window <= 0 or score <= 0:
        return 0
    speed = max(0.0, 1.0 - max(0.0, elapsed) / window)
    return round(score * BONUS_SHARE * speed)


def rank(points: Iterable[tuple[Hashable, int]]) -> dict[Hashable, int]:
    """Competition ranking ("1224"): equal points share a rank and the next rank skips the tied places."""
    ordered = sorted(points, key=lambda kv: -kv[1])
    ranks: dict[Hashable, int] = {}
    previous: int | None = None
    place = 0
    for index, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            place, previous = index, value
        ranks[key] = place
    return ranks


@dataclass(frozen=True, slots=True)
class TeamStanding:
    team: str
    members: int
    points: int
    average: float
    rank: int


def team_standings(teams: Sequence[str], members: Mapping[str, Sequence[int]]) -> list[TeamStanding]:
    """Teams ranked by their members' average points (fair to small teams); a team without members is last."""
    rows = []
    for team in teams:
        points = list(members.get(team, ()))
        average = sum(points) / len(points) if points else -1.0
        rows.append((team, len(points), sum(points), average))
    places = rank((team, round(avg * 100)) for team, _, _, avg in rows)
    standings = [TeamStanding(t, n, total, max(avg, 0.0), places[t]) for t, n, total, avg in rows]
    return sorted(standings, key=lambda s: (s.rank, s.team.casefold()))
