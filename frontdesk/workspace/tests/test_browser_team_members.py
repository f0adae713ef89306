"""Browser: an admin chooses a team's members with the searchable token picker, by keyboard only."""

from __future__ import annotations

import json
import uuid
from typing import Any

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

ADMIN = "admin@demo.frontdesk.local"

AGENTS = """
import json
from frontdesk.accounts.models import User
print(json.dumps([[u.pk, u.name] for u in User.objects.filter(role='agent', is_active=True).order_by('name')[:2]]))
"""


def test_an_admin_picks_team_members_by_typing_and_removes_one_with_backspace(live_app: LiveApp) -> None:
    (first_id, first), (second_id, second) = json.loads(live_app.shell(AGENTS).strip().splitlines()[-1])
    team = f"Escalations {uuid.uuid4().hex[:8]}"  # a name no other test's team has
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, ADMIN)
        p.goto(live_app.url + "/settings/teams/")
        p.click("summary:has-text('New team')")
        p.fill("#f-name", team)
        box = p.locator("#f-member-ids")
        assert box.get_attribute("role") == "combobox"
        assert p.locator("[data-token-fallback]").is_hidden()  # the checkboxes stay the form's real input
        for name in (first, second):
            box.fill(name)
            p.locator("#f-member-ids-list [role=option]", has_text=name).first.wait_for()
            p.keyboard.press("Enter")
        chips = p.locator("[data-chips] .chip")
        assert chips.count() == 2
        box.fill(first)  # a chosen agent is not offered again
        assert p.locator("#f-member-ids-list [role=option]", has_text=first).count() == 0
        box.fill("")
        p.keyboard.press("Backspace")  # the empty box: the last chip goes
        assert chips.count() == 1 and first in chips.first.inner_text()
        screenshot(p, "settings-team-members-picker")
        with p.expect_navigation():
            p.locator("details.new-form button[type=submit]").click()
    members = live_app.shell(
        "from frontdesk.accounts.models import Team\n"
        f"print(sorted(Team.objects.get(name={team!r}).members.values_list('pk', flat=True)))"
    ).strip().splitlines()[-1]
    assert json.loads(members) == [first_id]
    assert second_id != first_id
