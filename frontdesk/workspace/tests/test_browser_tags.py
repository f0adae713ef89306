"""Settings → Tags in Debian's Chromium: an admin merges tags with the keyboard alone, and screenshots of the
list, the merge, the rename-into-merge and the delete confirmations at laptop and tablet widths."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

ADMIN = "admin@demo.frontdesk.local"


def tag_tickets(app: LiveApp, tag_sets: list[list[str]]) -> list[int]:
    """One ticket per set of tags, from the demo customer, made through the service."""
    out = app.shell(
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.models import Contact\n"
        "from frontdesk.tickets.services import ticket_create\n"
        "c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')\n"
        f"ids = [ticket_create(actor=SYSTEM, requester=c, subject='Tagged', body='Hi', tags=t).pk"
        f" for t in {tag_sets!r}]\n"
        "print(*ids)"
    )
    return [int(i) for i in out.strip().splitlines()[-1].split()]


def tags_of(app: LiveApp, ticket_ids: list[int]) -> dict[str, list[str]]:
    out = app.shell(
        "import json\n"
        "from frontdesk.tickets.models import Ticket\n"
        f"print(json.dumps({{str(t.pk): sorted(t.tags.values_list('name', flat=True))"
        f" for t in Ticket.objects.filter(pk__in={ticket_ids!r})}}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_an_admin_merges_tags_with_the_keyboard(live_app: LiveApp) -> None:
    uid = uuid.uuid4().hex[:6]
    bug, defect, issue = f"kb{uid}-bug", f"kb{uid}-defect", f"kb{uid}-issue"
    ids = tag_tickets(live_app, [[bug, defect], [defect], [issue, bug], [issue]])
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, ADMIN)
        p.goto(f"{live_app.url}/settings/tags/?q=kb{uid}")
        for name in (bug, defect, issue):
            box = p.get_by_label(f"Select {name}", exact=True)
            box.focus()
            p.keyboard.press("Space")
            assert box.is_checked()
        p.get_by_role("button", name="Merge selected…").focus()
        with p.expect_navigation():
            p.keyboard.press("Enter")
        p.get_by_role("heading", name="Merge tags").wait_for()
        assert "After the merge, 4 tickets carry the kept tag" in p.inner_text("main")
        # the radios are in name order (bug, defect, issue): bug and defect have 2 tickets, bug comes first
        checked = p.locator("input[name=target]:checked")
        assert checked.get_attribute("value") == p.get_by_label(bug).get_attribute("value")
        checked.focus()
        p.keyboard.press("ArrowDown")
        assert p.get_by_label(defect).is_checked()
        p.keyboard.press("Tab")
        assert p.evaluate("document.activeElement.textContent.trim()") == "Merge tags"
        with p.expect_navigation():
            p.keyboard.press("Enter")
        p.wait_for_url("**/settings/tags/")
        assert f"“{bug}”, “{issue}” merged into “{defect}”." in p.inner_text("main")
    assert tags_of(live_app, ids) == {str(i): [defect] for i in ids}


@pytest.mark.parametrize(("width", "height", "suffix"), [(1280, 800, "1280"), (820, 1100, "820")])
def test_screenshots_of_the_tag_pages(live_app: LiveApp, width: int, height: int, suffix: str) -> None:
    uid = uuid.uuid4().hex[:6]
    old, new, other = f"shot{uid}-refund", f"shot{uid}-refunds", f"shot{uid}-vip"
    tag_tickets(live_app, [[old, new], [old], [other], [new, other]])
    with chromium_page(width=width, height=height) as page:
        p: Any = page
        sign_in(p, live_app, ADMIN)
        p.goto(f"{live_app.url}/settings/tags/")
        p.get_by_role("table").wait_for()
        screenshot(p, f"settings-tags-{suffix}")
        p.goto(f"{live_app.url}/settings/tags/?q=shot{uid}")
        p.get_by_label(f"Select {old}", exact=True).check()
        p.get_by_label(f"Select {new}", exact=True).check()
        with p.expect_navigation():
            p.get_by_role("button", name="Merge selected…").click()
        p.get_by_role("heading", name="Merge tags").wait_for()
        screenshot(p, f"settings-tags-merge-{suffix}")
        p.goto(f"{live_app.url}/settings/tags/?q=shot{uid}")
        with p.expect_navigation():
            p.get_by_role("link", name=f"Rename {old}", exact=True).click()
        p.get_by_label(re.compile("^Name")).fill(new)
        with p.expect_navigation():
            p.get_by_role("button", name="Rename").click()
        assert "exists already" in p.inner_text("#merge-confirm")
        assert "exists already" in p.inner_text("#f-name-error")
        screenshot(p, f"settings-tag-rename-merge-{suffix}")
        p.goto(f"{live_app.url}/settings/tags/?q=shot{uid}")
        with p.expect_navigation():
            p.get_by_role("link", name=f"Delete {other}", exact=True).click()
        assert "2 tickets lose the tag" in p.inner_text("#delete-impact")
        screenshot(p, f"settings-tag-delete-{suffix}")
