from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ names|get_item:pattern_id }}``: look a key up in a dict."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def service_name(type_id: Any) -> str:
    """``{{ node.type|service_name }}``: the catalog's name for a service type ("AWS Lambda"), else the id."""
    from designer.domain.catalog import load_catalog

    found = load_catalog().types.get(str(type_id))
    return found.name if found else str(type_id)
