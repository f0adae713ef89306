"""The scaled shape as an operator runs it, for end-to-end tests and the fault benchmark: a fresh
PostgreSQL database, a private Redis, two `frontdesk web` processes, a `frontdesk worker` that can
be killed and started again, and `frontdesk mail listen` (LMTP), all real processes on loopback
ports of their own. Each process logs to a file under the site's folder (a pipe nobody reads
would fill and block it)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from frontdesk.testing.databases import drop_postgres_database, fresh_postgres_database
from frontdesk.testing.private_servers import FRONTDESK, ROOT, PrivateRedis, free_port, wait_for
from frontdesk.testing.smtp_sink import SmtpSink

ADMIN = ("admin@example.com", "scaled-admin-password")
AGENT = ("ana@example.com", "scaled-agent-password")


class Service:
    """One long-running `frontdesk` process with its log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = folder / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([FRONTDESK, *self.args], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        if self.proc is None:
            return False
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
        return True

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine or the OOM killer stops it."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
            self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class ScaledSite:
    def __init__(self, pg_base_url: str, *, extra_env: dict[str, str] | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="frontdesk-scaled-"))
        self.redis = PrivateRedis()
        self.database_url = fresh_postgres_database(pg_base_url, f"frontdesk_scaled_{uuid.uuid4().hex[:8]}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
        env.update(
            FRONTDESK_DATABASE_URL=self.database_url, FRONTDESK_REDIS_URL=self.redis.url,
            FRONTDESK_SECRET_KEY="scaled-test-" + "s" * 40, FRONTDESK_ALLOWED_HOSTS="127.0.0.1,localhost",
            FRONTDESK_SECURE_COOKIES="false", FRONTDESK_VAR_DIR=str(self.folder / "var"),
            FRONTDESK_MEDIA_ROOT=str(self.folder / "files"), FRONTDESK_TEST_FAST_HASHER="true",
            FRONTDESK_API_RATE_LIMIT_PER_MINUTE="100000",
        )
        env.update(extra_env or {})
        self.env = env
        self.manage("migrate")
        self.manage("createadmin", "--email", ADMIN[0], "--password", ADMIN[1])
        self.admin_token = self.token(ADMIN[0])
        self.webs: list[Service] = []
        self.urls: list[str] = []
        for n in range(2):
            port = free_port()
            self.webs.append(Service(f"web{n + 1}", ["web", "--port", str(port)], env, self.folder))
            self.urls.append(f"http://127.0.0.1:{port}")
        self.lmtp_port = free_port()
        self.lmtp = Service("lmtp", ["mail", "listen", "--port", str(self.lmtp_port)], env, self.folder)
        self.worker = Service("worker", ["worker", "--threads", "4"], env, self.folder)
        for service in (*self.webs, self.lmtp):
            service.start()
        for url, web in zip(self.urls, self.webs, strict=True):
            wait_for(partial(self._answering, web, url), timeout=60, what=f"{web.name} answering", interval=0.2)
        wait_for(lambda: self.lmtp.alive() and self._listening(self.lmtp_port), timeout=30,
                 what="the LMTP listener", interval=0.2)

    def _answering(self, web: Service, url: str) -> bool:
        return web.alive() and self._healthy(url)

    @staticmethod
    def _healthy(url: str) -> bool:
        try:
            return httpx.get(url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @staticmethod
    def _listening(port: int) -> bool:
        import socket

        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([FRONTDESK, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=180, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"frontdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def token(self, email: str) -> str:
        return self.manage("token", "create", email).stdout.strip().splitlines()[-1]

    def api(self, node: int, method: str, path: str, token: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.urls[node]}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                             timeout=30, **kw)

    def sql(self, query: str, params: tuple | list = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def pending_events(self) -> int:
        return int(self.sql("SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL")[0][0])

    def close(self) -> None:
        for service in (self.worker, self.lmtp, *self.webs):
            service.stop()
        self.redis.close()
        drop_postgres_database(self.database_url)
        shutil.rmtree(self.folder, ignore_errors=True)


def kill_worker_during_replies(site: ScaledSite, sink: SmtpSink, *, ticket: int, token: str, to: str,
                               replies: int = 500, clients: int = 5) -> dict[str, float]:
    """An agent answers ``ticket`` ``replies`` times from both web nodes while the worker sends; the
    worker is killed with SIGKILL once a quarter has gone out, then started again. Figures: what was
    delivered, what twice, and how long the rest took after the restart."""
    before = len(sink.to(to))
    if not site.worker.alive():
        site.worker.start()
    restarted: list[float] = []

    def post(n: int) -> int:
        return site.api(n % 2, "POST", f"/tickets/{ticket}/messages", token, json={"body": f"Update {n}"}).status_code

    def killer() -> None:
        wait_for(lambda: len(sink.to(to)) - before >= replies // 4, timeout=120, what="a quarter of the replies sent")
        site.worker.kill()
        site.worker.start()
        restarted.append(time.monotonic())

    with ThreadPoolExecutor(max_workers=clients) as pool:
        kill = pool.submit(killer)
        codes = Counter(pool.map(post, range(replies)))
        kill.result()
    wait_for(lambda: len(set(sink.message_ids(to)[before:])) >= replies, timeout=240,
             what="every reply delivered after the restart", interval=0.25)
    ids = sink.message_ids(to)[before:]
    return {
        "replies": replies,
        "replies_accepted_201": codes.get(201, 0),
        "delivered_distinct": len(set(ids)),
        "delivered_twice": len(ids) - len(set(ids)),
        "seconds_after_restart_until_all_delivered": round(time.monotonic() - restarted[0], 1),
        "send_lease_seconds": int(site.env.get("FRONTDESK_EMAIL_SEND_LEASE_SECONDS", "300")),
    }


def set_up_support(site: ScaledSite, sink: SmtpSink, *, imap: Any = None, address: str = "support@acme.test"
                   ) -> dict[str, Any]:
    """As an admin would on a new site: an agent (Ana, notified of assignments), a mailbox sending
    through ``sink`` and, given a Dovecot, polling it by IMAP."""
    admin = site.admin_token
    brand_id = site.api(0, "GET", "/brands", admin).json()["items"][0]["id"]
    agent = site.api(0, "POST", "/users", admin, json={"email": AGENT[0], "name": "Ana", "role": "agent",
                                                          "password": AGENT[1]})
    if agent.status_code != 201:
        raise RuntimeError(f"creating the agent failed: {agent.text}")
    site.manage("shell", "-c", "from frontdesk.accounts.models import User; "
                f"User.objects.filter(email='{AGENT[0]}').update(notification_settings={{'assigned': True}})")
    box: dict[str, Any] = {"name": "Acme", "address": address, "brand_id": brand_id, "auto_acknowledge": False,
                           "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_starttls": False}
    if imap is not None:
        box.update(imap_host=imap.host, imap_port=imap.port, imap_ssl=False, imap_user=imap.user,
                   imap_password=imap.password)
    mailbox = site.api(0, "POST", "/mailboxes", admin, json=box)
    if mailbox.status_code != 201:
        raise RuntimeError(f"creating the mailbox failed: {mailbox.text}")
    return {"agent_id": agent.json()["id"], "agent_token": site.token(AGENT[0]), "mailbox_id": mailbox.json()["id"]}


def deliver_by_lmtp(site: ScaledSite, raw: bytes, sender: str, to: str) -> None:
    import smtplib

    with smtplib.LMTP("127.0.0.1", site.lmtp_port) as lmtp:
        lmtp.sendmail(sender, [to], raw)


def customer_mail(sender: str, message_id: str, subject: str, to: str = "support@acme.test") -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, to, subject, f"<{message_id}>"
    msg.set_content(f"{subject}: please help.")
    return msg.as_bytes()
