"""Reads of the CRM. Objects the viewer may not see are NotFound (404), never 403."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.customers import policies
from frontdesk.customers.models import Contact, Identity, IdentityKind, Organisation, OrganisationDomain, Purchase
from frontdesk.customers.search import parse_query, search_contacts
from frontdesk.customers.services._common import PHONE_KINDS, phone_digits
from frontdesk.fields.models import Tag

SUGGEST_LIMIT = 8
MIN_PHONE_PREFIX = 4  # digits typed before phone numbers are suggested


def _visible_contacts(viewer: User) -> QuerySet[Contact]:
    q = policies.contact_visibility_q(viewer)
    return Contact.objects.all() if q is None else Contact.objects.filter(q)


def _with_output_joins(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    return qs.select_related("organisation").prefetch_related(
        Prefetch("identities", queryset=Identity.objects.order_by("kind", "-is_primary", "pk")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def contact_list(
    *,
    viewer: User,
    q: str | None = None,
    organisation_id: int | None = None,
    vip: bool | None = None,
    include_merged: bool = False,
) -> QuerySet[Contact]:
    """Contacts the viewer may see; ``q`` matches the start of the name or the primary email."""
    qs = _visible_contacts(viewer)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if q:
        term = q.strip()
        qs = qs.filter(Q(name__istartswith=term) | Q(primary_email__startswith=term.lower()))
    if organisation_id is not None:
        qs = qs.filter(organisation_id=check_id(organisation_id, "Organisation"))
    if vip is not None:
        qs = qs.filter(vip=vip)
    return _with_output_joins(qs)


def contact_get(*, viewer: User, contact_id: int) -> Contact:
    """One contact (merged ones too, so a client can follow ``merged_into_id``)."""
    check_id(contact_id, "Contact")
    contact = _with_output_joins(_visible_contacts(viewer)).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("Contact not found.")
    return contact


def _phone_prefix_ids(q: str, limit: int) -> list[int]:
    """Contacts with a phone (or WhatsApp) number starting with what was typed, if it looks like a
    phone number of 4 digits at least. Not yet filtered by visibility."""
    digits = phone_digits(q)
    if len(digits) < MIN_PHONE_PREFIX:
        return []
    rows = Identity.objects.filter(kind__in=PHONE_KINDS, value__startswith="+" + digits)
    return list(rows.order_by("value").values_list("contact_id", flat=True)[:limit])


def contact_suggestions(
    *, viewer: User, q: str, organisation_id: int | None = None, limit: int = SUGGEST_LIMIT
) -> list[Contact]:
    """Contacts for a picker (a list: it merges three lookups). Within an organisation: its
    contacts by name whose name or email starts with ``q`` (all of them with no ``q``). Otherwise
    those whose name or email starts with ``q`` first, then any word of them (full text), then
    phone numbers starting with ``q``; nothing with no ``q``."""
    if organisation_id is not None:
        qs = contact_list(viewer=viewer, q=q or None, organisation_id=organisation_id)
        return list(qs.order_by("name", "pk")[:limit])
    if not q:
        return []
    ids = list(
        contact_list(viewer=viewer, q=q).prefetch_related(None).order_by("name", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    parsed = parse_query(q)
    sees_all = policies.contact_visibility_q(viewer) is None  # the full-text index is for staff only
    words = [h.id for h in search_contacts(parsed, limit=limit)] if parsed is not None and sees_all else []
    for i in words + _phone_prefix_ids(q, limit):
        if i not in ids:
            ids.append(i)
    found = {c.pk: c for c in contact_list(viewer=viewer).filter(pk__in=ids[: limit * 2])}
    return [found[i] for i in ids if i in found][:limit]


def contact_exact_match(*, viewer: User, q: str) -> Contact | None:
    """The contact whose email address or phone number is exactly ``q`` (as typed: spaces,
    punctuation and 00 allowed), if the viewer may see it."""
    q = q.strip()
    if "@" in q:
        kind, value = IdentityKind.EMAIL, q.lower()
    elif digits := phone_digits(q):
        kind, value = IdentityKind.PHONE, "+" + digits
    else:
        return None
    owner = Identity.objects.filter(kind=kind, value=value).values_list("contact_id", flat=True).first()
    return contact_list(viewer=viewer).filter(pk=owner).first() if owner else None


def _visible_organisations(viewer: User) -> QuerySet[Organisation]:
    q = policies.organisation_visibility_q(viewer)
    qs = Organisation.objects.all() if q is None else Organisation.objects.filter(q)
    return qs.prefetch_related(
        Prefetch("domains", queryset=OrganisationDomain.objects.order_by("domain")),
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )


def organisation_list(
    *, viewer: User, q: str | None = None, vip: bool | None = None
) -> QuerySet[Organisation]:
    qs = _visible_organisations(viewer)
    if q:
        qs = qs.filter(name__istartswith=q.strip())
    if vip is not None:
        qs = qs.filter(vip=vip)
    return qs


def organisation_get(*, viewer: User, organisation_id: int) -> Organisation:
    check_id(organisation_id, "Organisation")
    org = _visible_organisations(viewer).filter(pk=organisation_id).first()
    if org is None:
        raise NotFound("Organisation not found.")
    return org


def purchase_list(*, viewer: User, contact_id: int) -> QuerySet[Purchase]:
    """The purchases of a contact the viewer may see (404 otherwise)."""
    check_id(contact_id, "Contact")
    q = policies.contact_visibility_q(viewer)
    visible = Contact.objects.filter(pk=contact_id)
    if q is not None:
        visible = visible.filter(q)
    if not visible.exists():
        raise NotFound("Contact not found.")
    return Purchase.objects.filter(contact_id=contact_id)
