"""docker-compose.yml is what users run in production; Docker is not available here, so check it by reading it."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
services = compose["services"]


def test_compose_has_the_four_services():
    assert set(services) == {"web", "worker", "redis", "postgres"}


@pytest.mark.parametrize("name", ["web", "worker", "redis", "postgres"])
def test_every_service_has_a_healthcheck(name):
    check = services[name]["healthcheck"]
    assert check["test"]
    assert check["interval"]


def test_web_runs_gunicorn_on_the_wsgi_app_after_migrating():
    command = services["web"]["command"]
    assert "migrate" in command
    assert "gunicorn config.wsgi:application" in command


def test_worker_runs_celery_with_the_project_app():
    assert services["worker"]["command"].startswith("celery -A config worker")


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_are_wired_to_postgres_and_redis(name):
    env = services[name]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://archlab:${POSTGRES_PASSWORD:?")
    assert env["DATABASE_URL"].endswith("@postgres:5432/archlab")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # required, never a default in production
    assert env["DEBUG"] == "false"
    depends = services[name]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_database_credentials_match_the_url_and_the_password_comes_from_the_environment():
    env = services["postgres"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@postgres:5432/{env['POSTGRES_DB']}"
    assert env["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"  # compose refuses to start without


def test_no_secret_is_written_into_the_file():
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("SECRET", "PASSWORD", "TOKEN")):
                assert str(value).startswith("${"), f"{name}.{key} must come from the environment"


def test_the_web_healthcheck_probes_a_route_that_exists(client):
    probe = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in probe


def test_the_image_installs_graphviz_and_the_locked_dependencies():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "graphviz" in dockerfile
    assert "-c requirements.lock" in dockerfile
    assert dockerfile.startswith("FROM python:3.13")


def test_redis_keeps_queued_tasks_across_restarts():
    assert services["redis"]["command"] == ["redis-server", "--appendonly", "yes"]
    assert "redisdata:/data" in services["redis"]["volumes"]
