"""Malformed and hostile mail: each yields a ticket or a quarantined item, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, message_of, ticket_of

pytestmark = pytest.mark.django_db


HEAD = "From: Hostile <hostile@customer.test>\nTo: support@frontdesk.test\nSubject: Hostile\n"


def settled(row: InboundEmail) -> InboundEmail:
    assert row.status in (InboundStatus.PROCESSED, InboundStatus.QUARANTINED, InboundStatus.IGNORED)
    if row.status == InboundStatus.PROCESSED:
        assert ticket_of(row).message_count >= 1
    else:
        assert row.reason
    assert row.raw.name and row.raw.storage.exists(row.raw.name)  # the raw message is never lost
    return row


CASES = {
    "broken multipart": HEAD
    + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n--b',
    "missing boundary": HEAD + "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nhello\n--x--\n",
    "unknown charset": HEAD + "Content-Type: text/plain; charset=x-klingon\n\nQapla\xe2 body\n",
    "bad base64": HEAD + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not*base64===\n",
    "bad quoted-printable": HEAD + "Content-Transfer-Encoding: quoted-printable\n\n=ZZ=4 broken =\n",
    "nul bytes": HEAD.replace("Hostile\n", "Hos\x00tile\n") + "\nbody with \x00 NUL\x00\n",
    "encoded-word garbage": HEAD.replace("Subject: Hostile", "Subject: =?utf-8?B?////?= =?x?q?a?=") + "\nhi\n",
    "enormous header": HEAD + "X-Big: " + "a" * 2_000_000 + "\n\nbody\n",
    "many headers": HEAD + "".join(f"X-H{i}: v\n" for i in range(20_000)) + "\nbody\n",
    "no headers": "just some text without any header\n",
    "empty": "",
    "bad from": "From: <<<@@@>>>\nSubject: x\n\nbody\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_mail_settles(mailbox: Mailbox, name: str) -> None:
    raw = CASES[name].encode("utf-8", "surrogateescape")
    settled(ingest(mailbox, raw))


def test_text_survives_nuls_and_bad_charsets(mailbox: Mailbox) -> None:
    row = settled(ingest(mailbox, CASES["nul bytes"].encode()))
    message = message_of(row)
    assert message.body == "body with  NUL"
    assert "\x00" not in ticket_of(row).subject
    row = settled(ingest(mailbox, CASES["unknown charset"].encode("latin-1")))
    assert "Qapla" in message_of(row).body


def test_ten_thousand_parts_are_fast_and_bounded(mailbox: Mailbox) -> None:
    parts = "".join(
        f'--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="f{i}.pdf"\n\n%PDF-1.4 {i}\n'
        for i in range(10_000)
    )
    raw = HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nSee files.\n'
    row = settled(ingest(mailbox, (raw + parts + "--b--\n").encode()))  # linear work: seconds, not minutes
    assert row.status == InboundStatus.PROCESSED
    message = message_of(row)
    assert message.attachments.count() == 100
    assert "further parts not shown" in message.body


def test_scripts_and_event_handlers_are_removed(mailbox: Mailbox) -> None:
    html = (
        '<p onmouseover="steal()">Hi</p><script>document.cookie</script><a href="javascript:alert(1)">x</a>'
        '<img src="https://tracker.test/p.gif" onerror="x()"><iframe src="https://evil.test"></iframe>'
    )
    raw = HEAD + "Content-Type: text/html; charset=utf-8\n\n" + html + "\n"
    row = settled(ingest(mailbox, raw.encode()))
    message = message_of(row)
    for bad in ("<script", "onmouseover", "onerror", "javascript:", "<iframe"):
        assert bad not in message.body_html
    assert message.body == "Hi\nx"  # the text version is derived from the HTML, without the script


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_random_bytes_settle(mailbox: Mailbox, raw: bytes) -> None:
    settled(ingest(mailbox, raw))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_fixtures_settle(mailbox: Mailbox, data: st.DataObject) -> None:
    raw = bytearray(eml(data.draw(st.sampled_from(["new_ticket.eml", "inline_image.eml", "outlook_reply.eml"]))))
    for _ in range(data.draw(st.integers(1, 20))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            raw[pos] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[pos : pos + data.draw(st.integers(1, 50))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=30))
        if not raw:
            break
    settled(ingest(mailbox, bytes(raw)))
