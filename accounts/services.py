"""Accounts: sign-up, and handing what an anonymous visitor made to the account they create or sign in to.

Apps keep anonymous work (diagrams, quiz answers) against the browser session. Each app registers a claim
function in its ``AppConfig.ready()`` with :func:`register_claim`; :func:`session_claim_all` runs them when a
visitor signs up or signs in, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

Claim = Callable[..., None]
_CLAIMS: list[Claim] = []


def register_claim(claim: Claim) -> None:
    """``claim(*, session_key: str, user)`` moves what the session owns to ``user``."""
    if claim not in _CLAIMS:
        _CLAIMS.append(claim)


def session_claim_all(*, session_key: str | None, user: AbstractBaseUser) -> None:
    if not session_key:
        return
    with transaction.atomic():
        for claim in _CLAIMS:
            claim(session_key=session_key, user=user)


def user_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    return get_user_model().objects.create_user(username=username, password=password, email=email)
