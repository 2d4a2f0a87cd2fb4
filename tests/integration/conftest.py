"""A real Celery worker against the Redis and PostgreSQL the suite runs on (CI), started and stopped by the tests."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def services_or_skip() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            pytest.fail("CI must run these against PostgreSQL and Redis")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); the embedded default has neither")


class Worker:
    """``celery worker`` in a subprocess, on a queue of its own, reading the test database."""

    def __init__(self, queue: str, extra_env: dict[str, str]) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": queue,
            "CELERY_VISIBILITY_TIMEOUT": "4",
            "SECRET_KEY": settings.SECRET_KEY,
            **extra_env,
        }
        self.queue = queue
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",  # the prefork pool runs the broker's event loop, which returns unacknowledged tasks
            "--concurrency",
            "1",
            "-Q",
            self.queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "-n",
            f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
        ]
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_queue():
    """A fresh queue name that both this process (producer) and the worker use."""
    services_or_skip()
    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    before = app.conf.task_default_queue
    app.conf.update(task_default_queue=queue)
    yield queue
    app.conf.update(task_default_queue=before)


def reset_broker_connections() -> None:
    """Make the Celery app open new connections (after its broker address changed)."""
    from config.celery import app

    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker_factory(celery_queue):
    workers: list[Worker] = []

    def make(**extra_env: str) -> Worker:
        worker = Worker(celery_queue, extra_env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
