"""The sender: retries with backoff while the SMTP server is down, sends each row once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from frontdesk.channels.email import sending
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.tickets.services import message_add


def _queued_reply(agent, mailbox) -> OutboundEmail:  # type: ignore[no-untyped-def]  # noqa: F811
    """A reply row written but not yet sent (no after-commit run in the test transaction)."""
    ticket = email_ticket(mailbox, customer())
    message_add(actor=Actor.of(agent), ticket=ticket, body="Try turning it off.")
    return OutboundEmail.objects.get(ticket=ticket, kind="reply")


def _make_due(row: OutboundEmail) -> None:
    OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_server_down_then_back_sends_exactly_once(agent, mailbox, smtp_sink):  # noqa: F811
    row = _queued_reply(agent, mailbox)
    smtp_sink.stop()
    before = timezone.now()
    assert sending.send_due() == 0
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 1 and row.sent_at is None
    assert "Connection refused" in row.last_error
    assert before + timedelta(seconds=29) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=31)

    smtp_sink.start()
    assert sending.send_due() == 0  # not due before its backoff
    assert smtp_sink.messages == []
    _make_due(row)
    assert sending.send_due() == 1
    assert sending.send_due() == 0
    assert sending.send_one(row.pk) is False
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and row.sent_at is not None
    [sent] = smtp_sink.messages
    assert sent["Message-ID"] == f"<{row.header_id}>"


@pytest.mark.django_db
def test_gives_up_after_ten_attempts(agent, mailbox, smtp_sink):  # noqa: F811
    row = _queued_reply(agent, mailbox)
    smtp_sink.stop()
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=9)
    assert sending.send_one(row.pk) is False
    row.refresh_from_db()
    assert row.status == "dead" and row.attempts == 10 and row.last_error
    smtp_sink.start()
    _make_due(row)
    assert sending.send_due() == 0 and smtp_sink.messages == []


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [sending.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert sending.backoff(8).total_seconds() == 3600
    assert sending.backoff(30).total_seconds() == 3600


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_leaves_the_row_to_a_retry_after_the_lease(agent, mailbox, smtp_sink):  # noqa: F811
    row = _queued_reply(agent, mailbox)
    assert sending._claim(row.pk, timezone.now())  # a worker claimed it, then died
    assert sending.send_due() == 0 and smtp_sink.messages == []  # nobody else sends it meanwhile
    _make_due(row)  # the lease ran out
    assert sending.send_due() == 1
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_a_row_once(agent, mailbox, smtp_sink):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent writers are tested on PostgreSQL: the SQLite test database is in memory with a shared "
            "cache, where a second writer fails with 'table is locked' instead of waiting as on the WAL file"
        )
    mailbox.auto_acknowledge = False
    mailbox.save()
    rows = [_queued_reply(agent, mailbox) for _ in range(3)]
    # committed rows were sent at once by the (immediate) task: make them pending again
    OutboundEmail.objects.update(status="pending", attempts=0, sent_at=None, next_attempt_at=timezone.now())
    smtp_sink.envelopes.clear()
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(sending.send_due())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sum(results) == 3
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(f"<{r.header_id}>" for r in rows)
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_auto_submitted_rows_carry_the_header(agent, mailbox, smtp_sink):  # noqa: F811
    row = _queued_reply(agent, mailbox)
    OutboundEmail.objects.filter(pk=row.pk).update(auto_submitted=True)
    assert sending.send_one(row.pk)
    [sent] = smtp_sink.messages
    assert sent["Auto-Submitted"] == "auto-replied"


@pytest.mark.django_db
def test_mailbox_without_smtp_host_uses_the_site_backend(agent, brand, settings):  # noqa: F811
    from django.core import mail

    from frontdesk.channels.email.tests.test_outbound_helpers import make_mailbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    box = make_mailbox(brand, None)
    row = _queued_reply(agent, box)
    mail.outbox = []
    assert sending.send_one(row.pk)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [f"<{row.header_id}>"]


class _Refuse:
    """An SMTP server that refuses every recipient for good (550) or delays them (450)."""

    def __init__(self, code: str):
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        return self.code


@pytest.mark.django_db
@pytest.mark.parametrize(("reply", "status"), [("550 5.1.1 No such user", "dead"), ("450 4.2.1 Try later", "failed")])
def test_a_permanent_refusal_gives_up_at_once_a_temporary_one_retries(agent, mailbox, smtp_sink, reply, status):  # type: ignore[no-untyped-def]  # noqa: F811
    from aiosmtpd.controller import Controller

    row = _queued_reply(agent, mailbox)
    smtp_sink.stop()
    refusing = Controller(_Refuse(reply), hostname="127.0.0.1", port=smtp_sink.port)
    refusing.start()
    try:
        assert sending.send_due() == 0
    finally:
        refusing.stop()
    row.refresh_from_db()
    assert row.status == status and row.attempts == 1
    assert reply.split()[0] in row.last_error
    if status == "dead":
        assert row.last_error.startswith("refused for good")


@pytest.mark.django_db
def test_a_mailbox_without_a_server_sends_through_the_sites_default(agent, brand, smtp_sink, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    from frontdesk.channels.email.tests.test_outbound_helpers import make_mailbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # FRONTDESK_SMTP_* configure it
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    serverless = make_mailbox(brand, None)  # no SMTP server of its own
    row = _queued_reply(agent, serverless)
    assert sending.send_due() == 1
    row.refresh_from_db()
    assert row.status == "sent"
    (sent,) = smtp_sink.messages
    assert sent["From"].addresses[0].addr_spec == "support@acme.test"
