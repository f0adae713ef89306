from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _customer_history(viewer: Any, ticket: Any) -> dict[str, Any]:
    """The requester's 360 view follows the page (its own request), so the conversation shows at once."""
    return {"customer_id": ticket.requester_id}


class WorkspaceConfig(AppConfig):
    """The agent workspace: server-rendered pages (Django templates + HTMX) over the same
    services and selectors as the API."""

    name = "frontdesk.workspace"
    label = "workspace"
    verbose_name = "Agent workspace"

    def ready(self) -> None:
        from frontdesk.tickets.panels import TicketPanel, register_panel

        register_panel(TicketPanel(
            key="customer-history",
            title=_("Customer history"),
            template="workspace/ticket/_panel_customer_history.html",
            context=_customer_history,
            queries=0,
            place="more",
            order=10,
        ))
