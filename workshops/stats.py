"""Item analysis of a workshop: how hard each question was and how well it told strong from weak answers.

Pure Python, for scores on the quiz's 0-100 scale.

- Difficulty: the mean score of those who answered, 0-100 (higher is easier).
- Upper-lower discrimination index D: rank the respondents by their score on the *other* questions (the rest
  score, so a question does not correlate with itself), take the top and bottom 27 % (at least one each), and
  subtract the bottom group's mean score on this question from the top group's, over 100. D runs from -1 to 1;
  0.4 and above discriminates well, below 0.2 poorly, and a negative D means the weaker group did better.
- Item-rest correlation r: Pearson's correlation between the question's scores and the rest scores; with
  right/wrong scores it is the point-biserial correlation.

Both need at least two respondents who differ; otherwise they are ``None`` (not enough evidence). A workshop's
item analysis (:func:`item_stats`) gives them only from ``MIN_RESPONDENTS`` answers up: with fewer, the top and
bottom groups are one or two people and D says more about them than about the question.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GROUP_SHARE", "MIN_RESPONDENTS", "ItemStats", "item_rest_correlation", "item_stats", "upper_lower_index"]

GROUP_SHARE = 0.27
MIN_RESPONDENTS = 6  # groups of two at 27 %: below this, D and r are not shown


@dataclass(frozen=True, slots=True)
class ItemStats:
    answered: int
    difficulty: float | None  # mean score 0-100
    discrimination: float | None  # upper-lower index D, -1..1
    correlation: float | None  # item-rest Pearson r, -1..1

    @property
    def verdict(self) -> str:
        """A word for the instructor: what the figures suggest about the question."""
        if self.difficulty is None:
            return "no answers"
        if self.discrimination is not None and self.discrimination < 0:
            return "check the question: weaker answerers scored higher"
        if self.difficulty >= 90:
            return "easy for this room"
        if self.difficulty < 30:
            return "hard for this room"
        if self.answered < MIN_RESPONDENTS:
            return f"too few answers to judge (fewer than {MIN_RESPONDENTS})"
        if self.discrimination is not None and self.discrimination < 0.2:
            return "separates strong and weak answers poorly"
        return "works"


def upper_lower_index(item: Sequence[float], rest: Sequence[float], *, share: float = GROUP_SHARE) -> float | None:
    """D for one question: ``item[i]`` is respondent i's score on it, ``rest[i]`` on the other questions."""
    if len(item) != len(rest):
        raise ValueError("item and rest scores must pair up, one of each per respondent")
    n = len(item)
    if n < 2:
        return None
    size = max(1, round(n * share))
    order = sorted(range(n), key=lambda i: (rest[i], item[i]))
    lower = [item[i] for i in order[:size]]
    upper = [item[i] for i in order[-size:]]
    return round((sum(upper) / size - sum(lower) / size) / 100, 3)


def item_rest_correlation(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson's r between the question's scores and the rest scores; None when either does not vary."""
    if len(item) != len(rest):
        raise ValueError("item and rest scores must pair up, one of each per respondent")
    n = len(item)
    if n < 2:
        return None
    try:
        return round(statistics.correlation(item, rest), 3)
    except statistics.StatisticsError:  # one of them does not vary
        return None


def item_stats(item: Sequence[float], rest: Sequence[float]) -> ItemStats:
    """Every figure for one question from the paired scores of those who answered it."""
    difficulty = round(sum(item) / len(item), 1) if item else None
    if len(item) < MIN_RESPONDENTS:
        return ItemStats(len(item), difficulty, None, None)
    return ItemStats(len(item), difficulty, upper_lower_index(item, rest), item_rest_correlation(item, rest))
