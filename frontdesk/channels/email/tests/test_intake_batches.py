"""Stored mail processed many messages per transaction (``process_batch``), and the receivers'
hand-off that acknowledges a message once stored and processes it just after (``intake``)."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from frontdesk.channels.email.inbound import process_all, process_batch, receive_raw
from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline import receive
from frontdesk.channels.email.tests.test_imap_support import mail
from frontdesk.testing.dovecot import free_port
from frontdesk.tickets.models import Message, Ticket

ROOT = Path(__file__).resolve().parents[4]


def reply(n: int, to: int) -> bytes:
    """Message n from the sender of message ``to``, in reply to it."""
    raw = mail(n, sender=f"customer{to}@customers.test", subject=f"Re: Question number {to}")
    return f"In-Reply-To: <{to}.intake@customers.test>\n".encode() + raw


def _stored(mailbox: Mailbox, *raws: bytes) -> list[int]:
    return [receive_raw(mailbox=mailbox, raw=raw, source="lmtp").pk for raw in raws]


@pytest.mark.django_db
def test_a_batch_is_one_transaction_and_a_bad_message_is_quarantined_alone(mailbox: Mailbox) -> None:
    bad = b"From: broken@customers.test\r\nSubject: no body separator and no sender address header"
    ids = _stored(mailbox, mail(1), mail(2), bad.replace(b"From: broken@customers.test\r\n", b""), mail(3))
    with CaptureQueriesContext(connection) as queries:
        done, left = process_batch(ids)
    assert [row.pk for row in done] == ids and left == []
    statuses = dict(InboundEmail.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["processed", "processed", "quarantined", "processed"]
    assert InboundEmail.objects.get(pk=ids[2]).reason == "no sender address"
    assert Ticket.objects.count() == 3
    assert Message.objects.filter(external_id="2.intake@customers.test").count() == 1
    # the stored rows are read once and locked once for the whole batch, not once per message
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "channel_email_inboundemail"')]
    assert len(reads) == 2


@pytest.mark.django_db
def test_a_batch_processes_each_message_once_and_leaves_done_ones_alone(mailbox: Mailbox) -> None:
    ids = _stored(mailbox, mail(1), mail(2))
    process_batch(ids[:1])
    done, _ = process_batch(ids)  # the first is done already
    assert [row.pk for row in done] == ids[1:]
    assert process_batch(ids) == ([], [])
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_batch_that_runs_out_of_time_leaves_the_rest_for_the_next(mailbox: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(receive, "BATCH_SECONDS", {connection.vendor: -1.0})
    ids = _stored(mailbox, mail(1), mail(2), mail(3))
    done, left = process_batch(ids)
    assert [row.pk for row in done] == ids[:1] and left == ids[1:]
    assert InboundEmail.objects.filter(status=InboundStatus.RECEIVED).count() == 2
    assert [row.pk for row in process_all(ids)] == ids[1:]  # process_all goes on until all are done
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_a_reply_threads_onto_a_ticket_opened_earlier_in_the_same_batch(mailbox: Mailbox) -> None:
    ids = _stored(mailbox, mail(1), reply(2, 1))
    process_batch(ids)
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2


@pytest.mark.django_db
def test_two_copies_of_one_message_in_one_batch_make_one_ticket(mailbox: Mailbox) -> None:
    """One message sent to two of our addresses arrives twice: the batch's own first copy counts,
    though the duplicate facts were read for all its messages at once, as the batch began."""
    ids = _stored(mailbox, mail(1), mail(1))
    process_batch(ids)
    statuses = [InboundEmail.objects.get(pk=pk) for pk in ids]
    assert [row.status for row in statuses] == ["processed", "ignored"]
    assert statuses[1].reason.startswith("duplicate")
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_reads_its_senders_once_and_a_new_senders_next_message_uses_the_contact_it_made(
    mailbox: Mailbox,
) -> None:
    from frontdesk.customers.models import Contact

    known = Contact.objects.create(name="Known", primary_email="customer9@customers.test")
    known.identities.create(kind="email", value="customer9@customers.test", is_primary=True)
    raws = [mail(1), mail(2, sender="customer1@customers.test"), mail(3, sender="customer9@customers.test")]
    ids = _stored(mailbox, *raws)
    with CaptureQueriesContext(connection) as queries:
        process_batch(ids)
    assert InboundEmail.objects.filter(status="processed").count() == 3
    sql = [q["sql"] for q in queries.captured_queries]
    owners = [q for q in sql if q.startswith("SELECT") and '"customers_identity"' in q]
    assert len(owners) == 1, "the senders' contacts are read once for the batch"
    requesters = list(Ticket.objects.order_by("pk").values_list("requester_id", flat=True))
    assert requesters[0] == requesters[1] != known.pk and requesters[2] == known.pk
    assert Contact.objects.filter(identities__value="customer1@customers.test").count() == 1


@pytest.mark.django_db
def test_a_contact_made_by_a_message_that_failed_is_not_used_by_the_next(mailbox: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.customers.models import Contact

    real_write, ids = receive._write, []

    def fail_first(inbound, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inbound.pk == ids[0]:  # every time: the batch runs again with savepoints, and it fails again
            raise RuntimeError("the disk is full")  # after the sender's contact was made
        return real_write(inbound, *args, **kwargs)

    monkeypatch.setattr(receive, "_write", fail_first)
    ids += _stored(mailbox, mail(1), mail(2, sender="customer1@customers.test"))
    process_batch(ids)
    first, second = (InboundEmail.objects.get(pk=pk) for pk in ids)
    assert first.status == "quarantined" and "disk is full" in first.reason
    assert second.status == "processed", second.reason
    contact = Contact.objects.get(identities__value="customer1@customers.test")
    assert Ticket.objects.get().requester_id == contact.pk, "a contact made again, not the one rolled back"


@pytest.mark.django_db
def test_a_batch_takes_no_savepoints_until_a_message_fails_after_writing_then_redoes_them_with_one_each(
    mailbox: Mailbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def savepoints(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as queries:
            process_batch(ids)
        return sum(1 for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT"))

    assert savepoints(_stored(mailbox, mail(1), mail(2), mail(3))) == 1, "the batch's own, none per message"

    real_write, bad = receive._write, []

    def fail(inbound, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inbound.pk in bad:
            raise RuntimeError("the disk is full")  # after its sender's contact was made
        return real_write(inbound, *args, **kwargs)

    monkeypatch.setattr(receive, "_write", fail)
    ids = _stored(mailbox, mail(4), mail(5), mail(6))
    bad.append(ids[1])
    assert savepoints(ids) == 1 + 1 + 3, "the first run's, then the second's and one per message"
    rows = [InboundEmail.objects.get(pk=pk) for pk in ids]
    assert [r.status for r in rows] == ["processed", "quarantined", "processed"]
    assert "disk is full" in rows[1].reason and rows[1].attempts == 1
    assert Ticket.objects.count() == 5, "the first run's writes were rolled back, none is doubled"
    assert not Ticket.objects.filter(subject="Question number 5").exists()



def test_a_database_error_after_writing_redoes_the_batch_too_and_quarantines_that_message_alone(
    mailbox: Mailbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A statement that fails (the transaction is aborted, on PostgreSQL) after a message began to
    write: the rows the batch held back to insert at its end (the audit trail) are dropped with the
    rolled-back batch instead of being inserted into the failed transaction, and the batch is
    redone with savepoints: the other messages are processed now, not left to the sweep."""
    real_write, bad = receive._write, []

    def fail(inbound, *args, **kwargs):  # type: ignore[no-untyped-def]
        written = real_write(inbound, *args, **kwargs)
        if inbound.pk in bad:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
        return written

    monkeypatch.setattr(receive, "_write", fail)
    ids = _stored(mailbox, mail(1), mail(2), mail(3))
    bad.append(ids[1])
    done, left = process_batch(ids)
    assert [row.pk for row in done] == ids and left == []
    rows = [InboundEmail.objects.get(pk=pk) for pk in ids]
    assert [r.status for r in rows] == ["processed", "quarantined", "processed"]
    assert "no_such_table" in rows[1].reason
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Question number 1", "Question number 3"]
    assert all(t.audits.exists() for t in Ticket.objects.all()), "their audit trail was written"


def test_replies_found_by_their_headers_are_added_without_reading_their_ticket_again(mailbox: Mailbox) -> None:
    """Threading reads a reply's ticket with its row lock, so adding the message does not read it
    again; a reply found among the batch's own references (not yet in the table), or after a CC
    changed the ticket through another read, reads it again. The ticket's version counts every
    write: none is written back from a stale copy."""
    (first,) = _stored(mailbox, mail(1))
    process_batch([first])
    ticket = Ticket.objects.get()
    version = ticket.version
    with_cc = b"Cc: colleague@customers.test\n" + reply(2, 1)
    on_two = b"In-Reply-To: <2.intake@customers.test>\n" + mail(3, sender="customer1@customers.test")
    ids = _stored(mailbox, with_cc, on_two, reply(4, 1))
    with CaptureQueriesContext(connection) as queries:
        done, _ = process_batch(ids)
    assert [row.status for row in done] == ["processed"] * 3
    ticket.refresh_from_db()
    assert ticket.messages.count() == 4 and list(ticket.ccs.values_list("primary_email", flat=True)) == [
        "colleague@customers.test"
    ]
    assert ticket.version == version + 4, "three messages and the CC: each write counted once"
    rereads = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("SELECT") and 'FROM "tickets_ticket" WHERE "id" =' in q["sql"]]
    assert len(rereads) == 2, "reply 3 (found among the held references) and the CC's update read it; 2 and 4 do not"

SETUP = """
import django; django.setup()
from frontdesk.brands.models import Brand
from frontdesk.channels.email.models import Mailbox
brand = Brand.objects.create(name="Acme", slug="acme")
Mailbox.objects.create(name="Support", address="support@acme.test", brand=brand)
"""

SWEEP = """
import django; django.setup()
from datetime import timedelta
from frontdesk.channels.email.inbound import process_stuck
print(process_stuck(older_than=timedelta(0)))
"""


STORE_WITH_POISON = """
import django; django.setup()
from frontdesk.channels.email.inbound import receive_raw
from frontdesk.channels.email.models import Mailbox
from frontdesk.channels.email.tests.test_imap_support import mail
mailbox = Mailbox.objects.get()
for n, subject in ((1, ""), (2, "POISON"), (3, "")):
    receive_raw(mailbox=mailbox, raw=mail(n, subject=subject), source="lmtp")
"""

# the sweep in a worker that a message marked POISON kills outright (as a crash in a parser, the
# memory limit or a kill on a timeout would): no exception handler runs, no transaction ends
POISONED_SWEEP = """
import os, django; django.setup()
from datetime import timedelta
from frontdesk.channels.email.pipeline import receive
from frontdesk.channels.email.inbound import process_stuck
real_parse = receive.parse
def parse(raw, msg):
    if b"POISON" in raw:
        os._exit(3)
    return real_parse(raw, msg)
receive.parse = parse
print(process_stuck(older_than=timedelta(0)))
"""


def _statuses(db: Path) -> dict[str, int]:
    with sqlite3.connect(db, timeout=20) as conn:
        return dict(conn.execute("select status, count(*) from channel_email_inboundemail group by status"))


def _wait_processed(db: Path, n: int) -> dict[str, int]:
    deadline = time.monotonic() + 60
    while (found := _statuses(db)) != {"processed": n} and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
            return True  # exited; its parent (killed) has not reaped it yet
        time.sleep(0.05)
    return not Path(f"/proc/{pid}").exists()


@pytest.mark.skipif(os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE") is not None, reason="SQLite file")
@pytest.mark.parametrize("processes", ["0", "1", "2"], ids=["thread", "child-process", "two-child-processes"])
def test_a_listener_answers_once_stored_processes_behind_and_a_kill_loses_nothing(
    tmp_path: Path, processes: str
) -> None:
    """A real `frontdesk mail listen` process on a SQLite file, processing in the background (in a
    thread of its own, or in one or two child processes: ``INTAKE_PROCESSES``): 250 means the
    message is in its row; all of it is processed just after, and replies (from other senders, so
    in another child of two) join the tickets of the messages they answer; a child process killed
    is replaced at the next message; a SIGKILL of the listener right after a run of 250s leaves every acknowledged
    message stored (its child processes what it was given, then exits), and the sweep processes
    each exactly once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_TEST_DATABASE", "FRONTDESK_DATABASE"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_MEDIA_ROOT=str(tmp_path / "files"),
               FRONTDESK_HUEY_IMMEDIATE="true", FRONTDESK_INTAKE_IMMEDIATE="false",
               FRONTDESK_INTAKE_PROCESSES=processes, DJANGO_SETTINGS_MODULE="frontdesk.settings")
    db = tmp_path / "frontdesk.sqlite3"

    def python(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    subprocess.run([sys.executable, "-m", "frontdesk.cli", "manage", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    python(SETUP)

    def listen() -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "frontdesk.cli", "mail", "listen", "--port", str(port)],
                                cwd=ROOT, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                smtplib.LMTP("127.0.0.1", port, timeout=5).quit()
                return proc, port
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
        raise AssertionError("the listener did not start")

    def send(numbers: range) -> None:
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
            for n in numbers:
                raw = reply(n, n - 10) if 10 < n <= 20 else mail(n)
                assert client.sendmail(f"customer{n}@customers.test", ["support@acme.test"], raw) == {}
                with sqlite3.connect(db, timeout=20) as conn:  # 250: it is stored
                    assert conn.execute("select count(*) from channel_email_inboundemail where header_id = ?",
                                        [f"{n}.intake@customers.test"]).fetchone() == (1,)

    proc, port = listen()
    send(range(1, 21))
    assert _wait_processed(db, 20) == {"processed": 20}
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from tickets_ticket").fetchone() == (10,), "replies joined their tickets"
    children = _children(proc.pid)
    assert len(children) == int(processes), "the intake runs in a child process only when asked to"
    for child in children:  # a processing child that dies is replaced by the next message
        os.kill(child, signal.SIGKILL)
        assert _gone(child)
    send(range(21, 26))
    assert _wait_processed(db, 25) == {"processed": 25}
    assert len(_children(proc.pid)) == int(processes)

    acknowledged = 0
    children = _children(proc.pid)
    with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
        for n in range(26, 86):
            assert client.sendmail(f"customer{n}@customers.test", ["support@acme.test"], mail(n)) == {}
            acknowledged += 1
        proc.send_signal(signal.SIGKILL)  # right after the last 250, with processing behind
    proc.wait(10)
    assert all(_gone(child) for child in children), "a child whose listener died finishes and exits"
    assert sum(_statuses(db).values()) == 85, "every acknowledged message is stored"
    python(SWEEP)  # the worker's sweep, for what the killed listener left
    assert _wait_processed(db, 85) == {"processed": 85}
    with sqlite3.connect(db) as conn:
        per_id = dict(conn.execute("select external_id, count(*) from tickets_message group by external_id"))
    assert per_id == {f"{n}.intake@customers.test": 1 for n in range(1, 86)}, "each message exactly once"
    assert acknowledged == 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the holder works on its own connection
def test_a_batch_skips_a_row_another_worker_holds_instead_of_waiting(mailbox: Mailbox) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer")
    ids = _stored(mailbox, mail(1), mail(2), mail(3))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:  # another worker, in the middle of processing message 2
        try:
            with transaction.atomic():
                list(InboundEmail.objects.select_for_update().filter(pk=ids[1]))
                holding.set()
                release.wait(60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(60)
        done, left = process_batch(ids)
    finally:
        release.set()
        holder.join(60)
    assert [row.pk for row in done] == [ids[0], ids[2]] and left == []
    assert InboundEmail.objects.get(pk=ids[1]).status == InboundStatus.RECEIVED  # its worker's to process
    assert [row.pk for row in process_batch(ids)[0]] == [ids[1]]
    assert Ticket.objects.count() == 3


@pytest.mark.skipif(os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE") is not None, reason="SQLite file")
def test_a_message_that_kills_its_worker_is_quarantined_after_three_sweeps_and_holds_back_no_other(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_TEST_DATABASE", "FRONTDESK_DATABASE"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_MEDIA_ROOT=str(tmp_path / "files"),
               FRONTDESK_HUEY_IMMEDIATE="true", DJANGO_SETTINGS_MODULE="frontdesk.settings")
    db = tmp_path / "frontdesk.sqlite3"

    def python(code: str) -> int:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=120)
        return done.returncode

    subprocess.run([sys.executable, "-m", "frontdesk.cli", "manage", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    assert python(SETUP) == 0 and python(STORE_WITH_POISON) == 0
    # the first sweep processes message 1, then message 2 kills it; so do the next two
    assert [python(POISONED_SWEEP) for _ in range(3)] == [3, 3, 3]
    assert _statuses(db) == {"processed": 1, "received": 2}, "nothing of a killed try is kept"
    assert python(POISONED_SWEEP) == 0  # the fourth quarantines it untouched and goes on
    assert _statuses(db) == {"processed": 2, "quarantined": 1}
    with sqlite3.connect(db) as conn:
        reason, attempts = conn.execute(
            "select reason, attempts from channel_email_inboundemail where status = 'quarantined'"
        ).fetchone()
    assert reason.startswith("stopped: processing it stopped the worker 3 times") and attempts == 3
