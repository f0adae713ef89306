"""The one rule for 'ours' and 'a machine' (addresses.py): the union of what the four places that
decided it before (identify, preflight's own-mail and bounce checks, the acknowledgement) caught."""

from __future__ import annotations

import pytest

from frontdesk.channels.email.addresses import is_bounce_sender, is_machine_address, is_our_address

OWN = ["support@acme.test", "hilfe@bücher.test"]


@pytest.mark.parametrize(
    "address",
    [
        "support@acme.test",
        "Support@ACME.test",  # any case (preflight, identify and the acknowledgement all lower-cased)
        " support@acme.test ",
        "support+anything@acme.test",  # plus-variants (all four)
        "Support+Ticket-12@Acme.Test",
        "hilfe@xn--bcher-kva.test",  # the IDNA form of an own domain (address_key: preflight, identify)
        "hilfe+x@bücher.test",
    ],
)
def test_our_addresses(address: str) -> None:
    assert is_our_address(address, OWN)


@pytest.mark.parametrize("address", ["support@other.test", "sales@acme.test", "supporter@acme.test", "", "acme.test"])
def test_not_our_addresses(address: str) -> None:
    assert not is_our_address(address, OWN)


def test_a_brands_support_addresses_count_when_given() -> None:
    assert not is_our_address("help@brand.test", OWN)
    assert is_our_address("help+1@brand.test", [*OWN, "help@brand.test"])


@pytest.mark.parametrize(
    "address",
    [
        "MAILER-DAEMON@mx.example.test",  # upper case: preflight compared only lower-case before
        "mailer-daemon@mx.example.test",
        "postmaster@example.test",
        "postmaster+x@example.test",
        "mail-daemon@example.test",  # preflight's list only
        "mailerdaemon@example.test",  # preflight's list only
    ],
)
def test_bounce_senders(address: str) -> None:
    assert is_bounce_sender(address)
    assert is_machine_address(address)  # a bounce sender is a machine (the acknowledgement's list lacked two)


@pytest.mark.parametrize(
    "address", ["noreply@shop.test", "bounces@lists.test", "auto-reply@x.test", "", "alice@customer.test"]
)
def test_not_bounce_senders(address: str) -> None:
    """Only the mail system's own addresses mark a bounce: a no-reply sender's mail is judged by
    its headers (preflight.machine_reason), as before."""
    assert not is_bounce_sender(address)


@pytest.mark.parametrize(
    "address",
    [
        "noreply@shop.test",
        "no-reply@shop.test",
        "no_reply@shop.test",
        "donotreply@shop.test",
        "do-not-reply@shop.test",
        "do_not_reply@shop.test",
        "bounce@lists.test",
        "bounces@lists.test",
        "bounce-123@lists.test",  # prefixes
        "noreply-orders@shop.test",
        "no-reply.billing@shop.test",
        "mailer-daemon-2@mx.test",
        "auto-reply@x.test",
        "autoreply@x.test",
        "NoReply+tag@Shop.test",
        "not-an-address",  # no address at all is never answered
        "",
        "@example.test",
        "someone@",
    ],
)
def test_machine_addresses(address: str) -> None:
    assert is_machine_address(address)


@pytest.mark.parametrize("address", ["alice@customer.test", "reply@customer.test", "support@acme.test", "post@x.test"])
def test_people(address: str) -> None:
    """A person's address, and ours: being ours is the other rule (``is_our_address``)."""
    assert not is_machine_address(address)
