"""PostgreSQL faults while the app runs under gunicorn: the server itself is stopped and started again (requests
while it is down are 503s that say so, the ones after it succeed); every connection of the test database is cut (as
a database restart would), and the next requests succeed (CONN_HEALTH_CHECKS); a save in flight at that moment is
either stored whole or reported, never half-written. And many editors saving one diagram at once, from two
processes: one wins, the others get 409 with the current version and keep their work as a copy."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from designer.models import Diagram, DiagramVersion
from tests.faults.conftest import database_url_of_tests
from tests.faults.servers import Browser
from tests.integration.conftest import services_or_skip, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _sql(query: str, *args):
    """From a connection of our own (not the app's, not the test's)."""
    with psycopg.connect(database_url_of_tests(), autocommit=True) as conn:
        return conn.execute(query, args).fetchall()


def _cluster() -> list[str]:
    """``pg_ctlcluster`` arguments for the PostgreSQL on this machine, or skip (fail in CI) where it cannot be restarted."""
    where = Path("/etc/postgresql")
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None or not where.is_dir():
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            pytest.fail("CI restarts the machine's PostgreSQL: it needs root and pg_ctlcluster")
        pytest.skip("restarting PostgreSQL needs root and Debian's pg_ctlcluster")
    version = sorted(p.name for p in where.iterdir() if (p / "main").is_dir())[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def _postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def _app_backends() -> list[int]:
    return [
        pid
        for (pid,) in _sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
    ]


def _cut_every_connection() -> int:
    """What a PostgreSQL restart does to the app: every backend of the test database ends at once."""
    rows = _sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid()"
    )
    connection.close()  # this test's own connection was cut too; the next query opens a new one
    return len(rows)


def _consistent(pk: int) -> None:
    """The diagram's head is its newest version, versions run 1..head without a gap, each one whole."""
    diagram = Diagram.objects.get(pk=pk)
    numbers = sorted(DiagramVersion.objects.filter(diagram=diagram).values_list("number", flat=True))
    assert numbers == list(range(1, diagram.head + 1)), numbers
    for version in DiagramVersion.objects.filter(diagram=diagram):
        assert version.data["nodes"], version.number
        assert version.report["format"] == "archlab/report@1"


def _data(editor: Browser, pk: int) -> tuple[dict, int]:
    answer = editor.get(f"/api/diagrams/{pk}/")
    assert answer.status == 200, answer.text[:300]
    body = answer.json()
    return body["data"], body["version"]


def test_while_postgresql_is_down_requests_get_503s_and_after_it_restarts_they_succeed(web_factory):
    services_or_skip()
    cluster = _cluster()
    web = web_factory(DB_CONN_MAX_AGE="600")
    editor = Browser(web.url)
    pk = editor.new_diagram("fan-out")
    data, version = _data(editor, pk)
    data["nodes"][0]["label"] = "Sent while the database was down"
    for _ in range(10):  # both workers hold a persistent connection
        assert editor.get(f"/designer/{pk}/").status == 200
    try:
        subprocess.run([*cluster, "stop", "-m", "fast"], check=True, capture_output=True, timeout=60)
        assert not _postgres_ready()
        page = editor.get(f"/designer/{pk}/")
        save = editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
        api = editor.get(f"/api/diagrams/{pk}/")
        health = editor.get("/healthz")
        quiz = editor.get("/quiz/")
    finally:
        subprocess.run([*cluster, "start"], check=True, capture_output=True, timeout=60)
        wait_for(_postgres_ready, 60, "PostgreSQL to accept connections again")
        connection.close()  # this test's own connection ended with the server
    assert (page.status, save.status, api.status, health.status, quiz.status) == (503, 503, 503, 503, 503)
    assert "Back in a moment" in page.text
    assert "Traceback" not in page.text
    assert save.headers["Retry-After"] == "5"
    assert "nothing was changed" in save.json()["errors"][0]["message"]
    assert "nothing was changed" in api.json()["errors"][0]["message"]
    assert Diagram.objects.get(pk=pk).head == version  # nothing of the refused save was stored
    # The editor sends the same change again: it lands, and every page answers as before.
    again = editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
    assert again.status == 200, again.text[:300]
    assert again.json()["version"] == version + 1
    assert [editor.get(f"/designer/{pk}/").status for _ in range(10)] == [200] * 10
    assert editor.get("/healthz").json() == {"status": "ok"}
    _consistent(pk)


def test_after_every_connection_is_cut_the_next_requests_succeed(web_factory):
    services_or_skip()
    web = web_factory(DB_CONN_MAX_AGE="600")
    editor = Browser(web.url)
    pk = editor.new_diagram("fan-out")
    for _ in range(20):  # both gunicorn workers now hold a persistent connection
        assert editor.get(f"/designer/{pk}/").status == 200
    assert len(_app_backends()) >= 1
    assert _cut_every_connection() >= 1
    assert _app_backends() == []
    statuses = [editor.get(f"/designer/{pk}/").status for _ in range(20)]
    data, version = _data(editor, pk)
    data["nodes"][0]["label"] = "After the restart"
    saved = editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
    assert statuses == [200] * 20
    assert saved.status == 200
    assert editor.get("/healthz").json() == {"status": "ok"}
    _consistent(pk)


def test_a_save_in_flight_when_the_connection_is_cut_is_reported_and_leaves_nothing_half_written(web_factory):
    services_or_skip()
    web = web_factory(DB_CONN_MAX_AGE="600")
    editor = Browser(web.url)
    pk = editor.new_diagram("fan-out")
    data, version = _data(editor, pk)
    data["nodes"][0]["label"] = "In flight"
    answers = []
    with psycopg.connect(database_url_of_tests()) as holder:
        # Hold the diagram's row: the save starts its transaction and waits on the lock, in flight.
        holder.execute("SELECT id FROM designer_diagram WHERE id = %s FOR UPDATE", (pk,))
        save = threading.Thread(
            target=lambda: answers.append(
                editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
            )
        )
        save.start()
        wait_for(
            lambda: _sql(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ),
            30,
            "the save to wait inside its transaction",
        )
        waiting = [
            pid
            for (pid,) in _sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ]
        _sql("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", waiting)
        save.join(timeout=30)
        holder.rollback()
    (answer,) = answers
    assert answer.status >= 500  # reported: the editor keeps the change and says "Not saved"
    assert Diagram.objects.get(pk=pk).head == version  # nothing of it was stored
    _consistent(pk)
    retry = editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
    assert retry.status == 200
    assert retry.json()["version"] == version + 1
    _consistent(pk)


def test_saves_through_repeated_connection_cuts_are_whole_or_reported(web_factory):
    """Eight editors save their own diagrams in a loop while every connection is cut every 300 ms."""
    services_or_skip()
    web = web_factory(DB_CONN_MAX_AGE="600")
    editors = [Browser(web.url) for _ in range(8)]
    diagrams = [e.new_diagram("fan-out") for e in editors]
    stored: dict[int, list[tuple[int, str]]] = {pk: [] for pk in diagrams}
    reported: list[int] = []
    stop = time.monotonic() + 6

    def edit(editor: Browser, pk: int) -> None:
        data, version = _data_retrying(editor, pk)
        n = 0
        while time.monotonic() < stop:
            n += 1
            data["nodes"][0]["label"] = f"edit {n}"
            answer = editor.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
            if answer.status == 200:
                version = answer.json()["version"]
                stored[pk].append((version, data["nodes"][0]["label"]))
            elif answer.status == 409:
                version = answer.json()["current_version"]  # its own earlier save did land: go on from there
            else:
                reported.append(answer.status)
                data, version = _data_retrying(editor, pk)

    threads = [threading.Thread(target=edit, args=(e, pk)) for e, pk in zip(editors, diagrams, strict=True)]
    for t in threads:
        t.start()
    cuts = 0
    while time.monotonic() < stop:
        time.sleep(0.3)
        cuts += _cut_every_connection() > 0
    for t in threads:
        t.join(timeout=60)
    assert cuts >= 5
    for pk, saves in stored.items():
        _consistent(pk)
        versions = {v.number: v.data["nodes"][0]["label"] for v in DiagramVersion.objects.filter(diagram_id=pk)}
        for number, label in saves:  # every save that was answered 200 is there, as it was sent
            assert versions[number] == label
    assert sum(len(s) for s in stored.values()) > 20
    assert all(status >= 500 for status in reported)


def _data_retrying(editor: Browser, pk: int) -> tuple[dict, int]:
    for _ in range(20):
        answer = editor.get(f"/api/diagrams/{pk}/")
        if answer.status == 200:
            return answer.json()["data"], answer.json()["version"]
        time.sleep(0.1)
    raise AssertionError("the diagram could not be read again")


@pytest.mark.parametrize("editors", [2, 12])
def test_editors_saving_one_diagram_at_once_one_wins_the_others_get_409_and_keep_their_work(web_factory, editors):
    services_or_skip()
    web = web_factory()
    owner = Browser(web.url)
    pk = owner.new_diagram("fan-out")
    data, version = _data(owner, pk)
    barrier = threading.Barrier(editors)
    answers: dict[int, object] = {}

    def save(i: int) -> None:
        mine = {**data, "nodes": [{**data["nodes"][0], "label": f"editor {i}"}, *data["nodes"][1:]]}
        barrier.wait()
        answers[i] = owner.post(f"/designer/{pk}/save", body={"data": mine, "base_version": version})

    threads = [threading.Thread(target=save, args=(i,)) for i in range(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    statuses = sorted(a.status for a in answers.values())
    assert statuses == [200] + [409] * (editors - 1), statuses
    winner = next(i for i, a in answers.items() if a.status == 200)
    assert Diagram.objects.get(pk=pk).head == version + 1
    assert DiagramVersion.objects.get(diagram_id=pk, number=version + 1).data["nodes"][0]["label"] == f"editor {winner}"
    for i, answer in answers.items():
        if answer.status != 409:
            continue
        assert answer.json()["current_version"] == version + 1
        mine = {**data, "nodes": [{**data["nodes"][0], "label": f"editor {i}"}, *data["nodes"][1:]]}
        copy = owner.post(f"/designer/{pk}/copy", body=mine)  # "keep a copy" after the conflict
        assert copy.status == 201
    copies = Diagram.objects.exclude(pk=pk)
    assert copies.count() == editors - 1
    labels = {DiagramVersion.objects.get(diagram=c, number=1).data["nodes"][0]["label"] for c in copies}
    assert labels == {f"editor {i}" for i in range(editors) if i != winner}
    _consistent(pk)
