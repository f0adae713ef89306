from __future__ import annotations

import pytest

from frontdesk.brands.services import brand_save, default_brand
from frontdesk.core.actor import Actor
from frontdesk.fields.services import custom_field_save, definitions


@pytest.mark.django_db(transaction=True)
def test_cached_definitions_and_default_brand_follow_every_change(admin_user) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.of(admin_user)
    assert "plan" not in definitions("ticket")  # read outside a transaction: now cached
    custom_field_save(actor=actor, by=admin_user, applies_to="ticket", key="plan", label="Plan", type="text")
    assert "plan" in definitions("ticket"), "a new field is validated at once"
    field = definitions("ticket")["plan"]
    custom_field_save(actor=actor, by=admin_user, field=field, active=False)
    assert "plan" not in definitions("ticket"), "a deactivated field is refused at once"

    first = default_brand()
    other = brand_save(actor=actor, by=admin_user, name="Acme", is_default=True)
    assert default_brand().pk == other.pk != first.pk
