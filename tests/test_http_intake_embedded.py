"""The HTTP inbound endpoint of a real `frontdesk web` on the embedded SQLite file, processing in
the background: three senders posting at once all get 202 once their message is stored (the
intake's batches hold SQLite's one writer only briefly, so no store fails), and every message is
processed just after, replies on the tickets their originals opened."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from frontdesk.channels.email.tests.test_imap_support import mail
from frontdesk.channels.email.tests.test_intake_batches import SETUP, reply
from frontdesk.testing.private_servers import ROOT, WebProcess

SECRET = """
import django; django.setup()
from frontdesk.channels.email.models import Mailbox
box = Mailbox.objects.get()
print(box.pk, box.inbound_secret)
"""


@pytest.fixture
def web() -> Iterator[WebProcess]:
    server = WebProcess(database_url=None, redis_url=None, extra_env={"FRONTDESK_INTAKE_IMMEDIATE": "false"})
    try:
        yield server
    finally:
        server.close()


@pytest.mark.skipif(os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE") is not None, reason="SQLite file")
def test_three_senders_at_once_are_all_acknowledged_and_processed(web: WebProcess) -> None:
    env = {**web.env, "DJANGO_SETTINGS_MODULE": "frontdesk.settings"}
    for code in (SETUP, SECRET):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    mailbox_id, secret = done.stdout.split()
    web.start()

    def send(sender: int) -> list[tuple[int, dict[str, object]]]:
        answers = []
        with httpx.Client(base_url=web.url, timeout=60, headers={"X-Mailbox-Secret": secret,
                                                                 "Content-Type": "message/rfc822"}) as client:
            for k in range(10):  # 5 new conversations, each answered by its sender
                n = sender * 100 + k
                raw = mail(n) if k < 5 else reply(n, n - 5)
                response = client.post(f"/api/v1/mail/inbound/{mailbox_id}", content=raw)
                answers.append((response.status_code, response.json()))
        return answers

    with ThreadPoolExecutor(3) as pool:
        answers = [a for got in pool.map(send, (1, 2, 3)) for a in got]
    assert [code for code, _ in answers] == [202] * 30, answers
    assert {(body["status"], body["ticket_id"]) for _, body in answers} == {("received", None)}, "202: stored"
    db = web.var / "frontdesk.sqlite3"

    def statuses() -> dict[str, int]:
        with sqlite3.connect(db, timeout=20) as conn:
            return dict(conn.execute("select status, count(*) from channel_email_inboundemail group by status"))

    deadline = time.monotonic() + 60
    while statuses() != {"processed": 30} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert statuses() == {"processed": 30}, web.log()
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from tickets_ticket").fetchone() == (15,)
        assert conn.execute("select count(*) from tickets_message").fetchone() == (30,)
