"""Loaded first (``-p tests.pinned_settings`` in pyproject.toml), before Django reads its settings: the suite asserts
the settings of a production deployment, whatever the caller's shell exports (``DEBUG=true`` would switch the
Content-Security-Policy to report-only and the cookies to plain HTTP)."""

import os

# What the deployment decides; the database, Redis, the queue and the key stay the caller's (CI sets them).
PINNED = (
    "DEBUG",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CLIENT_IP_HEADER",
    "RATE_LIMITS_ENABLED",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "EMAIL_BACKEND",
    "ESTIMATE_SAMPLES",
    "ESTIMATE_STALE_S",
)
for name in PINNED:
    os.environ.pop(name, None)
os.environ.setdefault("SECRET_KEY", "archlab-tests-only")  # required with DEBUG off
