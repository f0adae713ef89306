"""The New ticket page: a ticket an agent opens for a customer, as an outbound email, or as a
logged phone call, with the fields, files and "submit as" of a reply.

The rules are the ticket services' (``ticket_open`` over ``ticket_create``); this view only turns
the form's strings into their arguments, draws the errors next to the inputs and keeps what was
typed. The requester picker asks this same URL for its suggestions (``?suggest=1&q=…``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk.accounts.models import FULL_AGENT_ROLES, User
from frontdesk.accounts.selectors import team_list, user_list
from frontdesk.brands.services import default_brand
from frontdesk.core.errors import FrontdeskError, NotFound, PermissionDenied, ValidationError
from frontdesk.customers import selectors as customer_selectors
from frontdesk.customers.models import Contact, IdentityKind, Organisation
from frontdesk.customers.services._common import phone_digits
from frontdesk.fields.services import definitions
from frontdesk.tickets import selectors
from frontdesk.tickets.channel_page import new_ticket_sender
from frontdesk.tickets.models import Priority, StatusCategory, TicketType
from frontdesk.tickets.services.opening import MAX_CALL_MINUTES, OPENINGS, OUTBOUND_EMAIL, ticket_open
from frontdesk.workspace.access import actor, agent_required, viewer
from frontdesk.workspace.views_settings_forms import FormField, attach_errors, custom_field_inputs, refill
from frontdesk.workspace.views_ticket_forms import custom_field_value, optional_id
from frontdesk.workspace.views_ticket_reply import MAX_FILES

MAX_QUERY = 200
# the service's error keys that belong to the file input
_FILE_KEYS = ("files", "file", "attachments")
OPENING_LABELS = {
    "on_behalf": (gettext_lazy("For the customer"),
                  gettext_lazy("The customer asked (in person, by chat elsewhere…): their message opens the ticket.")),
    "outbound_email": (gettext_lazy("Outbound email"),
                       gettext_lazy("You write first: your message is emailed to the customer, and their "
                                    "answer threads into the ticket.")),
    "phone_call": (gettext_lazy("Phone call"),
                   gettext_lazy("Log a call: your notes are an internal note, never sent to the customer.")),
}
# the values a refused form shows again; files cannot be kept (browsers never refill a file input)
_KEPT = ("opening", "requester_mode", "requester", "requester_q", "requester_name", "requester_email",
         "requester_phone", "organisation", "subject", "body", "call_direction", "call_minutes", "priority", "type",
         "team", "assignee", "tags", "submit_as")


# --- the requester picker ------------------------------------------------------------------------
# (the lookups are customer_selectors.contact_suggestions and, without JavaScript, contact_exact_match)

def contact_label(contact: Contact) -> str:
    name = contact.name or contact.primary_email or _("Customer %(id)s") % {"id": contact.pk}
    return f"{name} <{contact.primary_email}>" if contact.name and contact.primary_email else name


def _new_offer(q: str, found: list[Contact]) -> str:
    """"email" or "phone" when ``q`` looks like one that none of ``found`` has: the list then
    offers a new customer with it."""
    known = {i.value for c in found for i in c.identities.all()}
    if "@" in q and " " not in q:
        return "" if q.lower() in known else "email"
    digits = phone_digits(q)
    if len(digits) >= 6:
        return "" if "+" + digits in known else "phone"
    return ""


def _prefill_contact(me: User, raw: str | None) -> Contact | None:
    try:
        contact_id = optional_id("requester", raw)
        contact = customer_selectors.contact_get(viewer=me, contact_id=contact_id) if contact_id else None
    except (ValidationError, NotFound):
        return None
    if contact is not None and contact.merged_into_id:
        return _prefill_contact(me, str(contact.merged_into_id))
    return contact


def _organisation(me: User, raw: str | None) -> Organisation | None:
    try:
        org_id = optional_id("organisation", raw)
        return customer_selectors.organisation_get(viewer=me, organisation_id=org_id) if org_id else None
    except (ValidationError, NotFound):
        return None


# --- the page --------------------------------------------------------------------------------------

def _initial(me: User, params: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {key: "" for key in _KEPT}
    values.update(opening="on_behalf", requester_mode="existing", priority=str(Priority.NORMAL),
                  type=TicketType.QUESTION, call_direction="inbound")
    if params.get("opening") in OPENINGS:
        values["opening"] = params["opening"]
    contact = _prefill_contact(me, params.get("requester"))
    org = _organisation(me, params.get("organisation"))
    if org is not None:
        values["organisation"] = str(org.pk)
        if contact is None:  # the organisation's only customer is the one
            first = list(customer_selectors.contact_list(viewer=me, organisation_id=org.pk).order_by("pk")[:2])
            contact = first[0] if len(first) == 1 else None
    if contact is not None:
        values["requester"] = str(contact.pk)
        values["requester_q"] = contact_label(contact)
    return values


def _context(request: HttpRequest, values: dict[str, Any], custom: list[FormField], *,
             errors: dict[str, str] | None = None, error: FrontdeskError | None = None,
             lost_files: list[str] | None = None) -> dict[str, Any]:
    me = viewer(request)
    picked = _prefill_contact(me, values.get("requester")) if values.get("requester") else None
    org = _organisation(me, values.get("organisation"))
    staff = user_list(viewer=me, active=True).filter(role__in=FULL_AGENT_ROLES).order_by("name", "email")
    statuses = list(selectors.status_list(viewer=me))
    brand = default_brand()
    errors = errors or {}
    return {
        "nav": "new_ticket",
        "v": values,
        "openings": [(key, *OPENING_LABELS[key]) for key in OPENINGS],
        "picked": picked,
        "picked_phone": next((i.value for i in picked.identities.all() if i.kind == IdentityKind.PHONE), "")
        if picked else "",
        "organisation": org,
        "priorities": Priority.choices,
        "types": TicketType.choices,
        "teams": list(team_list(viewer=me)),
        "assignees": list(staff),
        "statuses": [s for s in statuses if s.active],
        "custom": custom,
        "errors": errors,
        "error": error,
        "left": {k: v for k, v in errors.items() if k not in _SHOWN},
        "lost_files": lost_files or [],
        "lost_names": ", ".join(lost_files or []),
        "max_files": MAX_FILES,
        "max_minutes": MAX_CALL_MINUTES,
        "sender": new_ticket_sender(brand.pk),  # what the first email leaves from (None: no mailbox)
        "new_status": StatusCategory.NEW.value,
    }


# every input the template shows an error next to; the others go to the alert on top
_SHOWN = frozenset({"opening", "requester", "requester_name", "requester_email", "requester_phone", "subject",
                    "body", "call_direction", "call_minutes", "priority", "type", "team", "assignee", "tags",
                    "files", "status"})


def _minutes(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 5:
        raise ValidationError(_("Please check the form."),
                              fields={"call_minutes": _("whole minutes, 0 to %(n)s") % {"n": MAX_CALL_MINUTES}})
    return int(raw)


def _arguments(request: HttpRequest, me: User) -> dict[str, Any]:
    """ticket_open's arguments from the form (the service checks them)."""
    post = request.POST
    opening = post.get("opening", "")
    args: dict[str, Any] = {
        "opening": opening,
        "subject": post.get("subject", ""),
        "body": post.get("body", ""),
        "type": post.get("type") or None,
        "team": optional_id("team", post.get("team")),
        "assignee": optional_id("assignee", post.get("assignee")),
        "tags": [t.strip() for t in post.get("tags", "").split(",") if t.strip()],
        "status": post.get("submit_as") or None,
    }
    raw_priority = post.get("priority", "")
    args["priority"] = int(raw_priority) if raw_priority.isdigit() and len(raw_priority) < 3 else raw_priority or None
    if opening == "phone_call":
        args["call_direction"] = post.get("call_direction") or None
        args["call_minutes"] = _minutes(post.get("call_minutes", ""))
    if post.get("requester_mode") == "new":
        args["new_requester"] = {k: post.get(f"requester_{k}", "") for k in ("name", "email", "phone")}
    else:
        requester_id = optional_id("requester", post.get("requester"))
        if requester_id is None and post.get("requester_q", "").strip():
            # without JavaScript the picker is a text box: an exact email address or phone number picks
            found = customer_selectors.contact_exact_match(viewer=me, q=post["requester_q"][:MAX_QUERY])
            requester_id = found.pk if found else None
            if requester_id is None:
                raise ValidationError(_("Please check the form."), fields={
                    "requester": _("choose a customer from the list, or enter a new customer")})
        if requester_id is None:
            raise ValidationError(_("Please check the form."), fields={"requester": _("choose a customer")})
        args["requester"] = requester_id
    return args


def _errors(exc: FrontdeskError) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, problem in (exc.fields or {}).items():
        name = "files" if key in _FILE_KEYS else key
        out.setdefault(name, str(problem))
    return out


@agent_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    if request.method == "GET" and request.GET.get("suggest"):
        q = request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY].strip()
        org = _organisation(me, request.GET.get("organisation"))
        found = customer_selectors.contact_suggestions(viewer=me, q=q, organisation_id=org.pk if org else None)
        rows = [(c, contact_label(c), next((i.value for i in c.identities.all() if i.kind == IdentityKind.PHONE), ""))
                for c in found]
        return render(request, "workspace/ticket/_requester_options.html",
                      {"found": rows, "q": q, "looks": _new_offer(q, found), "organisation": org})
    if not (me.is_active and me.is_full_agent):
        raise PermissionDenied(_("Light agents may not open tickets."))
    defs = sorted(definitions("ticket").values(), key=lambda d: (d.position, d.pk))
    if request.method != "POST":
        return render(request, "workspace/ticket/new.html",
                      _context(request, _initial(me, request.GET), custom_field_inputs(defs, {})))
    values = {key: request.POST.get(key, "") for key in _KEPT}
    custom = custom_field_inputs(defs, {})
    refill(custom, request.POST)
    files = request.FILES.getlist("files")
    try:
        if len(files) > MAX_FILES:
            raise ValidationError(_("Too many files."), fields={"files": _("at most %(n)s files") % {"n": MAX_FILES}})
        args = _arguments(request, me)
        args["custom_fields"] = {d.key: custom_field_value(d, request.POST) for d in defs}
        ticket = ticket_open(actor=actor(request), attachments=list(files), **args)
    except FrontdeskError as exc:
        errors = _errors(exc)
        attach_errors(custom, exc)
        for field in custom:
            errors.pop(field.error_key, None)
        context = _context(request, values, custom, errors=errors, error=exc,
                           lost_files=[str(upload.name or "") for upload in files])
        return render(request, "workspace/ticket/new.html", context, status=exc.status)
    if args["opening"] == OUTBOUND_EMAIL:
        messages.success(request, _("Ticket #%(id)s created; the email to %(to)s is on its way.")
                         % {"id": ticket.pk, "to": ticket.requester.primary_email})
    else:
        messages.success(request, _("Ticket #%(id)s created.") % {"id": ticket.pk})
    return redirect("workspace:ticket", ticket_id=ticket.pk)

