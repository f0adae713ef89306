"""The HTTP inbound endpoint, the raw download and the quarantine API.

The router is mounted here on a test API with the project's error mapping (until frontdesk/api.py
registers it, and independently of that)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from frontdesk.accounts.api_auth import API_AUTH
from frontdesk.api import _domain_error
from frontdesk.channels.email.api import router
from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, raise_limit
from frontdesk.core.errors import FrontdeskError
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket

_api = NinjaAPI(urls_namespace="email-inbound-test", auth=API_AUTH)
_api.exception_handler(FrontdeskError)(_domain_error)
_api.add_router("/", router)
urlpatterns = [path("api/v1/", _api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def post(mailbox_id: int, raw: bytes, secret: str, ctype: str = "message/rfc822") -> Any:
    return Client().post(
        f"/api/v1/mail/inbound/{mailbox_id}", data=raw, content_type=ctype, headers={"X-Mailbox-Secret": secret}
    )


def test_raw_message_becomes_a_ticket(mailbox: Mailbox) -> None:
    response = post(mailbox.pk, eml("new_ticket.eml"), mailbox.inbound_secret)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "processed"
    assert Ticket.objects.get(pk=body["ticket_id"]).subject == "Printer won\u2019t print"
    assert InboundEmail.objects.get(pk=body["id"]).source == "http"


def test_octet_stream_larger_than_the_json_limit_is_accepted(mailbox: Mailbox, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.API_MAX_BODY_BYTES = 1000
    raw = eml("new_ticket.eml").replace(b"Thanks, Carla", b"Thanks, Carla\n" + b"x" * 5000)
    response = post(mailbox.pk, raw, mailbox.inbound_secret, ctype="application/octet-stream")
    assert response.status_code == 202, response.content


@pytest.mark.parametrize("secret", ["", "wrong", "x" * 43])
def test_wrong_secret_is_an_unknown_mailbox(mailbox: Mailbox, secret: str) -> None:
    response = post(mailbox.pk, eml("new_ticket.eml"), secret)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not InboundEmail.objects.exists()


@pytest.mark.parametrize("mailbox_id", [0, 999999, 2**63, 2**70])
def test_unknown_mailbox_is_404(mailbox: Mailbox, mailbox_id: int) -> None:
    assert post(mailbox_id, b"x", mailbox.inbound_secret).status_code == 404


def test_inactive_mailbox_is_404(mailbox: Mailbox) -> None:
    mailbox.active = False
    mailbox.save()
    assert post(mailbox.pk, eml("new_ticket.eml"), mailbox.inbound_secret).status_code == 404


def test_over_the_mailbox_limit_is_413(mailbox: Mailbox) -> None:
    mailbox.max_message_bytes = 100
    mailbox.save()
    response = post(mailbox.pk, eml("new_ticket.eml"), mailbox.inbound_secret)
    assert response.status_code == 413
    assert not InboundEmail.objects.exists()


def test_raw_download_for_agents_who_see_the_ticket(mailbox: Mailbox, api_for: Any) -> None:
    raw = eml("new_ticket.eml")
    row = ingest(mailbox, raw)
    agent = f.UserFactory(role="agent")
    response = api_for(agent).get(f"/api/v1/mail/inbound/{row.pk}/raw")
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response.streaming_content) == raw
    customer = f.customer_with_contact("someone@customer.test")
    assert api_for(customer).get(f"/api/v1/mail/inbound/{row.pk}/raw").status_code == 404
    assert api_for(agent).get(f"/api/v1/mail/inbound/{2**63}/raw").status_code == 404


def test_quarantine_list_and_reprocess_for_admins(mailbox: Mailbox, api_for: Any, admin_user: Any) -> None:
    mailbox.max_message_bytes = 100
    mailbox.save()
    row = ingest(mailbox, eml("new_ticket.eml"))
    assert row.status == InboundStatus.QUARANTINED
    listed = api_for(admin_user).get("/api/v1/mail/quarantine").json()
    assert [(i["id"], i["reason"][:9]) for i in listed["items"]] == [(row.pk, "too large")]
    agent = f.UserFactory(role="agent")
    assert api_for(agent).get("/api/v1/mail/quarantine").status_code == 404
    assert api_for(agent).get(f"/api/v1/mail/inbound/{row.pk}/raw").status_code == 404  # no ticket to see
    raise_limit(mailbox, 10_000_000)
    done = api_for(admin_user).post(f"/api/v1/mail/inbound/{row.pk}/reprocess")
    assert done.status_code == 200 and done.json()["status"] == "processed"
