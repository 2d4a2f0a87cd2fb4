"""Real servers for fault and load tests, on loopback only: a Redis of our own (to take down and bring back without
touching the shared one), gunicorn serving the app, and a small cookie-keeping HTTP client that speaks CSRF."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """``redis-server`` on a loopback port of its own, in the foreground of a child process: kill() is an outage.

    With ``persistent``, an append-only file in a directory of its own keeps queued tasks across a restart.
    """

    def __init__(self, *, persistent: bool = False) -> None:
        if shutil.which("redis-server") is None:
            raise FileNotFoundError("redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="archlab-redis-")
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", *durability]
        command += ["--dir", self.dir, "--daemonize", "no", "--loglevel", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _answers(self.port), 10, "redis-server")

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Gunicorn:
    """The app under gunicorn (sync workers) on a loopback port, with the given environment."""

    def __init__(self, env: dict[str, str], *, workers: int = 2) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "5"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        _wait(lambda: self._healthy(), 60, "gunicorn to answer /healthz")

    def _healthy(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Browser:
    """A visitor: keeps its cookies, sends the CSRF token like the app's pages do, never follows redirects."""

    def __init__(self, base: str, *, timeout: float = 30) -> None:
        assert base.startswith(("http://127.0.0.1:", "http://localhost:")), "loopback only"
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def csrf(self) -> str:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        if not token:
            self.request("GET", "/designer/new/")
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        return token

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, body: Any = None, htmx: bool = False
    ) -> Answer:
        headers = {"HX-Request": "true"} if htmx else {}
        data = None
        if method != "GET":
            headers["X-CSRFToken"] = self.csrf()
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.read(), dict(response.headers), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers), time.perf_counter() - started)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def new_diagram(self, starter: str = "") -> int:
        answer = self.post("/designer/new/", form={"starter": starter} if starter else {"name": "Load"})
        assert answer.status == 302, answer.text[:300]
        return int(answer.headers["Location"].rstrip("/").split("/")[-1])
