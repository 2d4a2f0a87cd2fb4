"""Load test of the designer: 50 people edit their diagrams for 60 s, each change autosaved and validated.

Not part of the pytest run. Starts gunicorn (2 sync workers) on 127.0.0.1 against a database of its own:
PostgreSQL when DATABASE_URL is set (a database named after it plus ``_load_designer`` on the same server,
created, migrated and dropped again; the database DATABASE_URL names is never touched), otherwise a temporary
SQLite file. Each person opens a fan-out starter in the editor, then until the time is up: thinks 0.5-1.5 s (the
editor's autosave waits for a pause), changes a label or moves a node, and saves it (the server parses, validates
and answers the findings panel); every fifth change is also sent to the validation API.

Printed: requests, throughput, and p50/p95/p99/max of save+validate and of the validation API, and errors.
Target: p95 save+validate within 150 ms and no error (the exit status is 1 otherwise).

    .venv/bin/python tests/load/load_designer.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archlab .venv/bin/python tests/load/load_designer.py

Only loopback addresses are used; every loop is bounded by the deadline and a cap on requests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.faults.servers import Browser, Gunicorn  # noqa: E402

SECRET = "load-test-only-not-a-secret"
TARGET_P95_MS = 150
MAX_CHANGES = 1_000  # per person: a bound on the loop besides the deadline


@contextmanager
def scratch_database():
    """A database of the load test's own: (DATABASE_URL for it), dropped afterwards."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        folder = tempfile.mkdtemp(prefix="archlab-load-")
        yield f"sqlite:///{folder}/load.sqlite3"
        return
    import psycopg

    parts = urlsplit(given)
    name = f"{parts.path.lstrip('/') or 'archlab'}_load_designer"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def person(base: str, deadline: float, saves: list[float], validations: list[float], errors: list[str]) -> None:
    browser = Browser(base, timeout=30)
    try:
        pk = browser.new_diagram("fan-out")
        if browser.get(f"/designer/{pk}/").status != 200:
            errors.append("editor did not open")
            return
        body = browser.get(f"/api/diagrams/{pk}/").json()
        data, version = body["data"], body["version"]
    except Exception as exc:  # noqa: BLE001 - counted and printed, never hidden
        errors.append(f"setup: {type(exc).__name__}: {exc}")
        return
    rng = random.Random(pk)  # noqa: S311 - think times, not secrets
    for change in range(1, MAX_CHANGES + 1):
        time.sleep(rng.uniform(0.5, 1.5))
        if time.monotonic() >= deadline:
            return
        node = rng.choice(data["nodes"])
        if change % 2:
            node["label"] = f"{node['label'].split(' #')[0]} #{change}"
        else:
            node["position"] = {"x": rng.randint(0, 1200), "y": rng.randint(0, 800)}
        answer = browser.post(f"/designer/{pk}/save", body={"data": data, "base_version": version})
        if answer.status != 200 or "findings_html" not in answer.json():
            errors.append(f"save {answer.status}: {answer.text[:120]}")
            continue
        version = answer.json()["version"]
        saves.append(answer.seconds * 1000)
        if change % 5 == 0:
            checked = browser.post("/api/validate/", body={"data": data})
            if checked.status != 200:
                errors.append(f"validate {checked.status}")
            else:
                validations.append(checked.seconds * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with scratch_database() as database_url:
        env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "DEBUG": "false", "REDIS_URL": ""}
        env.update({"SECURE_COOKIES": "false", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"})
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, cwd=ROOT, env={**os.environ, **env}, check=True)
        web = Gunicorn(env, workers=2)
        web.start()
        try:
            saves: list[float] = []
            validations: list[float] = []
            errors: list[str] = []
            deadline = time.monotonic() + args.seconds
            started = time.monotonic()
            people = [
                threading.Thread(target=person, args=(web.url, deadline, saves, validations, errors))
                for _ in range(args.users)
            ]
            for p in people:
                p.start()
            for p in people:
                p.join(timeout=args.seconds + 60)
            elapsed = time.monotonic() - started
        finally:
            web.stop()
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"designer load: {args.users} people, {elapsed:.0f} s, gunicorn 2 sync workers, {database}")
    print(f"  save+validate: {len(saves)} requests, {len(saves) / elapsed:.1f}/s")
    for label, values in (("save+validate", saves), ("validate API", validations)):
        if values:
            print(
                f"  {label:14} p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 95):6.1f} ms"
                f"  p99 {percentile(values, 99):6.1f} ms  max {max(values):6.1f} ms  (n={len(values)})"
            )
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    p95 = percentile(saves, 95)
    ok = bool(saves) and p95 <= TARGET_P95_MS and not errors
    print(f"  target p95 <= {TARGET_P95_MS} ms and no error: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
