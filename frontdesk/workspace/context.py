"""What every workspace page's layout needs: the navigation views with their counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_agent", False):
        return {}

    def nav_views() -> list[dict[str, Any]]:
        from frontdesk.tickets.queue_selectors import view_counts, view_list

        views = list(view_list(viewer=user)[:30])
        counts = view_counts(viewer=user, views=views)
        return [{"view": v, "count": counts.get(v.pk, {}).get("count"), "capped": counts.get(v.pk, {}).get("capped")}
                for v in views]

    # a callable: templates evaluate it lazily, only when the navigation is drawn
    return {"nav_views": nav_views}
