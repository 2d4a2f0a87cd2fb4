from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ names|get_item:pattern_id }}``: look a key up in a dict."""
    return mapping.get(key) if hasattr(mapping, "get") else None
