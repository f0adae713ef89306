"""The one rule for which addresses are ours and which are machines'. The inbound pipeline
(preflight, identify) and the acknowledgement ask here; nothing else decides it.

- ours: one of our addresses (mailboxes, a brand's support addresses: the caller's list) or any
  plus-variant of one, compared by ``address_key`` (lower-case, no ``+tag``, IDNA domain);
- a bounce sender: a mail system's local part (``mailer-daemon``, ``postmaster``, …);
- a machine: a bounce sender, a no-reply or bounce-handling or auto-reply local part (or one
  starting with ``noreply``, ``no-reply``, ``mailer-daemon``, ``bounce``), or no address at all.

Headers that mark machine mail (``Auto-Submitted``, ``List-*``, ``Precedence``) are the
message's, not the address's: ``pipeline.preflight.machine_reason``."""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.channels.email.pipeline.sender import address_key

# the mail system itself: a message from one of these is a delivery report (a bounce)
BOUNCE_LOCALS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
# senders that are programs: never acknowledged
MACHINE_LOCALS = BOUNCE_LOCALS | {
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "bounce",
    "bounces",
    "auto-reply",
    "autoreply",
}
MACHINE_PREFIXES = ("noreply", "no-reply", "mailer-daemon", "bounce")


def _local_base(address: str) -> str:
    """The local part without its ``+tag``, lower-case ('' when there is none)."""
    local, _, _domain = (address or "").strip().lower().rpartition("@")
    return local.split("+", 1)[0]


def is_our_address(address: str, own: Iterable[str]) -> bool:
    """Whether ``address`` is one of ``own`` or a plus-variant of one (any case, IDNA or not)."""
    if not address:
        return False
    return address_key(address) in {address_key(a) for a in own}


def is_bounce_sender(address: str) -> bool:
    """Whether ``address`` is a mail system's (``MAILER-DAEMON@…``, ``postmaster+x@…``)."""
    return _local_base(address) in BOUNCE_LOCALS


def is_machine_address(address: str) -> bool:
    """Whether ``address`` is a program's (see the module's rule), or is no address at all."""
    local, _, domain = (address or "").strip().lower().rpartition("@")
    if not local or not domain:
        return True
    base = local.split("+", 1)[0]
    return base in MACHINE_LOCALS or base.startswith(MACHINE_PREFIXES)
