"""Load test of estimates: 100 estimates queued at once are all computed by 2 Celery workers.

Not part of the pytest run. Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): works on a database of its own
(named after DATABASE_URL's plus ``_load_estimates``, created, migrated and dropped again) and a Celery queue of
its own on that Redis, so nothing else on them is touched. Starts 2 workers (``celery worker --concurrency 1``
each, the production samples per estimate unless ESTIMATE_SAMPLES says otherwise), queues 100 estimates of one
diagram under 100 traffic profiles through the service the web page uses, and waits until every one is done.

Printed: how long queueing took, the time until all were done, throughput (estimates a minute), and the
distribution of the time from queueing to done. Fails (exit status 1) when one estimate fails or the run
exceeds its deadline (10 minutes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archlab REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tests/load/load_estimates.py

Only loopback addresses are used; every loop is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "load"))

from load_designer import percentile, scratch_database  # noqa: E402

SECRET = "load-test-only-not-a-secret"
DEADLINE_S = 600


def worker(env: dict[str, str], queue: str, n: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1"]
    command += [
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
        "-n",
        f"load{n}-{queue}@%h",
    ]
    log = tempfile.NamedTemporaryFile(prefix=f"celery-load{n}-", suffix=".log", delete=False)  # noqa: SIM115
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--estimates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("needs DATABASE_URL (PostgreSQL) and REDIS_URL: estimates are queued to real workers")
        return 2
    queue = f"load-{uuid.uuid4().hex[:8]}"
    with scratch_database() as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CELERY_QUEUE": queue}
        env.update({"SECRET_KEY": SECRET, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"})
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        keys = ("DATABASE_URL", "REDIS_URL", "CELERY_QUEUE", "SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
        os.environ.update({k: env[k] for k in keys})
        import django

        django.setup()
        from django.conf import settings

        from designer import services
        from designer.models import Estimate
        from designer.starters import starter_data

        workers = [worker(env, queue, n) for n in range(args.workers)]
        try:
            time.sleep(3)  # let the workers reach the broker
            saved = services.diagram_create(data=starter_data("stream-ingestion"), user=None, session_key="load")
            entry = next(n.id for n in saved.parsed.nodes if n.type.startswith(("client", "apigw", "kinesis")))
            started = time.monotonic()
            ids = [
                services.estimate_start(
                    version=saved.version,
                    profile={"format": "archlab/traffic@1", "entries": {entry: {"rps": 10 + i}}},
                ).pk
                for i in range(args.estimates)
            ]
            queued = time.monotonic() - started
            done_at: dict[int, float] = {}
            deadline = started + DEADLINE_S
            while len(done_at) < len(ids) and time.monotonic() < deadline:
                now = time.monotonic() - started
                for pk in Estimate.objects.filter(pk__in=ids, status__in=["done", "failed"]).values_list(
                    "pk", flat=True
                ):
                    done_at.setdefault(pk, now)
                time.sleep(0.25)
            elapsed = time.monotonic() - started
            failed = Estimate.objects.filter(pk__in=ids, status="failed").count()
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait(timeout=30)
            from django.db import connections

            connections.close_all()
    times = list(done_at.values())
    print(
        f"estimates load: {args.estimates} estimates queued at once, {args.workers} workers (concurrency 1 each),"
        f" {settings.ESTIMATE_SAMPLES:,} samples each"
    )
    print(f"  queued in {queued:.2f} s; all done after {elapsed:.1f} s")
    print(f"  throughput: {len(times) / elapsed * 60:.0f} estimates a minute ({len(times) / elapsed:.2f}/s)")
    if times:
        print(
            f"  queue to done: p50 {statistics.median(times):.1f} s  p95 {percentile(times, 95):.1f} s"
            f"  max {max(times):.1f} s"
        )
    print(f"  done {len(times) - failed}, failed {failed}, unfinished {len(ids) - len(times)}")
    return 0 if len(times) == len(ids) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
