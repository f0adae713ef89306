"""Browser journeys of the lists: bulk-assigning tickets, and searching from the top bar."""

from __future__ import annotations

import json

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in


def top(page: object) -> None:
    """Scroll back up so sticky bars sit where they belong in a full-page screenshot."""
    page.evaluate("window.scrollTo(0, 0)")  # type: ignore[attr-defined]

AGENT = "agent@demo.frontdesk.local"

PICK = """
import json
from django.db.models import Q
from frontdesk.accounts.models import User
from frontdesk.tickets.models import Ticket
u = User.objects.get(email=%r)
qs = (Ticket.objects.exclude(status_category='closed').filter(merged_into=None)
      .filter(Q(team=None) | Q(team__members=u)).exclude(assignee=u).filter(team__restricted=False)
      | Ticket.objects.exclude(status_category='closed').filter(merged_into=None, team=None).exclude(assignee=u))
ids = list(qs.distinct().order_by('-id').values_list('pk', flat=True)[:3])
print(json.dumps({"ids": ids, "user": u.pk, "name": u.name or u.email}))
"""


def test_an_agent_bulk_assigns_three_tickets_from_a_list(live_app: LiveApp) -> None:
    picked = json.loads(live_app.shell(PICK % AGENT).strip().splitlines()[-1])
    ids, me, name = picked["ids"], picked["user"], picked["name"]
    assert len(ids) == 3
    with chromium_page() as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/views/")  # type: ignore[attr-defined]
        assert page.locator("table.views-table [data-count]").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "lists-views")
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("text=All tickets >> nth=-1")  # type: ignore[attr-defined]
        page.click(".filters-summary")  # type: ignore[attr-defined]  # the panel is folded when unfiltered
        page.select_option("#f-sort", "-id")  # type: ignore[attr-defined]
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
        assert page.locator("[data-bulk-bar]").is_hidden()  # type: ignore[attr-defined]
        for pk in ids:
            page.check(f"#select-{pk}")  # type: ignore[attr-defined]
        assert page.locator("[data-bulk-bar]").is_visible()  # type: ignore[attr-defined]
        assert page.inner_text("[data-bulk-count]") == "3"  # type: ignore[attr-defined]
        page.select_option("#bulk-assignee", str(me))  # type: ignore[attr-defined]
        top(page)
        screenshot(page, "lists-bulk-bar")
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("[data-bulk-bar] button[value=update]")  # type: ignore[attr-defined]
        assert "3 tickets updated." in page.inner_text(".flash")  # type: ignore[attr-defined]
        for pk in ids:
            row = page.locator(f"tr[data-row]:has(#select-{pk})")  # type: ignore[attr-defined]
            assert row.locator(".col-assignee").inner_text().strip() == name
        screenshot(page, "lists-after-bulk")
    check = (
        "from frontdesk.tickets.models import Ticket; "
        f"print(sorted(Ticket.objects.filter(pk__in={ids}).values_list('assignee_id', flat=True)))"
    )
    assert live_app.shell(check).strip().splitlines()[-1] == str([me, me, me])


def test_search_from_the_top_bar_suggests_then_shows_results(live_app: LiveApp) -> None:
    subject = live_app.shell(
        "from frontdesk.tickets.models import Ticket; print(Ticket.objects.order_by('id').first().subject)"
    ).strip().splitlines()[-1]
    word = max(subject.split(), key=len).strip(".,:;!?'\"()")
    with chromium_page() as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/tickets/")  # type: ignore[attr-defined]
        page.keyboard.press("/")  # type: ignore[attr-defined]
        page.keyboard.type(word[:4])  # type: ignore[attr-defined]
        page.wait_for_selector("#search-suggest .suggest-item")  # type: ignore[attr-defined]
        assert page.locator("#search-suggest mark").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "search-suggest")
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/search/?q=*")  # type: ignore[attr-defined]
        assert page.locator(".result").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "search-results")
    with chromium_page(width=900, height=1100) as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/tickets/")  # type: ignore[attr-defined]
        page.check("[data-row] input[data-select-row] >> nth=0")  # type: ignore[attr-defined]
        top(page)
        screenshot(page, "lists-tablet")
        page.goto(live_app.url + f"/search/?q={word}")  # type: ignore[attr-defined]
        screenshot(page, "search-results-tablet")
