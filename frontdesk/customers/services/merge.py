"""Merging two contacts into one.

Tickets, messages and whatever later apps attach to a contact point at Contact from
apps that depend on this one; this module must not import them. It finds them through
``Contact._meta.related_objects`` and moves every foreign key and many-to-many row with
``.update()``, so a relation added tomorrow moves too.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ForeignObjectRel, ManyToManyRel, Model
from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.core.events import record
from frontdesk.customers.events import ContactsMerged
from frontdesk.customers.models import Contact, ContactEvent, Identity, Purchase
from frontdesk.customers.services._common import contact_event, require_editor

# moved explicitly below, with their own rules
_OWN_RELATIONS = {(Identity, "contact"), (Purchase, "contact"), (ContactEvent, "contact")}


def _move_m2m(rel: ManyToManyRel, source: Contact, target: Contact) -> int:
    through: type[Model] = rel.through  # type: ignore[assignment]
    field = rel.field  # the ManyToManyField on the other model
    to_contact = field.m2m_reverse_field_name()  # type: ignore[attr-defined]
    to_other = field.m2m_field_name()  # type: ignore[attr-defined]
    rows = through._default_manager.filter(**{to_contact: source.pk})
    # rows whose other side already links to the target would become duplicates: drop them
    already = through._default_manager.filter(**{to_contact: target.pk}).values(f"{to_other}_id")
    rows.filter(**{f"{to_other}_id__in": already}).delete()
    return rows.update(**{to_contact: target.pk})


def _move_fk(rel: ForeignObjectRel, source: Contact, target: Contact) -> int:
    model = rel.related_model
    name = rel.field.name
    rows = model._default_manager.filter(**{name: source.pk})
    try:
        with transaction.atomic():
            return rows.update(**{name: target.pk})
    except IntegrityError:
        # a unique constraint (a one-to-one, or unique with another column): move what fits
        moved = 0
        for pk in rows.values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    moved += model._default_manager.filter(pk=pk).update(**{name: target.pk})
            except IntegrityError:
                continue
        return moved


def _move_related(source: Contact, target: Contact) -> dict[str, int]:
    moved: dict[str, int] = {}
    for rel in Contact._meta.related_objects:
        if rel.related_model is Contact and rel.field.name == "merged_into":
            continue
        if (rel.related_model, rel.field.name) in _OWN_RELATIONS:
            continue
        key = rel.get_accessor_name() or f"{rel.related_model._meta.label_lower}.{rel.field.name}"
        count = _move_m2m(rel, source, target) if isinstance(rel, ManyToManyRel) else _move_fk(rel, source, target)
        moved[key] = moved.get(key, 0) + count
    return moved


def contacts_merge(*, actor: Actor, source: Contact, target: Contact) -> Contact:
    """Merge ``source`` into ``target``: ``target`` keeps everything; ``source`` stays as a pointer."""
    by = acting_user(actor)
    require_editor(by)
    if source.pk == target.pk:
        raise ValidationError("A contact cannot be merged into itself.", fields={"target_id": "same contact"})
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Contact.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        }
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None:
            raise ValidationError("This contact was already merged.", fields={"source": "already merged"})
        if target.merged_into_id is not None:
            raise ValidationError(
                "The target was merged into another contact.", fields={"target_id": "already merged"}
            )
        moved: dict[str, int] = {}
        moved["identities"] = source.identities.update(contact=target, is_primary=False)
        for kind in target.identities.values_list("kind", flat=True).distinct():
            if not target.identities.filter(kind=kind, is_primary=True).exists():
                first = target.identities.filter(kind=kind).order_by("pk").first()
                Identity.objects.filter(pk=first.pk).update(is_primary=True)  # type: ignore[union-attr]
        moved["purchases"] = source.purchases.update(contact=target)
        moved["contact_events"] = source.crm_events.update(contact=target)
        moved.update(_move_related(source, target))
        moved["merged_contacts"] = Contact.objects.filter(merged_into=source).update(merged_into=target)

        target.lifetime_value += source.lifetime_value
        target.purchase_count += source.purchase_count
        target.custom_fields = {**source.custom_fields, **target.custom_fields}
        target.notes = "\n\n".join(n for n in (target.notes.strip(), source.notes.strip()) if n)
        target.vip = target.vip or source.vip
        for field in ("name", "language", "time_zone", "preferred_channel", "tier", "primary_email"):
            if not getattr(target, field):
                setattr(target, field, getattr(source, field))
        if target.organisation_id is None:
            target.organisation_id = source.organisation_id
        if target.user_id is None and source.user_id is not None:
            user_id = source.user_id
            Contact.objects.filter(pk=source.pk).update(user=None)
            target.user_id = user_id
            moved["user"] = 1
        target.tags.add(*source.tags.all())
        now = timezone.now()
        target.updated_at = now
        target.save()

        source.merged_into = target
        source.lifetime_value = 0
        source.purchase_count = 0
        source.primary_email = ""
        source.user = None
        source.updated_at = now
        source.save()

        contact_event(
            target,
            actor=actor,
            kind="merged",
            data={"source_id": source.pk, "moved": moved},
            body=f"Contact {source.pk} was merged into this contact.",
        )
        contact_event(
            source,
            actor=actor,
            kind="merged",
            data={"target_id": target.pk, "moved": moved},
            body=f"Merged into contact {target.pk}.",
        )
        record(ContactsMerged(source_id=source.pk, target_id=target.pk, moved=moved), actor=actor)
    return target
