"""Settings → Mailboxes and Settings → Email quarantine: administrators only, every change through the
email services, passwords write-only, quarantined mail reprocessed from the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from frontdesk.accounts.models import Team
from frontdesk.brands.services import default_brand
from frontdesk.channels.email.models import ImapCursor, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, make_mailbox
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

IMAP_SECRET = "imap-pass-Very-Secret-1"
SMTP_SECRET = "smtp-pass-Very-Secret-2"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def form(mailbox: Mailbox | None = None, **changes: Any) -> dict[str, Any]:
    """What the page's form posts: every input (checkboxes only when ticked), passwords empty."""
    m = mailbox or Mailbox(brand=default_brand())
    data: dict[str, Any] = {
        "name": m.name, "address": m.address, "brand_id": m.brand_id, "team_id": m.team_id or "",
        "imap_host": m.imap_host, "imap_port": m.imap_port, "imap_user": m.imap_user, "imap_password": "",
        "imap_folder": m.imap_folder, "imap_move_to": m.imap_move_to, "smtp_host": m.smtp_host,
        "smtp_port": m.smtp_port, "smtp_user": m.smtp_user, "smtp_password": "",
        "max_message_bytes": m.max_message_bytes,
    }
    for box in ("active", "imap_ssl", "smtp_starttls", "smtp_ssl", "auto_acknowledge"):
        if getattr(m, box):
            data[box] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- who may open the pages ----------------------------------------------------------------

@pytest.fixture
def quarantined(mailbox: Mailbox) -> InboundEmail:
    """A real message refused by the pipeline: larger than the mailbox accepts."""
    Mailbox.objects.filter(pk=mailbox.pk).update(max_message_bytes=100)
    mailbox.refresh_from_db()
    row = ingest(mailbox, eml("new_ticket.eml"))
    assert row.status == InboundStatus.QUARANTINED
    return row


def urls(mailbox: Mailbox) -> list[str]:
    return ["/settings/mailboxes/", "/settings/mailboxes/new/", f"/settings/mailboxes/{mailbox.pk}/",
            "/settings/quarantine/"]


def test_only_admins_open_the_pages(mailbox, quarantined, admin_user, supervisor, agent, customer_user) -> None:  # type: ignore[no-untyped-def]
    for url in urls(mailbox):
        assert client_for(admin_user).get(url).status_code == 200, url
        for refused in (supervisor, agent, customer_user):
            assert client_for(refused).get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url


def test_others_cannot_post_rotate_or_reprocess(mailbox, quarantined, supervisor, agent) -> None:  # type: ignore[no-untyped-def]
    secret = mailbox.inbound_secret
    for user in (supervisor, agent):
        client = client_for(user)
        assert client.post("/settings/mailboxes/new/", form(name="X", address="x@example.com")).status_code == 403
        assert client.post(f"/settings/mailboxes/{mailbox.pk}/", form(mailbox, name="Hijack")).status_code == 403
        assert client.post(f"/settings/mailboxes/{mailbox.pk}/rotate-secret/").status_code == 403
        assert client.post(f"/settings/quarantine/{quarantined.pk}/reprocess/").status_code == 403
    mailbox.refresh_from_db()
    quarantined.refresh_from_db()
    assert (mailbox.name, mailbox.inbound_secret) == ("Support", secret)
    assert Mailbox.objects.count() == 1 and quarantined.attempts == 1


def test_settings_navigation_lists_both_pages(admin_user) -> None:  # type: ignore[no-untyped-def]
    html = page(client_for(admin_user), "/settings/")
    assert 'href="/settings/mailboxes/"' in html and 'href="/settings/quarantine/"' in html


# --- mailboxes --------------------------------------------------------------------------------

def test_admin_creates_a_mailbox_and_it_is_listed(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    team = Team.objects.create(name="Billing")
    response = client.post("/settings/mailboxes/new/", form(
        name="Billing", address="Billing@Example.com", team_id=team.pk, imap_host="imap.example.com",
        imap_user="billing", imap_password=IMAP_SECRET, smtp_host="smtp.example.com", smtp_port="465",
        smtp_password=SMTP_SECRET, smtp_starttls=None, smtp_ssl="on", auto_acknowledge=None,
    ))
    created = Mailbox.objects.get(address="billing@example.com")
    assert response.status_code == 302 and response["Location"] == f"/settings/mailboxes/{created.pk}/"
    assert (created.team_id, created.imap_host, created.smtp_port, created.smtp_ssl, created.smtp_starttls,
            created.auto_acknowledge) == (team.pk, "imap.example.com", 465, True, False, False)
    assert (created.imap_password, created.smtp_password) == (IMAP_SECRET, SMTP_SECRET)
    client.post("/settings/mailboxes/new/", form(name="Web", address="web@example.com"))
    listed = page(client, "/settings/mailboxes/")
    assert "billing@example.com" in listed and "imap.example.com" in listed and "Billing" in listed
    assert "webhook/MTA only" in listed  # the second one has no IMAP server
    assert "not polled yet" in listed
    ImapCursor.objects.create(mailbox=created, uidvalidity=77, last_uid=1234)
    assert "last UID 1234 (UIDVALIDITY 77)" in page(client, "/settings/mailboxes/")


def test_passwords_are_never_shown_kept_when_blank_changed_or_removed(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password=IMAP_SECRET, smtp_password=SMTP_SECRET)
    mailbox.refresh_from_db()
    client = client_for(admin_user)
    url = f"/settings/mailboxes/{mailbox.pk}/"
    html = page(client, url)
    assert IMAP_SECRET not in html and SMTP_SECRET not in html
    assert "Leave empty to keep the current password" in html
    # blank: kept
    assert client.post(url, form(mailbox, name="Support desk")).status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.imap_password, mailbox.smtp_password) == ("Support desk", IMAP_SECRET, SMTP_SECRET)
    # typed: changed
    client.post(url, form(mailbox, imap_password="a-new-imap-pass"))
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.smtp_password) == ("a-new-imap-pass", SMTP_SECRET)
    # refused form: what was typed comes back, never the password
    bad = client.post(url, form(mailbox, address="not an address", smtp_password="typed-but-refused"))
    assert bad.status_code == 422 and "typed-but-refused" not in bad.content.decode()
    assert "a-new-imap-pass" not in bad.content.decode() and 'value="not an address"' in bad.content.decode()
    # the explicit checkbox removes one
    client.post(url, form(mailbox, smtp_password_clear="on"))
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.smtp_password) == ("a-new-imap-pass", "")
    assert "No password is stored" in page(client, url)


def test_validation_errors_are_shown_next_to_their_fields(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    url = f"/settings/mailboxes/{mailbox.pk}/"
    cases = [
        ({"address": "nope"}, 422, "f-address-error", "not a valid email address"),
        ({"smtp_ssl": "on", "smtp_starttls": "on"}, 422, "f-smtp-ssl-error", "not both"),
        ({"imap_port": "99999"}, 422, "f-imap-port-error", "a port from 1 to 65535"),
        ({"imap_port": "abc"}, 422, "f-imap-port-error", "a whole number"),
        ({"brand_id": str(2**64)}, 422, "f-brand-id-error", "out of range"),
        ({"team_id": "999999"}, 422, "f-team-id-error", "no such team"),
        ({"max_message_bytes": "10"}, 422, "f-max-message-bytes-error", "from 1 KiB"),
        ({"name": ""}, 422, "f-name-error", "required"),
    ]
    for changes, status, error_id, text in cases:
        response = client.post(url, form(mailbox, **changes))
        html = response.content.decode()
        assert response.status_code == status, changes
        assert f'id="{error_id}"' in html and text in html, changes
    other = make_mailbox("sales@frontdesk.test")
    clash = client.post(f"/settings/mailboxes/{other.pk}/", form(other, address=mailbox.address))
    assert clash.status_code == 409 and 'id="f-address-error"' in clash.content.decode()
    missing = client.post("/settings/mailboxes/new/", form(name="", address=""))
    assert missing.status_code == 422 and 'id="f-address-error"' in missing.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.address == "support@frontdesk.test" and mailbox.imap_port == 993
    assert Mailbox.objects.count() == 2


def test_the_edit_page_shows_the_webhook_and_rotates_its_secret(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    url = f"/settings/mailboxes/{mailbox.pk}/"
    html = page(client, url)
    assert f"http://testserver/api/v1/mail/inbound/{mailbox.pk}" in html and mailbox.inbound_secret in html
    old = mailbox.inbound_secret
    assert client.get(f"{url}rotate-secret/").status_code == 405
    response = client.post(f"{url}rotate-secret/", follow=True)
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret != old and len(mailbox.inbound_secret) >= 32
    html = response.content.decode()
    assert mailbox.inbound_secret in html and old not in html and "the old one no longer works" in html


@pytest.mark.parametrize("mailbox_id", [999999, 2**63, 2**70])
def test_unknown_mailboxes_are_404(admin_user, mailbox, mailbox_id) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    assert client.get(f"/settings/mailboxes/{mailbox_id}/").status_code == 404
    assert client.post(f"/settings/mailboxes/{mailbox_id}/", form(mailbox)).status_code == 404
    assert client.post(f"/settings/mailboxes/{mailbox_id}/rotate-secret/").status_code == 404


def test_mailbox_list_query_count_is_pinned(admin_user, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    for i in range(3):
        ImapCursor.objects.create(mailbox=make_mailbox(f"m{i}@frontdesk.test"), last_uid=i)
    page(client, "/settings/mailboxes/")
    with django_assert_max_num_queries(8) as few:
        page(client, "/settings/mailboxes/")
    for i in range(3, 15):
        make_mailbox(f"m{i}@frontdesk.test")
    with django_assert_max_num_queries(8) as many:
        page(client, "/settings/mailboxes/")
    assert len(few.captured_queries) == len(many.captured_queries)


# --- the quarantine -------------------------------------------------------------------------

def test_quarantine_lists_the_message_with_its_reason_and_original(admin_user, quarantined) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    html = page(client, "/settings/quarantine/")
    assert "carla@customer.test" in html and "too large" in html and ">Support</a>" in html
    raw_url = f"/api/v1/mail/inbound/{quarantined.pk}/raw"
    assert f'href="{raw_url}"' in html
    download: Any = client.get(raw_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == eml("new_ticket.eml")


def test_reprocess_after_a_fix_makes_the_ticket(admin_user, mailbox, quarantined) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    reprocess = f"/settings/quarantine/{quarantined.pk}/reprocess/"
    assert client.get(reprocess).status_code == 405
    # not fixed yet: still quarantined, with the (new) reason
    still = client.post(reprocess, follow=True).content.decode()
    assert f"Message {quarantined.pk} is still quarantined: too large" in still
    assert not Ticket.objects.exists()
    # the fix, through the mailbox page: a larger limit
    fixed = client.post(f"/settings/mailboxes/{mailbox.pk}/", form(mailbox, max_message_bytes="1000000"))
    assert fixed.status_code == 302
    done = client.post(reprocess, follow=True).content.decode()
    ticket = Ticket.objects.get()
    assert f'ticket <a href="/tickets/{ticket.pk}/">#{ticket.pk}</a>' in done
    assert ticket.subject == "Printer won\u2019t print"
    quarantined.refresh_from_db()
    assert (quarantined.status, quarantined.attempts, quarantined.ticket_id) == ("processed", 3, ticket.pk)
    assert "Nothing is quarantined." in page(client, "/settings/quarantine/")


def test_reasons_and_senders_are_escaped(admin_user, quarantined) -> None:  # type: ignore[no-untyped-def]
    InboundEmail.objects.filter(pk=quarantined.pk).update(reason="<img src=x onerror=alert(1)>",
                                                          sender="<b>x</b>@customer.test")
    client = client_for(admin_user)
    html = page(client, "/settings/quarantine/")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>x</b>" not in html
    flashed = client.post(f"/settings/quarantine/{quarantined.pk}/reprocess/", follow=True).content.decode()
    assert "<img src=x" not in flashed


@pytest.mark.parametrize("inbound_id", [999999, 2**63])
def test_reprocessing_an_unknown_message_is_404(admin_user, quarantined, inbound_id) -> None:  # type: ignore[no-untyped-def]
    assert client_for(admin_user).post(f"/settings/quarantine/{inbound_id}/reprocess/").status_code == 404


def test_quarantine_is_paged(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    Mailbox.objects.filter(pk=mailbox.pk).update(max_message_bytes=100)
    mailbox.refresh_from_db()
    for i in range(53):
        ingest(mailbox, eml("new_ticket.eml").replace(b"first-1@customer.test", f"q{i}@customer.test".encode()))
    assert InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count() == 53
    client = client_for(admin_user)
    first = page(client, "/settings/quarantine/")
    assert first.count("/reprocess/") == 50 and "Next page" in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    second = page(client, f"/settings/quarantine/?cursor={cursor}")
    assert second.count("/reprocess/") == 3 and "Next page" not in second


def test_an_ignored_message_is_listed_and_can_be_processed_anyway(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    # a customer writing through a mailing list: Precedence: list makes it look like list mail
    raw = eml("new_ticket.eml").replace(b"Subject:", b"Precedence: list\nSubject:", 1)
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.IGNORED and row.reason == "precedence: list"
    client = client_for(admin_user)
    assert "precedence: list" not in page(client, "/settings/quarantine/")  # not among the quarantined
    html = page(client, "/settings/quarantine/?status=ignored")
    assert "precedence: list" in html and "Process anyway" in html and "carla@customer.test" in html
    done = client.post(f"/settings/quarantine/{row.pk}/reprocess/", {"accept": "1"})
    assert done.status_code == 302 and done["Location"].endswith("?status=ignored")
    ticket = Ticket.objects.get()
    row.refresh_from_db()
    assert (row.status, row.ticket_id) == (InboundStatus.PROCESSED, ticket.pk)
    # processing it again is refused: the same message is never a second ticket
    assert client.post(f"/settings/quarantine/{row.pk}/reprocess/", {"accept": "1"}).status_code == 302
    assert Ticket.objects.count() == 1


def test_a_duplicate_stays_ignored_even_when_processed_anyway(admin_user, mailbox) -> None:  # type: ignore[no-untyped-def]
    ingest(mailbox, eml("new_ticket.eml"))
    duplicate = ingest(mailbox, eml("new_ticket.eml"))
    assert duplicate.status == InboundStatus.IGNORED
    client_for(admin_user).post(f"/settings/quarantine/{duplicate.pk}/reprocess/", {"accept": "1"})
    duplicate.refresh_from_db()
    assert duplicate.status == InboundStatus.IGNORED and duplicate.reason.startswith("duplicate")
    assert Ticket.objects.count() == 1
