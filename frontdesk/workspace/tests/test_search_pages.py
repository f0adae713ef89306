"""Global search: the results page and the suggestions, permission-aware and safe with any input."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.customers.models import Contact
from frontdesk.customers.services import contact_create
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(admin_user):  # type: ignore[no-untyped-def]
    secret_team = f.TeamFactory(restricted=True)
    org = f.OrganisationFactory(name="Zebracorp Holdings")
    who = contact_create(actor=Actor.of(admin_user), name="Zebra Person", email="zeb@example.test")
    Contact.objects.filter(pk=who.pk).update(organisation=org)  # save() would rewrite the index column
    open_t = ticket_create(actor=SYSTEM, requester=who, subject="Zebra printer jammed",
                           body="The <b>zebra</b> printer is jammed")
    hidden = ticket_create(actor=SYSTEM, requester=who, subject="Zebra secret payroll",
                           body="zebra payroll", team=secret_team)
    return {"open": open_t, "hidden": hidden, "who": who, "org": org}


def test_results_page_shows_sections_with_highlights(agent, data) -> None:  # type: ignore[no-untyped-def]
    response = client_for(agent).get("/search/", {"q": "zebra"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/tickets/{data["open"].pk}/"' in html and "<mark>Zebra</mark> printer" in html
    assert f'href="/customers/{data["who"].pk}/"' in html
    assert f'href="/organisations/{data["org"].pk}/"' in html
    assert "&lt;b&gt;" in html or "<b>zebra</b>" not in html, "message text stays escaped"
    assert "payroll" not in html, "a ticket of a restricted team the agent is not in stays hidden"


def test_filters_by_kind_and_status_category(agent, data) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    html = client.get("/search/", {"q": "zebra", "kind": "tickets"}).content.decode()
    assert "/customers/" not in html.split("<main")[1] and "printer" in html
    html = client.get("/search/", {"q": "zebra", "kind": "tickets", "status_category": "solved"}).content.decode()
    assert "printer" not in html and "Nothing found" in html


def test_admins_see_the_restricted_ticket(admin_user, data) -> None:  # type: ignore[no-untyped-def]
    html = client_for(admin_user).get("/search/", {"q": "payroll"}).content.decode()
    assert f'href="/tickets/{data["hidden"].pk}/"' in html


def test_light_agent_sees_only_what_they_may(light_agent, data) -> None:  # type: ignore[no-untyped-def]
    html = client_for(light_agent).get("/search/suggest/", {"q": "zeb"}).content.decode()
    assert "printer" in html and "payroll" not in html


def test_suggestions_are_a_fragment_of_a_few_hits(agent, data) -> None:  # type: ignore[no-untyped-def]
    for i in range(8):
        ticket_create(actor=SYSTEM, requester=data["who"], subject=f"Zebra crossing {i}", body="x")
    client = client_for(agent)
    html = client.get("/search/suggest/", {"q": "zebr"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert html.count('href="/tickets/') == 5
    assert 'href="/search/?q=zebr"' in html
    assert client.get("/search/suggest/", {"q": ""}).content == b""
    assert "Nothing found" in client.get("/search/suggest/", {"q": "qqqxxyy"}).content.decode()


@pytest.mark.parametrize("q", ['"', "*", "zebra OR", "NEAR(a b)", "a" * 5000, "\x00", "-", "()", "'; DROP", "^"])
def test_hostile_queries_never_fail(agent, data, q) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    assert client.get("/search/", {"q": q}).status_code == 200
    assert client.get("/search/suggest/", {"q": q}).status_code == 200


def test_customers_are_refused(customer_user) -> None:  # type: ignore[no-untyped-def]
    assert client_for(customer_user).get("/search/", {"q": "x"}).status_code == 403
    assert Client().get("/search/?q=x").status_code == 302
