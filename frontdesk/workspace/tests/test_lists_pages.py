"""The views page and ticket lists: filters, sorting, keyset pages, saved views, query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket, View
from frontdesk.tickets.queue_selectors import view_list
from frontdesk.tickets.services import ticket_create, view_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make(subject: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("body", "Body of " + subject)
    kw.setdefault("requester", f.ContactFactory())
    return ticket_create(actor=SYSTEM, subject=subject, **kw)


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ticket_ids" value="(\d+)"', html)]


@pytest.fixture
def many(agent, supervisor):  # type: ignore[no-untyped-def]
    """30 tickets with different requesters, assignees, teams and tags."""
    teams = [f.TeamFactory(), f.TeamFactory()]
    for team in teams:
        team.members.add(agent, supervisor)
    tickets = []
    base = timezone.now() - timedelta(days=1)
    for i in range(30):
        t = make(
            f"Case {i:02d}", priority=1 + i % 4, assignee=[agent, supervisor, None][i % 3],
            team=teams[i % 2] if i % 5 else None, tags=[f"tag{i % 4}", "bulk"],
        )
        Ticket.objects.filter(pk=t.pk).update(updated_at=base + timedelta(minutes=i))
        tickets.append(t)
    return tickets


def test_views_page_lists_views_with_counts(agent, many) -> None:  # type: ignore[no-untyped-def]
    mine = view_create(actor=Actor.of(agent), name="Mine urgent", filters={"priority": [4]})
    page = client_for(agent).get("/views/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mine urgent" in html and "Unassigned open" in html
    # 30 tickets, priority 4 for i % 4 == 3: 7 of them
    assert re.search(rf'href="/views/{mine.pk}/"[^>]*>Mine urgent</a></td>\s*<td>Personal</td>\s*'
                     r'<td class="num" data-count>7</td>', html)
    assert f'/views/{mine.pk}/rename/' in html, "the owner may rename their view"


def test_a_view_shows_its_tickets_with_links_keeping_the_view(agent, many) -> None:  # type: ignore[no-untyped-def]
    view = view_create(actor=Actor.of(agent), name="Tag 1", filters={"tag": "tag1"})
    html = client_for(agent).get(f"/views/{view.pk}/").content.decode()
    ids = row_ids(html)
    assert sorted(ids) == sorted(t.pk for i, t in enumerate(many) if i % 4 == 1)
    assert f'href="/tickets/{ids[0]}/?view={view.pk}"' in html
    assert 'aria-current="page"' in html


def test_filters_narrow_the_list(agent, many) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    mine = row_ids(client.get("/tickets/", {"assignee_id": "me"}).content.decode())
    assert sorted(mine) == sorted(t.pk for i, t in enumerate(many) if i % 3 == 0)
    none = row_ids(client.get("/tickets/", {"assignee_id": "none", "priority": "2"}).content.decode())
    assert sorted(none) == sorted(t.pk for i, t in enumerate(many) if i % 3 == 2 and i % 4 == 1)
    tagged = row_ids(client.get("/tickets/", {"tag": "TAG3"}).content.decode())
    assert len(tagged) == 7


@pytest.mark.parametrize(("params", "says"), [
    ({"assignee_id": "99999999999999999999999"}, "<code>assignee_id</code>: an id or"),
    ({"priority": "9"}, "<code>priority</code>: 1-4 or low, normal, high, urgent"),
    ({"status_category": "nope"}, "<code>status_category</code>: one of new, open"),
    ({"team_id": "-1"}, "<code>team_id</code>: an id or"),
    ({"cursor": "garbage!"}, "The cursor is not valid: start again from the first page."),
])
def test_hostile_filters_are_shown_as_errors_never_a_500(agent, many, params, says) -> None:  # type: ignore[no-untyped-def]
    response = client_for(agent).get("/tickets/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and says in html


def test_an_unknown_sort_key_falls_back_to_the_default_order(agent, many) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    response = client.get("/tickets/", {"sort": "password"})
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == row_ids(client.get("/tickets/").content.decode())


def test_sorting_by_column_and_direction(agent, many) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    newest = row_ids(client.get("/tickets/").content.decode())
    assert newest[:3] == [many[29].pk, many[28].pk, many[27].pk]
    oldest = row_ids(client.get("/tickets/", {"sort": "updated_at"}).content.decode())
    assert oldest[:2] == [many[0].pk, many[1].pk]
    html = client.get("/tickets/", {"sort": "-priority"}).content.decode()
    prio = [Ticket.objects.get(pk=i).priority for i in row_ids(html)]
    assert prio == sorted(prio, reverse=True)
    assert 'aria-sort="descending"><a href="/tickets/?sort=-priority"' in html
    # the header of the current descending "updated" sort offers ascending
    html = client.get("/tickets/").content.decode()
    assert 'href="/tickets/?sort=updated_at"' in html


def test_keyset_pages_follow_the_cursor_without_gaps_or_repeats(agent, settings) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.workspace import views_lists

    created = [make(f"Paged {i}") for i in range(12)]
    old, views_lists.PAGE_SIZE = views_lists.PAGE_SIZE, 5
    try:
        client = client_for(agent)
        seen: list[int] = []
        url = "/tickets/?sort=-id"
        for _ in range(4):
            html = client.get(url).content.decode()
            seen += row_ids(html)
            more = re.search(r'href="(/tickets/\?[^"]*cursor=[^"]+)"', html)
            if not more:
                break
            url = more.group(1).replace("&amp;", "&")
        assert seen == sorted((t.pk for t in created), reverse=True)
        # HTMX "Load more" gets only the next rows and the next button
        first = client.get("/tickets/?sort=-id").content.decode()
        next_url = re.search(r'hx-get="(/tickets/[^"]+)"', first).group(1).replace("&amp;", "&")
        got = client.get(next_url, headers={"HX-Request": "true"})
        assert got.status_code == 200, (got.status_code, next_url)
        fragment = got.content.decode()
        assert "<html" not in fragment and fragment.lstrip().startswith("<tbody>")
        assert row_ids(fragment) == seen[5:10]
    finally:
        views_lists.PAGE_SIZE = old


def test_saving_filters_as_a_view_then_renaming_and_deleting_it(agent, many) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    response = client.post("/views/save/", {"name": "Urgent mine", "query": "priority=4&assignee_id=me",
                                            "sort": "-priority", "next": "/tickets/"})
    view = View.objects.get(name="Urgent mine")
    assert response.status_code == 302 and response["Location"] == f"/views/{view.pk}/"
    assert view.owner_id == agent.pk and view.filters == {"priority": [4], "assignee_id": "me"}
    assert view.sort == "-priority"
    html = client.get(response["Location"]).content.decode()
    assert "Urgent mine" in html and set(row_ids(html)) == {t.pk for i, t in enumerate(many) if i % 12 == 3}
    client.post(f"/views/{view.pk}/rename/", {"name": "Fires"})
    view.refresh_from_db()
    assert view.name == "Fires"
    asked = client.post(f"/views/{view.pk}/delete/")
    assert asked.status_code == 200 and "Delete the view “Fires”?" in asked.content.decode()
    assert View.objects.filter(pk=view.pk).exists()  # nothing goes before the agent confirms
    client.post(f"/views/{view.pk}/delete/", {"confirm": "1"})
    assert not View.objects.filter(pk=view.pk).exists()


def test_an_agent_cannot_share_a_view_and_sees_why(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    response = client.post("/views/save/", {"name": "For all", "query": "", "shared": "1"}, follow=True)
    assert not View.objects.filter(name="For all").exists()
    assert "Only admins and supervisors share views." in response.content.decode()
    response = client.post("/views/save/", {"name": "", "query": ""}, follow=True)
    assert "needs a name" in response.content.decode()


def test_another_agents_view_is_not_found(agent) -> None:  # type: ignore[no-untyped-def]
    other = f.UserFactory(role="agent")
    theirs = view_create(actor=Actor.of(other), name="Theirs", filters={})
    client = client_for(agent)
    assert client.get(f"/views/{theirs.pk}/").status_code == 404
    assert client.post(f"/views/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/views/{theirs.pk}/delete/", {"confirm": "1"}).status_code == 404
    assert client.get("/views/99999999999999999999/").status_code == 404
    assert View.objects.filter(pk=theirs.pk).exists()


def test_a_view_with_changed_filters_can_be_reset(agent, many) -> None:  # type: ignore[no-untyped-def]
    view = view_create(actor=Actor.of(agent), name="Tag 0", filters={"tag": "tag0"})
    html = client_for(agent).get(f"/views/{view.pk}/", {"f": "1", "tag": "tag2"}).content.decode()
    assert sorted(row_ids(html)) == sorted(t.pk for i, t in enumerate(many) if i % 4 == 2)
    assert "Reset to the view" in html


def test_the_light_agent_gets_no_bulk_bar(light_agent, many) -> None:  # type: ignore[no-untyped-def]
    html = client_for(light_agent).get("/tickets/").content.decode()
    assert "data-bulk-bar" not in html and 'name="ticket_ids"' not in html
    assert html.count("data-row-link") >= 20


def test_pages_render_in_a_fixed_number_of_queries(agent, many) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(agent)
    views = len(list(view_list(viewer=agent)))
    with CaptureQueriesContext(connection) as cold:
        response = client.get("/tickets/")
    assert len(row_ids(response.content.decode())) == 30
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/tickets/").status_code == 200
    # the list's own: the session's user, the page of tickets, their tags, the teams and agents of the
    # filter menus, the statuses, the last public messages, the sidebar's views
    assert len(warm) == 8, "\n".join(q["sql"][:120] for q in warm.captured_queries)
    # the first time, also: the default brand, the bell (its latest and its unread count), and the
    # count of each view in the sidebar, kept in the cache after that
    assert len(cold) == len(warm) + 3 + views, "\n".join(q["sql"][:120] for q in cold.captured_queries)
    with CaptureQueriesContext(connection) as listed:
        assert client.get("/views/").status_code == 200
    assert len(listed) == 3, "the user, the views, the statuses: the counts come from the cache"
