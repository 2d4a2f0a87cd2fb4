from typing import Any

from django import template

from reviews.presenters import change_text

register = template.Library()


@register.filter
def setting(value: Any) -> str:
    """``{{ change.before|setting }}``: a configuration value as a reader expects it (unset, yes/no, lists)."""
    return change_text(value)
