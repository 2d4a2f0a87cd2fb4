"""How often an EventBridge Scheduler expression fires: rate(...), cron(...) or at(...)."""

from __future__ import annotations

import math
import re

from designer.domain.traffic import SECONDS_PER_DAY

__all__ = ["schedule_rate"]

RATE_RE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)", re.IGNORECASE)
UNIT_S = {"minute": 60, "hour": 3600, "day": 86_400}
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def schedule_rate(expression: str) -> float:
    """Invocations per second of an EventBridge Scheduler expression: rate(...), cron(...) or at(...) (once)."""
    expression = expression.strip()
    if m := RATE_RE.fullmatch(expression):
        unit = m.group(2).lower().rstrip("s")
        return 1.0 / (int(m.group(1)) * UNIT_S[unit]) if int(m.group(1)) > 0 else 0.0
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split()
        if len(fields) >= 5:
            per_day = _count(fields[0], 60) * _count(fields[1], 24)
            days = _day_share(fields[2], fields[4]) * _count(fields[3], 12) / 12
            return per_day * days / SECONDS_PER_DAY
    return 0.0  # at(...) runs once; an unreadable expression is reported by the validator


def _count(field: str, span: int) -> float:
    """How many values a cron field matches out of ``span``."""
    total = 0.0
    for part in field.upper().split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            width = float(span)
        elif "-" in base:
            lo, _, hi = base.partition("-")
            width = float(_value(hi) - _value(lo) + 1) if _value(hi) >= _value(lo) else 1.0
        else:
            width = 1.0 if not step else float(span - _value(base))
        total += math.ceil(width / int(step)) if step.isdigit() and int(step) > 0 else width
    return max(1.0, min(total, float(span)))


def _day_share(day_of_month: str, day_of_week: str) -> float:
    if day_of_week not in ("*", "?"):
        return _count(day_of_week, 7) / 7
    if day_of_month not in ("*", "?"):
        return _count(day_of_month, 31) / (365.25 / 12)
    return 1.0


def _value(token: str) -> int:
    token = token.strip()
    if token[:3] in DAY_NAMES:
        return DAY_NAMES[token[:3]]
    digits = re.match(r"\d+", token)
    return int(digits.group()) if digits else 0
