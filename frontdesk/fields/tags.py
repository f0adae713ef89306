"""Administering tags: rename, merge several into one, delete.

Each service is admin-only, runs in one transaction and records its event in the outbox. A tag's
tickets are moved with set-based SQL on the ticket-tag link table (never one query per ticket),
so a tag on a hundred thousand tickets costs a few statements.

Race safety: the tags involved are locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises
writers) in id order, so two merges of overlapping tags queue up instead of deadlocking, and
the target is added to the source tags' tickets with ``ON CONFLICT DO NOTHING`` against the link
table's unique (ticket, tag) constraint: a ticket that already has the target tag, or gets it
from a concurrent edit, ends with it once.

Tags are not part of the full-text index (frontdesk/tickets/search.py indexes subjects and
messages only); ticket lists filter on the link table, so they see a change as soon as it commits.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, ValidationError
from frontdesk.core.events import record
from frontdesk.core.ids import check_id
from frontdesk.core.reads import placeholders
from frontdesk.fields.events import TagDeleted, TagRenamed, TagsMerged
from frontdesk.fields.models import Tag
from frontdesk.fields.services import normalise_tags

MAX_NAME = 60
MAX_MERGE = 100


def tag_links():  # type: ignore[no-untyped-def]
    """The ticket-tag link model (Ticket.tags' table), reached from this side of the relation."""
    return Tag.tickets.through


def clean_tag_name(raw: object, *, field: str = "name") -> str:
    """A tag name as tickets store it (trimmed, lower case, spaces as -), or a ValidationError on ``field``."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("Enter a tag name.", fields={field: "Enter a name."})
    name = raw.strip().lower().replace(" ", "-")
    if len(name) > MAX_NAME:
        raise ValidationError(
            "The tag name is too long.", fields={field: f"At most {MAX_NAME} characters (this one has {len(name)})."}
        )
    try:
        return normalise_tags([name])[0]
    except ValidationError:
        raise ValidationError(
            f"{raw.strip()!r} is not a valid tag name.",
            fields={field: "Letters, digits and - _ . : / only, starting with a letter or digit."},
        ) from None


def _locked(ids: list[int]) -> dict[int, Tag]:
    """The tags with these ids, locked for this transaction in id order (missing ones are absent)."""
    qs = Tag.objects.filter(pk__in=sorted(set(ids))).order_by("pk")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return {t.pk: t for t in qs}


def _ticket_count(tag_ids: list[int]) -> int:
    return tag_links().objects.filter(tag_id__in=tag_ids).values("ticket_id").distinct().count()


def tag_rename(*, actor: Actor, tag_id: int, name: str, merge: bool = False) -> Tag:
    """Rename a tag. A name another tag has is a merge into that tag: refused with a Conflict
    (code ``tag_exists``) unless ``merge`` is true, so the caller can ask first."""
    by = acting_person(actor)
    policies.require_admin(by)
    check_id(tag_id, "Tag")
    new_name = clean_tag_name(name)
    with transaction.atomic():
        existing = Tag.objects.filter(name=new_name).values_list("pk", flat=True).first()
        if existing is not None and existing != tag_id:
            old = Tag.objects.filter(pk=tag_id).values_list("name", flat=True).first()
            if old is None:
                raise NotFound("Tag not found.")
            if not merge:
                raise Conflict(
                    f"A tag named “{new_name}” exists: renaming merges “{old}” into it.",
                    fields={"name": f"“{new_name}” exists already; confirm to merge into it."},
                    code="tag_exists",
                )
            # tags_merge locks both tags in id order, like any other merge: no deadlock between them
            return tags_merge(actor=actor, source_ids=[tag_id], target_id=existing)
        tag = _locked([tag_id]).get(tag_id)
        if tag is None:
            raise NotFound("Tag not found.")
        if tag.name == new_name:
            return tag
        old_name = tag.name
        tag.name = new_name
        try:
            with transaction.atomic():  # a concurrent create of the same name loses to the unique index
                tag.save(update_fields=["name"])
        except IntegrityError:
            raise Conflict(
                f"A tag named “{new_name}” was just created; try again to merge into it.",
                fields={"name": "just taken by another tag"}, code="tag_exists",
            ) from None
        record(TagRenamed(tag_id=tag.pk, old_name=old_name, new_name=new_name), actor=actor)
    return tag


def tags_merge(*, actor: Actor, source_ids: list[int], target_id: int) -> Tag:
    """Fold the source tags into the target: every ticket with a source tag carries the target
    (once), and the source tags are deleted."""
    by = acting_person(actor)
    policies.require_admin(by)
    check_id(target_id, "Tag")
    if not isinstance(source_ids, list) or not all(isinstance(i, int) for i in source_ids):
        raise ValidationError("source_ids must be a list of tag ids.", fields={"source_ids": "a list of ids"})
    sources = sorted({check_id(i, "Tag") for i in source_ids} - {target_id})
    if not sources:
        raise ValidationError("Choose at least one other tag to merge into this one.",
                              fields={"source_ids": "choose at least one tag besides the one kept"})
    if len(sources) > MAX_MERGE:
        raise ValidationError(f"Merge at most {MAX_MERGE} tags at once.",
                              fields={"source_ids": f"at most {MAX_MERGE}"})
    with transaction.atomic():
        tags = _locked([target_id, *sources])
        missing = [i for i in [target_id, *sources] if i not in tags]
        if missing:
            raise NotFound("Tag not found: it may have been merged or deleted meanwhile.",
                           fields={"source_ids" if target_id not in missing else "target_id": "not found"})
        target = tags[target_id]
        links = tag_links()
        table = links._meta.db_table
        ticket_col = links._meta.get_field("ticket").column
        tag_col = links._meta.get_field("tag").column
        marks = placeholders(sources)
        ticket_count = _ticket_count(sources)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({ticket_col}, {tag_col})"  # noqa: S608 - names from the model, values bound
                f" SELECT DISTINCT {ticket_col}, %s FROM {table} WHERE {tag_col} IN ({marks})"
                f" ON CONFLICT ({ticket_col}, {tag_col}) DO NOTHING",
                [target.pk, *sources],
            )
        links.objects.filter(tag_id__in=sources).delete()
        names = [tags[i].name for i in sources]
        Tag.objects.filter(pk__in=sources).delete()
        record(
            TagsMerged(target_id=target.pk, target_name=target.name, source_ids=sources, source_names=names,
                       ticket_count=ticket_count),
            actor=actor,
        )
    return target


def tag_delete(*, actor: Actor, tag_id: int) -> int:
    """Delete a tag and take it off every ticket; returns how many tickets lost it."""
    by = acting_person(actor)
    policies.require_admin(by)
    check_id(tag_id, "Tag")
    with transaction.atomic():
        tag = _locked([tag_id]).get(tag_id)
        if tag is None:
            raise NotFound("Tag not found.")
        count, _ = tag_links().objects.filter(tag_id=tag.pk).delete()
        name = tag.name
        Tag.objects.filter(pk=tag.pk).delete()
        record(TagDeleted(tag_id=tag_id, tag_name=name, ticket_count=count), actor=actor)
    return count
