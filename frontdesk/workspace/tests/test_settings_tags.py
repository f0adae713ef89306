"""Settings → Tags: counts that link to the tickets, rename (and rename-into-merge), merge, delete; confirmations
before anything is lost, errors next to the field, admins only."""

from __future__ import annotations

import re

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.fields.models import Tag
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def tagged(*names: str) -> Ticket:
    return ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject="Tagged", body="Hi",
                         tags=list(names))


def names_of(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def row_count(html: str, name: str) -> str:
    """The ticket count shown in the row of tag ``name`` (the link to its tickets)."""
    match = re.search(rf'href="/tickets/\?tag={re.escape(name)}"[^>]*>(\d+)</a>', html)
    assert match, f"no ticket count link for {name}"
    return match.group(1)


def test_the_list_shows_each_tags_ticket_count_linking_to_its_tickets(admin_user) -> None:
    tagged("billing", "vip")
    tagged("billing")
    Tag.objects.create(name="unused")
    html = client_for(admin_user).get("/settings/tags/").content.decode()
    assert row_count(html, "billing") == "2" and row_count(html, "vip") == "1" and row_count(html, "unused") == "0"
    assert "Merge selected" in html


def test_the_counts_cost_the_same_queries_for_many_tags(admin_user) -> None:
    client = client_for(admin_user)
    tagged("one")
    client.get("/settings/tags/")  # warm the session and the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/settings/tags/")
    for i in range(30):
        tagged(f"tag-{i}", "one")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/settings/tags/").content.decode()
    assert len(many) == len(few)
    assert row_count(html, "one") == "31"


def test_the_list_is_searchable_and_paged(admin_user) -> None:
    Tag.objects.bulk_create([Tag(name=f"bulk-{i:03}") for i in range(60)] + [Tag(name="other")])
    client = client_for(admin_user)
    first = client.get("/settings/tags/", {"q": "bulk"}).content.decode()
    assert "bulk-000" in first and "bulk-049" in first and "bulk-050" not in first and "other" not in first
    cursor = re.search(r"cursor=([^\"&]+)", first)
    assert cursor
    second = client.get("/settings/tags/", {"q": "bulk", "cursor": cursor.group(1)}).content.decode()
    assert "bulk-050" in second and "bulk-059" in second and "bulk-000" not in second


def test_rename_from_the_tag_page(admin_user) -> None:
    ticket = tagged("billing")
    billing = Tag.objects.get(name="billing")
    client = client_for(admin_user)
    page = client.get(f"/settings/tags/{billing.pk}/").content.decode()
    assert 'value="billing"' in page and "1 ticket has this tag" in page
    response = client.post(f"/settings/tags/{billing.pk}/", {"name": "Invoices"})
    assert response.status_code == 302 and response["Location"] == "/settings/tags/"
    assert names_of(ticket) == ["invoices"]
    assert "Tag renamed to “invoices”." in client.get("/settings/tags/").content.decode()


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "Enter a name."),
    ("x" * 70, "At most 60 characters (this one has 70)."),
    ("bad;name", "Letters, digits"),
])
def test_a_bad_name_is_shown_next_to_the_field_and_kept(admin_user, typed, problem) -> None:
    tagged("billing")
    billing = Tag.objects.get(name="billing")
    response = client_for(admin_user).post(f"/settings/tags/{billing.pk}/", {"name": typed})
    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(r'<p class="field-error" id="f-name-error">([^<]*)</p>', html)
    assert error and problem in error.group(1)
    assert f'value="{typed}"' in html and 'aria-invalid="true"' in html
    assert Tag.objects.filter(name="billing").exists()


def test_renaming_to_an_existing_name_asks_to_merge_first(admin_user) -> None:
    old_only, both = tagged("refund"), tagged("refund", "refunds")
    refund = Tag.objects.get(name="refund")
    client = client_for(admin_user)
    asked = client.post(f"/settings/tags/{refund.pk}/", {"name": "refunds"})
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "A tag named “refunds” exists already." in html and 'name="confirm_merge"' in html
    assert "the 2 tickets tagged “refund” get “refunds”" in html and "“refunds” is on 1 ticket already." in html
    assert 'id="f-name-error"' in html and 'value="refunds"' in html
    assert names_of(old_only) == ["refund"], "nothing is merged before the confirmation"
    done = client.post(f"/settings/tags/{refund.pk}/", {"name": "refunds", "confirm_merge": "1"})
    assert done.status_code == 302
    assert names_of(old_only) == ["refunds"] and names_of(both) == ["refunds"]
    assert not Tag.objects.filter(name="refund").exists()
    assert "“refund” was merged into “refunds”." in client.get("/settings/tags/").content.decode()


def test_merging_several_shows_what_is_kept_then_merges(admin_user) -> None:
    a, b, c = tagged("bug", "defect"), tagged("defect"), tagged("problem", "bug")
    bug, defect, problem = (Tag.objects.get(name=n) for n in ("bug", "defect", "problem"))
    client = client_for(admin_user)
    confirm = client.get("/settings/tags/merge/", {"tag": [bug.pk, defect.pk, problem.pk]})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "After the merge, 3 tickets carry the kept tag" in html
    checked = re.search(r'value="(\d+)" checked', html)
    assert checked and int(checked.group(1)) in (bug.pk, defect.pk), "the tag on most tickets is kept by default"
    assert names_of(a) == ["bug", "defect"], "opening the confirmation changes nothing"
    done = client.post("/settings/tags/merge/", {"tag": [bug.pk, defect.pk, problem.pk], "target": defect.pk})
    assert done.status_code == 302
    assert names_of(a) == ["defect"] and names_of(b) == ["defect"] and names_of(c) == ["defect"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["defect"]
    assert "“bug”, “problem” merged into “defect”." in client.get("/settings/tags/").content.decode()


def test_merging_needs_two_tags(admin_user) -> None:
    tagged("alone")
    alone = Tag.objects.get(name="alone")
    client = client_for(admin_user)
    for response in (client.get("/settings/tags/merge/", {"tag": [alone.pk]}),
                     client.post("/settings/tags/merge/", {"tag": [alone.pk], "target": alone.pk}),
                     client.get("/settings/tags/merge/", {"tag": ["nope", "99999999999999999999999"]})):
        assert response.status_code == 422
        assert "Choose at least two tags to merge." in response.content.decode()
    assert Tag.objects.filter(name="alone").exists()


def test_delete_says_how_many_tickets_lose_the_tag_then_deletes(admin_user) -> None:
    t1, t2 = tagged("spam", "vip"), tagged("spam")
    spam = Tag.objects.get(name="spam")
    client = client_for(admin_user)
    confirm = client.get(f"/settings/tags/{spam.pk}/delete/").content.decode()
    assert "2 tickets lose the tag “spam”." in confirm
    assert names_of(t1) == ["spam", "vip"], "opening the confirmation deletes nothing"
    done = client.post(f"/settings/tags/{spam.pk}/delete/")
    assert done.status_code == 302
    assert names_of(t1) == ["vip"] and names_of(t2) == []
    assert "Tag “spam” deleted; 2 tickets lost it." in client.get("/settings/tags/").content.decode()
    assert client.get(f"/settings/tags/{spam.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_only_admins_change_tags(request, who) -> None:
    user = request.getfixturevalue(who)
    ticket = tagged("x", "y")
    x, y = Tag.objects.get(name="x"), Tag.objects.get(name="y")
    client = client_for(user)
    for response in (client.get("/settings/tags/"), client.post(f"/settings/tags/{x.pk}/", {"name": "z"}),
                     client.post(f"/settings/tags/{x.pk}/delete/"),
                     client.post("/settings/tags/merge/", {"tag": [x.pk, y.pk], "target": y.pk})):
        assert response.status_code == 403
    assert names_of(ticket) == ["x", "y"]


def test_the_api_renames_merges_and_deletes(admin_user, agent, api_for) -> None:
    ticket = tagged("a", "b")
    tagged("c")
    a, b, c = (Tag.objects.get(name=n) for n in "abc")
    api = api_for(admin_user)
    renamed = api.post(f"/api/v1/tags/{a.pk}/rename", {"name": "Alpha"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "alpha" and renamed.json()["ticket_count"] == 1
    clash = api.post(f"/api/v1/tags/{a.pk}/rename", {"name": "b"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "tag_exists"
    empty = api.post(f"/api/v1/tags/{a.pk}/rename", {"name": " "})
    assert empty.status_code == 422 and "name" in empty.json()["error"]["fields"]
    merged = api.post("/api/v1/tags/merge", {"source_ids": [a.pk, c.pk], "target_id": b.pk})
    assert merged.status_code == 200 and (merged.json()["name"], merged.json()["ticket_count"]) == ("b", 2)
    assert names_of(ticket) == ["b"]
    assert api.delete(f"/api/v1/tags/{b.pk}").json() == {"ticket_count": 2}
    assert Tag.objects.count() == 0
    # agents see tags but may not manage them: 403, decided by role before the lookup, so the
    # answer is the same whether the tag (here already deleted) exists or not
    refused = api_for(agent).delete(f"/api/v1/tags/{b.pk}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", refused.content
    Tag.objects.create(name="mine")
    assert api_for(agent).post(f"/api/v1/tags/{Tag.objects.get().pk}/rename", {"name": "x"}).status_code == 403
