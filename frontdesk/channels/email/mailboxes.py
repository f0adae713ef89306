"""Managing mailboxes (admins): validation, events, and reads. Passwords are write-only."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person
from frontdesk.accounts.models import Team, User
from frontdesk.brands.models import Brand
from frontdesk.brands.names import has_control, name_error
from frontdesk.channels.email.models import Mailbox
from frontdesk.core.actor import Actor
from frontdesk.core.cache import forget, remembered
from frontdesk.core.errors import Conflict, NotFound, ValidationError
from frontdesk.core.events import Event, record
from frontdesk.core.ids import check_id

EDITABLE = frozenset(
    {
        "name",
        "address",
        "brand_id",
        "team_id",
        "active",
        "imap_host",
        "imap_port",
        "imap_ssl",
        "imap_user",
        "imap_password",
        "imap_folder",
        "imap_move_to",
        "max_message_bytes",
        "smtp_host",
        "smtp_port",
        "smtp_user",
        "smtp_password",
        "smtp_starttls",
        "smtp_ssl",
        "auto_acknowledge",
    }
)
_SECRET_FIELDS = frozenset({"imap_password", "smtp_password", "inbound_secret"})
_ONE_LINE = ("imap_host", "imap_user", "imap_folder", "imap_move_to", "smtp_host", "smtp_user")
_SECRETS = ("imap_password", "smtp_password")


def _max_length(field: str) -> int:
    return int(getattr(Mailbox._meta.get_field(field), "max_length", None) or 255)


class MailboxSaved(Event):
    name: ClassVar[str] = "mailbox.saved"
    mailbox_id: int
    created: bool
    changed: list[str]  # field names only: passwords never enter the outbox


# the inbound pipeline reads these on every message; mailbox_save forgets them
_OWN_ADDRESSES_KEY = "mail:own-addresses"


def _intake_key(mailbox_id: int) -> str:
    return f"mail:intake-mailbox:{mailbox_id}"


def own_addresses() -> frozenset[str]:
    """Every mailbox's address, lower-case (cached: read on every incoming message; saving or
    saving a mailbox forgets it)."""
    addresses = Mailbox.objects.values_list("address", flat=True)
    return frozenset(remembered(_OWN_ADDRESSES_KEY, lambda: sorted(a.lower() for a in addresses)))


_RECIPIENTS_KEY = "mail:recipients"


def recipient_mailbox(address: str) -> tuple[int, int] | None:
    """(id, largest message accepted) of the active mailbox that receives mail for ``address``
    ("support+anything@x" is "support@x"), or None. Asked for every envelope recipient by the
    LMTP listener: the active mailboxes' addresses are cached (saving a mailbox forgets them); an
    address not among them is looked up in the database, so a mailbox just made receives at once."""
    address = address.strip().strip("<>")
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return None
    wanted = f"{local.split('+', 1)[0]}@{domain}".lower()
    active = Mailbox.objects.filter(active=True)
    known = remembered(
        _RECIPIENTS_KEY,
        lambda: {a.lower(): (pk, size) for pk, a, size in active.values_list("pk", "address", "max_message_bytes")},
        timeout=60,
    )
    if wanted in known:
        return known[wanted]
    found = active.filter(address__iexact=wanted).values_list("pk", "max_message_bytes").first()
    return (found[0], found[1]) if found else None


def mailbox_for_intake(mailbox_id: int) -> Mailbox | None:
    """A mailbox with its brand and team, as the inbound pipeline needs it on every message
    (cached for a minute; saving it forgets it). Its secrets are left out, so they
    never reach the cache."""
    return remembered(
        _intake_key(mailbox_id),
        lambda: Mailbox.objects.select_related("brand", "team")
        .defer("imap_password", "smtp_password", "inbound_secret")
        .filter(pk=mailbox_id)
        .first(),
        timeout=60,
        in_transaction=True,  # the pipeline never writes mailboxes
    )


def mailbox_list(*, viewer: User) -> QuerySet[Mailbox]:
    policies.require_admin(viewer)
    return Mailbox.objects.select_related("brand", "team").order_by("name", "pk")


def mailbox_get(*, viewer: User, mailbox_id: int) -> Mailbox:
    check_id(mailbox_id, "Mailbox")
    mailbox = mailbox_list(viewer=viewer).filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound("Mailbox not found.")
    return mailbox


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "address" in data:
        data["address"] = str(data["address"]).strip().lower()
        try:
            validate_email(data["address"])
        except DjangoValidationError:
            errors["address"] = "not a valid email address"
    if "name" in data:  # the display name of mail sent without a ticket: one line
        problem = name_error(data["name"], max_length=_max_length("name"))
        if problem:
            errors["name"] = problem
        else:
            data["name"] = data["name"].strip()
    for field in _ONE_LINE:  # these reach IMAP and SMTP commands: a line break would end one
        value = data.get(field)
        if value is None:
            continue
        if not isinstance(value, str) or has_control(value):
            errors[field] = "must not contain line breaks, tabs or other control characters"
        elif len(value) > _max_length(field):
            errors[field] = f"at most {_max_length(field)} characters"
    for field in _SECRETS:  # any printable character, but never a line break or NUL
        value = data.get(field)
        if isinstance(value, str) and any(ch in value for ch in "\r\n\x00"):
            errors[field] = "must not contain line breaks or NUL"
    for port in ("imap_port", "smtp_port"):
        if port in data and not (1 <= int(data[port]) <= 65535):
            errors[port] = "a port from 1 to 65535"
    if "max_message_bytes" in data and not (1024 <= int(data["max_message_bytes"]) <= 200 * 1024 * 1024):
        errors["max_message_bytes"] = "from 1 KiB to 200 MiB"
    if data.get("smtp_starttls") and data.get("smtp_ssl"):
        errors["smtp_ssl"] = "use either STARTTLS or SSL, not both"
    if "brand_id" in data and not Brand.objects.filter(pk=data["brand_id"]).exists():
        errors["brand_id"] = "no such brand"
    if data.get("team_id") is not None and "team_id" in data and not Team.objects.filter(pk=data["team_id"]).exists():
        errors["team_id"] = "no such team"
    if errors:
        raise ValidationError("The mailbox is not valid.", fields=errors)
    return data


def mailbox_save(*, actor: Actor, mailbox: Mailbox | None = None, **data: Any) -> Mailbox:
    by = acting_person(actor)
    policies.require_admin(by)
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in sorted(unknown)})
    if mailbox is None:
        missing = [f for f in ("name", "address", "brand_id") if data.get(f) in (None, "")]
        if missing:
            raise ValidationError(
                "A mailbox needs a name, an address and a brand.", fields={f: "required" for f in missing}
            )
    data = _clean(data)
    with transaction.atomic():
        created = mailbox is None
        obj = Mailbox() if mailbox is None else Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        changed = sorted(k for k, v in data.items() if getattr(obj, k) != v)
        for key, value in data.items():
            setattr(obj, key, value)
        if Mailbox.objects.filter(address=obj.address).exclude(pk=obj.pk).exists():
            raise Conflict("Another mailbox has this address.", fields={"address": "already in use"})
        obj.save()
        forget(_OWN_ADDRESSES_KEY)
        forget(_RECIPIENTS_KEY)
        forget(_intake_key(obj.pk))
        record(MailboxSaved(mailbox_id=obj.pk, created=created, changed=changed), actor=actor)
    return obj


def mailbox_rotate_secret(*, actor: Actor, mailbox: Mailbox) -> Mailbox:
    """A new inbound secret (the old one stops working at once)."""
    by = acting_person(actor)
    policies.require_admin(by)
    with transaction.atomic():
        obj = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        obj.inbound_secret = secrets.token_urlsafe(32)
        obj.save(update_fields=["inbound_secret"])
        record(MailboxSaved(mailbox_id=obj.pk, created=False, changed=["inbound_secret"]), actor=actor)
    return obj
