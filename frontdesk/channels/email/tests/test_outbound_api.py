"""GET /api/v1/tickets/{id}/emails: delivery state on the ticket, for agents who can see it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db

# Until frontdesk/api.py registers api_outbound.router, mount it on a test API that shares the
# real one's authentication and error mapping.
urlpatterns: list = []


def _mount_if_missing() -> None:
    from django.urls import Resolver404, path, resolve

    try:
        resolve("/api/v1/tickets/1/emails")
        return
    except Resolver404:
        pass
    from ninja import NinjaAPI

    from frontdesk.accounts.api_auth import API_AUTH
    from frontdesk.api import api
    from frontdesk.channels.email.api_outbound import router
    from frontdesk.urls import urlpatterns as site

    test_api = NinjaAPI(auth=API_AUTH, urls_namespace="email_outbound_test")
    test_api._exception_handlers = api._exception_handlers
    test_api.add_router("/", router)
    urlpatterns[:] = [path("api/v1/", test_api.urls), *site]


@pytest.fixture(autouse=True)
def _routes(settings):  # type: ignore[no-untyped-def]
    _mount_if_missing()
    if urlpatterns:
        settings.ROOT_URLCONF = __name__


def _url(ticket_id: int) -> str:
    return f"/api/v1/tickets/{ticket_id}/emails"


def test_agents_see_failures_on_the_ticket(agent, light_agent, mailbox, smtp_sink, api_for):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    message_add(actor=Actor.of(agent), ticket=ticket, body="hello")
    OutboundEmail.objects.update(status="failed", attempts=3, last_error="SMTPConnectError: refused")
    for user in (agent, light_agent):
        res = api_for(user).get(_url(ticket.pk))
        assert res.status_code == 200, res.content
        [item] = res.json()["items"]
        assert item["status"] == "failed" and item["attempts"] == 3
        assert item["last_error"] == "SMTPConnectError: refused" and item["sent_at"] is None
        assert item["to"] == ["alice@customer.test"] and item["kind"] == "reply"
    OutboundEmail.objects.update(status="sent", sent_at=timezone.now())
    assert api_for(agent).get(_url(ticket.pk)).json()["items"][0]["sent_at"]


def test_hidden_tickets_customers_and_bad_ids_get_404(agent, customer_user, mailbox, smtp_sink, api_for):  # noqa: F811
    ticket = email_ticket(mailbox, customer_user.contact)
    res = api_for(customer_user).get(_url(ticket.pk))
    assert res.status_code == 404 and res.json()["error"]["code"] == "not_found"
    team = f.TeamFactory(restricted=True)
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    assert api_for(agent).get(_url(ticket.pk)).status_code == 404
    assert api_for(agent).get(_url(999999)).status_code == 404
    # beyond 2^63-1 an id can name no ticket: simply not found (docs/api/README.md "404, not 403")
    beyond = api_for(agent).get(_url(2**63))
    assert beyond.status_code == 404 and beyond.json()["error"]["code"] == "not_found", beyond.content
