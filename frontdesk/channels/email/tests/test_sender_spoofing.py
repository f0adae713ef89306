"""Who sent a message is the angle address of its From header — the address SPF, DKIM and DMARC
check — never what its display name, a comment, Reply-To, Sender or Return-Path claims (red-team
finding 3). A name that claims another address is flagged on the stored message and shown on the
ticket page; such mail never threads by the subject tag."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.parse import addresses, load, parse
from frontdesk.channels.email.tests.test_pipeline_common import FIXTURES, ingest, ticket_of
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.services import contact_for_identity
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

MALLORY = "mallory@attacker.example"
CUSTB = "custb@orgb.example"


def mail(from_: str, subject: str = "Hello", extra: str = "", n: int = 1) -> bytes:
    message_id = f"<spoof-{n}-{time.time_ns()}@x>"
    head = f"From: {from_}\nTo: support@frontdesk.test\nSubject: {subject}\nMessage-ID: {message_id}\n"
    return f"{head}{extra}\nThe body.\n".encode()


# (From header, the sender's address, the display name kept for the contact, the address the name claims)
FORMS = [
    # the finding: an address as the display name, unquoted; the policy keeps the name and drops the angle address
    (f"{CUSTB} <{MALLORY}>", MALLORY, "", CUSTB),
    (f"{CUSTB}<{MALLORY}>", MALLORY, "", CUSTB),
    (f'"{CUSTB}" <{MALLORY}>', MALLORY, "", CUSTB),
    (f'"Cust B ({CUSTB})" <{MALLORY}>', MALLORY, "", CUSTB),
    (f"Cust B {CUSTB} <{MALLORY}>", MALLORY, "", CUSTB),
    (f"=?utf-8?q?{CUSTB}?= <{MALLORY}>", MALLORY, "", CUSTB),  # RFC 2047, decoded text is an address
    ("=?utf-8?b?Y3VzdGJAb3JnYi5leGFtcGxl?= <mallory@attacker.example>", MALLORY, "", CUSTB),
    ("=?utf-8?q?Cust_B_=3Ccustb=40orgb=2Eexample=3E?= <mallory@attacker.example>", MALLORY, "", CUSTB),
    (f"{MALLORY} ({CUSTB})", MALLORY, "", CUSTB),  # a comment claiming an address
    (f"{CUSTB} (via) <{MALLORY}>", MALLORY, "", CUSTB),
    (f"custb\uff20orgb.example <{MALLORY}>", MALLORY, "", CUSTB),  # a full-width at sign
    (f"custb@orgb\u200b.example <{MALLORY}>", MALLORY, "", CUSTB),  # a zero-width space
    (f"{CUSTB} <{MALLORY.upper()}>", MALLORY, "", CUSTB),
    (f"{CUSTB} <@relay.example:{MALLORY}>", MALLORY, "", CUSTB),  # a source route
    (f"{CUSTB} < {MALLORY} >", MALLORY, "", CUSTB),
    # ordinary senders
    ("Carla Customer <carla@customer.test>", "carla@customer.test", "Carla Customer", ""),
    ('"Customer, Carla" <carla@customer.test>', "carla@customer.test", "Customer, Carla", ""),
    ('"carla@customer.test" <carla@customer.test>', "carla@customer.test", "carla@customer.test", ""),
    ('"Carla@Customer.test" <carla+help@customer.test>', "carla+help@customer.test", "Carla@Customer.test", ""),
    ("=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@customer.test>", "juergen@customer.test", "Jürgen Müller", ""),
    ("=?utf-8?q?J=C3=BCrgen?= =?utf-8?q?_M=C3=BCller?= <juergen@customer.test>", "juergen@customer.test",
     "Jürgen Müller", ""),
    ("carla@customer.test (Carla Customer)", "carla@customer.test", "Carla Customer", ""),
    ("carla@customer.test", "carla@customer.test", "", ""),
    ("<carla@customer.test>", "carla@customer.test", "", ""),
    ("Team @ Customer <carla@customer.test>", "carla@customer.test", "Team @ Customer", ""),
    ("Undisclosed: carla@customer.test;", "carla@customer.test", "", ""),  # a group of one
    ('"Carla \\"C\\" Customer" <carla@customer.test>', "carla@customer.test", 'Carla "C" Customer', ""),
    ("Jürgen <jürgen@bücher.example>", "jürgen@bücher.example", "Jürgen", ""),
    ("Customer, Carla <carla@customer.test>", "carla@customer.test", "Customer, Carla", ""),  # unquoted comma
    (f'"{CUSTB}", <{MALLORY}>', MALLORY, "", CUSTB),
    (f"<<{MALLORY}>>", MALLORY, "", ""),
    (f"<{MALLORY}> {CUSTB}", MALLORY, "", CUSTB),  # words after the angle address
    ("x " * 3000 + f"{CUSTB} <{MALLORY}>", MALLORY, "", CUSTB),  # a claim far into a long name
]


@pytest.mark.parametrize(("header", "address", "name", "claim"), FORMS)
def test_the_sender_is_the_angle_address(header: str, address: str, name: str, claim: str) -> None:
    parsed = parse(mail(header))
    assert parsed.from_address == address
    assert parsed.from_name == name
    assert parsed.sender_claim == claim


@pytest.mark.parametrize(
    "header",
    [
        f"{CUSTB}, {MALLORY}",  # several authors: which one DMARC checked is not known
        f"{CUSTB}, <{MALLORY}>",
        f'"Cust" <{CUSTB}> <{MALLORY}>',  # two angle addresses in one mailbox
        f"friends: {CUSTB}, {MALLORY};",
        f"{CUSTB} {MALLORY}",
        "<>",
        "",
        "Carla Customer",
        "<<<@@@>>>",
    ],
)
def test_an_ambiguous_or_missing_sender_is_no_sender(header: str) -> None:
    assert parse(mail(header)).from_address == ""


def test_two_from_headers_are_no_sender() -> None:
    assert parse(mail(CUSTB, extra=f"From: {MALLORY}\n")).from_address == ""


def test_ambiguous_senders_are_quarantined(mailbox: Mailbox) -> None:
    row = ingest(mailbox, mail(f"{CUSTB}, {MALLORY}"))
    assert row.status == InboundStatus.QUARANTINED
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("header", ["Sender", "Reply-To", "Return-Path"])
def test_reply_to_sender_and_return_path_never_identify(mailbox: Mailbox, header: str) -> None:
    raw = mail("Carla <carla@customer.test>", extra=f"{header}: <{MALLORY}>\n")
    assert parse(raw).from_address == "carla@customer.test"
    without_from = raw.replace(b"From: Carla <carla@customer.test>\n", b"")
    assert parse(without_from).from_address == ""
    assert ingest(mailbox, without_from).status == InboundStatus.QUARANTINED


def test_address_lists_keep_the_angle_address() -> None:
    msg = load(mail("carla@customer.test", extra=f"Cc: {CUSTB} <{MALLORY}>, Dan <dan@customer.test>\n"))
    assert [a for _, a in addresses(msg, "Cc")] == [MALLORY, "dan@customer.test"]


def restricted_api_ticket() -> Ticket:
    """A ticket created through the API for custb, on a restricted team: no mail was ever sent on it."""
    team = f.TeamFactory(name="Legal", restricted=True)
    custb = contact_for_identity(actor=SYSTEM, kind="email", value=CUSTB, name="Cust B")
    return ticket_create(actor=SYSTEM, requester=custb, subject="Contract", body="Draft", channel="api",
                         team=team.pk)


def test_a_forged_sender_never_lands_on_the_named_customers_ticket(mailbox: Mailbox) -> None:
    ticket = restricted_api_ticket()
    subject = f"Re: Contract [Ticket #{ticket.pk}]"
    raw = mail(f"{CUSTB} <{MALLORY}>", subject=subject, extra="Cc: spy@attacker.example\n")
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.ticket_id != ticket.pk
    ticket.refresh_from_db()
    assert ticket.message_count == 1 and list(ticket.ccs.all()) == []
    own = ticket_of(row)
    assert own.requester.primary_email == MALLORY
    assert own.requester.name != CUSTB  # the claimed address does not become the contact's name
    assert row.sender == MALLORY and row.sender_claim == CUSTB  # flagged on the stored message


def test_flagged_mail_never_threads_by_the_subject_tag(mailbox: Mailbox) -> None:
    """Even from the requester herself: the tag is the one path anyone can type."""
    carla = contact_for_identity(actor=SYSTEM, kind="email", value="carla@customer.test")
    ticket = ticket_create(actor=SYSTEM, requester=carla, subject="Printer", body="b", channel="api")
    raw = mail(f"{CUSTB} <carla@customer.test>", subject=f"Re: Printer [Ticket #{ticket.pk}]")
    row = ingest(mailbox, raw)
    assert row.ticket_id != ticket.pk and row.sender_claim == CUSTB
    plain = ingest(mailbox, mail("Carla <carla@customer.test>", subject=f"Re: Printer [Ticket #{ticket.pk}]", n=2))
    assert plain.ticket_id == ticket.pk and plain.sender_claim == ""


def test_the_ticket_page_warns_next_to_a_flagged_message(mailbox: Mailbox) -> None:
    row = ingest(mailbox, mail(f"{CUSTB} <{MALLORY}>"))
    ticket = ticket_of(row)
    agent = f.UserFactory(role="admin")
    client = Client()
    client.force_login(agent)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    warning = f"Sent by {MALLORY}, whose name claims {CUSTB}"
    assert warning in html
    assert html.index(f'id="message-{row.message_id}"') < html.index(warning)


def test_ordinary_mail_carries_no_warning(mailbox: Mailbox) -> None:
    row = ingest(mailbox, mail("Carla <carla@customer.test>"))
    assert row.status == InboundStatus.PROCESSED and row.sender_claim == ""
    agent = f.UserFactory(role="admin")
    client = Client()
    client.force_login(agent)
    assert "whose name claims" not in client.get(f"/tickets/{row.ticket_id}/").content.decode()


_HEADER_TEXT = st.text(alphabet=st.sampled_from('ab@.<>"(),:;\\ =?_q\uff20x'), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_HEADER_TEXT)
def test_any_from_header_parses_without_error(value: str) -> None:
    parsed = parse(mail(value.replace("\n", " ")))
    assert parsed.from_address == "" or "@" in parsed.from_address


@pytest.mark.parametrize("piece", ["(", '"', "<", "a@b.c ", "=?utf-8?q?a@b.c?= ", "\\", "a@b.c:", "=?a?q?"])
def test_long_from_headers_parse_in_linear_time(piece: str) -> None:
    value = piece * (60_000 // len(piece))  # just under the longest header read
    parse(mail(value))  # backtracking on this would take minutes (the suite's run time shows it), not a second


def test_a_from_header_too_long_to_read_names_nobody() -> None:
    """Cutting it would leave the display name and lose the angle address after it."""
    parsed = parse(mail("x " * 40_000 + f"{CUSTB} <{MALLORY}>"))
    assert parsed.from_address == "" and parsed.sender_problem == "From header too long"


def stored(raw: bytes) -> InboundEmail:
    from frontdesk.channels.email.inbound import receive_raw

    return receive_raw(mailbox=None, raw=raw, source="cli")


def test_the_flag_is_known_as_soon_as_the_message_is_stored(mailbox: Mailbox) -> None:
    row = stored(mail(f"{CUSTB} <{MALLORY}>"))
    assert InboundEmail.objects.get(pk=row.pk).sender_claim == CUSTB


@pytest.mark.parametrize("piece", ["(", "<", "a@b.c ", "=?utf-8?q?a@b.c?= "])
def test_a_huge_from_header_settles_quickly(mailbox: Mailbox, piece: str) -> None:
    row = ingest(mailbox, mail(piece * 20_000))
    assert row.status in (InboundStatus.PROCESSED, InboundStatus.QUARANTINED), row.reason


_HEADS = [
    b"From: =?utf-8?q?Ana_P=C3=A9rez?=\n <ana@customer.test>\nSubject: hi\n",
    b"Subject: hi\nFrom: Doe, John <john@customer.test>\nFrom: other@customer.test\n",
    b"Content-Type: text/plain; charset=iso-8859-1\nFrom: Jos\xe9 Mu\xf1oz <jose@customer.test>\n",
    b"From: \"support@acme.test\" <evil@attacker.test>\nTo: support@acme.test\n",
    b"Subject: hi\nnot a header line\nFrom: hidden@customer.test\n",  # the parser ends the block early
    b"From someone@customer.test Mon Jan  1 00:00:00 2026\nFrom: ana@customer.test\n",  # an mbox line
    b"X-Weird:\tvalue\n\tfolded\nFROM:ana@customer.test\n",
    b"",
]


@pytest.mark.parametrize("raw", _HEADS + [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))])
def test_the_stored_sender_facts_read_only_the_fields_they_need_and_agree_with_the_whole_header(raw: bytes) -> None:
    from frontdesk.channels.email.pipeline.parse import load, sender
    from frontdesk.channels.email.pipeline.sender import address_key
    from frontdesk.channels.email.pipeline.store import _head, sender_facts

    whole = sender(load(_head(raw) + b"\n\n"))
    assert sender_facts(raw + b"\nbody\n") == (address_key(whole.address)[:254], whole.claim[:254])
