"""`frontdesk mail import`: a mailbox's history from a Maildir, an mbox file or a folder of .eml
files, through the live pipeline, each message once, with its own dates and no acknowledgements."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from frontdesk.channels.email.models import IMPORTED, InboundEmail, InboundStatus, Mailbox, OutboundEmail
from frontdesk.channels.email.outgoing import KIND_ACK
from frontdesk.channels.email.pipeline.store import store_raw
from frontdesk.channels.email.tests.test_pipeline_common import make_mailbox
from frontdesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def mail(n: int, *, sender: str = "carla@customer.test", reply_to: int | None = None, date: str = "",
         extra: str = "") -> bytes:
    thread = f"In-Reply-To: <m{reply_to}@customer.test>\nReferences: <m{reply_to}@customer.test>\n" if reply_to else ""
    subject = f"Re: Printer {reply_to}" if reply_to else f"Printer {n}"
    return (
        f"From: Carla <{sender}>\nTo: support@frontdesk.test\nSubject: {subject}\n"
        f"Date: {date or 'Tue, 05 Mar 2024 09:30:00 +0000'}\nMessage-ID: <m{n}@customer.test>\n{thread}{extra}"
        f"\nMessage {n}: it does not print.\n"
    ).encode()


def run_import(path: Path, *args: str) -> tuple[str, dict]:
    out = StringIO()
    call_command("mail", "import", str(path), *args, stdout=out, stderr=StringIO())
    text = out.getvalue()
    return text, json.loads(text.strip().splitlines()[-1])


def maildir_with(path: Path, *messages: bytes) -> Path:
    box = stdlib_mailbox.Maildir(str(path), create=True)
    for raw in messages:
        box.add(raw)
    return path


def test_a_maildir_history_becomes_tickets_with_their_dates_and_no_acknowledgement(tmp_path: Path) -> None:
    mailbox = make_mailbox()
    auto = mail(3, extra="Auto-Submitted: auto-replied\n")
    no_sender = b"To: support@frontdesk.test\nSubject: who?\nMessage-ID: <m4@customer.test>\n\nHello\n"
    path = maildir_with(tmp_path / "Maildir", mail(1), mail(2, reply_to=1, date="Wed, 06 Mar 2024 10:00:00 +0000"),
                        auto, no_sender)

    text, report = run_import(path, "--mailbox", mailbox.address)

    assert (report["kind"], report["found"], report["created"], report["threaded"]) == ("maildir", 4, 1, 1)
    assert (report["ignored"], report["quarantined"], report["already"], report["failed"]) == (1, 1, 0, 0)
    assert "4 messages: 1 new tickets, 1 added to tickets, 1 ignored, 1 quarantined" in text
    ticket = Ticket.objects.get()
    assert ticket.subject == "Printer 1" and ticket.created_at == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    dates = list(Message.objects.filter(ticket=ticket).order_by("pk").values_list("created_at", flat=True))
    assert dates == [datetime(2024, 3, 5, 9, 30, tzinfo=UTC), datetime(2024, 3, 6, 10, 0, tzinfo=UTC)]
    assert not OutboundEmail.objects.exists(), "nobody in a history is acknowledged"
    assert set(InboundEmail.objects.values_list("source", "mailbox_id")) == {(IMPORTED, mailbox.pk)}
    assert InboundEmail.objects.filter(status=InboundStatus.QUARANTINED, reason__contains="sender").count() == 1


def test_running_it_again_imports_nothing_twice_and_finishes_what_was_stored(tmp_path: Path) -> None:
    make_mailbox()
    path = maildir_with(tmp_path / "Maildir", mail(1), mail(2), mail(3))
    # an earlier run stopped after storing message 3 but before processing it
    store_raw(mailbox=None, raw=stdlib_mailbox.Maildir(str(path), create=False).get_bytes(
        sorted(stdlib_mailbox.Maildir(str(path), create=False).iterkeys())[0]), source=IMPORTED)

    _, first = run_import(path)
    assert (first["created"], first["already"]) == (3, 0), "the stored one is processed, not stored again"
    _, second = run_import(path)
    assert (second["created"], second["already"]) == (0, 3)
    assert InboundEmail.objects.count() == 3 and Ticket.objects.count() == 3


def test_an_mbox_and_a_folder_of_eml_files_and_a_copy_of_a_message(tmp_path: Path) -> None:
    make_mailbox()
    mbox = stdlib_mailbox.mbox(str(tmp_path / "archive.mbox"), create=True)
    for raw in (mail(1), mail(2, reply_to=1), mail(2, reply_to=1)):  # the same message twice
        mbox.add(raw)
    mbox.flush()
    _, report = run_import(tmp_path / "archive.mbox")
    assert (report["kind"], report["created"], report["threaded"]) == ("mbox", 1, 1)
    assert report["already"] + report["ignored"] == 1, "a second copy is counted once, not added"

    folder = tmp_path / "export"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "a.eml").write_bytes(mail(10))
    (folder / "b.eml").write_bytes(mail(11))
    (folder / "notes.txt").write_text("not mail")
    _, report = run_import(folder)
    assert (report["kind"], report["found"], report["created"]) == ("eml", 2, 2)


def test_one_senders_many_messages_are_history_not_a_burst(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BURST_LIMIT = 3
    make_mailbox()
    path = maildir_with(tmp_path / "Maildir", *(mail(n) for n in range(1, 9)))
    _, report = run_import(path)
    assert (report["created"], report["quarantined"]) == (8, 0)


def test_a_path_that_is_not_mail_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="No mailbox"):
        run_import(maildir_with(tmp_path / "Maildir", mail(1)), "--mailbox", "nobody@frontdesk.test")
    assert not Mailbox.objects.exists() and not InboundEmail.objects.exists()


def test_recent_mail_in_a_history_is_not_acknowledged_where_live_mail_is(
    tmp_path: Path, django_capture_on_commit_callbacks  # type: ignore[no-untyped-def]
) -> None:
    from email.utils import format_datetime

    from django.utils import timezone

    from frontdesk.channels.email.tests.test_pipeline_common import ingest

    mailbox = make_mailbox()
    today = format_datetime(timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        run_import(maildir_with(tmp_path / "Maildir", mail(1, date=today)))
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(mailbox, mail(2, date=today))  # the same kind of mail, arriving live
    assert OutboundEmail.objects.filter(kind=KIND_ACK).count() == 1


@pytest.mark.skipif(os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE") is not None, reason="SQLite file")
def test_a_history_of_several_chunks_processed_by_a_child_process_counts_each_message_once(tmp_path: Path) -> None:
    """A real `frontdesk mail import` with INTAKE_PROCESSES=1: its child processes each chunk while
    the next is stored, in the history's order (a reply two chunks after its message joins it), and
    the report counts every message once, a later copy of a stored one as imported already."""
    from frontdesk.channels.email.tests.test_intake_batches import ROOT, SETUP

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_TEST_DATABASE", "FRONTDESK_DATABASE"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_MEDIA_ROOT=str(tmp_path / "files"),
               FRONTDESK_HUEY_IMMEDIATE="true", FRONTDESK_INTAKE_IMMEDIATE="false", FRONTDESK_INTAKE_PROCESSES="1",
               DJANGO_SETTINGS_MODULE="frontdesk.settings")
    subprocess.run([sys.executable, "-m", "frontdesk.cli", "manage", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True)
    history = [mail(n, sender=f"c{n}@customer.test") for n in range(1, 201)]
    history += [mail(1000 + n, sender=f"c{n}@customer.test", reply_to=n) for n in range(1, 51)]  # replies to chunk 1
    history += [history[5], mail(2000, extra="Auto-Submitted: auto-replied\n")]  # a copy; machine mail
    path = tmp_path / "eml"
    path.mkdir()
    for n, raw in enumerate(history):
        (path / f"{n:04d}.eml").write_bytes(raw)

    done = subprocess.run([sys.executable, "-m", "frontdesk.cli", "mail", "import", str(path),
                           "--mailbox", "support@acme.test"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["found"], report["created"], report["threaded"]) == (252, 200, 50)
    assert (report["already"], report["ignored"], report["quarantined"], report["failed"]) == (1, 1, 0, 0)
    with sqlite3.connect(tmp_path / "frontdesk.sqlite3") as conn:
        statuses = conn.execute("select status, count(*) from channel_email_inboundemail group by status").fetchall()
        assert statuses == [("ignored", 1), ("processed", 250)]
        per_ticket = conn.execute("select ticket_id, count(*) from tickets_message group by ticket_id").fetchall()
    assert sorted(n for _, n in per_ticket) == [1] * 150 + [2] * 50, "each reply joined its message's ticket"
