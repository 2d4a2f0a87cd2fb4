"""Every URL pattern of the project, with a sample address for each (for the CSRF and authorisation sweeps)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name", or "<route>" for a pattern without a name
    route: str  # the pattern as written, prefixes included
    sample: str  # an address that the pattern matches


def _piece(pattern) -> tuple[str, str]:
    """(route as written, a sample address) for one pattern."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        sample = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
        return route, sample
    assert isinstance(pattern, RegexPattern)
    regex = pattern._regex
    sample = re.sub(r"\(\?P<\w+>([^|)]+)[^)]*\)", r"\1", regex)  # a named group: its first alternative
    sample = sample.replace(".*", "x").replace("\\", "").strip("^$")
    return regex, sample


def endpoints(patterns=None, prefix: str = "", sample: str = "", namespace: str = "") -> list[Endpoint]:
    found: list[Endpoint] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route, piece = _piece(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += endpoints(p.url_patterns, prefix + route, sample + piece, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}{p.name}" if p.name else f"<{prefix + route}>"
            found.append(Endpoint(name, prefix + route, "/" + sample + piece))
    return found
