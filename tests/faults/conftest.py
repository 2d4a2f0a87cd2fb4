"""Fault tests: the app under gunicorn, a Celery worker and a Redis of their own, against the test database on
the PostgreSQL that CI runs. Without PostgreSQL and Redis they skip with a message (and fail in CI, like the
integration tests)."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from tests.faults.servers import Gunicorn, RedisServer
from tests.integration.conftest import celery_queue, services_or_skip, worker_factory  # noqa: F401 - fixtures


def database_url_of_tests() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def private_redis():
    """A Redis of this test's own, to take down and bring back (never the shared one on 6379)."""
    services_or_skip()
    if shutil.which("redis-server") is None:
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            pytest.fail("CI needs redis-server to run the fault tests")
        pytest.skip("needs redis-server (apt-get install redis-server)")
    servers: list[RedisServer] = []

    def make(*, persistent: bool = False) -> RedisServer:
        server = RedisServer(persistent=persistent)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def web_factory(celery_queue):  # noqa: F811 - the fixture imported above
    """gunicorn with 2 sync workers on the test database, queueing on the test's own Celery queue."""
    started: list[Gunicorn] = []

    def make(**env: str) -> Gunicorn:
        server = Gunicorn(
            {
                "DATABASE_URL": database_url_of_tests(),
                "REDIS_URL": settings.REDIS_URL,
                "CELERY_QUEUE": celery_queue,
                "SECRET_KEY": settings.SECRET_KEY,
                "DEBUG": "false",
                "SECURE_COOKIES": "false",  # plain http on loopback
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "WARNING",
                **env,
            }
        )
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
