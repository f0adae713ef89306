"""Brand names (the display name of every mail the brand sends) and the other brand values are
refused with control characters, trimmed and length-checked at the service, so the API and the
settings page both answer with a field error. Red-team finding 10 (issue 8): CR/LF in a name made
every outgoing mail fail and retry."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.brands.models import Brand
from frontdesk.brands.services import brand_save
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError

pytestmark = pytest.mark.django_db

BAD_NAMES = ["Acme\r\nBcc: victim@example.com", "Acme\n", "Ac\rme", "Acme\x00", "Acme\tSupport", "Acme\x7f",
             "Acme\u2028Support", "Acme\x85"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_service_refuses_control_characters_in_names(admin_user, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        brand_save(actor=Actor.of(admin_user), name=name)
    assert "name" in caught.value.fields
    brand = brand_save(actor=Actor.of(admin_user), name="Fine")
    with pytest.raises(ValidationError):
        brand_save(actor=Actor.of(admin_user), brand=brand, name=name)
    assert Brand.objects.get(pk=brand.pk).name == "Fine"


def test_names_are_trimmed_and_length_checked(admin_user) -> None:  # type: ignore[no-untyped-def]
    brand = brand_save(actor=Actor.of(admin_user), name="  Acme Cloud  ")
    assert brand.name == "Acme Cloud"
    for name in ["x" * 101, "   ", ""]:
        with pytest.raises(ValidationError) as caught:
            brand_save(actor=Actor.of(admin_user), brand=brand, name=name)
        assert "name" in caught.value.fields


@pytest.mark.parametrize(("field", "value"), [
    ("primary_color", "#ffffff\n"), ("accent_color", "#000000\r\n"), ("slug", "acme\n"),
    ("help_center_host", "help.example.com\r\nX: y"), ("support_emails", ["help@example.com\nBcc: x@y.z"]),
])
def test_every_brand_value_refuses_line_breaks(admin_user, field, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        brand_save(actor=Actor.of(admin_user), name="Acme", **{field: value})
    assert field in caught.value.fields


def test_the_api_answers_a_field_error(admin_user, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(admin_user)
    r = api.post("/api/v1/brands", {"name": "Acme\r\nBcc: victim@example.com"})
    assert r.status_code == 422 and "name" in r.json()["error"]["fields"], r.content
    brand = Brand.objects.get(is_default=True)
    r = api.patch(f"/api/v1/brands/{brand.pk}", {"name": "Support\n"})
    assert r.status_code == 422 and "name" in r.json()["error"]["fields"]
    assert Brand.objects.get(pk=brand.pk).name == "Support"


def test_the_settings_page_shows_the_field_error(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    brand = Brand.objects.get(is_default=True)
    r = client.post(f"/settings/brands/{brand.pk}/", {
        "name": "Support\r\nBcc: victim@example.com", "primary_color": "#1f6feb", "accent_color": "#0b7a53",
        "is_default": "on",
    })
    assert r.status_code == 422
    assert b"control characters" in r.content
    assert Brand.objects.get(pk=brand.pk).name == "Support"
