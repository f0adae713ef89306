"""Headers written as raw 8-bit bytes (no RFC 2047 encoding) keep their characters: UTF-8 if the
bytes are UTF-8, else the message's declared charset, else Windows-1252; garbage never crashes."""

from __future__ import annotations

import pytest

from frontdesk.channels.email.models import InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.parse import parse
from frontdesk.channels.email.tests.test_pipeline_common import FIXTURES, ingest, message_of, ticket_of
from frontdesk.customers.models import Contact


def mail(subject: bytes, sender: bytes, charset: str = "iso-8859-1", body: bytes = b"Hallo.") -> bytes:
    return (
        b"From: " + sender + b"\nTo: support@frontdesk.test\nSubject: " + subject + b"\n"
        b"MIME-Version: 1.0\nContent-Type: text/plain; charset=" + charset.encode() + b"\n"
        b"Content-Transfer-Encoding: 8bit\n\n" + body + b"\n"
    )


def test_latin_1_headers_keep_their_characters_on_the_ticket_and_the_contact(mailbox: Mailbox) -> None:
    raw = (FIXTURES / "latin1_headers.eml").read_bytes()
    assert b"Gr\xfc\xdfe aus K\xf6ln" in raw and b"M\xfcller" in raw  # raw bytes, not RFC 2047
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.PROCESSED, row.reason
    ticket = ticket_of(row)
    assert ticket.subject == "Grüße aus Köln"
    assert ticket.requester.name == "Hans Müller"
    assert Contact.objects.get(identities__value="hans.mueller@kunde.test").name == "Hans Müller"
    assert message_of(row).body.startswith("Viele Grüße aus Köln, der Drucker im Büro")


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1"])  # clients label cp1252 as Latin-1
def test_windows_1252_smart_quotes(charset: str) -> None:
    parsed = parse(mail(b"\x93Drucker\x94 geht nicht \x96 dringend", b"\x84Zo\xeb\x93 <zoe@kunde.test>", charset))
    assert parsed.subject == "\u201cDrucker\u201d geht nicht \u2013 dringend"
    assert (parsed.from_name, parsed.from_address) == ("\u201eZo\u00eb\u201c", "zoe@kunde.test")


def test_raw_utf_8_headers_win_over_the_declared_charset() -> None:
    parsed = parse(mail("Grüße aus Köln".encode(), "Jürgen Groß <j@kunde.test>".encode(), "iso-8859-1"))
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.from_name == "Jürgen Groß"


def test_the_declared_charset_of_the_first_text_part_decodes_the_headers() -> None:
    raw = (
        b"From: \xe9\xd7\xc1\xce <ivan@kunde.test>\nTo: support@frontdesk.test\nSubject: \xf0\xd2\xc9\xd7\xc5\xd4\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n--b--\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "Привет"
    assert parsed.from_name == "Иван"
    assert parsed.text == "Привет"


def test_the_same_raw_header_is_decoded_per_message_not_from_the_header_cache() -> None:
    subject = b"Caf\xe9 \xe4"
    assert parse(mail(subject, b"a@kunde.test", "iso-8859-1")).subject == "Café ä"
    assert parse(mail(subject, b"a@kunde.test", "koi8-r")).subject == "CafИ Д"
    assert parse(mail(subject, b"a@kunde.test", "iso-8859-1")).subject == "Café ä"


def test_encoded_words_and_raw_bytes_in_one_header() -> None:
    parsed = parse(mail(b"=?utf-8?q?Gr=C3=BC=C3=9Fe?= aus K\xf6ln", b"M\xfcller <m@kunde.test>"))
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.from_name == "Müller"


def test_undecodable_header_bytes_never_crash(mailbox: Mailbox) -> None:
    raw = mail(
        b"Hilfe \x81\x8d\x8f\x90\x9d Ende", b"\x81\x9d\xc3 <garbage@kunde.test>", "x-no-such-charset", b"\xff\xfe"
    )
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.PROCESSED, row.reason
    ticket = ticket_of(row)
    assert ticket.subject.startswith("Hilfe ") and ticket.subject.endswith(" Ende")
    assert "\ufffd" in ticket.subject  # replaced, not dropped silently nor crashed on
    assert not any("\udc80" <= c <= "\udcff" for c in ticket.subject + ticket.requester.name)
    assert ticket.requester.primary_email == "garbage@kunde.test"


def test_an_internationalised_address_is_a_customer_not_a_quarantined_message(mailbox: Mailbox) -> None:
    raw = mail(b"Frage", "Jürgen Groß <JÜRGEN@bücher.example>".encode(), charset="utf-8")
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert ticket_of(row).requester.identities.get().value == "jürgen@bücher.example"
    again = ingest(mailbox, raw.replace(b"Frage", b"Noch eine Frage"))  # the same person next time
    assert ticket_of(again).requester_id == ticket_of(row).requester_id
