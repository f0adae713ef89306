"""Writes on organisations and their email domains."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.cache import forget, remembered
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.customers.events import OrganisationSaved
from frontdesk.customers.models import Organisation, OrganisationDomain
from frontdesk.customers.search import organisation_name_key
from frontdesk.customers.services._common import check_text, normalise_domain, require_editor
from frontdesk.fields import services as field_services


def _domain_key(domain: str) -> str:
    return f"customers:org-domain:{domain}"


def _organisation_of(domain: str) -> int | None:
    # read for every new sender of an email: cached, and saving an organisation's domains forgets
    # the ones it adds and removes; the callers' transactions never write domains
    return remembered(
        _domain_key(domain),
        lambda: OrganisationDomain.objects.filter(domain=domain).values_list("organisation_id", flat=True).first(),
        in_transaction=True,
    )


def organisation_id_for_email(email: str) -> int | None:
    """The id of the organisation owning the address's domain, or a parent domain of it (the longest
    wins), from the cache of domains (a round trip less for each new sender of an email)."""
    labels = email.rsplit("@", 1)[-1].lower().split(".")
    for i in range(len(labels) - 1):  # the longest candidate first
        found = _organisation_of(".".join(labels[i:]))
        if found is not None:
            return found
    return None


def _clean_domains(domains: list[str]) -> list[str]:
    if not isinstance(domains, list):
        raise ValidationError("domains must be a list.", fields={"domains": "a list of host names"})
    cleaned: list[str] = []
    for raw in domains:
        domain = normalise_domain(raw)
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def organisation_save(
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    name: str | None = None,
    domains: list[str] | None = None,
    notes: str | None = None,
    vip: bool | None = None,
    tier: str | None = None,
    custom_fields: dict[str, Any] | None = None,
    tags: list[str] | None = None,
) -> Organisation:
    """Create (``organisation`` None) or change an organisation. Arguments left None stay as they are."""
    by = acting_user(actor)
    require_editor(by)
    created = organisation is None
    errors: dict[str, str] = {}
    if name is not None:
        name = name.strip() if isinstance(name, str) else name
        check_text(errors, "name", name, 200)
        if not errors and not name:
            errors["name"] = "required"
    elif created:
        errors["name"] = "required"
    if notes is not None:
        check_text(errors, "notes", notes, 100_000)
    if tier is not None:
        check_text(errors, "tier", tier, 30)
    if vip is not None and not isinstance(vip, bool):
        errors["vip"] = "must be true or false"
    if errors:
        raise ValidationError("The organisation is not valid.", fields=errors)
    wanted_domains = _clean_domains(domains) if domains is not None else None
    with transaction.atomic():
        if created:
            org = Organisation()
        else:
            assert organisation is not None
            org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        diff: dict[str, Any] = {}
        for field, value in (("name", name), ("notes", notes), ("vip", vip), ("tier", tier)):
            if value is not None and value != getattr(org, field):
                diff[field] = [getattr(org, field), value]
                setattr(org, field, value)
        if custom_fields is not None or created:
            values = field_services.validate_values(
                "organisation", custom_fields or {}, current=org.custom_fields
            )
            if values != org.custom_fields:
                diff["custom_fields"] = [org.custom_fields, values]
                org.custom_fields = values
        if name is not None and Organisation.objects.filter(name__iexact=name).exclude(pk=org.pk).exists():
            raise Conflict("An organisation with this name exists.", fields={"name": "already in use"})
        if wanted_domains:
            used = OrganisationDomain.objects.filter(domain__in=wanted_domains).exclude(
                organisation_id=org.pk
            )
            clashes = [d.domain for d in used]
            if clashes:
                raise Conflict(
                    "A domain belongs to another organisation.",
                    fields={"domains": f"already used by another organisation: {', '.join(sorted(clashes))}"},
                )
        org.updated_at = timezone.now()
        try:
            with transaction.atomic():
                org.save()
                if "name" in diff:
                    forget(organisation_name_key(org.pk))
                if wanted_domains is not None:
                    old = sorted(org.domains.values_list("domain", flat=True)) if not created else []
                    for domain in set(old) ^ set(wanted_domains):
                        forget(_domain_key(domain))
                    org.domains.exclude(domain__in=wanted_domains).delete()
                    OrganisationDomain.objects.bulk_create(
                        [
                            OrganisationDomain(organisation=org, domain=d)
                            for d in wanted_domains
                            if d not in old
                        ]
                    )
                    if old != sorted(wanted_domains):
                        diff["domains"] = [old, sorted(wanted_domains)]
        except IntegrityError:
            raise Conflict(
                "The name or a domain is already in use.", fields={"domains": "already in use"}
            ) from None
        if tags is not None:
            rows = field_services.tags_ensure(tags)
            old_tags = [] if created else sorted(t.name for t in org.tags.all())
            new_tags = sorted(t.name for t in rows)
            if old_tags != new_tags:
                org.tags.set(rows)
                diff["tags"] = [old_tags, new_tags]
        if created or diff:
            record(OrganisationSaved(organisation_id=org.pk, created=created, changes=diff), actor=actor)
    return org
