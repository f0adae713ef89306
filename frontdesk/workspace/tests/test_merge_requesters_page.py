"""The merge page warns when the requesters differ and asks who keeps the merged ticket; the bulk
merge refuses such tickets and says where to choose. Red-team finding 8 (issue 8)."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make(subject: str, requester):  # type: ignore[no-untyped-def]
    return ticket_create(actor=SYSTEM, subject=subject, body="Body of " + subject, requester=requester)


@pytest.fixture
def two_customers():  # type: ignore[no-untyped-def]
    ada = f.ContactFactory(name="Ada Lovelace", primary_email="ada@example.com")
    bob = f.ContactFactory(name="Bob Builder", primary_email="bob@example.com")
    return make("Ada's question", ada), make("Bob's question", bob)


def test_the_confirmation_warns_and_offers_the_choice(agent, two_customers) -> None:  # type: ignore[no-untyped-def]
    source, target = two_customers
    html = client_for(agent).get(f"/tickets/{source.pk}/merge/", {"target": target.pk}).content.decode()
    assert "different requesters" in html
    assert "Ada Lovelace &lt;ada@example.com&gt;" in html and "Bob Builder &lt;bob@example.com&gt;" in html
    assert 'name="requester" value="target"' in html and 'name="requester" value="source"' in html
    assert 'name="requester" value="target" required checked' not in html, "no requester is chosen for you"
    assert 'name="other_requester_as_cc" value="1">' in html, "copying the other requester is off by default"


def test_the_same_requester_shows_no_warning(agent) -> None:  # type: ignore[no-untyped-def]
    ada = f.ContactFactory()
    source, target = make("One", ada), make("Two", ada)
    html = client_for(agent).get(f"/tickets/{source.pk}/merge/", {"target": target.pk}).content.decode()
    assert "different requesters" not in html and 'name="requester"' not in html


def test_posting_without_a_choice_asks_again_and_merges_nothing(agent, two_customers) -> None:  # type: ignore[no-untyped-def]
    source, target = two_customers
    response = client_for(agent).post(f"/tickets/{source.pk}/merge/", {"target": target.pk})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'class="alert" role="alert"' in html and "Choose which requester" in html
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_posting_the_choice_merges_with_that_requester(agent, two_customers) -> None:  # type: ignore[no-untyped-def]
    source, target = two_customers
    response = client_for(agent).post(f"/tickets/{source.pk}/merge/", {
        "target": target.pk, "requester": "source", "ccs": "kept", "other_requester_as_cc": "1",
    })
    assert response.status_code == 302 and response["Location"] == f"/tickets/{target.pk}/"
    merged = Ticket.objects.get(pk=target.pk)
    assert merged.requester_id == source.requester_id
    assert list(merged.ccs.values_list("pk", flat=True)) == [target.requester_id]
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_a_wrong_choice_is_shown_on_the_page(agent, two_customers) -> None:  # type: ignore[no-untyped-def]
    source, target = two_customers
    response = client_for(agent).post(f"/tickets/{source.pk}/merge/", {"target": target.pk, "requester": "x"})
    assert response.status_code == 422 and b'role="alert"' in response.content
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_bulk_merge_leaves_other_requesters_tickets_and_says_why(agent, two_customers) -> None:  # type: ignore[no-untyped-def]
    source, target = two_customers
    same = make("Bob again", target.requester)
    response = client_for(agent).post("/tickets/bulk/", {
        "ticket_ids": [source.pk, same.pk, target.pk], "action": "merge", "merge_target": str(target.pk),
    }, follow=True)
    flashes = [str(m) for m in response.context["messages"]]
    assert f"1 ticket merged into #{target.pk}." in flashes
    assert any(f"#{source.pk} not changed" in m and "its own page" in m for m in flashes), flashes
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert Ticket.objects.get(pk=same.pk).merged_into_id == target.pk
