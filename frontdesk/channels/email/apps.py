from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _routers() -> Sequence[tuple[str, Any]]:
    from frontdesk.channels.email.api import router as inbound
    from frontdesk.channels.email.api_mailboxes import router as mailboxes
    from frontdesk.channels.email.api_outbound import router as outbound

    return [("/", inbound), ("/", outbound), ("/", mailboxes)]


def _ticket_page() -> Any:
    from frontdesk.channels.email.ticket_page import PAGE

    return PAGE


class EmailChannelConfig(AppConfig):
    """The email channel: mailboxes, the inbound pipeline, threading, and outgoing mail."""

    name = "frontdesk.channels.email"
    label = "channel_email"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from frontdesk.core.channels import ChannelSpec, register

        register(ChannelSpec(
            name="email",
            label=_("Email"),
            icon="mail",
            order=10,
            identity_kinds=(("email", _("Email address")),),
            api_routers=_routers,
            ticket_page=_ticket_page,
        ))
