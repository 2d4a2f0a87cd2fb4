"""The starter diagrams shipped in designer/data/starters/: one per pattern."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from designer.domain.patterns import PATTERN_IDS


def starter_data(pattern_id: str) -> dict[str, Any] | None:
    if pattern_id not in PATTERN_IDS:
        return None
    text = resources.files("designer").joinpath("data", "starters", f"{pattern_id}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
