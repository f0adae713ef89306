"""Mailbox names (the display name of mail sent without a ticket) and the other values that reach
a mail header or an IMAP/SMTP command are refused with control characters at the service, so the
API and the settings page answer a field error. Red-team finding 10 (issue 8)."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.brands.services import default_brand
from frontdesk.channels.email.mailboxes import mailbox_save
from frontdesk.channels.email.models import Mailbox
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _new(admin_user, **data):  # type: ignore[no-untyped-def]
    values = {"name": "Help", "address": "help@example.com", "brand_id": default_brand().pk, **data}
    return mailbox_save(actor=Actor.of(admin_user), **values)


@pytest.mark.parametrize("name", ["Help\r\nBcc: victim@example.com", "Help\n", "He\rlp", "Help\x00", "Help\tdesk",
                                  "Help\u2029"])
def test_control_characters_in_the_name_are_refused(admin_user, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        _new(admin_user, name=name)
    assert "name" in caught.value.fields
    box = _new(admin_user)
    with pytest.raises(ValidationError):
        mailbox_save(actor=Actor.of(admin_user), mailbox=box, name=name)
    assert Mailbox.objects.get(pk=box.pk).name == "Help"


def test_names_are_trimmed_and_length_checked(admin_user) -> None:  # type: ignore[no-untyped-def]
    assert _new(admin_user, name="  Help desk ").name == "Help desk"
    with pytest.raises(ValidationError) as caught:
        _new(admin_user, name="x" * 101, address="other@example.com")
    assert "name" in caught.value.fields


@pytest.mark.parametrize("field", ["imap_host", "imap_user", "imap_folder", "imap_move_to", "smtp_host", "smtp_user",
                                   "imap_password", "smtp_password"])
def test_values_used_in_protocol_commands_refuse_line_breaks(admin_user, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        _new(admin_user, **{field: "value\r\nA1 LOGOUT"})
    assert field in caught.value.fields


def test_a_password_may_hold_any_printable_character(admin_user) -> None:  # type: ignore[no-untyped-def]
    box = _new(admin_user, imap_password=" p@ss w0rd \"'\\ ", smtp_password="ünï cödé")
    assert box.imap_password == " p@ss w0rd \"'\\ " and box.smtp_password == "ünï cödé"


def test_the_api_answers_a_field_error(admin_user, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    payload = {"name": "Help\r\nBcc: victim@example.com", "address": "help@example.com",
               "brand_id": default_brand().pk}
    r = api.post("/api/v1/mailboxes", payload)
    assert r.status_code == 422 and "name" in r.json()["error"]["fields"], r.content
    box = _new(admin_user)
    r = api.patch(f"/api/v1/mailboxes/{box.pk}", {"name": "Help\n"})
    assert r.status_code == 422 and "name" in r.json()["error"]["fields"], r.content


def test_the_settings_page_shows_the_field_error(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    r = client.post("/settings/mailboxes/new/", {
        "name": "Help\r\nBcc: victim@example.com", "address": "help@example.com", "brand_id": str(default_brand().pk),
        "imap_port": "993", "smtp_port": "587", "max_message_bytes": "26214400", "imap_folder": "INBOX",
    })
    assert r.status_code == 422, r.status_code
    assert b"control characters" in r.content
    assert not Mailbox.objects.exists()
