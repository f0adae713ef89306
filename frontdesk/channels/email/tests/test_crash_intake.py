"""Crash safety of IMAP intake: a worker killed with SIGKILL in the middle of 500 incoming
messages, then restarted, turns every message into exactly one ticket (counted by Message-ID).

The worker is a real separate process on a database of its own (SQLite in a temp dir), so the
kill interrupts it anywhere: between storing and processing, before the \\Seen flag, before the
cursor moves."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from frontdesk.channels.email.tests.test_imap_support import mail
from frontdesk.testing.dovecot import dovecot_server

N = 500
ROOT = Path(__file__).resolve().parents[4]

SETUP = """
import django; django.setup()
from frontdesk.brands.models import Brand
from frontdesk.channels.email.models import Mailbox
brand = Brand.objects.create(name="Acme", slug="acme")
Mailbox.objects.create(name="Support", address="support@acme.test", brand=brand, imap_host="127.0.0.1",
    imap_port=int(sys.argv[1]), imap_ssl=False, imap_user=sys.argv[2], imap_password=sys.argv[3])
"""

WORKER = """
import django; django.setup()
from frontdesk.channels.email.imap import poll_once
from frontdesk.channels.email.models import Mailbox
mailbox = Mailbox.objects.get()
while poll_once(mailbox):
    pass
"""


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_TEST_DATABASE", "FRONTDESK_DATABASE"))}
    env.update(
        FRONTDESK_VAR_DIR=str(var),
        FRONTDESK_MEDIA_ROOT=str(var / "files"),
        FRONTDESK_HUEY_IMMEDIATE="true",
        DJANGO_SETTINGS_MODULE="frontdesk.settings",
    )
    return env


def _python(code: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import sys\n" + code, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("select count(*) from channel_email_inboundemail").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_a_worker_killed_mid_intake_loses_and_doubles_nothing() -> None:
    with dovecot_server() as server, tempfile.TemporaryDirectory(prefix="fd-crash-") as tmp:
        var = Path(tmp)
        env = _env(var)
        db = var / "frontdesk.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "frontdesk.cli", "manage", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        setup = _python(SETUP, env, str(server.port), server.user, server.password)
        assert setup.wait(60) == 0, setup.stderr.read() if setup.stderr else ""
        server.append_many([mail(n) for n in range(N)])

        kills = 0
        worker = _python(WORKER, env)
        # kill it twice in the middle, then let a last one finish
        for threshold in (N // 4, N // 2):
            deadline = time.monotonic() + 30
            while _stored(db) < threshold and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
                kills += 1
            worker = _python(WORKER, env)
        assert worker.wait(60) == 0, worker.stderr.read() if worker.stderr else ""
        assert kills == 2, "the worker finished before it could be killed"

        with sqlite3.connect(db) as conn:
            per_id = dict(
                conn.execute(
                    "select external_id, count(*) from tickets_message "
                    "where external_id like '%.intake@customers.test' group by external_id"
                ).fetchall()
            )
            tickets = conn.execute("select count(*) from tickets_ticket").fetchone()[0]
            statuses = dict(conn.execute("select status, count(*) from channel_email_inboundemail group by status"))
        assert per_id == {f"{n}.intake@customers.test": 1 for n in range(N)}
        assert tickets == N
        assert statuses == {"processed": N}  # no copy stored twice under its UID, none left behind
        with server.client() as c:
            c.select_folder("INBOX", readonly=True)
            assert len(c.search("UNSEEN")) == 0


pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Dovecot tests run on Linux")
