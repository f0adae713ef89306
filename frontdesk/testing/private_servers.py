"""Private PostgreSQL, Redis and `frontdesk web` processes on loopback ports of their own.

Fault tests stop and start these servers; the machine's shared PostgreSQL and Redis (which the
rest of the suite and other people use) are never touched. PostgreSQL's initdb and postgres refuse
to run as root, so as root the cluster belongs to the `postgres` system user (`runuser`); its
directory comes from ``tempfile.mkdtemp`` (pytest's tmp_path is mode 700 under root, out of
postgres's reach). fsync is off: the tests restart with a clean ``-m fast`` shutdown, which writes
everything committed anyway, and a crash of the test machine loses nothing worth keeping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ROOT = Path(__file__).resolve().parents[2]
FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll ``condition`` until it holds; returns the seconds it took. Raises TimeoutError with ``what``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started


def missing_binaries() -> str | None:
    """Why the private servers cannot run here, or None."""
    for path in (PG_BIN / "initdb", PG_BIN / "pg_ctl", Path(REDIS_SERVER)):
        if not path.exists():
            return f"{path} is not installed"
    return None


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster with one database, ``frontdesk``, trusting loopback."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale", "C")
        self.start()
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE frontdesk")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/frontdesk"

    def dsn(self, dbname: str = "frontdesk") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname} connect_timeout=3"

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=50"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "30", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A Redis server without persistence: a restart loses everything, the worst case for queues."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, what="private redis-server answering")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=20)
            self.proc = None


class WebProcess:
    """`frontdesk web` against the private servers (or, with no ``database_url``, on the embedded
    SQLite file in its var dir), with an administrator and an API token.

    Its output goes to a file (a pipe nobody reads would fill and block the server), kept so a test
    can check what the server logged during a fault."""

    def __init__(
        self, *, database_url: str | None, redis_url: str | None, extra_env: dict[str, str] | None = None
    ) -> None:
        self.var = Path(tempfile.mkdtemp(prefix="frontdesk-web-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
        env.update(
            FRONTDESK_SECRET_KEY="outage-test-" + "k" * 38,
            FRONTDESK_ALLOWED_HOSTS="127.0.0.1,localhost", FRONTDESK_SECURE_COOKIES="false",
            FRONTDESK_VAR_DIR=str(self.var), FRONTDESK_TEST_FAST_HASHER="true", FRONTDESK_PORT=str(self.port),
        )
        if database_url:
            env["FRONTDESK_DATABASE_URL"] = database_url
        if redis_url:
            env["FRONTDESK_REDIS_URL"] = redis_url
        env.update(extra_env or {})
        self.env = env
        self.log_path = self.var / "web.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.manage("migrate")
        self.admin_email, self.admin_password = "admin@example.com", "outage-test-password"
        self.manage("createadmin", "--email", self.admin_email, "--password", self.admin_password)
        self.token = self.manage("token", "create", self.admin_email).strip().splitlines()[-1]

    def manage(self, *args: str) -> str:
        done = subprocess.run([FRONTDESK, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"frontdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([FRONTDESK, "web", "--port", str(self.port)], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def healthy() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"frontdesk web exited early:\n{self.log()}")
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout=60, what="frontdesk web answering /healthz", interval=0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
            self.proc = None
        shutil.rmtree(self.var, ignore_errors=True)
