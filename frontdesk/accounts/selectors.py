from __future__ import annotations

from django.db.models import QuerySet

from frontdesk.accounts import policies
from frontdesk.accounts.models import ApiToken, Role, Team, User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id


def user_list(
    *, viewer: User, role: str | None = None, active: bool | None = None, email_prefix: str | None = None
) -> QuerySet[User]:
    """Staff see all staff (customers only through the CRM); anyone else gets NotFound."""
    policies.require_staff(viewer)
    qs = User.objects.exclude(role=Role.CUSTOMER)
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    if email_prefix:
        qs = qs.filter(email__startswith=email_prefix.strip().lower())
    return qs


def user_get(*, viewer: User, user_id: int) -> User:
    check_id(user_id, "User")
    if viewer.pk == user_id:
        return viewer
    user = user_list(viewer=viewer).filter(pk=user_id).first()
    if user is None:
        raise NotFound("User not found.")
    return user


def team_list(*, viewer: User) -> QuerySet[Team]:
    policies.require_staff(viewer)
    return Team.objects.prefetch_related("members")


def team_get(*, viewer: User, team_id: int) -> Team:
    check_id(team_id, "Team")
    team = team_list(viewer=viewer).filter(pk=team_id).first()
    if team is None:
        raise NotFound("Team not found.")
    return team


def token_list(*, viewer: User, owner: User) -> QuerySet[ApiToken]:
    if viewer.pk != owner.pk and viewer.role != Role.ADMIN:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=owner)


def team_ids_of(user: User) -> list[int]:
    return list(user.teams.values_list("pk", flat=True))


def token_list_all(*, viewer: User) -> QuerySet[ApiToken]:
    """Every person's tokens with their owner, for administrators (the settings page)."""
    policies.require_admin(viewer)
    return ApiToken.objects.select_related("user")


def team_member_ids(*, viewer: User, team_id: int) -> set[int]:
    """The ids of a team's members (one small query), for pages that already hold the staff."""
    policies.require_staff(viewer)
    return set(Team.members.through.objects.filter(team_id=team_id).values_list("user_id", flat=True))
