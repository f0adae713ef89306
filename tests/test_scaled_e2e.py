"""The scaled shape end to end, as operators run it and users use it: PostgreSQL, a private Redis,
two `frontdesk web` processes, one `frontdesk worker`, `frontdesk mail listen` (LMTP), Dovecot
for IMAP and an SMTP sink, every one a real process on a loopback port of its own.

Mail arrives by LMTP and by IMAP polling and becomes tickets; an admin assigns one on the first
web node and the agent answers the other on the second; the reply reaches the SMTP sink with its
threading headers, the assignment notification reaches the agent, the outbox drains, every
periodic job runs, and `frontdesk check` in the worker's environment says so. Then the worker is
killed with SIGKILL in the middle of 500 replies and started again: every reply is delivered.

The scaled shape is PostgreSQL's: these tests run in the suite's PostgreSQL pass."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from frontdesk.testing.dovecot import Dovecot, dovecot_server
from frontdesk.testing.private_servers import missing_binaries, wait_for
from frontdesk.testing.scaled import (
    AGENT,
    ScaledSite,
    customer_mail,
    deliver_by_lmtp,
    kill_worker_during_replies,
    set_up_support,
)
from frontdesk.testing.smtp_sink import SmtpSink

PG = os.environ.get("FRONTDESK_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="the scaled shape runs on PostgreSQL: the suite's PostgreSQL pass")
SUPPORT = "support@acme.test"
REPLIES = 500


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


@pytest.fixture(scope="module")
def site(sink: SmtpSink, dovecot: Dovecot) -> Iterator[ScaledSite]:
    reason = missing_binaries()
    if reason:
        pytest.fail(reason)
    # a killed worker's claimed sends come back after this lease (five minutes in production)
    scaled = ScaledSite(str(PG), extra_env={"FRONTDESK_EMAIL_SEND_LEASE_SECONDS": "15"})
    try:
        yield scaled
    finally:
        scaled.close()


def test_mail_in_replies_and_notifications_out_across_two_web_nodes_and_a_worker(
    site: ScaledSite, sink: SmtpSink, dovecot: Dovecot
) -> None:
    admin = site.admin_token
    support = set_up_support(site, sink, imap=dovecot, address=SUPPORT)
    agent_id = support["agent_id"]
    agent_token = support["agent_token"]

    dovecot.append(customer_mail("carol@customer.test", "imap-1@customer.test", "Invoice is wrong"))
    deliver_by_lmtp(site, customer_mail("dave@customer.test", "lmtp-1@customer.test", "Cannot sign in"),
                    "dave@customer.test", SUPPORT)
    site.worker.start()  # its catch-up runs every periodic job at once, the IMAP poll among them

    def ticket_id(subject: str) -> int | None:
        rows = site.sql("SELECT id FROM tickets_ticket WHERE subject = %s", [subject])
        return int(rows[0][0]) if rows else None

    wait_for(lambda: site.worker.alive() and ticket_id("Invoice is wrong") is not None, timeout=60,
             what="the IMAP mail polled into a ticket", interval=0.3)
    wait_for(lambda: ticket_id("Cannot sign in") is not None, timeout=60,
             what="the LMTP mail processed into a ticket", interval=0.2)
    lmtp_ticket = ticket_id("Cannot sign in")
    imap_ticket = ticket_id("Invoice is wrong")
    assert lmtp_ticket is not None and imap_ticket is not None

    # node 1: the admin assigns the LMTP ticket to Ana; node 2: Ana answers the IMAP ticket
    assigned = site.api(0, "PATCH", f"/tickets/{lmtp_ticket}", admin, json={"assignee_id": agent_id})
    assert assigned.status_code == 200, assigned.text
    reply = site.api(1, "POST", f"/tickets/{imap_ticket}/messages", agent_token,
                     json={"body": "We have corrected the invoice."})
    assert reply.status_code == 201, reply.text

    wait_for(lambda: site.worker.alive() and sink.to("carol@customer.test") and sink.to(AGENT[0]),
             timeout=30, what="the reply and the notification reaching the SMTP sink", interval=0.2)
    answer = sink.to("carol@customer.test")[0]
    assert answer["In-Reply-To"] == "<imap-1@customer.test>"
    assert "<imap-1@customer.test>" in answer["References"]
    assert "We have corrected the invoice." in answer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    notification = sink.to(AGENT[0])[0]
    assert f"#{lmtp_ticket}" in str(notification["Subject"])
    assert notification["Auto-Submitted"] == "auto-generated"

    wait_for(lambda: site.pending_events() == 0, timeout=30, what="the outbox draining", interval=0.2)
    check = site.manage("check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "not run yet" not in check.stdout, check.stdout
    assert check.stdout.count("(last started") == check.stdout.count("  periodic  ") >= 5, "every periodic job ran"
    assert f"{SUPPORT}: polled" in check.stdout and "ok" in check.stdout.split(f"{SUPPORT}: polled")[1]
    assert "Outbox: no event waiting" in check.stdout
    log = site.worker.log()
    assert "not found in TaskRegistry" not in log and "Error reading from queue" not in log


def test_a_worker_killed_in_the_middle_of_500_replies_loses_none(site: ScaledSite, sink: SmtpSink) -> None:
    """Run after the journey above (same site): Ana answers Carol's ticket 500 times from both web
    nodes while the worker sends; it is killed with SIGKILL part-way and started again."""
    ticket = int(site.sql("SELECT id FROM tickets_ticket WHERE subject = 'Invoice is wrong'")[0][0])
    figures = kill_worker_during_replies(site, sink, ticket=ticket, token=site.token(AGENT[0]),
                                         to="carol@customer.test", replies=REPLIES)
    assert figures["replies_accepted_201"] == REPLIES
    assert figures["delivered_distinct"] == REPLIES

    # A send the server had accepted when the kill came, but not yet marked sent, stays claimed until
    # its lease runs out, then goes again with the same Message-ID (mail clients show it once): wait
    # for that, not for a time, then every reply row is sent, and at most one per worker thread twice.
    def statuses() -> dict[str, int]:
        rows = site.sql("SELECT status, count(*) FROM channel_email_outboundemail WHERE kind = 'reply' GROUP BY status")
        return {str(k): int(v) for k, v in rows}

    wait_for(lambda: statuses() == {"sent": REPLIES + 1}, timeout=figures["send_lease_seconds"] + 120,
             what="every reply row marked sent, a lost mark re-sent after its lease", interval=0.5)
    ids = sink.message_ids("carol@customer.test")
    assert len(ids) - len(set(ids)) <= 4, figures
    print(f"\nworker SIGKILL during {REPLIES} replies: {figures}")


def test_two_workers_send_each_reply_once_and_two_pollers_take_each_mail_once(
    site: ScaledSite, sink: SmtpSink, dovecot: Dovecot
) -> None:
    """Run after the journeys above: a second worker races the first for every send (each takes the
    nudges it dequeues, both run the minutely re-send), and two `mail poll` processes poll the same
    IMAP folder at the same moment."""
    from frontdesk.testing.scaled import Service

    token = site.token(AGENT[0])
    ticket = int(site.sql("SELECT id FROM tickets_ticket WHERE subject = 'Invoice is wrong'")[0][0])
    before = len(sink.to("carol@customer.test"))
    if not site.worker.alive():
        site.worker.start()
    second = Service("worker2", ["worker", "--threads", "4"], site.env, site.folder)
    second.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = Counter(pool.map(
                lambda n: site.api(n % 2, "POST", f"/tickets/{ticket}/messages", token,
                                   json={"body": f"Race {n}"}).status_code, range(200)))
        assert codes == {201: 200}
        carol = "carol@customer.test"
        wait_for(lambda: second.alive() and len(set(sink.message_ids(carol)[before:])) >= 200, timeout=60,
                 what="200 replies delivered by two workers", interval=0.3)
        ids = sink.message_ids("carol@customer.test")[before:]
        assert len(ids) == len(set(ids)) == 200, "a reply was sent by both workers"
    finally:
        second.stop()

    mails = [customer_mail(f"racer{n}@customer.test", f"race-{n}@customer.test", f"Race mail {n}") for n in range(30)]
    dovecot.append_many(mails)
    with ThreadPoolExecutor(max_workers=2) as pool:
        polls = list(pool.map(lambda _: site.manage("mail", "poll", check=False), range(2)))
    assert all(p.returncode == 0 for p in polls), [p.stderr for p in polls]
    rows = site.sql("SELECT count(*), count(DISTINCT subject) FROM tickets_ticket WHERE subject LIKE 'Race mail %%'")
    assert rows[0] == (30, 30), f"{rows[0][0]} tickets for 30 mails polled by two processes at once"
