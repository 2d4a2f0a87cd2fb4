"""CSV for spreadsheets: a cell whose text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab or
a carriage return first) gets a leading apostrophe, so an exported name can never run as a formula; numbers are
written as their text, a negative one quoted too, since no cell may start like a formula. An empty value is an empty
cell."""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_START", "csv_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as a spreadsheet-safe CSV cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
