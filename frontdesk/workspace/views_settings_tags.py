"""Settings (administrators only): tags with their ticket counts; rename, merge and delete.

Every change that loses something asks first: renaming to a name another tag has shows the merge
it would be and waits for a confirmation, merging shows what is kept, deleting says how many
tickets lose the tag. The services are in frontdesk/fields/tags.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontdesk.core.errors import FrontdeskError
from frontdesk.core.pagination import keyset_page_or_first
from frontdesk.fields import tag_selectors, tags
from frontdesk.fields.models import Tag
from frontdesk.fields.selectors import tag_list
from frontdesk.workspace.access import actor, admin_required, viewer
from frontdesk.workspace.views_settings_forms import FormField, failed, settings_render

PAGE_SIZE = 50


def _ids(values: list[str]) -> list[int]:
    """Tag ids from a form (anything that is not a plain positive number is ignored)."""
    return sorted({int(v) for v in values if v.isdigit() and 0 < len(v) < 19})


def _tickets_url(name: str) -> str:
    return "/tickets/?" + urlencode({"tag": name})


@require_http_methods(["GET"])
@admin_required
def tag_list_page(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    q = request.GET.get("q", "").strip()[:60]
    page = keyset_page_or_first(tag_list(viewer=me, prefix=q or None), sort="name",
                                cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    counts = tag_selectors.tag_ticket_counts(viewer=me, tag_ids=[t.pk for t in page.items])
    rows = [{"tag": t, "count": counts[t.pk], "tickets_url": _tickets_url(t.name)} for t in page.items]
    return settings_render(request, "tags.html", "tags", {"page": page, "rows": rows, "q": q})


def _name_form(value: str) -> list[FormField]:
    return [FormField("name", _("Name"), value=value, required=True, autocomplete="off",
                      help=_("Lower case; spaces become hyphens. A name another tag has merges the two."))]


@require_http_methods(["GET", "POST"])
@admin_required
def tag_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    me = viewer(request)
    tag = tag_selectors.tag_get(viewer=me, tag_id=tag_id)
    count = tag_selectors.tag_ticket_counts(viewer=me, tag_ids=[tag.pk])[tag.pk]
    form = _name_form(tag.name)
    ctx: dict[str, Any] = {"tag": tag, "count": count, "tickets_url": _tickets_url(tag.name)}
    status = 200
    if request.method == "POST":
        typed = request.POST.get("name", "")
        confirmed = request.POST.get("confirm_merge") == "1"
        try:
            kept = tags.tag_rename(actor=actor(request), tag_id=tag.pk, name=typed, merge=confirmed)
        except FrontdeskError as exc:
            ctx.update(failed(form, exc, request.POST))
            status = exc.status
            if exc.code == "tag_exists":
                other = Tag.objects.filter(name=tags.clean_tag_name(typed)).first()
                if other is not None:
                    ctx["merge_into"] = other
                    ctx["merge_into_count"] = tag_selectors.tag_ticket_counts(viewer=me, tag_ids=[other.pk])[other.pk]
                    ctx["form_error"] = None  # the confirmation below says it; the field says it too
        else:
            if kept.pk != tag.pk:
                messages.success(request, _("“%(old)s” was merged into “%(new)s”.") % {"old": tag.name,
                                                                                       "new": kept.name})
            else:
                messages.success(request, _("Tag renamed to “%(new)s”.") % {"new": kept.name})
            return redirect("workspace:settings_tags")
    ctx["form"] = form
    return settings_render(request, "tag_edit.html", "tags", ctx, status)


@require_http_methods(["GET", "POST"])
@admin_required
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    me = viewer(request)
    tag = tag_selectors.tag_get(viewer=me, tag_id=tag_id)
    if request.method == "POST":
        lost = tags.tag_delete(actor=actor(request), tag_id=tag.pk)
        messages.success(request, _("Tag “%(name)s” deleted; %(n)s tickets lost it.") % {"name": tag.name, "n": lost})
        return redirect("workspace:settings_tags")
    count = tag_selectors.tag_ticket_counts(viewer=me, tag_ids=[tag.pk])[tag.pk]
    return settings_render(request, "tag_delete.html", "tags", {
        "tag": tag, "count": count, "tickets_url": _tickets_url(tag.name),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def tags_merge(request: HttpRequest) -> HttpResponse:
    """GET ?tag=<id>&tag=<id>…: what the merge would do, and which tag to keep; POST does it."""
    me = viewer(request)
    data = request.POST if request.method == "POST" else request.GET
    chosen = tag_selectors.tags_get(viewer=me, tag_ids=_ids(data.getlist("tag")))
    counts = tag_selectors.tag_ticket_counts(viewer=me, tag_ids=[t.pk for t in chosen])
    by_count = sorted(chosen, key=lambda t: (-counts[t.pk], t.name))
    target_raw = data.get("target", "")
    target_id = int(target_raw) if target_raw.isdigit() and len(target_raw) < 19 else None
    if target_id not in counts:
        target_id = by_count[0].pk if by_count else None
    ctx: dict[str, Any] = {
        "rows": [{"tag": t, "count": counts[t.pk]} for t in chosen], "target_id": target_id,
        "total": tag_selectors.tickets_with_any(viewer=me, tag_ids=[t.pk for t in chosen]),
    }
    status = 200
    if len(chosen) < 2:
        ctx["error"] = _("Choose at least two tags to merge.")
        status = 422
    elif request.method == "POST" and target_id is not None:
        sources = [t.pk for t in chosen if t.pk != target_id]
        try:
            kept = tags.tags_merge(actor=actor(request), source_ids=sources, target_id=target_id)
        except FrontdeskError as exc:
            ctx["error"] = exc.message
            status = exc.status
        else:
            names = ", ".join(f"“{t.name}”" for t in chosen if t.pk != kept.pk)
            messages.success(request, _("%(names)s merged into “%(kept)s”.") % {"names": names, "kept": kept.name})
            return redirect("workspace:settings_tags")
    return settings_render(request, "tags_merge.html", "tags", ctx, status)
