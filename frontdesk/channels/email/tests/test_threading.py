"""Threading conformance: real clients' replies land on their ticket; strangers' never do."""

from __future__ import annotations

import pytest

from frontdesk.channels.email.models import EmailReference, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.outbound import subject_for
from frontdesk.channels.email.pipeline.parse import Parsed, html_to_text, parse
from frontdesk.channels.email.pipeline.store import read_raw
from frontdesk.channels.email.pipeline.threading import SUBJECT_NUMBER, subject_tag
from frontdesk.channels.email.tests.test_pipeline_common import (
    eml,
    ingest,
    message_of,
    sent_from,
    ticket_of,
)
from frontdesk.channels.email.tokens import reply_address
from frontdesk.core.actor import Actor
from frontdesk.core.html import sanitize_html
from frontdesk.tickets.models import LinkKind, Message, StatusCategory, Ticket, TicketLink
from frontdesk.tickets.services import ticket_update, tickets_merge

pytestmark = pytest.mark.django_db


ACTOR = Actor.system("test")


@pytest.fixture
def opened(mailbox: Mailbox) -> tuple[Ticket, str]:
    row = ingest(mailbox, eml("new_ticket.eml"))
    ticket = ticket_of(row)
    return ticket, sent_from(ticket)


def reply(mailbox: Mailbox, name: str, ticket: Ticket, ours: str) -> Message:
    token_address = reply_address(mailbox.address, ticket.pk)
    row = ingest(mailbox, eml(name, ticket=ticket.pk, ours=ours, token_address=token_address))
    assert row.status == InboundStatus.PROCESSED, row.reason
    return message_of(row)


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        ("gmail_reply.eml", "It still does not print after the restart."),
        ("outlook_reply.eml", "Still broken \u2013 the light blinks."),  # In-Reply-To changed by Outlook
        ("apple_reply.eml", "Yes, it is the X200.\n\nSent from my Mac"),
        ("mobile_reply.eml", "ok thx\n\nSent from my iPhone"),
        ("references_only.eml", "One more detail: the model is X200."),
        ("token_reply.eml", "Thanks, that worked."),
        ("subject_number.eml", "Sent from a client that drops the headers."),
    ],
)
def test_client_replies_thread_with_history_folded(
    mailbox: Mailbox, opened: tuple[Ticket, str], name: str, visible: str
) -> None:
    ticket, ours = opened
    message = reply(mailbox, name, ticket, ours)
    assert message.ticket_id == ticket.pk
    assert message.body == visible  # the quoted history is folded away
    assert (message.body + "\n" + message.quoted_text).split() == source(message).text.split()  # and kept
    assert Ticket.objects.count() == 1
    assert EmailReference.objects.filter(message=message, outgoing=False).exists()


def source(message: Message) -> Parsed:
    """The message as parsed from the raw mail it came from."""
    return parse(read_raw(InboundEmail.objects.get(message=message)))


def words(html: str) -> list[str]:
    return html_to_text(html).split()


@pytest.mark.parametrize(
    ("name", "new", "header", "quoted"),
    [
        ("gmail_reply.eml", "It still does not print after the restart.", "On Mon, 23 Nov 2026 at 10:30",
         "Please restart it."),
        ("outlook_html_reply.eml", "Still broken \u2013 the light blinks.", "From: Support", "Please restart it."),
        ("apple_html_reply.eml", "Yes, it is the X200.", "On 23 Nov 2026, at 10:30", "Which model?"),
    ],
)
def test_html_replies_show_the_new_part_and_keep_the_quoted_history(
    mailbox: Mailbox, opened: tuple[Ticket, str], name: str, new: str, header: str, quoted: str
) -> None:
    ticket, ours = opened
    message = reply(mailbox, name, ticket, ours)
    shown = " ".join(words(message.body_html))
    folded = " ".join(words(message.quoted_html))
    assert shown.startswith(new) and quoted not in shown and header not in shown
    assert folded.startswith(header) and folded.endswith(quoted)
    assert message.body.startswith(new) and quoted not in message.body
    assert header in message.quoted_text and quoted in message.quoted_text
    # nothing is lost: the new part and the folded history are the whole message, in both forms
    parsed = source(message)
    assert words(message.body_html) + words(message.quoted_html) == words(sanitize_html(parsed.html))
    assert (message.body + "\n" + message.quoted_text).split() == parsed.text.split()
    assert "<script" not in message.quoted_html and "class=" not in message.quoted_html  # sanitised


def test_forged_in_reply_to_from_a_stranger_opens_a_new_ticket(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    ticket, ours = opened
    row = ingest(mailbox, eml("forged_reply.eml", ticket=ticket.pk, ours=ours))
    assert row.status == InboundStatus.PROCESSED
    assert row.ticket_id != ticket.pk
    assert Ticket.objects.get(pk=ticket.pk).message_count == 1


def test_a_cc_may_reply_by_headers(mailbox: Mailbox) -> None:
    first = ingest(mailbox, eml("inline_image.eml"))
    ticket = ticket_of(first)
    ours = sent_from(ticket)
    raw = (
        f"From: boss@customer.test\nTo: support@frontdesk.test\nSubject: Re: Screenshot\n"
        f"Message-ID: <boss-1@customer.test>\nIn-Reply-To: <{ours}>\n\nI approve.\n"
    ).encode()
    assert ingest(mailbox, raw).ticket_id == ticket.pk


def test_forwarded_message_keeps_the_forwarded_text(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("forwarded.eml"))
    message = message_of(row)
    assert "Why was I charged twice?" in message.body
    assert message.quoted_text == message.quoted_html == ""  # a forward is not folded
    assert ticket_of(row).subject == "Fwd: Invoice question"


def test_reply_to_solved_ticket_reopens_it(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    ticket, ours = opened
    ticket_update(actor=ACTOR, ticket=ticket, status="solved")
    reply(mailbox, "gmail_reply.eml", ticket, ours)
    assert Ticket.objects.get(pk=ticket.pk).status_category == StatusCategory.OPEN


def test_reply_to_closed_ticket_opens_a_linked_follow_up(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    ticket, ours = opened
    ticket_update(actor=ACTOR, ticket=ticket, status="closed")
    row = ingest(mailbox, eml("gmail_reply.eml", ticket=ticket.pk, ours=ours))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.ticket_id != ticket.pk
    assert TicketLink.objects.filter(source_id=row.ticket_id, target=ticket, kind=LinkKind.FOLLOW_UP_OF).exists()


def test_reply_after_merge_lands_on_the_target(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    source, ours = opened
    other = ingest(mailbox, eml("subject_number.eml", ticket="0"))  # a second ticket of the same customer
    target = ticket_of(other)
    assert target.pk != source.pk
    tickets_merge(actor=ACTOR, source=source, target=target)
    message = reply(mailbox, "gmail_reply.eml", source, ours)
    assert message.ticket_id == target.pk


def test_unknown_subject_number_or_token_opens_a_new_ticket(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    ticket, _ = opened
    bad_token = reply_address(mailbox.address, ticket.pk).replace("-", "-0", 1)[:-1]
    row = ingest(mailbox, eml("token_reply.eml", token_address=bad_token))
    assert row.ticket_id != ticket.pk
    assert subject_tag(ticket.pk) == f"[Ticket #{ticket.pk}]"


def close(ticket: Ticket) -> None:
    ticket_update(actor=ACTOR, ticket=Ticket.objects.get(pk=ticket.pk), status="closed")


def follow_ups_of(ticket: Ticket) -> list[int]:
    links = TicketLink.objects.filter(target=ticket, kind=LinkKind.FOLLOW_UP_OF).order_by("source_id")
    return list(links.values_list("source_id", flat=True))


def test_replies_to_a_closed_ticket_share_one_follow_up(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    ticket, ours = opened
    close(ticket)
    first = reply(mailbox, "gmail_reply.eml", ticket, ours)  # by In-Reply-To
    second = reply(mailbox, "subject_number.eml", ticket, ours)  # by the subject tag alone
    assert follow_ups_of(ticket) == [first.ticket_id]
    assert second.ticket_id == first.ticket_id
    follow_up = Ticket.objects.get(pk=first.ticket_id)
    assert follow_up.message_count == 2
    bodies = list(Message.objects.filter(ticket=follow_up).order_by("pk").values_list("body", flat=True))
    assert bodies == ["It still does not print after the restart.", "Sent from a client that drops the headers."]
    closed = Ticket.objects.get(pk=ticket.pk)
    assert closed.status_category == StatusCategory.CLOSED and closed.message_count == 1
    # once the follow-up is closed too, the next reply opens a new follow-up of the original thread
    close(follow_up)
    third = reply(mailbox, "mobile_reply.eml", ticket, ours)
    assert third.ticket_id not in (ticket.pk, follow_up.pk)
    assert follow_ups_of(ticket) == [follow_up.pk, third.ticket_id]


def test_a_stranger_replying_into_a_closed_thread_lands_on_neither_it_nor_its_follow_up(
    mailbox: Mailbox, opened: tuple[Ticket, str]
) -> None:
    ticket, ours = opened
    close(ticket)
    follow_up = reply(mailbox, "gmail_reply.eml", ticket, ours).ticket_id
    row = ingest(mailbox, eml("forged_reply.eml", ticket=ticket.pk, ours=ours))  # forged header and tag
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.ticket_id not in (ticket.pk, follow_up)
    assert Ticket.objects.get(pk=follow_up).message_count == 1
    assert follow_ups_of(ticket) == [follow_up]
    assert not TicketLink.objects.filter(source_id=row.ticket_id).exists()


def plain(sender: str, subject: str, message_id: str, extra: str = "") -> bytes:
    """A short plain-text mail to the support mailbox; ``extra``: more header lines."""
    head = f"From: {sender}\nTo: support@frontdesk.test\nSubject: {subject}\nMessage-ID: <{message_id}>\n{extra}"
    return f"{head}\nHello.\n".encode()


def test_a_cc_of_the_follow_up_replies_into_it(mailbox: Mailbox) -> None:
    ticket = ticket_of(ingest(mailbox, eml("inline_image.eml")))  # copies boss@customer.test
    ours = sent_from(ticket)
    close(ticket)
    answer = f"In-Reply-To: <{ours}>\n"
    copying = f"Cc: boss@customer.test\n{answer}"
    carla = ingest(mailbox, plain("carla@customer.test", "Re: Screenshot", "c-2@x", copying))
    boss = ingest(mailbox, plain("boss@customer.test", "Re: Screenshot", "b-2@x", answer))
    assert follow_ups_of(ticket) == [carla.ticket_id]
    assert boss.ticket_id == carla.ticket_id


def test_the_last_subject_tag_wins_for_a_party_only(mailbox: Mailbox, opened: tuple[Ticket, str]) -> None:
    older, _ = opened
    newer = ticket_of(ingest(mailbox, eml("inline_image.eml")))  # Carla's second ticket
    strangers = ticket_of(ingest(mailbox, eml("forged_reply.eml", ticket="0", ours="none@x.test")))

    def carla_writes(subject: str) -> int | None:
        return ingest(mailbox, plain("carla@customer.test", subject, f"t-{Message.objects.count()}@x")).ticket_id

    assert carla_writes(f"Re: AW: Printer [Ticket #{older.pk}] [Ticket #{newer.pk}]") == newer.pk
    assert carla_writes(f"Re: Printer [Ticket #{newer.pk}] [Ticket #{older.pk}]") == older.pk
    # the newest tag names a ticket she is no party to: the newest one that is hers is taken
    assert carla_writes(f"Re: [Ticket #{older.pk}] [Ticket #{strangers.pk}]") == older.pk
    assert Ticket.objects.get(pk=strangers.pk).message_count == 1


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: AW: Re: Gruesse [Ticket #2] [Ticket #5]", "Re: Gruesse [Ticket #7]"),
        ("RE: [Ticket #2] Aw: SV: VS: Antw: Réf: Printer", "Re: Printer [Ticket #7]"),
        ("re : RE[2]: Invoice  [ticket #12]  March", "Re: Invoice March [Ticket #7]"),
        ("Fwd: Invoice [Ticket #3]", "Re: Fwd: Invoice [Ticket #7]"),  # forwards keep their prefix
        ("Re: [Ticket #3]", "Re: [Ticket #7]"),
        ("Rebate question", "Re: Rebate question [Ticket #7]"),
        ("Ref: Order 1234", "Re: Ref: Order 1234 [Ticket #7]"),  # a reference, not a reply
    ],
)
def test_outgoing_subjects_drop_reply_prefixes_and_older_tags(subject: str, expected: str) -> None:
    ticket = Ticket(pk=7, subject=subject)
    assert subject_for(ticket) == expected
    assert find_last_tag(subject_for(ticket)) == 7


def find_last_tag(subject: str) -> int:
    return int(SUBJECT_NUMBER.findall(subject)[-1])
