"""Admin settings pages: only administrators, every change through the services, errors by the field."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.accounts.models import ApiToken, Team, User
from frontdesk.accounts.services import token_create
from frontdesk.brands.models import Brand
from frontdesk.core.actor import SYSTEM
from frontdesk.fields.models import CustomField, Tag
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

PAGES = ["/settings/", "/settings/users/", "/settings/teams/", "/settings/brands/", "/settings/statuses/",
         "/settings/fields/", "/settings/tags/", "/settings/tokens/"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("url", PAGES)
def test_only_admins_open_settings(url, admin_user, supervisor, agent, customer_user) -> None:  # type: ignore[no-untyped-def]
    assert client_for(admin_user).get(url).status_code == 200
    for refused in (supervisor, agent, customer_user):
        response = client_for(refused).get(url)
        assert response.status_code == 403
    assert Client().get(url).status_code == 302


def test_agents_cannot_post_to_settings(agent) -> None:  # type: ignore[no-untyped-def]
    response = client_for(agent).post("/settings/users/", {"email": "x@example.com", "role": "admin"})
    assert response.status_code == 403 and not User.objects.filter(email="x@example.com").exists()


def test_admin_creates_users_with_or_without_a_password_and_edits_them(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.post("/settings/users/", {"email": "Temp@Example.com", "name": "Temp", "role": "agent",
                                     "password": "a-long-enough-pass-123"})
    temp = User.objects.get(email="temp@example.com")
    assert temp.check_password("a-long-enough-pass-123")
    client.post("/settings/users/", {"email": "sso@example.com", "role": "light_agent", "password": ""})
    sso = User.objects.get(email="sso@example.com")
    assert not sso.has_usable_password() and sso.role == "light_agent"
    response = client.post(f"/settings/users/{sso.pk}/", {"name": "Sam", "role": "supervisor"})
    assert response.status_code == 302
    sso.refresh_from_db()
    assert (sso.name, sso.role, sso.is_active) == ("Sam", "supervisor", False)


def test_user_form_errors_are_shown_next_to_the_field(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    bad = client.post("/settings/users/", {"email": "nope", "role": "agent"})
    assert bad.status_code == 422 and 'id="f-email-error"' in bad.content.decode()
    weak = client.post("/settings/users/", {"email": "w@example.com", "role": "agent", "password": "123"})
    assert weak.status_code == 422 and 'id="f-password-error"' in weak.content.decode()
    last = client.post(f"/settings/users/{admin_user.pk}/", {"name": "Me", "role": "agent", "is_active": "on"})
    assert last.status_code == 409 and b"last active administrator" in last.content


def test_users_list_query_count_is_pinned(admin_user, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    for _ in range(5):
        f.UserFactory()
    client.get("/settings/users/")
    with django_assert_max_num_queries(8) as few:
        client.get("/settings/users/")
    for _ in range(30):
        f.UserFactory()
    with django_assert_max_num_queries(8) as many:
        assert b"Next page" not in client.get("/settings/users/").content
    assert len(few.captured_queries) == len(many.captured_queries)


def test_teams_are_created_with_members_and_restricted(admin_user, agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.post("/settings/teams/", {"name": "Billing", "restricted": "on", "member_ids": [agent.pk]})
    team = Team.objects.get(name="Billing")
    assert team.restricted and list(team.members.all()) == [agent]
    client.post(f"/settings/teams/{team.pk}/", {"name": "Billing EU", "member_ids": []})
    team.refresh_from_db()
    assert team.name == "Billing EU" and not team.restricted and team.members.count() == 0
    dup = client.post("/settings/teams/", {"name": "Billing EU"})
    assert dup.status_code == 409 and 'id="f-name-error"' in dup.content.decode()


def test_brands_are_created_and_validated(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.post("/settings/brands/", {"name": "Acme", "primary_color": "#112233", "accent_color": "#445566",
                                      "support_emails": "help@acme.test, billing@acme.test",
                                      "help_center_host": "help.acme.test", "is_default": "on"})
    brand = Brand.objects.get(name="Acme")
    assert brand.is_default and brand.support_emails == ["help@acme.test", "billing@acme.test"]
    bad = client.post(f"/settings/brands/{brand.pk}/", {"name": "Acme", "primary_color": "red",
                                                        "accent_color": "#445566", "is_default": "on"})
    assert bad.status_code == 422 and 'id="f-primary-color-error"' in bad.content.decode()


def test_custom_statuses_are_added_renamed_and_deactivated(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.post("/settings/statuses/", {"label": "Waiting for vendor", "key": "", "category": "pending",
                                        "position": "50"})
    status = TicketStatus.objects.get(key="waiting_for_vendor")
    assert status.category == "pending" and status.position == 50
    client.post(f"/settings/statuses/{status.pk}/", {"label": "Vendor", "position": "3"})
    status.refresh_from_db()
    assert (status.label, status.position, status.active) == ("Vendor", 3, False)
    bad = client.post("/settings/statuses/", {"label": "", "key": "x", "category": "open"})
    assert bad.status_code == 422 and 'id="f-label-error"' in bad.content.decode()


def test_custom_fields_are_created_per_object_and_edited(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.post("/settings/fields/", {"applies_to": "ticket", "type": "dropdown", "label": "Plan",
                                      "options": "Free\nPro\nEnterprise", "key": ""})
    cf = CustomField.objects.get(applies_to="ticket", key="plan")
    assert cf.options == ["Free", "Pro", "Enterprise"] and cf.type == "dropdown"
    assert "Enterprise" in client.get("/settings/fields/?applies_to=ticket").content.decode()
    assert "Plan" not in client.get("/settings/fields/?applies_to=contact").content.decode()
    client.post(f"/settings/fields/{cf.pk}/", {"label": "Plan tier", "options": "Free\nPro", "required": "on"})
    cf.refresh_from_db()
    assert (cf.label, cf.options, cf.required, cf.active) == ("Plan tier", ["Free", "Pro"], True, False)
    bad = client.post("/settings/fields/", {"applies_to": "ticket", "type": "dropdown", "label": "Size"})
    assert bad.status_code == 422 and 'id="f-options-error"' in bad.content.decode()


def test_tags_are_listed_and_searched(admin_user) -> None:  # type: ignore[no-untyped-def]
    Tag.objects.create(name="billing")
    Tag.objects.create(name="urgent")
    html = client_for(admin_user).get("/settings/tags/", {"q": "bil"}).content.decode()
    assert "billing" in html and "urgent" not in html


def test_admins_see_and_revoke_everyones_tokens(admin_user, agent) -> None:  # type: ignore[no-untyped-def]
    token, secret = token_create(actor=SYSTEM, user=agent, name="sync")
    client = client_for(admin_user)
    html = client.get("/settings/tokens/").content.decode()
    assert token.prefix in html and secret not in html and agent.name in html
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
