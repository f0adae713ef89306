from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.brands.services import default_brand
from frontdesk.channels.email.models import Mailbox
from frontdesk.core.events.models import OutboxEvent

RAW = (
    b"From: Dana <dana@customer.test>\r\nTo: help@example.com\r\nSubject: Printer\r\n"
    b"Message-ID: <m1@customer.test>\r\n\r\nIt jams.\r\n"
)


@pytest.fixture
def payload(db):  # type: ignore[no-untyped-def]
    return {
        "name": "Help", "address": "Help@Example.com", "brand_id": default_brand().pk,
        "imap_host": "imap.example.com", "imap_user": "help", "imap_password": "s3cret-imap",
        "smtp_host": "smtp.example.com", "smtp_password": "s3cret-smtp",
    }


def test_an_admin_creates_a_mailbox_and_passwords_never_come_back(admin_user, api_for, payload) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    response = api.post("/api/v1/mailboxes", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["address"] == "help@example.com"
    assert body["imap_password_set"] is True and body["smtp_password_set"] is True
    assert "s3cret" not in response.content.decode(), "passwords are write-only"
    assert Mailbox.objects.get(pk=body["id"]).imap_password == "s3cret-imap"
    event = OutboxEvent.objects.get(name="mailbox.saved")
    assert "s3cret" not in str(event.payload), "passwords never enter the outbox"
    listed = api.get("/api/v1/mailboxes").json()["items"]
    assert [m["id"] for m in listed] == [body["id"]]


def test_bad_input_is_refused_with_the_fields_named(admin_user, api_for, payload) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    bad = api.post("/api/v1/mailboxes", {**payload, "address": "not-an-address", "imap_port": 70000})
    assert bad.status_code == 422 and {"imap_port"} <= set(bad.json()["error"]["fields"])
    assert api.post("/api/v1/mailboxes", {**payload, "brand_id": 2**63}).status_code == 422
    assert api.post("/api/v1/mailboxes", {**payload, "smtp_ssl": True, "smtp_starttls": True}).status_code == 422
    assert api.post("/api/v1/mailboxes", payload).status_code == 201
    clash = api.post("/api/v1/mailboxes", {**payload, "name": "Other"})
    assert clash.status_code == 409 and clash.json()["error"]["fields"] == {"address": "already in use"}


def test_only_admins_manage_mailboxes(agent, customer_user, api_for, payload) -> None:  # type: ignore[no-untyped-def]
    assert api_for(agent).post("/api/v1/mailboxes", payload).status_code == 403
    assert api_for(agent).get("/api/v1/mailboxes").status_code == 403
    assert api_for(customer_user).get("/api/v1/mailboxes").status_code == 404


def test_rotating_the_secret_locks_out_the_old_one(admin_user, api_for, payload) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    mailbox = api.post("/api/v1/mailboxes", payload).json()
    old = mailbox["inbound_secret"]
    new = api.post(f"/api/v1/mailboxes/{mailbox['id']}/rotate-secret").json()["inbound_secret"]
    assert new != old
    url = f"/api/v1/mail/inbound/{mailbox['id']}"
    client = Client()
    refused = client.post(url, RAW, content_type="message/rfc822", headers={"X-Mailbox-Secret": old})
    assert refused.status_code == 404
    accepted = client.post(url, RAW, content_type="message/rfc822", headers={"X-Mailbox-Secret": new})
    assert accepted.status_code == 202


def test_patch_changes_only_what_is_sent(admin_user, api_for, payload) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    mailbox = api.post("/api/v1/mailboxes", payload).json()
    patched = api.patch(f"/api/v1/mailboxes/{mailbox['id']}", {"auto_acknowledge": False, "imap_port": 143})
    assert patched.status_code == 200
    assert patched.json()["auto_acknowledge"] is False and patched.json()["imap_port"] == 143
    assert Mailbox.objects.get(pk=mailbox["id"]).smtp_password == "s3cret-smtp"
    assert api.patch(f"/api/v1/mailboxes/{mailbox['id']}", {"name": None}).status_code == 422
    assert api.get("/api/v1/mailboxes/99999").status_code == 404
