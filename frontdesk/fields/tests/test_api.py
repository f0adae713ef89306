"""Custom field definitions and tags through the REST API."""

from __future__ import annotations

import pytest

from frontdesk.fields.models import CustomField, Tag
from frontdesk.fields.services import tags_ensure

pytestmark = pytest.mark.django_db

PLAN = {"key": "plan", "label": "Plan", "type": "dropdown", "options": ["free", "pro"]}


def test_admin_defines_a_field_and_agents_list_them(admin_user, agent, api_for):
    admin = api_for(admin_user)
    created = admin.post("/api/v1/fields", PLAN)
    assert created.status_code == 201, created.content
    assert created.json()["applies_to"] == "ticket"
    admin.post("/api/v1/fields", {"key": "vip", "label": "VIP", "type": "checkbox", "applies_to": "contact"})

    api = api_for(agent)
    assert [f["key"] for f in api.get("/api/v1/fields").json()["items"]] == ["plan", "vip"]
    assert [f["key"] for f in api.get("/api/v1/fields", {"applies_to": "contact"}).json()["items"]] == ["vip"]
    assert api.get("/api/v1/fields", {"applies_to": "planet"}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PLAN, "options": []}, "options"),
        ({**PLAN, "options": ["a", "a"]}, "options"),
        ({**PLAN, "type": "text"}, "options"),
        ({**PLAN, "key": "Plan Name"}, "key"),
        ({**PLAN, "key": "9lives"}, "key"),
        ({**PLAN, "label": "   "}, "label"),
        ({**PLAN, "type": "colour"}, "type"),
    ],
)
def test_definitions_are_validated(admin_user, api_for, body, field):
    response = api_for(admin_user).post("/api/v1/fields", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not CustomField.objects.exists()


def test_key_type_and_target_are_fixed_but_the_rest_can_change(admin_user, api_for):
    api = api_for(admin_user)
    field_id = api.post("/api/v1/fields", PLAN).json()["id"]
    assert api.patch(f"/api/v1/fields/{field_id}", {"type": "text"}).status_code == 422
    assert api.patch(f"/api/v1/fields/{field_id}", {"key": "tier"}).status_code == 422
    changed = api.patch(
        f"/api/v1/fields/{field_id}", {"options": ["free", "pro", "enterprise"], "required": True}
    )
    assert changed.status_code == 200
    field = CustomField.objects.get()
    assert field.key == "plan" and field.options == ["free", "pro", "enterprise"] and field.required


def test_keys_are_unique_per_target(admin_user, api_for):
    api = api_for(admin_user)
    assert api.post("/api/v1/fields", PLAN).status_code == 201
    assert api.post("/api/v1/fields", PLAN).status_code == 409
    assert api.post("/api/v1/fields", {**PLAN, "applies_to": "organisation"}).status_code == 201


def test_only_admins_define_fields_and_customers_get_404(agent, customer_user, api_for):
    assert api_for(agent).post("/api/v1/fields", PLAN).status_code == 403
    assert api_for(customer_user).post("/api/v1/fields", PLAN).status_code == 404
    assert api_for(customer_user).get("/api/v1/fields").status_code == 404
    assert not CustomField.objects.exists()


def test_tags_filter_by_prefix_in_keyset_pages(agent, customer_user, api_for):
    tags_ensure(["billing", "bug", "Billing Question", "refund", "b2b"])
    api = api_for(agent)
    first = api.get("/api/v1/tags", {"q": "B", "limit": 2}).json()
    rest = api.get("/api/v1/tags", {"q": "B", "limit": 2, "cursor": first["next_cursor"]}).json()
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert names == ["b2b", "billing", "billing-question", "bug"]
    assert rest["next_cursor"] is None
    assert [t["name"] for t in api.get("/api/v1/tags", {"q": "billing q"}).json()["items"]] == [
        "billing-question"
    ]
    assert api_for(customer_user).get("/api/v1/tags").status_code == 404
    assert Tag.objects.count() == 5
