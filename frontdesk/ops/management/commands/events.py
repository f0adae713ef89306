from __future__ import annotations

import inspect
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontdesk.core.events.base import Event, discover_events
from frontdesk.core.events.dispatcher import retry_dead
from frontdesk.core.events.models import HandlerRun
from frontdesk.core.events.registry import Registration, autodiscover, table

CATALOGUE_HEADER = """# Event catalogue

<!-- Generated from the event classes: do not edit by hand. Regenerate with
     .venv/bin/frontdesk events --catalogue > docs/events.md
     (frontdesk/ops/tests/test_events_catalogue.py fails when this file drifts). -->

Every domain event Frontdesk records in its outbox, with its payload schema. Automation rules,
webhooks and analytics read these payloads: they are a contract. Each event has a payload
`version`; a change that is not backwards compatible (a field removed, renamed or retyped) bumps
it, adding an optional field does not. Payloads are validated (Pydantic) when the event is built,
so a payload that does not match its schema is never recorded.
"""


def _handlers_by_event() -> dict[str, list[Registration]]:
    by_event: dict[str, list[Registration]] = {}
    for reg in table():
        by_event.setdefault(reg.event_name, []).append(reg)
    return by_event


def _type(schema: dict[str, Any]) -> str:
    """A short, readable type from a JSON schema fragment."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " \\| ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        inner = _type(items) if isinstance(items, dict) and items else "any"
        sizes = (schema.get("minItems"), schema.get("maxItems"))
        return f"array[{inner}]" + (f" of {sizes[0]}" if sizes[0] is not None and sizes[0] == sizes[1] else "")
    if kind == "object":
        patterns = schema.get("patternProperties")
        if patterns:
            ((pattern, value),) = patterns.items()
            return f"object[key matching `{pattern.replace('|', chr(92) + '|')}` → {_type(value)}]"
        values = schema.get("additionalProperties")
        if isinstance(values, dict) or values is True:
            return f"object[string → {_type(values) if isinstance(values, dict) and values else 'any'}]"
        return "object"
    if kind is None:
        return "any"
    if kind == "null":
        return "null"
    return str(kind)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _fields_table(schema: dict[str, Any]) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return ["No payload fields."]
    required = set(schema.get("required", []))
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        default = ""
        if field not in required and "default" in spec:
            default = f" (default `{spec['default']!r}`)".replace("'", '"')
        lines.append(
            f"| `{field}` | {_type(spec)} | {'yes' if field in required else 'no' + default} | "
            f"{_cell(spec.get('description', ''))} |"
        )
    return lines


def catalogue_markdown() -> str:
    """The Markdown catalogue of every event: the contents of docs/events.md."""
    autodiscover()
    events = discover_events()
    by_event = _handlers_by_event()
    out = [CATALOGUE_HEADER, "| event | version | class |", "|---|---|---|"]
    for name in sorted(events):
        cls = events[name]
        out.append(f"| [`{name}`](#{name.replace('.', '')}) | {cls.version} | "
                   f"`{cls.__module__}.{cls.__qualname__}` |")
    for name in sorted(events):
        out += ["", *_event_section(events[name], by_event.get(name, []))]
    return "\n".join(out).rstrip() + "\n"


def _event_section(cls: type[Event], regs: list[Registration]) -> list[str]:
    schema = cls.model_json_schema()
    doc = inspect.cleandoc(cls.__doc__) if cls.__doc__ else "_No description yet._"
    lines = [f"## {cls.name}", "", f"Version {cls.version} · `{cls.__module__}.{cls.__qualname__}`", "", doc, ""]
    lines += _fields_table(schema)
    for ref, sub in sorted(schema.get("$defs", {}).items()):
        lines += ["", f"**{ref}**" + (f": {_cell(sub['description'])}" if sub.get("description") else ""), ""]
        lines += _fields_table(sub)
    lines += ["", "Handlers:" if regs else "Handlers: none."]
    if regs:
        lines.append("")
        lines += [
            f"- `{r.key}` ({'in transaction' if r.in_transaction else 'after commit'})"
            for r in sorted(regs, key=lambda r: (not r.in_transaction, r.key))
        ]
    return lines


class Command(BaseCommand):
    help = (
        "Print the table of event -> handlers; --catalogue prints the Markdown event catalogue (docs/events.md); "
        "--failures lists failing handler runs; --retry-dead retries them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--catalogue", action="store_true", help="print the Markdown catalogue of every event and its payload"
        )
        parser.add_argument("--failures", action="store_true", help="list failed and dead handler runs")
        parser.add_argument("--retry-dead", action="store_true", help="give dead handler runs another chance")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["catalogue"]:
            self.stdout.write(catalogue_markdown(), ending="")
            return
        if opts["retry_dead"]:
            self.stdout.write(f"{retry_dead()} handler runs will be retried.")
            return
        if opts["failures"]:
            runs = HandlerRun.objects.exclude(status=HandlerRun.Status.DONE).select_related("event")[:200]
            for run in runs:
                first = (run.last_error.strip().splitlines() or [""])[-1]
                self.stdout.write(
                    f"{run.status:<7} event {run.event_id} {run.event.name:<28} {run.handler} "
                    f"attempts={run.attempts} next={run.next_attempt_at}  {first}"
                )
            return
        by_event = _handlers_by_event()
        self.stdout.write(f"{'event':<32} handlers")
        for name in sorted(discover_events()):
            handlers = [
                f"{r.key} ({'in transaction' if r.in_transaction else 'after commit'})" for r in by_event.get(name, [])
            ] or ["-"]
            self.stdout.write(f"{name:<32} {handlers[0]}")
            for extra in handlers[1:]:
                self.stdout.write(f"{'':<32} {extra}")
