"""REST routes of the CRM: customers (contacts), organisations, purchases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from frontdesk.accounts.api_auth import caller
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import ObjectId, PageOut, idempotent, page_response
from frontdesk.core.pagination import keyset_page
from frontdesk.customers import policies, selectors, services
from frontdesk.customers.models import Contact, Organisation
from frontdesk.customers.schemas import (
    ContactEventOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    IdentityIn,
    IdentityOut,
    MergeIn,
    NoteIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PurchaseCreateIn,
    PurchaseIn,
    PurchaseOut,
)

router = Router(tags=["customers"])


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(caller(request))


def _redact(request: HttpRequest, objs: list[Contact] | list[Organisation]) -> None:
    """Internal notes are for staff: customers get them blank."""
    if not policies.sees_internal(caller(request)):
        for obj in objs:
            obj.notes = ""


def _contact_out(request: HttpRequest, contact: Contact) -> ContactOut:
    fresh = selectors.contact_get(viewer=caller(request), contact_id=contact.pk)
    _redact(request, [fresh])
    return ContactOut.from_orm(fresh)


def _organisation_out(request: HttpRequest, org: Organisation) -> OrganisationOut:
    fresh = selectors.organisation_get(viewer=caller(request), organisation_id=org.pk)
    _redact(request, [fresh])
    return OrganisationOut.from_orm(fresh)


# --- contacts ------------------------------------------------------------------


@router.get("/customers", response=PageOut[ContactOut])
def list_customers(
    request: HttpRequest,
    q: str | None = None,
    organisation_id: ObjectId | None = None,
    vip: bool | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Any:
    qs = selectors.contact_list(viewer=caller(request), q=q, organisation_id=organisation_id, vip=vip)
    page = keyset_page(qs, sort="-id", cursor=cursor, limit=limit)
    _redact(request, page.items)
    return page_response(page)


@router.post("/customers", response={201: ContactOut})
def create_customer(request: HttpRequest, payload: ContactIn) -> HttpResponse:
    data = payload.model_dump()
    data["identities"] = [(i["kind"], i["value"]) for i in data["identities"]]
    data["organisation"] = data.pop("organisation_id")

    def create() -> ContactOut:
        contact = services.contact_create(actor=_actor(request), **data)
        return _contact_out(request, contact)

    return idempotent(request, 201, create)


@router.get("/customers/{contact_id}", response=ContactOut)
def get_customer(request: HttpRequest, contact_id: int) -> Any:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    _redact(request, [contact])
    return contact


@router.patch("/customers/{contact_id}", response=ContactOut)
def update_customer(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    changes = payload.model_dump(exclude_unset=True)
    if "organisation_id" in changes:
        changes["organisation"] = changes.pop("organisation_id")
    contact = services.contact_update(actor=_actor(request), contact=contact, **changes)
    return _contact_out(request, contact)


@router.post("/customers/{contact_id}/identities", response={201: IdentityOut})
def add_identity(request: HttpRequest, contact_id: int, payload: IdentityIn) -> HttpResponse:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    return idempotent(
        request,
        201,
        lambda: IdentityOut.from_orm(
            services.identity_add(
                actor=_actor(request),
                contact=contact,
                kind=payload.kind,
                value=payload.value,
            )
        ),
    )


@router.delete("/customers/{contact_id}/identities/{identity_id}", response={204: None})
def remove_identity(request: HttpRequest, contact_id: int, identity_id: int) -> Any:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    services.identity_remove(actor=_actor(request), contact=contact, identity_id=identity_id)
    return Status(204, None)


@router.post("/customers/{contact_id}/notes", response={201: ContactEventOut})
def add_note(request: HttpRequest, contact_id: int, payload: NoteIn) -> HttpResponse:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    return idempotent(
        request,
        201,
        lambda: ContactEventOut.from_orm(
            services.contact_note_add(
                actor=_actor(request),
                contact=contact,
                body=payload.body,
            )
        ),
    )


@router.post("/customers/{contact_id}/merge", response=ContactOut)
def merge_customer(request: HttpRequest, contact_id: int, payload: MergeIn) -> Any:
    """Merge this contact into ``target_id``; answers with the target."""
    source = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    target = selectors.contact_get(viewer=caller(request), contact_id=payload.target_id)
    merged = services.contacts_merge(actor=_actor(request), source=source, target=target)
    return _contact_out(request, merged)


# --- purchases -----------------------------------------------------------------


@router.get("/customers/{contact_id}/purchases", response=PageOut[PurchaseOut])
def list_purchases(request: HttpRequest, contact_id: int, cursor: str | None = None, limit: int = 25) -> Any:
    qs = selectors.purchase_list(viewer=caller(request), contact_id=contact_id)
    return page_response(keyset_page(qs, sort="-purchased_at", cursor=cursor, limit=limit))


def _record(request: HttpRequest, contact_id: int, payload: PurchaseIn) -> HttpResponse:
    contact = selectors.contact_get(viewer=caller(request), contact_id=contact_id)
    data = payload.model_dump(exclude={"contact_id"})
    return idempotent(
        request,
        201,
        lambda: PurchaseOut.from_orm(
            services.purchase_record(
                actor=_actor(request),
                contact=contact,
                **data,
            )
        ),
    )


@router.post("/customers/{contact_id}/purchases", response={201: PurchaseOut})
def create_contact_purchase(request: HttpRequest, contact_id: int, payload: PurchaseIn) -> HttpResponse:
    return _record(request, contact_id, payload)


@router.post("/purchases", response={201: PurchaseOut})
def create_purchase(request: HttpRequest, payload: PurchaseCreateIn) -> HttpResponse:
    return _record(request, payload.contact_id, payload)


# --- organisations -------------------------------------------------------------


@router.get("/organisations", response=PageOut[OrganisationOut])
def list_organisations(
    request: HttpRequest,
    q: str | None = None,
    vip: bool | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Any:
    qs = selectors.organisation_list(viewer=caller(request), q=q, vip=vip)
    page = keyset_page(qs, sort="name", cursor=cursor, limit=limit)
    _redact(request, page.items)
    return page_response(page)


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> HttpResponse:
    data = payload.model_dump()
    return idempotent(
        request,
        201,
        lambda: _organisation_out(
            request,
            services.organisation_save(
                actor=_actor(request),
                **data,
            ),
        ),
    )


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> Any:
    org = selectors.organisation_get(viewer=caller(request), organisation_id=organisation_id)
    _redact(request, [org])
    return org


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, organisation_id: int, payload: OrganisationPatch) -> Any:
    org = selectors.organisation_get(viewer=caller(request), organisation_id=organisation_id)
    changes = payload.model_dump(exclude_unset=True)
    org = services.organisation_save(actor=_actor(request), organisation=org, **changes)
    return _organisation_out(request, org)
