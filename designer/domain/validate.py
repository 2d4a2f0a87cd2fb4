"""``validate(diagram)``: recognise patterns and run every rule."""

from __future__ import annotations

import datetime as dt

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.context import Context
from designer.domain.diagram import Diagram
from designer.domain.patterns import recognise
from designer.domain.report import SEVERITIES, Report
from designer.domain.rules import run_rules

__all__ = ["validate"]

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def validate(diagram: Diagram, catalog: Catalog | None = None, *, today: dt.date | None = None) -> Report:
    """Recognise patterns and run every rule; never raises for a bad design (``parse()`` does that).

    Findings come most severe first, then in rule order. ``today`` (default: the current date) is the day runtime
    deprecations are judged on.
    """
    ctx = Context.build(diagram, catalog or load_catalog(), today)
    findings = sorted(run_rules(ctx), key=lambda f: _RANK[f.severity])
    return Report(patterns=tuple(recognise(ctx)), findings=tuple(findings))
