"""Browser journeys of the admin settings pages, and screenshots of the customer, organisation,
settings and profile pages at laptop and tablet widths.

The demo already has a ticket dropdown with the key ``plan`` (labelled "Plan"): the admin's new
"Plan" field is given the key ``subscription_plan`` after the page refuses the clash. The agent's
half of the journey fills the select named ``cf_subscription_plan`` on a ticket.
"""

from __future__ import annotations

import json

import pytest

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

ADMIN = "admin@demo.frontdesk.local"
FIELD_KEY = "subscription_plan"


def test_an_admin_creates_a_custom_field(live_app: LiveApp) -> None:
    with chromium_page() as page:
        p: object = page
        sign_in(p, live_app, ADMIN)
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("nav.sidebar >> text=Administration")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-grid >> text=Custom fields")  # type: ignore[attr-defined]
        p.click("summary:has-text('New custom field')")  # type: ignore[attr-defined]
        p.select_option("#f-applies-to", "ticket")  # type: ignore[attr-defined]
        p.select_option("#f-type", "dropdown")  # type: ignore[attr-defined]
        p.fill("#f-label", "Plan")  # type: ignore[attr-defined]
        p.fill("#f-options", "Free\nPro\nEnterprise")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('New custom field')")  # type: ignore[attr-defined]
        # the demo already has a ticket field keyed "plan": the clash is shown next to the key
        assert "already in use" in p.inner_text("#f-key-error")  # type: ignore[attr-defined]
        assert p.input_value("#f-options") == "Free\nPro\nEnterprise"  # type: ignore[attr-defined]
        p.fill("#f-key", FIELD_KEY)  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('New custom field')")  # type: ignore[attr-defined]
        row = p.inner_text(f"tr:has(code:text-is('{FIELD_KEY}'))")  # type: ignore[attr-defined]
        assert "Plan" in row and "Free, Pro, Enterprise" in row and "Dropdown" in row
        screenshot(p, "settings-custom-fields-created")
    stored = live_app.shell(
        "import json; from frontdesk.fields.models import CustomField as F; "
        f"f = F.objects.get(applies_to='ticket', key='{FIELD_KEY}'); "
        "print(json.dumps([f.label, f.type, f.options, f.active]))"
    )
    assert json.loads(stored.strip().splitlines()[-1]) == ["Plan", "dropdown", ["Free", "Pro", "Enterprise"], True]


def _first_ids(live_app: LiveApp) -> tuple[int, int]:
    out = live_app.shell(
        "from django.db.models import Count; from frontdesk.customers.models import Contact, Organisation; "
        "c = Contact.objects.filter(merged_into__isnull=True).annotate(n=Count('tickets'))"
        ".order_by('-n', 'pk').first(); "
        "o = Organisation.objects.annotate(n=Count('contacts')).order_by('-n', 'pk').first(); "
        "print(c.pk, o.pk)"
    )
    contact_id, org_id = out.strip().splitlines()[-1].split()
    return int(contact_id), int(org_id)


@pytest.mark.parametrize(("width", "height", "suffix"), [(1280, 800, "1280"), (900, 1100, "tablet")])
def test_screenshots_of_customer_settings_and_profile_pages(
    live_app: LiveApp, width: int, height: int, suffix: str
) -> None:
    contact_id, org_id = _first_ids(live_app)
    pages = {
        "customer": f"/customers/{contact_id}/",
        "customers": "/customers/",
        "organisation": f"/organisations/{org_id}/",
        "settings": "/settings/",
        "settings-fields": "/settings/fields/",
        "settings-users": "/settings/users/",
        "profile": "/profile/",
    }
    with chromium_page(width=width, height=height) as page:
        p: object = page
        sign_in(p, live_app, ADMIN)
        for name, path in pages.items():
            response = p.goto(live_app.url + path)  # type: ignore[attr-defined]
            assert response.status == 200, path
            assert p.locator("h1").count() == 1  # type: ignore[attr-defined]
            screenshot(p, f"{name}-{suffix}")
