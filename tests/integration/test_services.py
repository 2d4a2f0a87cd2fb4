"""In CI (CI_REQUIRE_SERVICES=1) the suite must really run against PostgreSQL and Redis, not the embedded default."""

import os

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.integration
required = os.environ.get("CI_REQUIRE_SERVICES") == "1"


@pytest.mark.django_db
def test_the_database_is_postgresql_in_ci():
    if not required:
        pytest.skip("CI_REQUIRE_SERVICES is not set: running on the embedded SQLite default")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_redis_answers_in_ci():
    if not required:
        pytest.skip("CI_REQUIRE_SERVICES is not set: Celery runs in-process")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    assert client.ping() is True
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
