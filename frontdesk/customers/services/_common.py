"""Normalisation and validation shared by the CRM services."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from frontdesk.accounts import policies as account_policies
from frontdesk.accounts.models import User
from frontdesk.core import channels
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.customers.identity_kinds import identity_kind_choices
from frontdesk.customers.models import Contact, ContactEvent, IdentityKind, Organisation

PHONE_KINDS = frozenset({IdentityKind.PHONE, IdentityKind.WHATSAPP})
AT_HANDLE_KINDS = frozenset({IdentityKind.TWITTER, IdentityKind.INSTAGRAM})
MAX_IDENTITY = 254
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def require_editor(by: User | None) -> None:
    """``None`` is the system (channels, imports); a person must be a full agent."""
    if by is not None:
        account_policies.require_full_agent(by)


# RFC 6531 local parts: letters and digits of any script, plus RFC 5322's atext and single dots
_EAI_LOCAL = re.compile(r"(?:[\w!#$%&'*+/=?^`{|}~-]+)(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")


def _internationalised(email: str) -> bool:
    """An address whose local part uses non-ASCII letters (``jürgen@example.de``), valid under
    RFC 6531 though Django's validator (ASCII local parts only) refuses it."""
    local, _, domain = email.rpartition("@")
    if local.isascii() or len(local) > 64 or not _EAI_LOCAL.fullmatch(local):
        return False
    try:
        validate_email(f"x@{domain}")  # the domain part: Django's check, IDN included
    except DjangoValidationError:
        return False
    return True


def normalise_email(value: str, field: str = "email") -> str:
    email = unicodedata.normalize("NFC", (value or "").strip().lower()) if isinstance(value, str) else ""
    try:
        validate_email(email)
    except DjangoValidationError:
        if not _internationalised(email):
            raise ValidationError(
                "Enter a valid email address.", fields={field: "not a valid email address"}
            ) from None
    return email


_PHONE_TEXT = re.compile(r"[+\d\s().\-/]+")


def phone_digits(value: str) -> str:
    """The digits of what looks like a phone number, whole or partly typed ('' otherwise): only
    digits, spaces, ``+ ( ) . - /``; a leading 00 is the international +. No length check."""
    raw = value.strip() if isinstance(value, str) else ""
    if not _PHONE_TEXT.fullmatch(raw):
        return ""
    return re.sub(r"\D", "", raw[2:] if raw.startswith("00") else raw)


def normalise_phone(value: str, field: str = "phone") -> str:
    """The stored form of a phone number: '+' and its 6 to 15 digits."""
    digits = phone_digits(value)
    if not 6 <= len(digits) <= 15:
        raise ValidationError(
            "Enter a valid phone number.", fields={field: "6 to 15 digits, optionally with a leading +"}
        )
    return "+" + digits


def normalise_identity(kind: str, value: str, field: str = "value") -> tuple[str, str]:
    """The stored form of an identity: lower-case email, '+digits' phone, trimmed handle."""
    if kind == IdentityKind.EMAIL:  # always a kind (every new sender of an email comes here)
        return kind, normalise_email(value, field)
    kinds = [k for k, _ in identity_kind_choices()]
    if kind not in kinds:
        raise ValidationError("Unknown identity kind.", fields={"kind": f"must be one of {', '.join(kinds)}"})
    if kind == IdentityKind.EMAIL:
        return kind, normalise_email(value, field)
    if kind in PHONE_KINDS:
        return kind, normalise_phone(value, field)
    handle = value.strip() if isinstance(value, str) else ""
    if kind in AT_HANDLE_KINDS:
        handle = handle.lstrip("@").lower()
    if kind in AT_HANDLE_KINDS and any(ch.isspace() for ch in handle):
        raise ValidationError("Enter a valid handle.", fields={field: "a handle has no spaces"})
    if not handle or len(handle) > MAX_IDENTITY:
        raise ValidationError("Enter a valid handle.", fields={field: f"1 to {MAX_IDENTITY} characters"})
    return kind, handle


def normalise_domain(value: str, field: str = "domains") -> str:
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if domain.startswith("@"):
        domain = domain[1:]
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_HOST_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            f"{value!r} is not a host name.", fields={field: f"{value!r} is not a valid domain"}
        )
    return domain


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_text(errors: dict[str, str], field: str, value: Any, max_length: int) -> None:
    if not isinstance(value, str):
        errors[field] = "must be text"
    elif len(value) > max_length:
        errors[field] = f"at most {max_length} characters"


def check_profile(data: dict[str, Any]) -> None:
    """Check the plain profile fields a contact may be given (only those present)."""
    errors: dict[str, str] = {}
    limits = {"name": 200, "language": 16, "tier": 30, "notes": 100_000, "time_zone": 64}
    for field, limit in limits.items():
        if field in data:
            check_text(errors, field, data[field], limit)
    if data.get("time_zone") and "time_zone" not in errors and data["time_zone"] not in _time_zones():
        errors["time_zone"] = "not a known time zone (like Europe/Paris)"
    if (
        data.get("language")
        and "language" not in errors
        and not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", data["language"])
    ):
        errors["language"] = "a language code like en or pt-BR"
    if "preferred_channel" in data and data["preferred_channel"] not in ("", *channels.values()):
        errors["preferred_channel"] = f"must be empty or one of {', '.join(channels.values())}"
    if "vip" in data and not isinstance(data["vip"], bool):
        errors["vip"] = "must be true or false"
    if errors:
        raise ValidationError("The contact is not valid.", fields=errors)


def resolve_organisation(
    value: Organisation | int | None, field: str = "organisation_id"
) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**63 - 1:
        raise ValidationError("No such organisation.", fields={field: "no such organisation"})
    org = Organisation.objects.filter(pk=value).first()
    if org is None:
        raise ValidationError("No such organisation.", fields={field: "no such organisation"})
    return org


def refuse_merged(contact: Contact) -> None:
    """A merged contact is only a pointer to its target: nothing new attaches to it."""
    if contact.merged_into_id is not None:
        raise ValidationError(
            f"This contact was merged into contact {contact.merged_into_id}.",
            fields={"contact_id": f"merged into {contact.merged_into_id}"},
        )


def contact_event(
    contact: Contact, *, actor: Actor, kind: str, body: str = "", data: dict | None = None
) -> ContactEvent:
    return ContactEvent.objects.create(
        contact=contact,
        kind=kind,
        body=body,
        data=data or {},
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
    )
