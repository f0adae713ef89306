"""Writes for people, teams and API tokens."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person, acting_user
from frontdesk.accounts.auth import new_token_secret, token_digest
from frontdesk.accounts.events import (
    ApiTokenCreated,
    ApiTokenRevoked,
    PasswordChanged,
    TeamSaved,
    UserCreated,
    UserUpdated,
)
from frontdesk.accounts.models import ApiToken, Role, Team, User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, ValidationError
from frontdesk.core.events import record
from frontdesk.core.ids import MAX_ID, check_id

_EDITABLE_USER_FIELDS = {
    "name", "role", "is_active", "time_zone", "language", "signature", "notification_settings",
}
# The notification emails a person may switch on or off (User.notification_settings keys).
NOTIFICATION_KEYS = ("assigned", "mentioned", "followed")


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError(
            "Enter a valid email address.", fields={"email": "not a valid email address"}
        ) from None
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(
            "The password is too weak.", fields={"password": " ".join(exc.messages)}
        ) from None


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError("Unknown role.", fields={"role": f"must be one of {', '.join(Role.values)}"})


MAX_SIGNATURE = 2000  # the composer refuses a longer signature on a reply, so the profile does too


def _check_profile(changes: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "time_zone" in changes:
        try:
            ZoneInfo(str(changes["time_zone"]))
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = "not a known time zone, e.g. Europe/Paris"
    if "language" in changes and str(changes["language"]).lower() not in {c for c, _ in settings.LANGUAGES}:
        errors["language"] = "not a supported language code, e.g. en or pt-br"
    if "name" in changes and len(str(changes["name"])) > 200:
        errors["name"] = "at most 200 characters"
    if "signature" in changes and len(str(changes["signature"])) > MAX_SIGNATURE:
        errors["signature"] = f"at most {MAX_SIGNATURE} characters"
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        errors["is_active"] = "must be true or false"
    if "notification_settings" in changes:
        value = changes["notification_settings"]
        if not isinstance(value, dict) or any(
            k not in NOTIFICATION_KEYS or not isinstance(v, bool) for k, v in value.items()
        ):
            errors["notification_settings"] = f"true/false for each of {', '.join(NOTIFICATION_KEYS)}"
    if errors:
        raise ValidationError("The profile is not valid.", fields=errors)


def _check_keeps_an_admin(user: User, changes: dict[str, Any]) -> None:
    demoted = (
        changes.get("role", user.role) != Role.ADMIN or changes.get("is_active", user.is_active) is False
    )
    if user.role == Role.ADMIN and user.is_active and demoted:
        others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            raise Conflict("The last active administrator cannot be demoted or deactivated.")


def user_create(
    *, actor: Actor, email: str, name: str = "", role: str = Role.AGENT, password: str | None = None,
    **extra: Any,
) -> User:
    """Create a person. ``by`` (when a person acts, not the CLI) must be an administrator."""
    by = acting_user(actor)
    if by is not None:
        policies.require_admin(by)
    email = _clean_email(email)
    _check_role(role)
    unknown = set(extra) - _EDITABLE_USER_FIELDS
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in unknown})
    _check_profile({"name": name, **extra})
    if password is not None:
        _check_password(password)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(
                "A user with this email address already exists.", fields={"email": "already in use"}
            )
        user = User(email=email, name=name, role=role, **extra)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        record(UserCreated(user_id=user.pk, role=role), actor=actor)
    return user


def user_update(*, actor: Actor, user: User, **changes: Any) -> User:
    """Change a person. ``by`` may change their own profile; only admins change others or roles."""
    by = acting_user(actor)
    unknown = set(changes) - _EDITABLE_USER_FIELDS
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in unknown})
    if by is not None:
        policies.require_may_edit_user(by, user, set(changes))
    if "role" in changes:
        _check_role(changes["role"])
    _check_profile(changes)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_keeps_an_admin(user, changes)
        diff = {k: [getattr(user, k), v] for k, v in changes.items() if getattr(user, k) != v}
        for field, (_, new) in diff.items():
            setattr(user, field, new)
        if diff:
            user.save(update_fields=list(diff))
            record(UserUpdated(user_id=user.pk, changes={k: v[1] for k, v in diff.items()}), actor=actor)
    return user


def password_change(
    *, actor: Actor, user: User, new_password: str, current_password: str | None = None
) -> User:
    """Set a new password. Every other session of the user ends (their session hash no longer matches)."""
    if current_password is not None and not user.check_password(current_password):
        raise ValidationError("The current password is wrong.", fields={"current_password": "wrong password"})
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(PasswordChanged(user_id=user.pk), actor=actor)
    return user


def token_create(*, actor: Actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its digest is kept."""
    if not user.is_active:
        raise ValidationError("Inactive users cannot have tokens.")
    secret = new_token_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=secret[:10], digest=token_digest(secret)
        )
        record(ApiTokenCreated(token_id=token.pk, user_id=user.pk), actor=actor)
    return token, secret


def token_revoke(*, actor: Actor, token_id: int, owner: User | None = None) -> ApiToken:
    """Revoke a token of ``by`` (or, for admins, anyone's); with ``owner``, only that person's."""
    by = acting_person(actor)
    check_id(token_id, "Token")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        if token is None or not policies.can_manage_tokens_of(by, token.user) or (
            owner is not None and token.user_id != owner.pk
        ):
            raise NotFound("Token not found.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(ApiTokenRevoked(token_id=token.pk, user_id=token.user_id), actor=actor)
    return token


def team_save(
    *, actor: Actor, team: Team | None = None, name: str | None = None,
    description: str | None = None, restricted: bool | None = None, member_ids: list[int] | None = None,
) -> Team:
    by = acting_person(actor)
    policies.require_admin(by)
    with transaction.atomic():
        if team is None:
            if not name:
                raise ValidationError("A team needs a name.", fields={"name": "required"})
            team = Team()
        else:
            team = Team.objects.select_for_update().get(pk=team.pk)
        changes: dict[str, Any] = {}
        for field, value in (("name", name), ("description", description), ("restricted", restricted)):
            if value is not None and getattr(team, field) != value:
                setattr(team, field, value)
                changes[field] = value
        if "name" in changes and Team.objects.filter(name=team.name).exclude(pk=team.pk).exists():
            raise Conflict("A team with this name exists.", fields={"name": "already in use"})
        team.save()
        if member_ids is not None:
            if any(not isinstance(i, int) or i < 1 or i > MAX_ID for i in member_ids):
                raise ValidationError("Unknown or non-agent members.", fields={"member_ids": "unknown agent"})
            staff_roles = [r.value for r in Role if r != Role.CUSTOMER]
            members = list(User.objects.filter(pk__in=member_ids, role__in=staff_roles))
            if len(members) != len(set(member_ids)):
                raise ValidationError("Unknown or non-agent members.", fields={"member_ids": "unknown agent"})
            team.members.set(members)
            changes["member_ids"] = sorted(m.pk for m in members)
        record(TeamSaved(team_id=team.pk, changes=changes), actor=actor)
    return team
