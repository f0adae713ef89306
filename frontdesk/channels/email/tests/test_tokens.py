from __future__ import annotations

from frontdesk.channels.email.tokens import reply_address, ticket_from_address


def test_a_reply_address_leads_back_to_its_ticket() -> None:
    address = reply_address("support@example.com", 1234)
    assert address.startswith("support+t1234-") and address.endswith("@example.com")
    assert ticket_from_address(address) == 1234
    assert ticket_from_address(address.upper()) == 1234


def test_forged_or_malformed_tokens_lead_nowhere() -> None:
    good = reply_address("support@example.com", 1234)
    forged = good.replace("t1234-", "t1235-")
    assert ticket_from_address(forged) is None
    for bad in ["support@example.com", "support+t99999999999999999999-00000000@x", "support+tx-1@x", "+@", ""]:
        assert ticket_from_address(bad) is None
