"""Helpers every review view shares (role checks come from designer.access)."""

from __future__ import annotations

from typing import Any

from designer import services as designer


def can(role: str, need: str) -> bool:
    return designer.ROLE_RANK[role] >= designer.ROLE_RANK[need]


def first_error(form: Any) -> str:
    """A form's first error as one line, for the message shown beside the form."""
    field, errors = next(iter(form.errors.items()))
    return f"{field}: {errors[0]}" if field != "__all__" else str(errors[0])
