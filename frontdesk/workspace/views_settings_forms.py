"""Small form kit shared by the customer, settings and profile pages.

A form is a list of ``FormField``s built in the view (value, choices, error); one template
(``workspace/settings/_field.html``) draws any of them with its label and its error.
Domain errors (``ValidationError.fields``) are attached to the field they name; the ones
that name no field stay in the form's top alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from frontdesk.core.errors import FrontdeskError
from frontdesk.fields.models import CustomField, FieldType

INPUT_KINDS = {"text", "email", "password", "number", "date", "search", "color"}


@dataclass
class FormField:
    name: str
    label: str
    kind: str = "text"  # text/email/password/number/date/color, textarea, select, multiselect, checkbox
    value: Any = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    help: str = ""
    required: bool = False
    error_key: str = ""  # the key a service uses for this input in ValidationError.fields
    autocomplete: str = ""

    def __post_init__(self) -> None:
        self.error_key = self.error_key or self.name

    @property
    def is_input(self) -> bool:
        return self.kind in INPUT_KINDS

    @property
    def id(self) -> str:
        return "f-" + self.name.replace("_", "-").replace(".", "-")

    @property
    def selected(self) -> set[str]:
        if isinstance(self.value, (list, tuple, set)):
            return {str(v) for v in self.value}
        return {"" if self.value is None else str(self.value)}


def attach_errors(fields: list[FormField], exc: FrontdeskError) -> dict[str, str]:
    """Put each field error next to its input; return the errors no input claims."""
    by_key = {f.error_key: f for f in fields}
    left: dict[str, str] = {}
    for key, problem in (exc.fields or {}).items():
        target = by_key.get(key)
        if target is not None:
            target.error = str(problem)
        else:
            left[key] = str(problem)
    return left


def refill(fields: list[FormField], data: QueryDict) -> None:
    """Show what the person typed again after a refused submission (never passwords)."""
    for f in fields:
        if f.kind == "password":
            continue
        if f.kind == "checkbox":
            f.value = f.name in data
        elif f.kind == "multiselect":
            f.value = data.getlist(f.name)
        elif f.name in data:
            f.value = data.get(f.name, "")


def checkbox(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in {"on", "1", "true"}


def text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


def lines(value: str) -> list[str]:
    """One item per line or comma: tags, domains, options, emails."""
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


# --- custom fields -----------------------------------------------------------------------

def custom_field_inputs(definitions: list[CustomField], values: dict[str, Any]) -> list[FormField]:
    """One input per active definition, named ``cf_<key>``."""
    kinds: dict[str, str] = {
        FieldType.TEXT: "text", FieldType.NUMBER: "number", FieldType.DATE: "date",
        FieldType.CHECKBOX: "checkbox", FieldType.DROPDOWN: "select", FieldType.MULTISELECT: "multiselect",
    }
    out = []
    for d in definitions:
        choices = [(str(o), str(o)) for o in d.options]
        if d.type == FieldType.DROPDOWN:
            choices = [("", "—"), *choices]
        value = values.get(d.key, [] if d.type == FieldType.MULTISELECT else "")
        out.append(FormField(
            name=f"cf_{d.key}", label=d.label, kind=kinds.get(d.type, "text"), value=value, choices=choices,
            help=d.description, required=d.required, error_key=f"custom_fields.{d.key}",
        ))
    return out


def custom_field_values(request: HttpRequest, definitions: list[CustomField]) -> dict[str, Any]:
    """The submitted values, typed as the fields service expects; empty clears a value."""
    values: dict[str, Any] = {}
    for d in definitions:
        name = f"cf_{d.key}"
        if d.type == FieldType.CHECKBOX:
            values[d.key] = checkbox(request, name)
        elif d.type == FieldType.MULTISELECT:
            values[d.key] = request.POST.getlist(name)
        else:
            raw = request.POST.get(name, "").strip()
            values[d.key] = raw or None
    return values


# --- settings pages -----------------------------------------------------------------------

SECTIONS = (
    ("users", "workspace:settings_users"),
    ("teams", "workspace:settings_teams"),
    ("brands", "workspace:settings_brands"),
    ("statuses", "workspace:settings_statuses"),
    ("fields", "workspace:settings_fields"),
    ("tags", "workspace:settings_tags"),
    ("tokens", "workspace:settings_tokens"),
)


def settings_render(
    request: HttpRequest, template: str, section: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    from django.shortcuts import render

    return render(request, f"workspace/settings/{template}",
                  {"nav": "settings", "section": section, **context}, status=status)


def failed(form: list[FormField], exc: FrontdeskError, data: QueryDict) -> dict[str, Any]:
    """The context of a refused form: errors by field, what was typed, the rest on top."""
    refill(form, data)
    return {"form_error": exc, "form_left": attach_errors(form, exc)}
