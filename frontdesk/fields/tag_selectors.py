"""Reads for the tag administration: one tag, and the ticket counts of a page of tags."""

from __future__ import annotations

from django.db.models import Count

from frontdesk.accounts import policies
from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.fields.models import Tag
from frontdesk.fields.selectors import tag_list
from frontdesk.fields.tags import tag_links


def tag_get(*, viewer: User, tag_id: int) -> Tag:
    check_id(tag_id, "Tag")
    tag = tag_list(viewer=viewer).filter(pk=tag_id).first()
    if tag is None:
        raise NotFound("Tag not found.")
    return tag


def tags_get(*, viewer: User, tag_ids: list[int]) -> list[Tag]:
    """The tags with these ids that exist, by name (ids out of range are ignored)."""
    ids = [i for i in tag_ids if isinstance(i, int) and 0 < i < 2**63]
    return list(tag_list(viewer=viewer).filter(pk__in=ids).order_by("name"))


def tag_ticket_counts(*, viewer: User, tag_ids: list[int]) -> dict[int, int]:
    """How many tickets carry each of these tags: one grouped query over the link table's tag index,
    for the tags of one page only (never a count over every tag)."""
    policies.require_admin(viewer)  # counts span every team's tickets, restricted ones too
    if not tag_ids:
        return {}
    rows = (
        tag_links().objects.filter(tag_id__in=tag_ids).values("tag_id").annotate(n=Count("ticket_id"))
        .values_list("tag_id", "n").order_by()
    )
    counts = dict.fromkeys(tag_ids, 0)
    counts.update({tag_id: n for tag_id, n in rows})
    return counts


def tickets_with_any(*, viewer: User, tag_ids: list[int]) -> int:
    """How many distinct tickets carry at least one of these tags (what a merge touches)."""
    policies.require_admin(viewer)  # counts span every team's tickets, restricted ones too
    if not tag_ids:
        return 0
    return tag_links().objects.filter(tag_id__in=tag_ids).values("ticket_id").distinct().count()
