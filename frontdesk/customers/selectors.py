"""Reads of the CRM. Objects the viewer may not see are NotFound (404), never 403."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.customers import policies
from frontdesk.customers.models import Contact, Identity, Organisation, OrganisationDomain, Purchase
from frontdesk.fields.models import Tag


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
