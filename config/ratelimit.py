"""Rate limits on the endpoints anyone can hammer: signing in and up, password resets, joining, answering.

The policy is one table in settings, ``RATE_LIMITS``: a URL name and its rules, each ``"METHODS RATE per KEY"``
(``"POST 30/m per ip"``; every rule must hold). :class:`RateLimitMiddleware` applies it before the view runs, so a
view needs no change to be limited. A view may carry its rules itself instead, with :func:`rate_limit`::

    @rate_limit("POST 30/m per user_or_session")
    def play_answer(request, code): ...

Keys: ``ip`` (the visitor's address, see :func:`client_ip`; IPv6 by its /64) or ``user_or_session`` (the account,
else the browser session, else the address). Rates are django-ratelimit's: ``30/m``, ``10/h``, ``5/15m``.

The counts live in the default cache through django-ratelimit: Redis when ``REDIS_URL`` is set, so every web
process counts together, else this process's memory. An unreachable cache lets the request through
(``RATELIMIT_FAIL_OPEN``): a Redis outage must not lock everyone out. Addresses in ``RATE_LIMIT_EXEMPT_IPS``
(loopback by default: this machine's health checks, load tests and test client) are never counted, nor are
requests without any address (in-process WSGI clients; a server on a unix socket must name ``CLIENT_IP_HEADER``).
A refused request gets 429 with ``Retry-After``: JSON in the API's error shape under ``/api/``, a sentence
otherwise; :func:`document_429` adds that answer to the OpenAPI schema of every limited operation.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django_ratelimit.core import get_usage

__all__ = ["RateLimitMiddleware", "Rule", "client_ip", "document_429", "parse_rule", "rate_limit"]

_RULE = re.compile(r"^(?P<methods>[A-Z]+(?:,[A-Z]+)*) (?P<rate>\d+/\d*[smhd]) per (?P<key>ip|user_or_session)$")


@dataclass(frozen=True)
class Rule:
    methods: tuple[str, ...]
    rate: str
    key: str


@functools.cache
def parse_rule(text: str) -> Rule:
    """``"GET,POST 30/m per ip"`` as a Rule; ValueError says what is wrong."""
    match = _RULE.match(text.strip())
    if match is None:
        raise ValueError(f"rate limit {text!r} is not 'METHODS RATE per KEY', e.g. 'POST 30/m per ip'")
    return Rule(tuple(match["methods"].split(",")), match["rate"], match["key"])


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: ``CLIENT_IP_HEADER`` when a proxy sets it, else the connection's address.

    Of a list (X-Forwarded-For), the last address is the one our own proxy added; earlier ones are the client's word.
    """
    header = settings.CLIENT_IP_HEADER
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    return str(raw).split(",")[-1].strip()


def _key(request: HttpRequest, kind: str) -> str:
    if kind == "user_or_session":
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            return f"session:{session.session_key}"
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"
    network = ipaddress.ip_network(f"{ip}/{64 if ip.version == 6 else 32}", strict=False)
    return f"ip:{network.network_address}"


def check(request: HttpRequest, group: str, rules: Sequence[str]) -> HttpResponse | None:
    """Count this request against ``rules`` (in the group ``group``); a 429 answer when one is exceeded."""
    address = client_ip(request)
    if not address or address in settings.RATE_LIMIT_EXEMPT_IPS:
        return None
    refused: int | None = None
    for text in rules:
        rule = parse_rule(text)
        if request.method not in rule.methods:
            continue
        key = _key(request, rule.key)
        usage = get_usage(request, group=f"{group}|{text}", key=lambda _g, _r, k=key: k, rate=rule.rate, increment=True)
        if usage is not None and usage["should_limit"]:
            refused = max(refused or 0, int(usage["time_left"]))
    return None if refused is None else _too_many(request, max(refused, 1))


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = f"Too many requests: wait {retry_after} seconds and try again."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"errors": [{"path": "", "message": message}]}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Applies ``settings.RATE_LIMITS`` to the views by URL name (``namespace:name``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        rules = settings.RATE_LIMITS.get(match.view_name) if match else None
        return check(request, match.view_name, rules) if match and rules else None


def rate_limit(*rules: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator with the same rules as ``settings.RATE_LIMITS`` (for a view limited in its own module)."""
    for text in rules:
        parse_rule(text)  # a typo fails at import, not at the first request

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        group = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return check(request, group, rules) or view(request, *args, **kwargs)

        return limited

    return decorate


def document_429(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a 429 answer on every operation that ``RATE_LIMITS`` limits."""
    for path, operations in result.get("paths", {}).items():
        try:
            match = resolve(re.sub(r"{[^}]+}", "1", path))
        except Resolver404:
            continue
        methods = {m for text in settings.RATE_LIMITS.get(match.view_name, ()) for m in parse_rule(text).methods}
        for method, operation in operations.items():
            if method.upper() in methods:
                operation.setdefault("responses", {})["429"] = {
                    "description": "Too many requests: the Retry-After header says how many seconds to wait."
                }
    return result
