from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import OperationalError, connection

from frontdesk.channels.email.imap import poll_all_once, poll_once, watch
from frontdesk.channels.email.models import ImapCursor, InboundEmail
from frontdesk.channels.email.tests.test_imap_support import imap_mailbox, mail
from frontdesk.testing.dovecot import Dovecot, dovecot_server
from frontdesk.tickets.models import Ticket


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


def _flags(server: Dovecot, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
    with server.client() as c:
        c.select_folder(folder, readonly=True)
        uids = c.search("ALL")
        return {uid: data[b"FLAGS"] for uid, data in c.fetch(uids, ["FLAGS"]).items()} if uids else {}


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError as exc:  # SQLite's shared in-memory test database: the watcher thread
            if "locked" not in str(exc):  # holds a table lock while it writes; look again
                raise
        time.sleep(0.1)
    return False


@pytest.mark.django_db
def test_polling_turns_new_mail_into_tickets_marks_it_seen_and_takes_it_once(dovecot: Dovecot) -> None:
    mailbox = imap_mailbox(dovecot)
    dovecot.append_many([mail(1), mail(2), mail(3)])

    assert poll_once(mailbox) == 3

    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {"Question number 1", "Question number 2", "Question number 3"}
    assert set(InboundEmail.objects.values_list("source", "imap_uid")) == {("imap", 1), ("imap", 2), ("imap", 3)}
    assert all(b"\\Seen" in flags for flags in _flags(dovecot).values())
    cursor = ImapCursor.objects.get(mailbox=mailbox)
    assert cursor.last_uid == 3

    assert poll_once(mailbox) == 0  # nothing new: nothing fetched again
    dovecot.append(mail(4))
    assert poll_once(mailbox) == 1
    assert Ticket.objects.count() == 4 and InboundEmail.objects.count() == 4


@pytest.mark.django_db
def test_a_message_seen_by_a_person_before_the_poll_is_still_taken(dovecot: Dovecot) -> None:
    mailbox = imap_mailbox(dovecot)
    dovecot.append(mail(1))
    with dovecot.client() as c:
        c.select_folder("INBOX")
        c.add_flags([1], [b"\\Seen"])
    assert poll_once(mailbox) == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_processed_mail_is_moved_to_the_configured_folder(dovecot: Dovecot) -> None:
    with dovecot.client() as c:
        c.create_folder("Done")
    mailbox = imap_mailbox(dovecot, imap_move_to="Done")
    dovecot.append_many([mail(1), mail(2)])

    assert poll_once(mailbox) == 2

    assert _flags(dovecot, "INBOX") == {}
    assert len(_flags(dovecot, "Done")) == 2
    assert Ticket.objects.count() == 2
    assert poll_once(mailbox) == 0


@pytest.mark.django_db
def test_a_uidvalidity_change_reads_the_folder_again_without_doubling_tickets(dovecot: Dovecot) -> None:
    with dovecot.client() as c:
        c.create_folder("Support")
    mailbox = imap_mailbox(dovecot, imap_folder="Support")
    dovecot.append_many([mail(1), mail(2)], folder="Support")
    assert poll_once(mailbox) == 2
    before = ImapCursor.objects.get(mailbox=mailbox).uidvalidity

    # the folder is recreated (a restored backup, a server migration): UIDs start again at 1. No
    # wait is needed: Dovecot gives a new folder a UIDVALIDITY above the last one it handed out,
    # even within the same second (its dovecot-uidvalidity file), not merely the clock's seconds.
    with dovecot.client() as c:
        c.delete_folder("Support")
        c.create_folder("Support")
    dovecot.append_many([mail(2), mail(3)], folder="Support")

    assert poll_once(mailbox) == 2
    cursor = ImapCursor.objects.get(mailbox=mailbox)
    assert cursor.uidvalidity != before and cursor.last_uid == 2
    # message 2 came back under a new UID: still one ticket for it
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Question number 1",
        "Question number 2",
        "Question number 3",
    ]


@pytest.mark.django_db
def test_one_unreachable_mailbox_does_not_stop_the_others(dovecot: Dovecot) -> None:
    from frontdesk.testing.dovecot import free_port

    imap_mailbox(dovecot, name="Broken", address="broken@acme.test", imap_port=free_port())
    imap_mailbox(dovecot, name="Off", address="off@acme.test", active=False)
    imap_mailbox(dovecot)
    dovecot.append(mail(1))

    assert poll_all_once() == 1
    assert Ticket.objects.count() == 1


@pytest.fixture
def watcher() -> Iterator[callable]:  # type: ignore[valid-type]
    threads: list[tuple[threading.Thread, threading.Event]] = []

    def start(mailbox_id: int) -> None:
        stop = threading.Event()

        def run() -> None:
            try:
                watch(mailbox_id, stop=stop, max_backoff=2)
            finally:
                connection.close()  # the thread's own connection: the test database can be dropped

        thread = threading.Thread(target=run)
        thread.start()
        threads.append((thread, stop))

    yield start
    for thread, stop in threads:
        stop.set()
        thread.join(15)
        assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_idle_notices_new_mail_within_seconds(dovecot: Dovecot, watcher) -> None:  # type: ignore[no-untyped-def]
    mailbox = imap_mailbox(dovecot)
    dovecot.append(mail(1))
    watcher(mailbox.pk)
    assert _wait_for(lambda: Ticket.objects.count() == 1, 10)  # the first poll on connecting

    dovecot.append(mail(2))
    # IDLE hears of it at once; without IDLE it would wait for the next poll, a minute away
    assert _wait_for(lambda: Ticket.objects.count() == 2, 20)
    # flagged right after the ticket is committed
    assert _wait_for(lambda: all(b"\\Seen" in flags for flags in _flags(dovecot).values()), 15)


@pytest.mark.django_db(transaction=True)
def test_watch_reconnects_after_the_server_restarts(dovecot: Dovecot, watcher) -> None:  # type: ignore[no-untyped-def]
    mailbox = imap_mailbox(dovecot)
    cursor = ImapCursor.objects.filter(mailbox=mailbox, polled_at__isnull=False)
    watcher(mailbox.pk)
    # connected: its first poll went well (recorded before it starts to IDLE)
    assert _wait_for(lambda: cursor.filter(poll_error="").exists(), 30)
    dovecot.stop()
    # it noticed the server went away (the dropped IDLE or the refused reconnect is recorded)
    assert _wait_for(lambda: cursor.exclude(poll_error="").exists(), 30)
    dovecot.start()
    dovecot.append(mail(1))
    assert _wait_for(lambda: Ticket.objects.count() == 1, 30)
    assert Ticket.objects.get().subject == "Question number 1"
    assert _wait_for(lambda: cursor.filter(poll_error="").exists(), 30)  # connected again, the error cleared


@pytest.mark.django_db
def test_the_minutely_task_polls_every_imap_mailbox(dovecot: Dovecot) -> None:
    from frontdesk.channels.email.intake_tasks import poll_imap_mailboxes_task

    imap_mailbox(dovecot)
    dovecot.append(mail(1))
    assert poll_imap_mailboxes_task.call_local() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_first_poll_leaves_old_read_mail_alone(dovecot: Dovecot) -> None:
    old = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    with dovecot.client() as c:  # years of mail the team had already read, and one unread
        c.append("INBOX", mail(1), flags=[b"\\Seen"], msg_time=old)
        c.append("INBOX", mail(2), flags=[b"\\Seen"], msg_time=old)
        c.append("INBOX", mail(3), msg_time=old)
    dovecot.append(mail(4))  # arrived today: read or not, it is taken
    with dovecot.client() as c:
        c.select_folder("INBOX")
        c.add_flags([4], [b"\\Seen"])
    mailbox = imap_mailbox(dovecot)
    assert poll_once(mailbox) == 2
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"Question number 3", "Question number 4"}
    assert ImapCursor.objects.get(mailbox=mailbox).last_uid == 4  # the old read mail is not looked at again
    assert poll_once(mailbox) == 0
    dovecot.append(mail(5))
    assert poll_once(mailbox) == 1
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_mail_arriving_during_the_first_poll_is_taken_by_the_next(dovecot: Dovecot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import imapclient

    dovecot.append(mail(1))
    mailbox = imap_mailbox(dovecot)
    search = imapclient.IMAPClient.search
    calls: list[object] = []

    def search_while_mail_arrives(self, criteria="ALL", charset=None):  # type: ignore[no-untyped-def]
        found = search(self, criteria, charset)
        if not calls:  # a message lands between the first poll's two searches, and the session hears of it
            dovecot.append(mail(2))
            self.noop()
        calls.append(criteria)
        return found

    monkeypatch.setattr(imapclient.IMAPClient, "search", search_while_mail_arrives)
    poll_once(mailbox)
    monkeypatch.setattr(imapclient.IMAPClient, "search", search)
    poll_once(mailbox)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Question number 1", "Question number 2"]
