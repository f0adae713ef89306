"""The New ticket page: for a customer (found or created), as an outbound email that really
leaves, or as a logged phone call; errors next to the fields with everything typed kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from frontdesk.brands.services import default_brand
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import make_mailbox, smtp_sink  # noqa: F401 - fixture
from frontdesk.channels.email.tokens import ticket_from_address
from frontdesk.customers.models import Contact, Identity
from frontdesk.customers.search import index_contacts
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db
URL = "/tickets/new/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def form(**values: Any) -> dict[str, Any]:
    data = {"opening": "on_behalf", "requester_mode": "existing", "subject": "Broken printer",
            "body": "It prints blank pages.", "priority": "2", "type": "question"}
    data.update(values)
    return data


def created(response: Any) -> Ticket:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.fullmatch(r"/tickets/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Ticket.objects.get(pk=int(match.group(1)))


def value_of(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no input {name}"
    return match.group(1)


# --- opening the page ---------------------------------------------------------------------------------

def test_an_agent_opens_the_page_from_a_customer_and_from_an_organisation(agent) -> None:  # type: ignore[no-untyped-def]
    org = f.OrganisationFactory(name="Acme")
    alice = f.ContactFactory(name="Alice Example", primary_email="alice@acme.test", organisation=org)
    client = client_for(agent)

    customer_page = client.get(f"/customers/{alice.pk}/").content.decode()
    assert f'href="/tickets/new/?requester={alice.pk}"' in customer_page
    assert f'href="/tickets/new/?organisation={org.pk}"' in client.get(f"/organisations/{org.pk}/").content.decode()

    html = client.get(f"{URL}?requester={alice.pk}").content.decode()
    assert value_of(html, "requester") == str(alice.pk)
    assert value_of(html, "requester_q") == "Alice Example &lt;alice@acme.test&gt;"
    assert 'role="combobox"' in html and 'aria-controls="requester-options"' in html and 'role="listbox"' in html
    for kind in ("on_behalf", "outbound_email", "phone_call"):
        assert f'value="{kind}"' in html
    assert 'name="files" multiple' in html and 'name="submit_as"' in html

    # the organisation's only customer is picked; with two, the picker lists them
    html = client.get(f"{URL}?organisation={org.pk}").content.decode()
    assert value_of(html, "requester") == str(alice.pk) and value_of(html, "organisation") == str(org.pk)
    bob = f.ContactFactory(name="Bob Example", organisation=org)
    f.ContactFactory(name="Zed Elsewhere")
    html = client.get(f"{URL}?organisation={org.pk}").content.decode()
    assert value_of(html, "requester") == "" and "Showing the customers of <strong>Acme</strong>" in html
    listed = client.get(URL, {"suggest": "1", "q": "", "organisation": org.pk}).content.decode()
    assert f'data-id="{alice.pk}"' in listed and f'data-id="{bob.pk}"' in listed and "Zed" not in listed


def test_the_picker_finds_customers_by_name_email_or_phone_and_offers_a_new_one(agent) -> None:  # type: ignore[no-untyped-def]
    carla = f.ContactFactory(name="Carla Diaz", primary_email="carla@shop.test")
    Identity.objects.create(contact=carla, kind="phone", value="+34912345678")
    other = f.ContactFactory(name="Other Person", primary_email="other@else.test")
    index_contacts([carla.pk, other.pk])  # as the customers' services do when they write
    client = client_for(agent)

    def suggest(q: str) -> str:
        response = client.get(URL, {"suggest": "1", "q": q})
        assert response.status_code == 200
        return response.content.decode()

    for q in ("carl", "Diaz", "carla@shop", "+34 912 34", "0034912345678"):
        html = suggest(q)
        assert f'data-id="{carla.pk}"' in html, q
        assert "other@else.test" not in html, q
    assert 'role="option"' in suggest("carla") and "+34912345678" in suggest("carla")
    fresh = suggest("new.person@shop.test")
    assert 'data-new="email"' in fresh and "New customer with the email new.person@shop.test" in fresh
    assert 'data-new' not in suggest("carla@shop.test"), "no offer to duplicate a known address"
    assert 'data-new' not in suggest("0034 912 345 678"), "nor a known number"
    assert 'data-new="phone"' in suggest("+34 600 000 000")
    assert 'aria-disabled="true"' in suggest("nobodyhere")
    assert suggest("").strip() == ""


def test_light_agents_and_customers_cannot_open_tickets_here(light_agent, customer_user) -> None:  # type: ignore[no-untyped-def]
    alice = f.ContactFactory()
    client = client_for(light_agent)
    assert client.get(URL).status_code == 403
    response = client.post(URL, form(requester=alice.pk))
    assert response.status_code == 403 and not Ticket.objects.exists()
    response = client.post(URL, form(requester_mode="new", requester_email="new@customer.test"))
    assert response.status_code == 403 and not Contact.objects.filter(primary_email="new@customer.test").exists()
    assert "/tickets/new/" not in client.get(f"/customers/{alice.pk}/").content.decode(), "no button for them"
    assert client_for(customer_user).get(URL).status_code == 403


def test_the_topbar_button_is_the_c_shortcut_for_full_agents(agent, light_agent) -> None:  # type: ignore[no-untyped-def]
    html = render_to_string("workspace/_new_ticket_button.html", {"user": agent, "nav": "tickets"})
    assert 'href="/tickets/new/"' in html and 'data-key="c"' in html and "New ticket" in html
    on_the_page = render_to_string("workspace/_new_ticket_button.html", {"user": agent, "nav": "new_ticket"})
    assert 'data-key="c"' not in on_the_page, "c on the form itself would throw away what was typed"
    assert render_to_string("workspace/_new_ticket_button.html", {"user": light_agent}).strip() == ""


# --- the three kinds --------------------------------------------------------------------------------------

def test_on_behalf_of_an_existing_customer(agent) -> None:  # type: ignore[no-untyped-def]
    alice = f.ContactFactory()
    team = f.TeamFactory()
    team.members.add(agent)
    ticket = created(client_for(agent).post(URL, form(
        requester=alice.pk, priority="4", type="incident", team=team.pk, assignee=agent.pk, tags="printer, Urgent",
        submit_as="pending")))
    assert ticket.requester == alice and ticket.channel == "web"
    assert (ticket.priority, ticket.type, ticket.team, ticket.assignee) == (4, "incident", team, agent)
    assert ticket.status == "pending", "submit as"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["printer", "urgent"]
    message = Message.objects.get(ticket=ticket)
    assert (message.author_contact, message.author_user, message.body) == (alice, None, "It prints blank pages.")


def test_a_brand_new_customer_is_created_and_a_known_one_is_never_duplicated(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    ticket = created(client.post(URL, form(requester_mode="new", requester_name="Dana New",
                                            requester_email="Dana@New.test", requester_phone="+1 555 010 2030")))
    dana = ticket.requester
    assert (dana.name, dana.primary_email) == ("Dana New", "dana@new.test")
    assert Identity.objects.filter(contact=dana, kind="phone", value="+15550102030").exists()

    again = created(client.post(URL, form(requester_mode="new", requester_name="D.", requester_email="dana@new.test")))
    by_phone = created(client.post(URL, form(requester_mode="new", requester_phone="+1 (555) 010-2030")))
    assert again.requester_id == by_phone.requester_id == dana.pk
    assert Contact.objects.filter(identities__value="dana@new.test").count() == 1
    assert Contact.objects.count() == 1


def test_outbound_email_really_leaves_threaded_for_the_answer(agent, smtp_sink, run_on_commit) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    mailbox = make_mailbox(default_brand(), smtp_sink, address="help@frontdesk.test")
    alice = f.ContactFactory(primary_email="alice@customer.test")
    client = client_for(agent)
    page = client.get(URL).content.decode()
    assert "Sent from help@frontdesk.test" in page
    with run_on_commit():
        response = client.post(URL, form(opening="outbound_email", requester=alice.pk, subject="Your refund",
                                         body="Your refund was approved.", submit_as="pending"))
    ticket = created(response)
    message = Message.objects.get(ticket=ticket)
    assert (message.author_user, message.kind, ticket.channel, ticket.status) == (agent, "public", "email", "pending")
    row = OutboundEmail.objects.get(ticket=ticket)
    assert (row.kind, row.status, row.message_id, row.to) == ("reply", "sent", message.pk, ["alice@customer.test"])
    [sent] = smtp_sink.messages
    assert sent["To"] == "alice@customer.test" and mailbox.address in sent["From"]
    assert f"[Ticket #{ticket.pk}]" in sent["Subject"] and "Your refund" in sent["Subject"]
    assert ticket_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk, "the answer threads back"
    assert "Your refund was approved." in sent.get_body(("plain",)).get_content()
    followed = client.get(response["Location"])
    assert "the email to alice@customer.test is on its way" in followed.content.decode()


def test_outbound_email_to_a_customer_without_an_address_is_refused_at_the_customer(agent) -> None:  # type: ignore[no-untyped-def]
    phone_only = f.ContactFactory(primary_email="", name="Phone Only")
    response = client_for(agent).post(URL, form(opening="outbound_email", requester=phone_only.pk))
    assert response.status_code == 422 and not Ticket.objects.exists()
    html = response.content.decode()
    assert 'id="requester-error">no email address to write to' in html
    assert value_of(html, "requester") == str(phone_only.pk), "the customer stays picked"


def test_a_phone_call_is_logged_as_an_internal_note(agent) -> None:  # type: ignore[no-untyped-def]
    alice = f.ContactFactory()
    ticket = created(client_for(agent).post(URL, form(opening="phone_call", requester=alice.pk, body="Asked about VAT.",
                                                      call_direction="inbound", call_minutes="7", submit_as="solved")))
    message = Message.objects.get(ticket=ticket)
    assert (message.kind, message.author_user, ticket.channel) == ("note", agent, "phone")
    assert message.body == "Incoming call, 7 min.\n\nAsked about VAT."
    assert ticket.status == "solved"
    assert not OutboundEmail.objects.exists()


# --- files, fields and errors ----------------------------------------------------------------------------

def test_files_are_attached_to_the_opening_message(agent) -> None:  # type: ignore[no-untyped-def]
    files = [SimpleUploadedFile("a.txt", b"first", content_type="text/plain"),
             SimpleUploadedFile("b.txt", b"second", content_type="text/plain")]
    ticket = created(client_for(agent).post(URL, {**form(requester=f.ContactFactory().pk), "files": files}))
    message = Message.objects.get(ticket=ticket)
    assert sorted(Attachment.objects.filter(message=message).values_list("filename", flat=True)) == ["a.txt", "b.txt"]


def test_too_many_files_are_refused_next_to_the_file_input(agent) -> None:  # type: ignore[no-untyped-def]
    files = [SimpleUploadedFile(f"{n}.txt", b"x", content_type="text/plain") for n in range(21)]
    response = client_for(agent).post(URL, {**form(requester=f.ContactFactory().pk), "files": files})
    assert response.status_code == 422 and not Ticket.objects.exists()
    assert "at most 20 files" in response.content.decode()


def test_a_refused_form_keeps_everything_typed_and_says_files_must_be_chosen_again(agent) -> None:  # type: ignore[no-untyped-def]
    CustomField.objects.create(key="order", label="Order number", type="text", applies_to="ticket")
    alice = f.ContactFactory(name="Alice Kept", primary_email="kept@customer.test")
    upload = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client_for(agent).post(URL, {**form(opening="phone_call", requester=alice.pk,
                                                   requester_q="Alice Kept <kept@customer.test>", subject="  ",
                                                   body="My notes", tags="billing", call_minutes="5",
                                                   priority="3", cf_order="A-17"), "files": [upload]})
    assert response.status_code == 422 and not Ticket.objects.exists()
    html = response.content.decode()
    assert 'id="nt-subject-error">required' in html
    assert 'aria-invalid="true" aria-describedby="nt-subject-error"' in html
    assert value_of(html, "requester") == str(alice.pk) and "Selected: Alice Kept" in html
    assert ">My notes</textarea>" in html and value_of(html, "tags") == "billing"
    assert value_of(html, "call_minutes") == "5" and value_of(html, "cf_order") == "A-17"
    assert re.search(r'value="phone_call"\s+checked', html)
    assert '<option value="3" selected>' in html
    assert "Choose your file again (invoice.pdf)" in html


def test_errors_of_the_new_customer_and_of_custom_fields_are_next_to_their_inputs(agent) -> None:  # type: ignore[no-untyped-def]
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["free", "pro"], required=True,
                               applies_to="ticket")
    client = client_for(agent)
    response = client.post(URL, form(requester_mode="new", requester_name="Eve", requester_email="eve@", cf_plan=""))
    html = response.content.decode()
    assert response.status_code == 422 and 'id="requester-email-error"' in html
    assert value_of(html, "requester_name") == "Eve" and value_of(html, "requester_email") == "eve@"
    assert re.search(r'value="new"\s+checked', html)
    response = client.post(URL, form(requester_mode="new", requester_email="eve@customer.test", cf_plan=""))
    html = response.content.decode()
    assert response.status_code == 422 and 'id="f-cf-plan-error">required' in html
    assert not Contact.objects.filter(primary_email="eve@customer.test").exists(), "nothing half-made"
    assert created(client.post(URL, form(requester_mode="new", requester_email="eve@customer.test", cf_plan="pro"))
                   ).custom_fields == {"plan": "pro"}


def test_a_requester_is_required_and_an_exact_address_picks_without_javascript(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    response = client.post(URL, form())
    assert response.status_code == 422 and 'id="requester-error">choose a customer' in response.content.decode()
    response = client.post(URL, form(requester_q="Somebody"))
    assert response.status_code == 422 and "choose a customer from the list" in response.content.decode()
    assert value_of(response.content.decode(), "requester_q") == "Somebody"
    alice = f.ContactFactory(primary_email="alice@customer.test")
    assert created(client.post(URL, form(requester_q=" Alice@Customer.test "))).requester == alice
    assert client.post(URL, form(requester="99999999999999999999")).status_code == 422, "no 500 for a hostile id"
