"""The HTTP inbound endpoint as mail providers' inbound webhooks call it: the secret in the URL or as
HTTP Basic auth, the raw message wrapped in SendGrid's or Mailgun's form or Postmark's JSON.

Requests go through the project's own URLs and middleware (the request size limit included)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml, make_mailbox
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SUBJECT = "Printer won\u2019t print"


def url(mailbox: Mailbox, secret: str | None = None) -> str:
    query = "?" + urlencode({"secret": secret}) if secret is not None else ""
    return f"/api/v1/mail/inbound/{mailbox.pk}{query}"


def stored(response: Any) -> InboundEmail:
    assert response.status_code == 202, response.content
    row = InboundEmail.objects.get(pk=response.json()["id"])
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.ticket is not None and row.ticket.subject == SUBJECT
    return row


def raw_of(row: InboundEmail) -> bytes:
    with row.raw.open("rb") as handle:
        return handle.read()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def multipart(*parts: tuple[str, bytes, str]) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand (name, value, extra part headers), bytes kept exact."""
    boundary = "xYzZY"
    body = b""
    for name, value, extra in parts:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n{extra}\r\n'.encode() + value
        body += b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- each provider's shape makes the ticket -------------------------------------------------------


def test_sendgrid_raw_mime_form_field(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    form = {"to": "support@frontdesk.test", "from": "carla@customer.test", "charsets": "{}", "email": raw.decode()}
    row = stored(Client().post(url(mailbox, mailbox.inbound_secret), form))
    assert raw_of(row) == raw
    assert row.source == "http"


def test_mailgun_body_mime_after_other_fields_keeps_the_bytes_exact(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml").replace(b"Thanks, Carla", b"Merci, Ren\xe9e")  # 8-bit, not UTF-8
    body, ctype = multipart(
        ("recipient", b"support@frontdesk.test", ""),
        ("body-plain", b"Hello, my printer won't print." * 100, ""),
        ("body-mime", raw, ""),
        ("timestamp", b"1700000000", ""),
    )
    row = stored(Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype))
    assert raw_of(row) == raw


def test_form_field_sent_base64_or_as_a_file(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    body, ctype = multipart(("email", base64.encodebytes(raw), "Content-Transfer-Encoding: base64\r\n"))
    assert raw_of(stored(Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype))) == raw
    InboundEmail.objects.all().delete()
    Ticket.objects.all().delete()
    body, ctype = multipart(('email"; filename="message.eml', raw, "Content-Type: message/rfc822\r\n"))
    assert raw_of(stored(Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype))) == raw


def test_urlencoded_form_field(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    data = urlencode({"sender": "carla@customer.test", "body-mime": raw}).encode()
    response = Client().post(
        url(mailbox, mailbox.inbound_secret), data, content_type="application/x-www-form-urlencoded"
    )
    assert raw_of(stored(response)) == raw


def test_curl_data_binary_without_a_content_type_is_the_raw_message(mailbox: Mailbox) -> None:
    """``curl --data-binary @message.eml`` labels the message application/x-www-form-urlencoded."""
    raw = eml("new_ticket.eml")
    response = Client().post(
        url(mailbox, mailbox.inbound_secret), raw, content_type="application/x-www-form-urlencoded"
    )
    assert raw_of(stored(response)) == raw


def test_postmark_json_raw_email(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    payload = {
        "From": "carla@customer.test",
        "Subject": SUBJECT,
        "TextBody": "Hello, my printer won\u2019t print.",
        "Attachments": [],
        "RawEmail": raw.decode(),
    }
    response = Client().post(url(mailbox, mailbox.inbound_secret), payload, content_type="application/json")
    assert raw_of(stored(response)) == raw


@pytest.mark.parametrize("ctype", ["text/plain", "message/rfc822", "application/octet-stream", ""])
def test_raw_bodies_still_work(mailbox: Mailbox, ctype: str) -> None:
    response = Client().post(
        url(mailbox), eml("new_ticket.eml"), content_type=ctype, headers={"X-Mailbox-Secret": mailbox.inbound_secret}
    )
    stored(response)


# --- the secret -------------------------------------------------------------------------------------


def test_secret_as_query_parameter(mailbox: Mailbox) -> None:
    response = Client().post(url(mailbox, mailbox.inbound_secret), eml("new_ticket.eml"), content_type="message/rfc822")
    stored(response)


@pytest.mark.parametrize("user", ["", "frontdesk", "any user@example.com"])
def test_secret_as_basic_auth_password(mailbox: Mailbox, user: str) -> None:
    response = Client().post(
        url(mailbox), eml("new_ticket.eml"), content_type="message/rfc822", headers=basic(user, mailbox.inbound_secret)
    )
    stored(response)


@pytest.mark.parametrize(
    "how",
    [
        {"query": "wrong"},
        {"query": ""},
        {"basic": "wrong"},
        {"basic": ""},
        {"authorization": "Basic !!!not-base64"},
        {"authorization": "Bearer {secret}"},
        {"header": "wrong", "query": "{secret}"},  # a wrong header is not rescued by a right query
        {},
    ],
)
def test_wrong_or_missing_secret_is_an_unknown_mailbox(mailbox: Mailbox, how: dict[str, str]) -> None:
    secret = mailbox.inbound_secret
    headers: dict[str, str] = {}
    if "basic" in how:
        headers.update(basic("user", how["basic"]))
    if "authorization" in how:
        headers["Authorization"] = how["authorization"].format(secret=secret)
    if "header" in how:
        headers["X-Mailbox-Secret"] = how["header"]
    target = url(mailbox, how["query"].format(secret=secret)) if "query" in how else url(mailbox)
    form = {"email": eml("new_ticket.eml").decode()}
    response = Client().post(target, form, headers=headers)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Mailbox not found.", "fields": {}}
    assert not InboundEmail.objects.exists()


def test_right_secret_for_another_mailbox_is_404(mailbox: Mailbox) -> None:
    other = make_mailbox("sales@frontdesk.test")
    response = Client().post(url(other, mailbox.inbound_secret), {"email": eml("new_ticket.eml").decode()})
    assert response.status_code == 404
    assert not InboundEmail.objects.exists()


# --- shapes that carry no message --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "ctype", "says"),
    [
        ({"to": "support@frontdesk.test", "text": "Hello"}, None, "'email' or 'body-mime'"),  # SendGrid, parsed mode
        (
            b"to=support%40frontdesk.test&body-plain=Hello",
            "application/x-www-form-urlencoded",
            "'email' or 'body-mime'",
        ),
        ({"From": "carla@customer.test", "TextBody": "Hello"}, "application/json", "Include raw email content"),
        (b'{"RawEmail": ', "application/json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "not valid JSON"),
        (b'["RawEmail"]', "application/json", "'RawEmail'"),
        (b'{"RawEmail": 42}', "application/json", "'RawEmail'"),
        (b"", "message/rfc822", "empty"),
        (b"\r\n \r\n", "text/plain", "empty"),
        (b"--nothing--", "multipart/form-data", "no boundary"),
    ],
)
def test_a_body_without_a_message_is_400_naming_what_is_expected(
    mailbox: Mailbox, body: Any, ctype: str | None, says: str
) -> None:
    target = url(mailbox, mailbox.inbound_secret)
    response = Client().post(target, body, content_type=ctype) if ctype else Client().post(target, body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unsupported_body"
    assert says in error["message"]
    assert "message/rfc822" in error["message"] and "RawEmail" in error["message"]
    assert not InboundEmail.objects.exists()


# --- sizes --------------------------------------------------------------------------------------------


def big_message(attachment_bytes: int) -> bytes:
    data = base64.encodebytes(bytes(range(256)) * (attachment_bytes // 256)).replace(b"\n", b"\r\n")
    head, _, tail = eml("new_ticket.eml").replace(b"\n", b"\r\n").rpartition(b"--b1--")
    return (
        head.replace(b'multipart/alternative; boundary="b1"', b'multipart/mixed; boundary="b1"')
        + (
            b'--b1\r\nContent-Type: application/pdf; name="manual.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
            b'Content-Disposition: attachment; filename="manual.pdf"\r\n\r\n' + data + b"--b1--\r\n"
        )
        + tail
    )


def test_a_20_mb_message_in_form_data_is_accepted(mailbox: Mailbox) -> None:
    raw = big_message(15 * 1024 * 1024)
    assert len(raw) > 20 * 1024 * 1024
    body, ctype = multipart(("to", b"support@frontdesk.test", ""), ("email", raw, ""))
    row = stored(Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype))
    assert row.size == len(raw)


@pytest.mark.parametrize("shape", ["multipart", "urlencoded", "json"])
def test_a_wrapped_message_over_the_mailbox_limit_is_413(mailbox: Mailbox, shape: str) -> None:
    raw = eml("new_ticket.eml").replace(b"Thanks, Carla", b"Thanks, Carla\n" + b"x" * 5000)
    mailbox.max_message_bytes = 4000
    mailbox.save()
    if shape == "multipart":
        body, ctype = multipart(("email", raw, ""))
    elif shape == "urlencoded":
        body, ctype = urlencode({"email": raw}).encode(), "application/x-www-form-urlencoded"
    else:
        body, ctype = json.dumps({"RawEmail": raw.decode()}).encode(), "application/json"
    response = Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype)
    assert response.status_code == 413, response.content
    assert response.json()["error"]["message"] == "The message is larger than the mailbox's limit of 4000 bytes."
    assert not InboundEmail.objects.exists()


def test_a_body_over_the_server_limit_is_refused_before_it_is_read(mailbox: Mailbox, settings: Any) -> None:
    settings.EMAIL_MAX_MESSAGE_BYTES = 1000
    raw = eml("new_ticket.eml").replace(b"Thanks, Carla", b"Thanks, Carla\n" + b"x" * (1024 * 1024 + 2000))
    body, ctype = multipart(("email", raw, ""))
    response = Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype)
    assert response.status_code == 413
    limit = 2 * 1000 + 1024 * 1024
    assert response.json()["error"]["message"] == f"The request body is larger than the limit of {limit} bytes."
    assert not InboundEmail.objects.exists()


def test_the_server_limit_caps_a_wrapped_message_below_a_larger_mailbox_limit(mailbox: Mailbox, settings: Any) -> None:
    settings.EMAIL_MAX_MESSAGE_BYTES = 3000
    raw = eml("new_ticket.eml").replace(b"Thanks, Carla", b"Thanks, Carla\n" + b"x" * 5000)
    body, ctype = multipart(("email", raw, ""))
    response = Client().post(url(mailbox, mailbox.inbound_secret), body, content_type=ctype)
    assert response.status_code == 413
    assert "limit of 3000 bytes" in response.json()["error"]["message"]


def test_mailgun_url_ending_in_mime_with_the_secret_as_basic_auth(mailbox: Mailbox) -> None:
    """Mailgun posts ``body-mime`` only to a URL that ends with "mime": https://frontdesk:SECRET@host/…/3/mime."""
    raw = eml("new_ticket.eml")
    form = {"recipient": "support@frontdesk.test", "body-mime": raw.decode()}
    target = f"/api/v1/mail/inbound/{mailbox.pk}/mime"
    assert raw_of(stored(Client().post(target, form, headers=basic("frontdesk", mailbox.inbound_secret)))) == raw
    assert Client().post(target, form, headers=basic("frontdesk", "wrong")).status_code == 404
    assert Client().post(f"/api/v1/mail/inbound/{2**63}/mime", form).status_code == 404


def test_providers_shapes_against_the_real_server(live_app: Any) -> None:
    """The ASGI server in front (uvicorn), not the test client: a 20 MB message in SendGrid's form,
    Postmark's JSON with Basic auth, and Postmark left in parsed mode."""
    import httpx

    out = live_app.shell(
        "from frontdesk.channels.email.tests.test_pipeline_common import make_mailbox\n"
        "m = make_mailbox('webhook@frontdesk.test'); print('MAILBOX', m.pk, m.inbound_secret)"
    )
    pk, secret = out.rpartition("MAILBOX ")[2].split()[:2]
    endpoint = f"{live_app.url}/api/v1/mail/inbound/{pk}"
    raw = big_message(15 * 1024 * 1024).replace(b"first-1@customer.test", b"live-1@customer.test")
    response = httpx.post(endpoint, params={"secret": secret}, files={"email": (None, raw)}, timeout=120)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "processed"
    small = eml("new_ticket.eml").replace(b"first-1@customer.test", b"live-2@customer.test")
    response = httpx.post(endpoint, json={"RawEmail": small.decode()}, auth=("postmark", secret), timeout=30)
    assert response.status_code == 202 and response.json()["status"] == "processed", response.text
    response = httpx.post(endpoint, json={"TextBody": "Hello"}, auth=("postmark", secret), timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_body"
    assert (
        httpx.post(endpoint, json={"RawEmail": small.decode()}, auth=("postmark", "x"), timeout=30).status_code == 404
    )
