from __future__ import annotations

import pytest

from frontdesk.brands.services import brand_save, default_brand
from frontdesk.core.actor import Actor
from frontdesk.fields.services import custom_field_save, definitions


@pytest.mark.django_db(transaction=True)
def test_cached_definitions_and_default_brand_follow_every_change(admin_user) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.of(admin_user)
    assert "plan" not in definitions("ticket")  # read outside a transaction: now cached
    custom_field_save(actor=actor, applies_to="ticket", key="plan", label="Plan", type="text")
    assert "plan" in definitions("ticket"), "a new field is validated at once"
    field = definitions("ticket")["plan"]
    custom_field_save(actor=actor, field=field, active=False)
    assert "plan" not in definitions("ticket"), "a deactivated field is refused at once"

    first = default_brand()
    other = brand_save(actor=actor, name="Acme", is_default=True)
    assert default_brand().pk == other.pk != first.pk


@pytest.mark.django_db
def test_a_request_reads_cached_configuration_once_and_sees_its_own_changes(  # type: ignore[no-untyped-def]
    admin_user, django_assert_num_queries
) -> None:
    from django.core.cache import cache

    from frontdesk.core.cache import request_memo
    from frontdesk.tickets.selectors import status_choices
    from frontdesk.tickets.services.statuses import status_create
    from frontdesk.workspace.templatetags.chrome import label

    cache.clear()
    with request_memo():
        with django_assert_num_queries(1):
            keys = [s.key for s in status_choices()]
        cache.clear()  # another process forgot it meanwhile: this request keeps the list it read
        with django_assert_num_queries(0):
            assert [s.key for s in status_choices()] == keys
            assert label("on_hold", "status") == "On hold"
        status_create(actor=Actor.of(admin_user), key="awaiting_parts", label="Awaiting parts",
                      category="on_hold")
        assert label("awaiting_parts", "status") == "Awaiting parts", "a change made in the request is seen in it"
    cache.clear()
    with django_assert_num_queries(1):  # outside a request nothing is kept
        status_choices()
