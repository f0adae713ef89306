"""Ticket lists react to tag administration (frontdesk/fields/tags.py): which tickets a saved
view's ``tag`` filter matches changes when tags are renamed, merged or deleted, so the cached view counts
are marked stale after commit, as after any ticket write. Tags are not in the full-text index, so
there is nothing to re-index."""

from __future__ import annotations

from frontdesk.core.events import EventMeta, handler
from frontdesk.core.transactions import on_commit_once
from frontdesk.fields.events import TagDeleted, TagRenamed, TagsMerged
from frontdesk.tickets import queue_selectors


@handler(TagRenamed, TagsMerged, TagDeleted, in_transaction=True)
def counts_after_tag_change(event: TagRenamed | TagsMerged | TagDeleted, meta: EventMeta) -> None:
    on_commit_once(queue_selectors.counts_changed)
