"""Browser journeys of the admin settings pages, and screenshots of the customer, organisation,
settings and profile pages at laptop and tablet widths.

The test first makes a ticket field of its own keyed ``plan_<tag>``: the admin's new "Plan <tag>" field
(whose key would be ``plan_<tag>``) is given the key ``subscription_plan_<tag>`` after the page refuses the
clash. Keys and labels carry a per-test tag, so the test does not depend on the demo's fields or on a
field another test (or an earlier run against the same server) made.
"""

from __future__ import annotations

import json
import uuid

import pytest

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

ADMIN = "admin@demo.frontdesk.local"


def test_an_admin_creates_a_custom_field(live_app: LiveApp) -> None:
    tag = uuid.uuid4().hex[:8]
    label, field_key = f"Plan {tag}", f"subscription_plan_{tag}"
    live_app.shell(
        "from frontdesk.fields.models import CustomField\n"
        f"CustomField.objects.create(applies_to='ticket', key='plan_{tag}', label='Plan', type='text')"
    )
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
        p.fill("#f-label", label)  # type: ignore[attr-defined]
        p.fill("#f-options", "Free\nPro\nEnterprise")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('New custom field')")  # type: ignore[attr-defined]
        # a ticket field keyed plan_<tag> exists already: the clash is shown next to the key
        assert "already in use" in p.inner_text("#f-key-error")  # type: ignore[attr-defined]
        assert p.input_value("#f-options") == "Free\nPro\nEnterprise"  # type: ignore[attr-defined]
        p.fill("#f-key", field_key)  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('New custom field')")  # type: ignore[attr-defined]
        row = p.inner_text(f"tr:has(code:text-is('{field_key}'))")  # type: ignore[attr-defined]
        assert label in row and "Free, Pro, Enterprise" in row and "Dropdown" in row
        screenshot(p, "settings-custom-fields-created")
    stored = live_app.shell(
        "import json; from frontdesk.fields.models import CustomField as F; "
        f"f = F.objects.get(applies_to='ticket', key='{field_key}'); "
        "print(json.dumps([f.label, f.type, f.options, f.active]))"
    )
    assert json.loads(stored.strip().splitlines()[-1]) == [label, "dropdown", ["Free", "Pro", "Enterprise"], True]


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
