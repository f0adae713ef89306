"""Brands through the REST API."""

from __future__ import annotations

import pytest

from frontdesk.brands.models import Brand

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_brands(db):  # type: ignore[no-untyped-def]
    Brand.objects.all().delete()  # the migrations create a default brand; start from none


def test_admin_creates_and_edits_a_brand(admin_user, api_for):
    api = api_for(admin_user)
    created = api.post(
        "/api/v1/brands",
        {"name": "Acme Cloud", "support_emails": ["Help@Acme.test"], "help_center_host": "Help.Acme.test"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["slug"] == "acme-cloud"
    assert body["support_emails"] == ["help@acme.test"] and body["help_center_host"] == "help.acme.test"
    assert body["logo_url"] is None

    edited = api.patch(f"/api/v1/brands/{body['id']}", {"primary_color": "#ff0000", "help_center_host": None})
    assert edited.status_code == 200
    brand = Brand.objects.get(pk=body["id"])
    assert brand.primary_color == "#ff0000" and brand.help_center_host is None


def test_brand_values_are_validated(admin_user, api_for):
    api = api_for(admin_user)
    response = api.post(
        "/api/v1/brands",
        {"name": "B", "primary_color": "red", "support_emails": ["nope"], "help_center_host": "not a host"},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"primary_color", "support_emails", "help_center_host"}
    assert not Brand.objects.exists()


def test_names_and_hosts_are_unique_and_slugs_do_not_collide(admin_user, api_for):
    api = api_for(admin_user)
    assert api.post("/api/v1/brands", {"name": "One", "help_center_host": "help.one.test"}).status_code == 201
    assert api.post("/api/v1/brands", {"name": "One"}).status_code == 409
    assert api.post("/api/v1/brands", {"name": "Two", "help_center_host": "help.one.test"}).status_code == 409
    # two brands without a help centre, and names that slugify alike
    assert api.post("/api/v1/brands", {"name": "One!"}).status_code == 201
    assert sorted(Brand.objects.values_list("slug", flat=True)) == ["one", "one-2"]


def test_one_default_brand_at_a_time(admin_user, api_for):
    api = api_for(admin_user)
    first = api.post("/api/v1/brands", {"name": "First", "is_default": True}).json()
    second = api.post("/api/v1/brands", {"name": "Second", "is_default": True}).json()
    assert Brand.objects.get(is_default=True).pk == second["id"]
    assert api.patch(f"/api/v1/brands/{second['id']}", {"is_default": False}).status_code == 409
    assert Brand.objects.get(pk=first["id"]).is_default is False


def test_agents_read_brands_but_cannot_write_and_customers_get_404(admin_user, agent, customer_user, api_for):
    brand_id = api_for(admin_user).post("/api/v1/brands", {"name": "Acme"}).json()["id"]
    api = api_for(agent)
    assert [b["name"] for b in api.get("/api/v1/brands").json()["items"]] == ["Acme"]
    assert api.get(f"/api/v1/brands/{brand_id}").status_code == 200
    assert api.post("/api/v1/brands", {"name": "Mine"}).status_code == 403
    assert api.patch(f"/api/v1/brands/{brand_id}", {"name": "Mine"}).status_code == 403
    customer = api_for(customer_user)
    assert customer.get("/api/v1/brands").status_code == 404
    assert customer.get(f"/api/v1/brands/{brand_id}").status_code == 404
    assert customer.patch(f"/api/v1/brands/{brand_id}", {"name": "Mine"}).status_code == 404
    assert Brand.objects.get().name == "Acme"
