"""Deploy settings: `check --deploy` is clean with the production environment, cookies are Secure, HttpOnly and
SameSite, every answer carries the security headers and a Content-Security-Policy without inline script, and the
secret key comes only from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The production values of docs/operations.md (TLS ended by a proxy that sets X-Forwarded-Proto and X-Real-IP).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "q8Vd2r-LbZ0xYw3kN7pT1sGf5hJc9mUe4aRo6iHnBlXzKyWvQtPj",
    "ALLOWED_HOSTS": "archlab.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://archlab.example.com",
    "DATABASE_URL": "postgres://archlab:archlab@postgres:5432/archlab",
    "REDIS_URL": "redis://redis:6379/0",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "true",
    "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
# Left out of the child's environment: settings of this run, and the browser tests' switch (never in production).
SETTINGS_ENV = {"SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG", "SECRET_KEY", "REDIS_URL"}
SETTINGS_ENV |= {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def _env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV and k not in PRODUCTION}
    return {**base, "DJANGO_SETTINGS_MODULE": "config.settings", **values}


def _settings(**values: str) -> dict:
    """Some settings as a fresh process reads them from ``values``."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({k: getattr(s, k)"
        " for k in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT',"
        " 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_CSP', 'SECURE_CSP_REPORT_ONLY')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(**values), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_production_environment():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_when_debug_is_on_and_cookies_are_not_secure():
    env = _env(**{**PRODUCTION, "DEBUG": "true", "SECURE_COOKIES": "false"})
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "security.W018" in done.stderr + done.stdout  # DEBUG on
    assert "security.W012" in done.stderr + done.stdout  # session cookie not Secure


def test_cookies_are_secure_when_debug_is_off_unless_the_environment_says_otherwise():
    production = _settings(**PRODUCTION)
    assert production["SESSION_COOKIE_SECURE"]
    assert production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"]
    assert production["CSRF_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    plain_http = _settings(**{**PRODUCTION, "SECURE_COOKIES": "false"})
    assert not plain_http["SESSION_COOKIE_SECURE"]
    assert not plain_http["CSRF_COOKIE_SECURE"]
    debug = _settings(DEBUG="true")
    assert not debug["SESSION_COOKIE_SECURE"]
    assert not debug["SECURE_SSL_REDIRECT"]


def test_the_policy_is_enforced_with_debug_off_and_only_reported_with_debug_on():
    production = _settings(**PRODUCTION)
    assert production["SECURE_CSP"]["script-src"] == ["'self'"]
    assert production["SECURE_CSP_REPORT_ONLY"] == {}
    debug = _settings(DEBUG="true")  # Django's debug pages are inline styles and scripts
    assert debug["SECURE_CSP"] == {}
    assert debug["SECURE_CSP_REPORT_ONLY"] == production["SECURE_CSP"]


def test_without_a_secret_key_the_app_refuses_to_start_when_debug_is_off():
    env = _env(DEBUG="false")
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_settings_hold_no_secret_of_their_own():
    text = (ROOT / "config" / "settings.py").read_text()
    assert 'SECRET_KEY = env_str("SECRET_KEY", default="insecure-dev-key-only-for-debug" if DEBUG else "")' in text
    for word in ("PASSWORD", "TOKEN", "API_KEY"):
        assert f'{word} = "' not in text


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_secure_http_only_and_same_site(client, settings):
    from django.contrib.auth import get_user_model

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True  # as with DEBUG off (SECURE_COOKIES unset)
    get_user_model().objects.create_user("ada", password="a-long-enough-passphrase")
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "ada", "password": "a-long-enough-passphrase"})
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name] if name in response.cookies else client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/designer/new/", "/quiz/", "/patterns/", "/accounts/login/", "/api/catalog/"])
def test_every_answer_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_only_the_api_docs_page_loosens_the_policy_and_only_for_styles(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    assert b"<script>" not in response.content  # the start-up script comes from a URL of its own
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
def test_with_https_redirects_on_the_health_check_still_answers_over_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/designer/").status_code == 301
    assert client.get("/healthz").status_code == 200
