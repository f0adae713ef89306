"""Panels that apps add to the ticket page's sidebar, so the page template does not grow per app.

An app registers a :class:`TicketPanel` from its ``AppConfig.ready``: a template, a function
giving its context for one ticket and viewer (``None``: the panel is not shown on this ticket),
where it goes, and its query budget — the most queries ``context`` may make, pinned for every
registered panel by ``frontdesk/workspace/tests/test_ticket_panels.py``. A panel that can take
longer renders a placeholder that loads its content with its own request (``hx-get``).

A panel that fails is left out of the page with an error in the log, and the page says which
panel could not be shown: one app's bug never takes the ticket page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from frontdesk.accounts.models import User
from frontdesk.core.registry import Registry
from frontdesk.tickets.models import Ticket

log = logging.getLogger(__name__)
Place = Literal["side", "more"]  # beside the properties, or below them with the customer's history


@dataclass(frozen=True)
class TicketPanel:
    key: str
    title: Any  # a lazily translated string: the panel's heading, and its name when it fails
    template: Any  # a template name (or a Template), rendered with ``panel`` (the context) and ``ticket``
    context: Callable[[User, Ticket], dict[str, Any] | None]
    queries: int = 1
    place: Place = "side"
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    panel: TicketPanel
    context: dict[str, Any]
    failed: bool = False


_panels: Registry[TicketPanel] = Registry("ticket panel")


def register_panel(panel: TicketPanel) -> TicketPanel:
    return _panels.add(panel.key, panel)


def unregister_panel(key: str) -> None:
    _panels.remove(key)


def registered_panels() -> list[TicketPanel]:
    return sorted(_panels.items().values(), key=lambda p: (p.order, p.key))


def panels_for(viewer: User, ticket: Ticket) -> dict[str, list[ShownPanel]]:
    """The panels to show on ``ticket`` for ``viewer``, by place, in order."""
    shown: dict[str, list[ShownPanel]] = {"side": [], "more": []}
    for panel in registered_panels():
        try:
            context = panel.context(viewer, ticket)
        except Exception:
            log.exception("ticket panel %r failed on ticket %s", panel.key, ticket.pk)
            shown[panel.place].append(ShownPanel(panel, {}, failed=True))
            continue
        if context is not None:
            shown[panel.place].append(ShownPanel(panel, context))
    return shown
