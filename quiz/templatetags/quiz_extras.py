"""Filters for the quiz pages."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CODE = re.compile(r"`([^`\n]+)`")


@register.filter
def prose(text: str) -> SafeString:
    """Plain text with blank-line paragraphs and `code` spans as HTML; everything else is escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", str(text or "")) if p.strip()]
    html = []
    for paragraph in paragraphs:
        body = CODE.sub(r"<code>\1</code>", escape(paragraph)).replace("\n", "<br>")
        html.append(f"<p>{body}</p>")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text was escaped above  # nosec B308 B703


@register.filter
def verdict_mark(verdict: str) -> str:
    return {"right": "✓", "partly": "◐", "wrong": "✗"}.get(verdict, "")


@register.filter
def band(score: int | None) -> str:
    """A CSS class for a 0-100 score: the same bands as the review ratings."""
    if score is None:
        return "none"
    return "low" if score < 40 else "mid" if score < 70 else "good" if score < 90 else "top"
