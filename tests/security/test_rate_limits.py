"""Rate limits and sign-in lockout: every limited endpoint answers 429 past its rate (per address, or per account
or session), a locked-out username is refused from that address only, an unreachable cache lets requests through,
and with Redis the count is shared between processes."""

import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from config.ratelimit import parse_rule, rate_limit

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def address() -> str:
    """A fresh documentation address (TEST-NET-2) per test: counts never leak between tests or runs."""
    return f"198.51.100.{random.randint(1, 254)}"  # noqa: S311 - not a secret


@pytest.fixture(autouse=True)
def fresh_counts(settings):
    """Counts in a cache of this test's own (the shared Redis keeps other runs' counts)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def _url(name: str) -> str:
    kwargs = {"code": "ABCDEF", "qid": "ws-01", "token": "no-such-invite"}
    for needed in ([], ["code"], ["qid"], ["token"]):
        try:
            return reverse(name, kwargs={k: kwargs[k] for k in needed})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build an address for {name}")


def test_every_limited_name_is_an_address_and_every_rule_reads():
    for name, rules in django_settings.RATE_LIMITS.items():
        assert _url(name), name
        for text in rules:
            rule = parse_rule(text)
            assert set(rule.methods) <= {"GET", "POST"}, text


@pytest.mark.parametrize("text", ["POST 30 per ip", "POST 30/m per host", "post 30/m per ip", "POST 30/m"])
def test_a_rule_that_does_not_read_is_refused(text):
    with pytest.raises(ValueError, match="METHODS RATE per KEY"):
        parse_rule(text)


def test_signing_in_is_limited_per_address_with_retry_after():
    limit = int(parse_rule(django_settings.RATE_LIMITS["accounts:login"][0]).rate.split("/")[0])
    mine, other = Client(REMOTE_ADDR=address()), Client(REMOTE_ADDR="203.0.113.7")
    # Counting windows are fixed: if one ends while the loop runs, the count restarts, so try a second window.
    for _ in range(2):
        for i in range(limit):
            response = mine.post("/accounts/login/", {"username": f"nobody{i}", "password": "wrong"})
            assert response.status_code in (200, 429), i  # the form again, with its error
        refused = mine.post("/accounts/login/", {"username": "someone-else", "password": "wrong"})
        if refused.status_code == 429:
            break
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"Too many requests" in refused.content
    assert mine.get("/accounts/login/").status_code == 200  # only POST counts
    assert other.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200


@pytest.mark.parametrize("name", sorted(django_settings.RATE_LIMITS))
def test_each_limited_endpoint_answers_429_past_its_rate(settings, name):
    """The configured methods and key, at a rate of 3 a minute: the fourth request is refused before the view."""
    rules = [text.replace(parse_rule(text).rate, "3/m") for text in settings.RATE_LIMITS[name]]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, name: rules}
    method = parse_rule(rules[0]).methods[-1]
    client = Client(REMOTE_ADDR=address())
    send = client.post if method == "POST" else client.get
    statuses = [send(_url(name)).status_code for _ in range(4)]
    assert all(s != 429 for s in statuses[:3]), statuses
    assert statuses[3] == 429, statuses


def test_quiz_answers_are_counted_per_session_so_a_classroom_behind_one_address_can_answer(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "quiz:question": ["POST 2/m per user_or_session", "POST 10/m per ip"],
    }
    shared = address()
    learners = [Client(REMOTE_ADDR=shared) for _ in range(4)]
    for learner in learners:
        learner.get("/quiz/")
        session = learner.session
        session["seen"] = True
        session.save()
    answers = [[learner.post(_url("quiz:question")).status_code for _ in range(2)] for learner in learners]
    assert all(429 not in statuses for statuses in answers), answers  # 8 from one address, 2 per learner
    assert learners[0].post(_url("quiz:question")).status_code == 429  # the third of one learner
    assert Client(REMOTE_ADDR=shared).post(_url("quiz:question")).status_code in (404, 200, 400)  # 9th < 10


def test_api_answers_429_in_the_error_shape(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "quiz-api-grade": ["POST 1/m per ip"]}
    client = Client(REMOTE_ADDR=address())
    client.post("/api/quiz/questions/ws-01/grade", "{}", content_type="application/json")
    response = client.post("/api/quiz/questions/ws-01/grade", "{}", content_type="application/json")
    assert response.status_code == 429
    assert response.json()["errors"][0]["message"].startswith("Too many requests")
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "429" in schema["paths"]["/api/quiz/questions/{qid}/grade"]["post"]["responses"]


def test_this_machine_and_unaddressed_requests_are_never_counted(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts:login": ["POST 1/m per ip"]}
    local = Client()  # REMOTE_ADDR 127.0.0.1: health checks, load tests, the test client
    assert [local.post("/accounts/login/").status_code for _ in range(3)] == [200, 200, 200]


def test_an_unreachable_cache_lets_requests_through_instead_of_failing(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts:login": ["POST 1/m per ip"]}
    client = Client(REMOTE_ADDR=address())
    assert [client.post("/accounts/login/").status_code for _ in range(3)] == [200, 200, 200]


def test_the_decorator_applies_the_same_rules_to_one_view():
    from django.http import HttpResponse

    @rate_limit("POST 2/m per ip")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory(REMOTE_ADDR=address())
    assert [view(factory.post("/x")).status_code for _ in range(3)] == [200, 200, 429]
    assert view(factory.get("/x")).status_code == 200
    with pytest.raises(ValueError, match="is not 'METHODS RATE per KEY'"):
        rate_limit("POST often per ip")


# ---- sign-in lockout (django-axes) ------------------------------------------------------------------------------


@pytest.fixture
def ada():
    return get_user_model().objects.create_user("ada", password=PASSWORD)


def _sign_in(client: Client, password: str, username: str = "ada"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_username_is_locked_out_from_an_address_after_repeated_failures(ada, settings):
    attacker = Client(REMOTE_ADDR=address())
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(attacker, "guess").status_code == 200
    locked = _sign_in(attacker, "guess")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert _sign_in(attacker, PASSWORD).status_code == 429  # even the right password, until the cool-off ends
    assert "_auth_user_id" not in attacker.session
    # The owner, from another address, still signs in.
    owner = Client(REMOTE_ADDR="203.0.113.9")
    assert _sign_in(owner, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(ada, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    client = Client(REMOTE_ADDR=address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "guess")
    assert _sign_in(client, PASSWORD).status_code == 429
    time.sleep(1.2)
    assert _sign_in(client, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_failures(ada, settings):
    client = Client(REMOTE_ADDR=address())
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "guess")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "guess").status_code == 200


def test_the_admin_sign_in_is_throttled_too(settings):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client(REMOTE_ADDR=address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "root", "password": "guess"})
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 429


# ---- across processes -----------------------------------------------------------------------------------------


CHILD = """
import json, sys, django
django.setup()
from django.test import RequestFactory
from config.ratelimit import check
request = RequestFactory(REMOTE_ADDR=sys.argv[1]).post("/accounts/login/")
print(json.dumps([check(request, "accounts:login", ["POST 3/m per ip"]) is None for _ in range(3)]))
"""


@pytest.mark.integration
def test_with_redis_every_process_counts_against_the_same_limit(settings):
    """Another process signs in three times from an address: this process then refuses that address at once."""
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            pytest.fail("CI must run this against Redis")
        pytest.skip("needs Redis (REDIS_URL): the embedded default counts in this process's memory")
    import config.settings as configured

    settings.CACHES = configured.CACHES  # Redis, as every web process has it
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts:login": ["POST 3/m per ip"]}
    ip = f"2001:db8:{random.getrandbits(32):x}:{random.getrandbits(16):x}::1"  # noqa: S311 - unique, not secret
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ip], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, True, True]
    response = Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 429
