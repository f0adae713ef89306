"""Hostile HTML mail: parsed and sanitised in linear time before the pipeline's transaction, so one
message cannot hold the write lock that every other write waits for (DESIGN.md §4, rule 7)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection

from frontdesk.channels.email.models import InboundStatus, Mailbox
from frontdesk.channels.email.pipeline import receive
from frontdesk.channels.email.tests.test_pipeline_common import ingest, make_mailbox, message_of, ticket_of
from frontdesk.core import html as core_html
from frontdesk.core.html import MAX_DEPTH
from frontdesk.core.tests.test_linear import depth


def html_mail(body: str, subject: str = "Hostile", message_id: str = "hostile-html@customer.test") -> bytes:
    return (
        f"From: Hostile <hostile@customer.test>\nTo: support@frontdesk.test\nSubject: {subject}\n"
        f"Message-ID: <{message_id}>\nContent-Type: text/html; charset=utf-8\n\n{body}\n"
    ).encode()


@pytest.mark.django_db
def test_a_mail_of_300000_less_than_signs_becomes_a_ticket_with_its_text() -> None:
    # 42 s before (the text converter was quadratic), while another user's write waited 39 s
    row = ingest(make_mailbox(), html_mail("<" * 300_000))
    assert row.status == InboundStatus.PROCESSED, row.reason
    message = message_of(row)
    assert message.body == "<" * 300_000
    assert message.body_html.rstrip() == "&lt;" * 300_000
    assert ticket_of(row).subject == "Hostile"


@pytest.mark.django_db
def test_a_deeply_nested_mail_is_stored_flattened() -> None:
    row = ingest(make_mailbox(), html_mail("<div>" * 100_000 + "the words" + "</div>" * 100_000))
    assert row.status == InboundStatus.PROCESSED, row.reason
    message = message_of(row)
    assert message.body == "the words"
    assert depth(message.body_html) <= MAX_DEPTH and "the words" in message.body_html


@pytest.mark.django_db
def test_a_relative_image_in_mail_sends_no_request_to_our_origin() -> None:
    row = ingest(make_mailbox(), html_mail('<p>Look<img src="/xss-canary-24" alt="canary"></p>'))
    html = message_of(row).body_html
    assert "src=" not in html and 'alt="canary"' in html


@pytest.mark.django_db(transaction=True)
def test_parsing_and_sanitising_happen_before_the_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox: Mailbox = make_mailbox()
    seen: list[tuple[str, bool]] = []
    parse, clean = receive.parse, core_html.nh3.clean

    def watched_parse(*args: Any, **kwargs: Any) -> Any:
        seen.append(("parse", connection.in_atomic_block))
        return parse(*args, **kwargs)

    def watched_clean(*args: Any, **kwargs: Any) -> str:
        seen.append(("sanitise", connection.in_atomic_block))
        return clean(*args, **kwargs)

    monkeypatch.setattr(receive, "parse", watched_parse)
    monkeypatch.setattr(core_html.nh3, "clean", watched_clean)
    row = ingest(mailbox, html_mail("<p>New words</p><blockquote>On Monday Support wrote: old</blockquote>"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert ("parse", False) in seen and ("sanitise", False) in seen
    assert all(not in_transaction for _, in_transaction in seen), seen
    assert message_of(row).body_html == "<p>New words</p>"


def test_reading_a_huge_header_grows_linearly() -> None:
    from frontdesk.channels.email.pipeline.parse import header, load
    from frontdesk.core.tests.test_linear import BOUND, growth

    calls = itertools.count()

    def read(value: str) -> str:  # (each value different: parse.py remembers the short headers it parsed)
        return header(load(f"Content-Type: text/plain; x{next(calls)}=1; {value}\n\nhi\n".encode()), "Content-Type")

    assert growth(read, "a=b; ") < BOUND
