"""The kinds of identity a contact can have: the built-in ones, then those channels register."""

from __future__ import annotations

from frontdesk.core import channels
from frontdesk.customers.models import IdentityKind


def identity_kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of the built-in identity kinds, then of those the registered channels add."""
    found = {str(k): str(label) for k, label in IdentityKind.choices}
    for kind, label in channels.identity_kinds():
        found.setdefault(kind, str(label))
    return list(found.items())
