"""A real Frontdesk server process for browser tests, seeded with a small demo organisation.

In the SQLite pass it runs on a SQLite file of its own; in the PostgreSQL pass
(FRONTDESK_TEST_DATABASE_URL set) on a fresh PostgreSQL database of its own. Tests drive it only
through HTTP and the browser, like a user; `app.manage(...)` runs a `frontdesk` command against the
same database to prepare or check data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk.testing.databases import drop_postgres_database, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveApp:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [FRONTDESK, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"frontdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python with Frontdesk loaded against the server's database; returns what it printed."""
        return self.manage("shell", "-c", code)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    var = tmp_path_factory.mktemp("live-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(var), FRONTDESK_PORT=str(port), FRONTDESK_TEST_FAST_HASHER="true",
               FRONTDESK_HUEY_IMMEDIATE="true")
    pg_base = os.environ.get("FRONTDESK_TEST_DATABASE_URL")
    pg_url = None
    if pg_base:
        pg_url = fresh_postgres_database(pg_base, f"frontdesk_live_{uuid.uuid4().hex[:8]}")
        env.update(FRONTDESK_DATABASE_URL=pg_url, FRONTDESK_SECRET_KEY="live-test-" + "x" * 40,
                   FRONTDESK_ALLOWED_HOSTS="127.0.0.1,localhost")
    app = LiveApp(url=f"http://127.0.0.1:{port}", env=env)
    app.manage("migrate")
    app.manage("demo", "--tickets", "60", "--customers", "30", "--organisations", "6")
    proc = subprocess.Popen([FRONTDESK, "web", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                pytest.fail(f"the server exited early:\n{out}")
            try:
                if httpx.get(app.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer within 60 s")
            time.sleep(0.3)
        yield app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if pg_url:
            drop_postgres_database(pg_url)


def sign_in(page: object, app: LiveApp, email: str, password: str = "frontdesk-demo") -> None:
    """Sign in through the real sign-in form; returns once the page it leads to has loaded (the
    workspace, or the form again with its error). A submit only *starts* a navigation: waiting
    for "networkidle" right after it may answer for the page being left, so the next step would
    run while the document is replaced ("Execution context was destroyed"). Every action that
    navigates is wrapped in ``page.expect_navigation()`` the same way."""
    page.goto(app.url + "/login/")  # type: ignore[attr-defined]
    page.fill("#email", email)  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]


def demo_ticket(app: LiveApp, subject: str, body: str = "Please help.", assignee: str = "", **extra: Any) -> int:
    """A ticket from the demo customer (no team: every agent sees it), made through the service
    in the live app's environment, assigned to the user with the email ``assignee`` if one is given;
    ``extra`` goes to ticket_create (priority, tags, …)."""
    out = app.shell(
        "from frontdesk.accounts.models import User\n"
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.models import Contact\n"
        "from frontdesk.tickets.services import ticket_create\n"
        "c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')\n"
        f"a = User.objects.get(email={assignee!r}) if {assignee!r} else None\n"
        f"t = ticket_create(actor=SYSTEM, requester=c, subject={subject!r}, body={body!r}, assignee=a, **{extra!r})\n"
        "print(t.pk)"
    )
    return int(out.strip().splitlines()[-1])
