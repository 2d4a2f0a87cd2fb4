"""Load test of a live workshop: 300 participants join, poll, and all answer one question within 10 seconds.

Not part of the pytest run. Starts gunicorn (two workers or more) on 127.0.0.1 against a fresh database,
PostgreSQL when DATABASE_URL is set (its name must contain "load": the database is dropped and created again),
otherwise a temporary SQLite file in WAL mode. Then:

1. an instructor signs in and a one-question workshop (ws-17, design part included) is created;
2. every participant joins (GET the join page, POST a nickname) and polls its screen every second with
   If-None-Match, as the browser script does;
3. the instructor opens the question; each participant answers within the window after its screen showed the
   question (a tenth send a retry of the very same request, a tenth change their answer and send it again, a
   fifth include a diagram);
4. the instructor closes the question; polling stops once every screen has followed (with ``--reveal``, the
   instructor then reveals the answer, and polling stops once every phone shows its own grade and rank).

Afterwards the database is checked: one answer per participant, holding what they sent last (nothing lost,
nothing duplicated). Printed: latencies (p50, p95, max) of joins, answers and polls, how fast the screens
followed the instructor, errors, and the CPU seconds used by gunicorn and by PostgreSQL.

    .venv/bin/python tests/load/load_workshop.py
    createdb -h 127.0.0.1 -U postgres archlab_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archlab_load .venv/bin/python tests/load/load_workshop.py

Only loopback addresses are used; every loop is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SECRET = "load-test-only-not-a-secret"
PASSWORD = "load-test-passphrase-41"
FAN_OUT = (ROOT / "designer" / "data" / "starters" / "fan-out.json").read_text()
TEXTS = [
    "SNS is pub/sub and pushes every message to all subscribers. SQS is a queue that consumers poll.",
    "SQS keeps each message until one consumer deletes it; SNS fans out to every subscription.",
    "Put one SQS queue per subscriber on the SNS topic so each service works at its own pace with a DLQ.",
]


# ------------------------------------------------------------------------------------------ measurements


@dataclass
class Figures:
    lock: threading.Lock = field(default_factory=threading.Lock)
    joins: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    polls_304: list[float] = field(default_factory=list)
    polls_200: list[float] = field(default_factory=list)
    not_modified: int = 0
    followed_open: list[float] = field(default_factory=list)
    followed_close: list[float] = field(default_factory=list)
    followed_reveal: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        with self.lock:
            getattr(self, name).append(value)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def line(name: str, values: list[float], unit: str = "ms", scale: float = 1000) -> str:
    if not values:
        return f"{name:<26} none"
    return (
        f"{name:<26} n={len(values):<6} p50={percentile(values, 50) * scale:7.1f} {unit}  "
        f"p95={percentile(values, 95) * scale:7.1f} {unit}  max={max(values) * scale:7.1f} {unit}"
    )


# ------------------------------------------------------------------------------------------ HTTP client


class Browser:
    """One person's browser: a keep-alive connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | list | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str, float]:
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        head = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile is opened again once
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                text = response.read().decode()
                elapsed = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        for raw in response.headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, dict(response.headers), text, elapsed


# ------------------------------------------------------------------------------------------ participants


@dataclass
class Person:
    index: int
    browser: Browser
    code: str
    figures: Figures
    state: dict
    window: float
    poll_s: float
    etag: str = ""
    item: str = ""
    sent: dict | None = None  # the responses the server must hold at the end
    answered: bool = False
    saw_close: bool = False
    saw_reveal: bool = False
    until_reveal: bool = False

    @property
    def nickname(self) -> str:
        return f"Person {self.index:03d}"

    def join(self) -> None:
        status, _, _, t1 = self.browser.request("GET", f"/workshops/join/{self.code}/")
        status2, _, _, t2 = self.browser.request("POST", f"/workshops/join/{self.code}/", {"nickname": self.nickname})
        if status != 200 or status2 != 302:
            raise RuntimeError(f"{self.nickname} could not join: {status} {status2}")
        self.figures.add("joins", t1 + t2)
        status, headers, page, _ = self.browser.request("GET", f"/workshops/play/{self.code}/")
        self.etag = re.search(r'data-etag="([^"]*)"', page).group(1).replace("&quot;", '"')

    def poll(self) -> str:
        status, headers, page, elapsed = self.browser.request(
            "GET", f"/workshops/play/{self.code}/state/", headers={"If-None-Match": self.etag}
        )
        self.figures.add("polls", elapsed)
        self.figures.add("polls_304" if status == 304 else "polls_200", elapsed)
        if status == 304:
            with self.figures.lock:
                self.figures.not_modified += 1
            return ""
        if status != 200:
            self.figures.error(f"poll {status}")
            return ""
        self.etag = headers.get("ETag", self.etag)
        return page

    def responses(self, variant: int) -> tuple[dict, dict]:
        rng = random.Random(self.index * 10 + variant)
        form = {
            "item": self.item,
            "answer_id": str(uuid.uuid4()),
            "part-choose-service": rng.choice(["sns-sqs", "sqs-only", "sns-lambda"]),
            "part-retention": rng.choice(["14", "4", "7"]),
            "part-facts": rng.sample(["push", "pull", "retries", "raw", "sns-stores"], k=rng.randint(1, 3)),
            "part-explain": f"{rng.choice(TEXTS)} (person {self.index}, version {variant})",
        }
        if self.index % 5 == 0:
            form["part-build-it"] = FAN_OUT
        expected = {
            "choose-service": form["part-choose-service"],
            "retention": int(form["part-retention"]),
            "facts": list(dict.fromkeys(form["part-facts"])),
            "explain": form["part-explain"],
        }
        if "part-build-it" in form:
            expected["build-it"] = json.loads(FAN_OUT)
        return form, expected

    def answer(self) -> None:
        form, expected = self.responses(1)
        path = f"/workshops/play/{self.code}/answer/"
        status, _, _, elapsed = self.browser.request("POST", path, form, headers={"HX-Request": "true"})
        self.figures.add("answers", elapsed)
        if status != 200:
            self.figures.error(f"answer {status}")
            return
        self.sent = expected
        if self.index % 10 == 3:  # the response was lost: the very same request again
            status, _, page, elapsed = self.browser.request("POST", path, form, headers={"HX-Request": "true"})
            self.figures.add("answers", elapsed)
            if status != 200 or "Already received" not in page:
                self.figures.error(f"retry {status}")
        if self.index % 10 == 7:  # a change of mind
            time.sleep(random.uniform(0.2, 0.8))
            form, expected = self.responses(2)
            status, _, _, elapsed = self.browser.request("POST", path, form, headers={"HX-Request": "true"})
            self.figures.add("answers", elapsed)
            if status == 200:
                self.sent = expected
            else:
                self.figures.error(f"second answer {status}")

    def run(self, stop_at: float) -> None:
        """Poll every second until the close (or the reveal) has been seen; answer once the question shows."""
        rng = random.Random(self.index)
        time.sleep(rng.uniform(0, self.poll_s))  # browsers do not poll in step
        answer_at = None
        next_poll = time.monotonic()
        while time.monotonic() < stop_at and not (self.saw_reveal if self.until_reveal else self.saw_close):
            if answer_at is not None and not self.answered and time.monotonic() >= answer_at:
                self.answered = True
                try:
                    self.answer()
                except Exception as exc:  # noqa: BLE001 - counted, never lost silently
                    self.figures.error(f"answer raised {type(exc).__name__}")
            if time.monotonic() >= next_poll:
                next_poll += self.poll_s
                page = self.poll()
                if page and 'name="item"' in page and not self.item:
                    self.item = re.search(r'name="item" value="(\d+)"', page).group(1)
                    self.figures.add("followed_open", time.monotonic() - self.state["opened"])
                    # Think, then answer: every answer (and a change of mind) lands inside the window.
                    latest = self.state["opened"] + self.window - 2.2
                    answer_at = min(time.monotonic() + rng.uniform(0.2, self.window - 2.5), latest)
                elif page and "Answers are closed." in page and not self.saw_close:
                    self.saw_close = True
                    self.figures.add("followed_close", time.monotonic() - self.state["closed"])
                elif page and "ws-screen-revealed" in page:
                    self.saw_reveal = True
                    self.figures.add("followed_reveal", time.monotonic() - self.state["revealed"])
            wake = next_poll if answer_at is None or self.answered else min(next_poll, answer_at)
            time.sleep(max(0.0, wake - time.monotonic()))


# ------------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fresh_database(tmp: Path) -> tuple[str, str]:
    """(DATABASE_URL, kind): the PostgreSQL database of DATABASE_URL emptied, or a new SQLite file in WAL mode."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlparse(url)
        name = parts.path.lstrip("/")
        if "load" not in name:
            sys.exit(f"refusing to drop {name!r}: use a database whose name contains 'load' (e.g. archlab_load)")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return url, "PostgreSQL"
    path = tmp / "load.sqlite3"
    sqlite3.connect(path).execute("PRAGMA journal_mode=WAL").close()
    return f"sqlite:///{path}", "SQLite (WAL)"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def process_tree(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def postgres_pids() -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in {"postgres", "postmaster"}:
                pids.append(int(stat.parent.name))
        except OSError:
            continue
    return pids


def wait_healthy(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


# ------------------------------------------------------------------------------------------ the run


LOAD_BEFORE = os.getloadavg()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--window", type=float, default=10.0, help="seconds within which everybody answers")
    parser.add_argument("--poll-ms", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reveal", action="store_true", help="then reveal: 300 screens of their own (grade, rank, explanation)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread); 1 means sync workers")
    args = parser.parse_args()
    if args.workers < 2:
        sys.exit("at least two gunicorn workers: one workshop must be served by several processes")

    with tempfile.TemporaryDirectory(prefix="archlab-load-") as tmp:
        url, kind = fresh_database(Path(tmp))
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        # With REDIS_URL the processes share the cache of rendered screens (and nothing is queued: no reveal here).
        print(f"database: {kind}; migrating and loading the question banks ...", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_content")

        os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET, DJANGO_SETTINGS_MODULE="config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from quiz.models import Bank, Question
        from workshops import services
        from workshops.models import Answer, Participant

        teacher = get_user_model().objects.create_user("teacher", password=PASSWORD)
        workshop = services.workshop_create(
            instructor=teacher, bank=Bank.objects.get(slug="workshop"), questions=[Question.objects.get(qid="ws-17")]
        )
        from django.db import connections

        connections.close_all()

        port = free_port()
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
            "-w", str(args.workers), "-k", "gthread" if args.threads > 1 else "sync", "--threads", str(args.threads),
            "-b", f"{HOST}:{port}", "--backlog", "2048", "--keep-alive", "5", "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        try:
            wait_healthy(port, time.monotonic() + 30)
            return run(args, port, server.pid, workshop, Answer, Participant, kind)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def run(args, port, server_pid, workshop, Answer, Participant, kind) -> int:  # noqa: N803 - model classes
    figures = Figures()
    state = {"opened": 0.0, "closed": 0.0, "revealed": 0.0}
    poll_s = args.poll_ms / 1000

    instructor = Browser(port)
    instructor.request("GET", "/accounts/login/")
    status, _, _, _ = instructor.request("POST", "/accounts/login/", {"username": "teacher", "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"the instructor could not sign in ({status})")

    gunicorn = process_tree(server_pid)
    pg = postgres_pids() if kind == "PostgreSQL" else []
    cpu_before = (cpu_seconds(gunicorn), cpu_seconds(pg), time.process_time(), time.monotonic())

    people = [
        Person(i, Browser(port), workshop.code, figures, state, args.window, poll_s) for i in range(args.participants)
    ]
    for p in people:
        p.until_reveal = args.reveal
    started = time.monotonic()
    joining = [threading.Thread(target=p.join) for p in people]
    for i, t in enumerate(joining):
        t.start()
        if i % 50 == 49:
            time.sleep(0.2)
    for t in joining:
        t.join(timeout=60)
    joined = Participant.objects.filter(workshop=workshop).count()
    print(f"{joined} participants joined in {time.monotonic() - started:.1f} s", flush=True)

    cpu_joined = cpu_seconds(gunicorn)
    stop_at = time.monotonic() + args.window + 40
    polling = [threading.Thread(target=p.run, args=(stop_at,), daemon=True) for p in people]
    for t in polling:
        t.start()
    time.sleep(1.5)  # every browser has started polling
    lobby = (cpu_seconds(gunicorn), len(figures.polls), time.monotonic())
    time.sleep(3)  # the lobby: everybody polling, nothing changes (all 304)
    lobby = (cpu_seconds(gunicorn) - lobby[0], len(figures.polls) - lobby[1], time.monotonic() - lobby[2])

    def step(action: str) -> None:
        workshop.refresh_from_db()
        status, _, _, _ = instructor.request(
            "POST", f"/workshops/{workshop.pk}/step/{action}/", {"version": workshop.state_version}
        )
        if status != 302:
            raise RuntimeError(f"{action} failed ({status})")

    state["opened"] = time.monotonic()
    step("open")
    print("question open; answers arriving ...", flush=True)
    time.sleep(max(0.0, state["opened"] + args.window - time.monotonic()))
    state["closed"] = time.monotonic()
    step("close")
    if args.reveal:  # every screen becomes its own: the participant's grade, rank and the explanation
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(p.saw_close for p in people):
            time.sleep(0.1)
        state["revealed"] = time.monotonic()
        step("reveal")
    for t in polling:
        t.join(timeout=max(0.1, stop_at - time.monotonic()))
    cpu_after = (cpu_seconds(gunicorn), cpu_seconds(pg), time.process_time(), time.monotonic())

    # Check the database: one answer per participant who answered, holding what they sent last.
    item = workshop.items.get()
    stored = {a.participant.nickname: a for a in Answer.objects.filter(item=item).select_related("participant")}
    sent = {p.nickname: p.sent for p in people if p.sent is not None}
    lost = [n for n in sent if n not in stored]
    wrong = [n for n, r in sent.items() if n in stored and stored[n].responses != r]
    extra = [n for n in stored if n not in sent]
    duplicates = Answer.objects.filter(item=item).count() - len(stored)
    retried = sum(1 for p in people if p.index % 10 == 3 and p.sent)
    revisions = sum(a.revisions for a in stored.values())

    wall = cpu_after[3] - cpu_before[3]
    requests = len(figures.joins) * 3 + len(figures.answers) + len(figures.polls)
    print()
    print(f"participants              {args.participants} ({joined} joined, {len(sent)} answered)")
    print(
        f"machine                   {os.cpu_count()} CPUs; load average {LOAD_BEFORE[0]:.1f} before the run (other processes count)"
    )
    cache = "Redis" if os.environ.get("REDIS_URL") else "each process's memory"
    print(
        f"answer window             {args.window:.0f} s; poll every {args.poll_ms} ms; gunicorn {args.workers} workers"
        f" x {args.threads} threads; {kind}; shared screens cached in {cache}"
    )
    print(line("join (GET + POST)", figures.joins))
    print(line("answer POST", figures.answers))
    print(line("poll GET", figures.polls) + f"  ({figures.not_modified} of {len(figures.polls)} were 304)")
    print(line("  of which 304 (no change)", figures.polls_304))
    print(line("  of which 200 (new screen)", figures.polls_200))
    print(line("screens follow the open", figures.followed_open, "s", 1))
    print(line("screens follow the close", figures.followed_close, "s", 1))
    if args.reveal:
        print(line("screens follow the reveal", figures.followed_reveal, "s", 1))
    print(f"answers stored            {len(stored)} rows for {len(sent)} participants who answered")
    print(f"lost answers              {len(lost)}; holding an older answer: {len(wrong)}; unexpected: {len(extra)}")
    print(f"duplicated answers        {duplicates}; retries recognised: {retried} (revisions total {revisions})")
    print(f"errors                    {len(figures.errors)} {sorted(set(figures.errors))[:5]}")
    print(
        f"lobby (only 304 polls)    {lobby[1] / lobby[2]:.0f} polls/s cost {lobby[0]:.2f} s gunicorn CPU in {lobby[2]:.1f} s"
        f" ({1000 * lobby[0] / max(lobby[1], 1):.2f} ms each); the {joined} joins cost {cpu_joined - cpu_before[0]:.1f} s"
    )
    print(
        f"server CPU                gunicorn {cpu_after[0] - cpu_before[0]:.1f} s"
        + (f", PostgreSQL {cpu_after[1] - cpu_before[1]:.1f} s" if kind == "PostgreSQL" else "")
        + f" over {wall:.1f} s wall ({requests} requests, {1000 * (cpu_after[0] - cpu_before[0]) / max(requests, 1):.2f} ms gunicorn CPU each);"
        + f" load generator {cpu_after[2] - cpu_before[2]:.1f} s on the same {os.cpu_count()} CPUs"
    )
    ok = not lost and not wrong and not extra and duplicates == 0 and not figures.errors
    answer_p95, poll_p95 = percentile(figures.answers, 95), percentile(figures.polls, 95)
    print(
        f"verdict                   {'PASS' if ok else 'FAIL'}: nothing lost or duplicated; "
        f"answer p95 {answer_p95 * 1000:.0f} ms (target 200) {'met' if answer_p95 <= 0.2 else 'MISSED'}; "
        f"poll p95 {poll_p95 * 1000:.0f} ms (target 100) {'met' if poll_p95 <= 0.1 else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
