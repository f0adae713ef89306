"""The ticket page's composer: the mode it keeps, To/CC/BCC of emailed replies, formatted text,
the signature, server-side drafts and @mentions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from frontdesk.channels.email import sending
from frontdesk.channels.email.models import Mailbox, OutboundEmail
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, make_mailbox, ticket_of
from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Message, MessageKind, Ticket
from frontdesk.tickets.services import ticket_create
from frontdesk.workspace.composer_text import composer_text
from frontdesk.workspace.models import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def web_ticket() -> Ticket:
    return ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject="Printer", body="It jams.")


def email_ticket(*cc_emails: str) -> Ticket:
    mailbox: Mailbox = make_mailbox()
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    for address in cc_emails:
        ticket.ccs.add(f.ContactFactory(primary_email=address))
    return ticket


def composer_of(html: str) -> str:
    start = html.index('<form id="composer"')
    return html[start : html.index("</form>", start)]


def value_of(html: str, name: str) -> str:
    match = re.search(rf'<input id="composer-{name}" name="{name}"[^>]*\bvalue="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def reply(client: Client, ticket: Ticket, **data: Any) -> Any:
    return client.post(f"/tickets/{ticket.pk}/reply/", data)


# --- the mode is kept, and a note looks like one ---------------------------------------------


def test_after_an_internal_note_the_composer_is_still_in_note_mode(agent: Any) -> None:
    ticket = web_ticket()
    client = client_for(agent)
    assert 'data-mode="public"' in composer_of(client.get(f"/tickets/{ticket.pk}/").content.decode())

    sent = reply(client, ticket, kind="note", body="Checked the logs")
    assert sent.status_code == 302
    page = composer_of(client.get(sent["Location"]).content.decode())
    assert 'data-mode="note"' in page
    assert 'value="note" checked' in page and 'value="public" checked' not in page
    # and after a public reply it is back to public
    reply(client, ticket, kind="public", body="Fixed it for you")
    assert 'data-mode="public"' in composer_of(client.get(f"/tickets/{ticket.pk}/").content.decode())


def test_the_mode_is_per_agent_and_per_ticket(agent: Any) -> None:
    ticket, other = web_ticket(), web_ticket()
    reply(client_for(agent), ticket, kind="note", body="Only for us")
    colleague = f.UserFactory(role="agent")
    assert 'data-mode="public"' in composer_of(client_for(colleague).get(f"/tickets/{ticket.pk}/").content.decode())
    assert 'data-mode="public"' in composer_of(client_for(agent).get(f"/tickets/{other.pk}/").content.decode())


def test_a_note_is_labelled_before_sending_and_the_button_says_so(agent: Any) -> None:
    page = composer_of(client_for(agent).get(f"/tickets/{web_ticket().pk}/").content.decode())
    assert "only agents see this" in page and 'class="note-flag"' in page
    assert "Add internal note" in page and "Send reply" in page


def test_a_light_agent_stays_note_only(light_agent: Any) -> None:
    ticket = web_ticket()
    client = client_for(light_agent)
    page = composer_of(client.get(f"/tickets/{ticket.pk}/").content.decode())
    assert 'data-mode="note"' in page and 'value="public"' not in page
    client.post(f"/tickets/{ticket.pk}/draft/", {"kind": "public", "body_html": "x", "version": "0"})
    assert Draft.objects.get(user=light_agent).kind == MessageKind.NOTE
    assert reply(client, ticket, kind="public", body="Hello").status_code == 403


# --- To / CC / BCC ------------------------------------------------------------------------------


def test_recipients_default_to_the_requester_and_the_ticket_ccs(agent: Any) -> None:
    ticket = email_ticket("boss@customer.test")
    page = composer_of(client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode())
    assert value_of(page, "to") == "carla@customer.test"
    assert value_of(page, "cc") == "boss@customer.test"
    assert value_of(page, "bcc") == ""


def test_no_recipient_fields_when_no_email_goes_out(agent: Any) -> None:
    page = composer_of(client_for(agent).get(f"/tickets/{web_ticket().pk}/").content.decode())
    assert 'name="to"' not in page and 'name="signature"' not in page


def test_the_chosen_to_cc_and_bcc_reach_the_outgoing_email(agent: Any) -> None:
    ticket = email_ticket("boss@customer.test")
    sent = reply(
        client_for(agent), ticket, kind="public", body="Here is the fix.", recipients="1",
        to="carla@customer.test", cc="Boss <boss@customer.test>, it@customer.test", bcc="audit@ourcompany.test",
    )
    assert sent.status_code == 302
    row = OutboundEmail.objects.get(message__body="Here is the fix.")
    assert (row.to, row.cc, row.bcc) == (["carla@customer.test"], ["boss@customer.test", "it@customer.test"],
                                          ["audit@ourcompany.test"])
    assert ticket.ccs.count() == 1, "the choice is this message's, the ticket's CCs stay"

    mail.outbox.clear()
    assert sending.send_one(row.pk)
    (message,) = mail.outbox
    assert message.to == ["carla@customer.test"]
    assert message.cc == ["boss@customer.test", "it@customer.test"]
    assert "audit@ourcompany.test" in message.recipients(), "BCC is an envelope recipient"
    raw = message.message().as_string()
    assert "audit@ourcompany.test" not in raw and "Bcc:" not in raw, "no customer sees the BCC"


def test_the_bcc_is_recorded_with_the_outgoing_mail_of_the_message(agent: Any) -> None:
    ticket = email_ticket()
    reply(client_for(agent), ticket, kind="public", body="Done.", recipients="1", to="carla@customer.test",
          bcc="audit@ourcompany.test")
    row = OutboundEmail.objects.get(message__body="Done.")
    assert row.bcc == ["audit@ourcompany.test"]  # recorded with the message's outgoing mail


def test_a_bad_address_is_shown_next_to_its_field_and_nothing_is_lost(agent: Any) -> None:
    ticket = email_ticket()
    before = Message.objects.count()
    response = reply(client_for(agent), ticket, kind="public", body="Hello there", recipients="1",
                     to="carla@customer.test", cc="boss at customer", bcc="")
    assert response.status_code == 422
    page = composer_of(response.content.decode())
    assert re.search(r'id="composer-cc"[^>]*aria-invalid="true"', page)
    assert 'id="composer-cc-error">not an email address: boss, at, customer<' in page
    assert value_of(page, "cc") == "boss at customer" and "Hello there" in page
    assert Message.objects.count() == before


def test_an_empty_to_is_refused(agent: Any) -> None:
    ticket = email_ticket()
    response = reply(client_for(agent), ticket, kind="public", body="Hello", recipients="1", to=" ", cc="")
    assert response.status_code == 422
    assert 'id="composer-to-error">at least one address<' in response.content.decode()


# --- formatting ----------------------------------------------------------------------------------


def test_formatted_text_is_sanitised_and_has_a_text_version(agent: Any) -> None:
    ticket = email_ticket()
    html = ('<div>Hello <b>Carla</b>,</div><ul><li>restart</li><li onclick="steal()">print</li></ul>'
            '<blockquote>old</blockquote><script>alert(1)</script><a href="javascript:x()">bad</a> '
            '<a href="https://help.example/p">guide</a>')
    assert reply(client_for(agent), ticket, kind="public", body="", body_html=html, recipients="1",
                 to="carla@customer.test").status_code == 302
    message = Message.objects.get(ticket=ticket, author_user=agent)
    assert "<b>Carla</b>" in message.body_html and "<li>restart</li>" in message.body_html
    assert "script" not in message.body_html and "onclick" not in message.body_html
    assert "javascript" not in message.body_html
    assert message.body == "Hello Carla,\n- restart\n- print\n> old\nbad guide (https://help.example/p)"
    row = OutboundEmail.objects.get(message=message)
    assert "<b>Carla</b>" in row.body_html and "- restart" in row.body_text


def test_composer_text_keeps_numbers_nesting_and_pre() -> None:
    html = "<ol><li>one<ul><li>sub</li></ul></li><li>two</li></ol><pre>a\n  b</pre><p>x<br><br>y</p>"
    assert composer_text(html) == "1. one\n  - sub\n2. two\na\n  b\nx\n\ny"


def test_a_message_too_large_to_post_is_refused_with_a_clear_error(agent: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = reply(client_for(agent), web_ticket(), kind="note", body="x" * 5000)
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()


# --- signature -----------------------------------------------------------------------------------


def test_the_profile_signature_is_offered_and_can_be_changed_for_one_message(agent: Any) -> None:
    agent.signature = "Ann Lee\nSupport team"
    agent.save(update_fields=["signature"])
    ticket = email_ticket()
    client = client_for(agent)
    page = composer_of(client.get(f"/tickets/{ticket.pk}/").content.decode())
    assert re.search(r'<textarea id="composer-signature" name="signature"[^>]*>Ann Lee\nSupport team</textarea>', page)

    reply(client, ticket, kind="public", body="One", recipients="1", to="carla@customer.test",
          signature_present="1", signature="Ann (on call tonight)")
    reply(client, ticket, kind="public", body="Two", recipients="1", to="carla@customer.test",
          signature_present="1", signature="")
    one, two = (OutboundEmail.objects.get(message__body=b) for b in ("One", "Two"))
    assert "Ann (on call tonight)" in one.body_text and "Support team" not in one.body_text
    assert "-- \n" not in two.body_text and "Support team" not in two.body_text
    agent.refresh_from_db()
    assert agent.signature == "Ann Lee\nSupport team", "the profile keeps its own"


def test_the_signature_is_set_on_the_profile_page(agent: Any) -> None:
    client = client_for(agent)
    response = client.post("/profile/", {"name": agent.name, "time_zone": "UTC", "language": "en",
                                         "signature": "Ann\nFrontdesk support"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.signature == "Ann\nFrontdesk support"


# --- drafts ----------------------------------------------------------------------------------------


def save_draft(client: Client, ticket: Ticket, version: int, **data: Any) -> Any:
    data.setdefault("kind", "public")
    return client.post(f"/tickets/{ticket.pk}/draft/", {"version": str(version), **data})


def test_a_draft_is_saved_and_shown_on_another_device(agent: Any) -> None:
    ticket = email_ticket()
    laptop, phone = client_for(agent), client_for(agent)
    saved = save_draft(laptop, ticket, 0, body_html="<p>Half <b>written</b><script>x()</script></p>",
                       to="carla@customer.test", cc="", bcc="boss@customer.test", signature_present="1",
                       signature="Ann")
    assert saved.status_code == 200 and saved.json()["version"] == 1
    draft = Draft.objects.get(user=agent, ticket=ticket)
    assert "script" not in draft.body

    page = composer_of(phone.get(f"/tickets/{ticket.pk}/").content.decode())
    assert "<p>Half <b>written</b></p>" in page and "Draft restored" in page
    assert value_of(page, "bcc") == "boss@customer.test" and 'data-draft-version="1"' in page
    assert re.search(r'name="signature"[^>]*>Ann</textarea>', page)
    other = composer_of(client_for(f.UserFactory(role="agent")).get(f"/tickets/{ticket.pk}/").content.decode())
    assert "Half" not in other, "a draft is its author's only"


def test_a_save_from_a_stale_page_is_refused_with_the_stored_draft(agent: Any) -> None:
    ticket = web_ticket()
    laptop, phone = client_for(agent), client_for(agent)
    assert save_draft(laptop, ticket, 0, body_html="first").status_code == 200
    assert save_draft(laptop, ticket, 1, body_html="second").status_code == 200
    stale = save_draft(phone, ticket, 1, body_html="from the phone")
    assert stale.status_code == 409
    assert stale.json()["draft"]["body_html"] == "second" and stale.json()["draft"]["version"] == 2
    assert Draft.objects.get(user=agent).body == "second"
    assert save_draft(phone, ticket, 2, body_html="from the phone").status_code == 200  # "keep mine"


def test_sending_clears_the_draft_text_and_keeps_its_mode(agent: Any) -> None:
    ticket = web_ticket()
    client = client_for(agent)
    save_draft(client, ticket, 0, kind="note", body_html="<p>note text</p>")
    assert reply(client, ticket, kind="note", body_html="<p>note text</p>").status_code == 302
    draft = Draft.objects.get(user=agent, ticket=ticket)
    assert (draft.kind, draft.body, draft.has_text) == ("note", "", False)
    page = composer_of(client.get(f"/tickets/{ticket.pk}/").content.decode())
    assert "note text" not in page and "Draft restored" not in page and 'data-mode="note"' in page


def test_a_draft_can_be_discarded(agent: Any) -> None:
    ticket = web_ticket()
    client = client_for(agent)
    save_draft(client, ticket, 0, body_html="<p>never mind</p>")
    response = client.post(f"/tickets/{ticket.pk}/draft/discard/")
    assert response.json() == {"discarded": True, "version": 2}
    assert Draft.objects.get(user=agent).body == ""


def test_drafts_and_suggestions_need_a_ticket_the_agent_can_see(agent: Any) -> None:
    team = f.TeamFactory(restricted=True)
    hidden = ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject="S", body="B", team=team.pk)
    client = client_for(agent)
    assert save_draft(client, hidden, 0, body_html="x").status_code == 404
    assert client.get(f"/tickets/{hidden.pk}/mentions/?q=a").status_code == 404
    assert not Draft.objects.exists()


def test_a_draft_that_is_too_long_says_which_field(agent: Any) -> None:
    response = save_draft(client_for(agent), web_ticket(), 0, body_html="x", to="a" * 6000)
    assert response.status_code == 422 and response.json()["error"]["fields"] == {"to": "at most 5000 characters"}


# --- @mentions -------------------------------------------------------------------------------------


def test_mention_suggestions_by_name_or_email(agent: Any) -> None:
    ann = f.UserFactory(role="agent", name="Ann Quixotl", email="annq.lee@frontdesk.test")
    f.UserFactory(role="agent", name="Bob", email="bob@frontdesk.test")
    f.UserFactory(role="agent", name="Ann Quixotl-Away", email="annq.away@frontdesk.test", is_active=False)
    f.customer_with_contact("annq@customer.test")
    ticket = web_ticket()
    client = client_for(agent)
    by_name = client.get(f"/tickets/{ticket.pk}/mentions/?q=quixotl").json()["agents"]
    assert by_name == [{"id": ann.pk, "name": "Ann Quixotl", "email": "annq.lee@frontdesk.test", "handle": "annq.lee"}]
    by_email = client.get(f"/tickets/{ticket.pk}/mentions/?q=annq").json()["agents"]
    assert [a["email"] for a in by_email] == ["annq.lee@frontdesk.test"], "active agents only, never customers"


def test_a_shared_local_part_is_suggested_as_the_whole_address(agent: Any) -> None:
    f.UserFactory(role="agent", name="Zq A", email="zqsam@one.test")
    f.UserFactory(role="agent", name="Zq B", email="zqsam@two.test")
    agents = client_for(agent).get(f"/tickets/{web_ticket().pk}/mentions/?q=zqsam").json()["agents"]
    assert sorted(a["handle"] for a in agents) == ["zqsam@one.test", "zqsam@two.test"]


def test_unknown_handles_are_flagged_and_the_note_waits_for_confirmation(agent: Any) -> None:
    ann = f.UserFactory(role="agent", name="Ann", email="ann@frontdesk.test")
    ticket = web_ticket()
    client = client_for(agent)
    body = "<p>@ann and @nobody, @ghost@x.test</p>"  # mentions match emails only, never names
    check = client.post(f"/tickets/{ticket.pk}/mentions/check/", {"body_html": body})
    assert check.json() == {"unknown": ["nobody", "ghost@x.test"]}

    refused = reply(client, ticket, kind="note", body_html="<p>@ann and @nobody please look</p>")
    assert refused.status_code == 422
    page = composer_of(refused.content.decode())
    assert "Nobody matches" in page and "<strong data-unknown-list>@nobody</strong>" in page
    assert "@ann and @nobody please look" in page, "the note is kept"
    assert not Message.objects.filter(body__contains="please look").exists()

    sent = reply(client, ticket, kind="note", body_html="<p>@ann and @nobody please look</p>", confirm_mentions="1")
    assert sent.status_code == 302
    note = Message.objects.get(body__contains="please look")
    assert list(note.mentions.all()) == [ann]


def test_a_public_reply_is_not_held_for_at_signs(agent: Any) -> None:
    assert reply(client_for(agent), web_ticket(), kind="public", body="Write to @support anytime").status_code == 302
