"""Fixtures shared across the suite."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, whatever the broker (CI has a real one but no worker here)."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.update(task_always_eager=True)
    yield
    app.conf.update(task_always_eager=before)


@pytest.fixture
def wsgi_keeps_test_connection():
    """Call the WSGI application directly inside a test transaction.

    A real request closes database connections left inside a transaction when it ends; the test client switches
    that off, and tools that call the WSGI app (Schemathesis) need the same.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
