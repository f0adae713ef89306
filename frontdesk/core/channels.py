"""The channels customers reach us on, as a registry each channel app adds itself to.

A channel app (``frontdesk/channels/<name>/``) calls :func:`register` from its ``AppConfig.ready``
with what the rest of Frontdesk needs to know about it: its name (stored on tickets and messages),
its label and icon, the identity kinds it identifies customers by, its API routers, and what it
adds to the ticket page (``frontdesk.tickets.channel_page``). Nothing else is edited to add one:
model fields take their choices from here (a callable, so no migration follows a new channel),
the API mounts the routers, the workspace renders the parts.

The ways in that have no app of their own yet (the web form, the API, logged phone calls, and the
channels whose apps are still to come) are registered below, so that tickets already stored with
them keep their name and label; an app that lands for one of them takes its entry over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from frontdesk.core.registry import Registry

NAME = re.compile(r"^[a-z][a-z0-9_]{0,19}$")  # fits the 20-character channel columns


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    label: Any  # a lazily translated string
    icon: str = "inbox"  # a vendored icon name (static/vendor/icons/<name>.svg, listed in package.json)
    order: int = 100  # position in pickers and filters
    # (kind, label) of the identities this channel knows customers by, beyond the built-in kinds
    identity_kinds: tuple[tuple[str, Any], ...] = ()
    # (prefix, ninja.Router) pairs, built on first use so that registering imports no API code
    api_routers: Callable[[], Sequence[tuple[str, Any]]] | None = None
    # what the channel adds to the ticket page: a frontdesk.tickets.channel_page.ChannelPage
    ticket_page: Callable[[], Any] | None = None
    builtin: bool = False  # registered here, not by an app


_registry: Registry[ChannelSpec] = Registry("channel", replaceable=lambda known: known.builtin)


def register(spec: ChannelSpec) -> ChannelSpec:
    """Add a channel; an app may take over a built-in entry of the same name, nothing else twice."""
    if not NAME.match(spec.name):
        raise ImproperlyConfigured(f"channel name {spec.name!r}: lower-case letters, digits, _ (at most 20)")
    return _registry.add(spec.name, spec)


def unregister(name: str) -> None:
    """Remove a channel (tests that register one of their own)."""
    _registry.remove(name)


def registered() -> list[ChannelSpec]:
    return sorted(_registry.items().values(), key=lambda s: (s.order, s.name))


def get(name: str) -> ChannelSpec | None:
    return _registry.get(name)


def choices() -> list[tuple[str, Any]]:
    """(name, label) of every channel: the choices of the channel columns."""
    return [(s.name, s.label) for s in registered()]


def values() -> list[str]:
    return [s.name for s in registered()]


def icon(name: str) -> str:
    spec = _registry.get(name)
    return spec.icon if spec is not None else "inbox"


def identity_kinds() -> list[tuple[str, Any]]:
    """The identity kinds channels add, in channel order."""
    return [kind for s in registered() for kind in s.identity_kinds]


WEB = "web"  # the default channel of a ticket opened by hand or by a form
for _spec in (
    ChannelSpec("chat", _("Chat"), icon="message-circle", order=20),
    ChannelSpec(WEB, _("Web form"), icon="globe", order=30),
    ChannelSpec("portal", _("Portal"), icon="house", order=40),
    ChannelSpec("sms", _("SMS"), icon="message-square", order=50),
    ChannelSpec("whatsapp", _("WhatsApp"), icon="message-circle", order=60),
    ChannelSpec("social", _("Social"), icon="at-sign", order=70),
    ChannelSpec("phone", _("Phone"), icon="phone", order=80),
    ChannelSpec("api", _("API"), icon="code", order=90),
):
    register(ChannelSpec(**{**_spec.__dict__, "builtin": True}))
