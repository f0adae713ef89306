from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest

from frontdesk.channels.email import lmtp
from frontdesk.channels.email.models import InboundEmail, Mailbox
from frontdesk.channels.email.tests.test_imap_support import brand, mail
from frontdesk.testing.dovecot import free_port
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)  # the receiver stores from its own thread


@pytest.fixture
def support() -> Mailbox:
    return Mailbox.objects.create(name="Support", address="support@acme.test", brand=brand(), max_message_bytes=20_000)


@pytest.fixture
def receiver(support: Mailbox) -> Iterator:  # type: ignore[type-arg]
    started = []

    def start(*, lmtp_mode: bool = True) -> int:
        port = free_port()
        started.append(lmtp.start("127.0.0.1", port, lmtp=lmtp_mode))
        return port

    yield start
    for controller in started:
        controller.stop()


def test_mail_delivered_over_lmtp_is_stored_and_becomes_a_ticket(receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver()
    with smtplib.LMTP("127.0.0.1", port) as client:
        refused = client.sendmail("customer1@customers.test", ["support@acme.test"], mail(1))
    assert refused == {}
    inbound = InboundEmail.objects.get()
    assert inbound.source == "lmtp" and inbound.status == "processed"
    assert inbound.header_id == "1.intake@customers.test"
    assert Ticket.objects.get().subject == "Question number 1"


def test_a_plus_address_reaches_its_mailbox(receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver()
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("customer1@customers.test", ["Support+anything@ACME.test"], mail(1))
    assert InboundEmail.objects.get().mailbox.address == "support@acme.test"


def test_unknown_recipients_are_refused_and_nothing_is_stored(receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver()
    with smtplib.LMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("customer1@customers.test", ["nobody@acme.test"], mail(1))
    assert refused.value.recipients["nobody@acme.test"][0] == 550
    assert not InboundEmail.objects.exists()


def test_inactive_mailboxes_refuse_mail(receiver, support: Mailbox) -> None:  # type: ignore[no-untyped-def]
    Mailbox.objects.filter(pk=support.pk).update(active=False)
    port = receiver()
    with smtplib.LMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("customer1@customers.test", ["support@acme.test"], mail(1))
    assert not InboundEmail.objects.exists()


def test_mailbox_changes_reach_the_receiver_at_once(receiver, support: Mailbox, admin_user) -> None:  # type: ignore[no-untyped-def]
    """The listener's recipient look-up is cached; saving a mailbox forgets it, and an address not
    in the cache is looked up, so a mailbox just made receives at once."""
    from frontdesk.channels.email.mailboxes import mailbox_save
    from frontdesk.core.actor import Actor

    port = receiver()
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("customer1@customers.test", ["support@acme.test"], mail(1))  # caches the addresses
        sales = Mailbox.objects.create(name="Sales", address="sales@acme.test", brand=support.brand)
        client.sendmail("customer2@customers.test", ["sales@acme.test"], mail(2))
        mailbox_save(actor=Actor.of(admin_user), mailbox=support, active=False)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("customer3@customers.test", ["support@acme.test"], mail(3))
    assert sorted(InboundEmail.objects.values_list("mailbox_id", flat=True)) == sorted([support.pk, sales.pk])


def test_a_message_over_the_largest_limit_is_refused_before_its_data(receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver()
    big = mail(1) + (b"x" * 70 + b"\r\n") * 500
    with smtplib.LMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPSenderRefused) as error:
        client.sendmail("customer1@customers.test", ["support@acme.test"], big)
    assert error.value.smtp_code == 552
    assert not InboundEmail.objects.exists()


def test_each_recipient_gets_its_own_size_limit(support: Mailbox) -> None:
    Mailbox.objects.create(name="Sales", address="sales@acme.test", brand=brand(), max_message_bytes=100_000)
    port = free_port()
    controller = lmtp.start("127.0.0.1", port)
    try:
        big = mail(1) + (b"x" * 70 + b"\r\n") * 500
        with smtplib.LMTP("127.0.0.1", port) as client:
            client.ehlo_or_helo_if_needed()
            assert client.mail("customer1@customers.test")[0] == 250
            assert client.rcpt("support@acme.test")[0] == 250
            assert client.rcpt("sales@acme.test")[0] == 250
            # LMTP: one answer per recipient, in RCPT order (RFC 2033)
            reply = client.data(big)
            assert reply[0] == 552, reply
            assert client.getreply()[0] == 250
    finally:
        controller.stop()
    assert InboundEmail.objects.get().mailbox.address == "sales@acme.test"


def test_smtp_mode_receives_too(receiver) -> None:  # type: ignore[no-untyped-def]
    port = receiver(lmtp_mode=False)
    with smtplib.SMTP("127.0.0.1", port) as client:
        assert client.sendmail("customer1@customers.test", ["support@acme.test", "nobody@acme.test"], mail(1)) == {
            "nobody@acme.test": (550, b"5.1.1 No such mailbox here")
        }
    assert InboundEmail.objects.get().source == "smtp"
    assert Ticket.objects.count() == 1


def test_a_mailbox_gone_between_recipient_and_data_refuses_the_message_and_keeps_no_file(settings) -> None:  # type: ignore[no-untyped-def]
    """The listener stores by the mailbox id its recipient check found; if the mailbox is gone by
    the time the data arrives, the insert fails (the handler answers 451, try again later) and no
    raw file is left behind."""
    from pathlib import Path

    from django.db import IntegrityError

    before = set(Path(settings.MEDIA_ROOT).rglob("*.eml"))
    with pytest.raises(IntegrityError):
        lmtp._store(987654, mail(1), "lmtp")
    assert not InboundEmail.objects.exists()
    assert set(Path(settings.MEDIA_ROOT).rglob("*.eml")) == before, "the stored file was removed"
