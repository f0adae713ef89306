"""Ticket filters: one definition shared by the API, saved views, search and the workspace pages.

Apps add keys of their own (``tickets/filter_registry.py``); they travel in ``extra``.

``TicketFilters`` is parsed from a view's JSON (``from_dict``), from an API or page query string
(``from_query``), and turned back into each (``to_dict``, ``to_query``) without losing a value:
every key is multi-valued, so a view of "New or Open, unassigned" stays exactly that through the
filter form, paging, sorting and "load more". ``apply`` narrows a queryset of tickets.

Values are normalised (deduplicated, sorted) so two equal filters compare and hash equal.
Unknown keys and malformed values raise ``ValidationError`` naming the key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from frontdesk.accounts.models import User
from frontdesk.core import channels
from frontdesk.core.errors import ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.tickets import filter_registry
from frontdesk.tickets.models import Priority, StatusCategory, Ticket, TicketStatus, TicketType

MAX_VALUES = 50
MAX_TEXT = 60
PRIORITY_NAMES = {label.lower(): value for value, label in Priority.choices}
PRIORITY_NAMES.update({name.lower(): value for name, value in Priority.__members__.items()})

IdValue = int | str  # an id, or "me" / "none" where the key allows them


def _problem(key: str, what: str, prefix: str) -> ValidationError:
    return ValidationError("Filter values are not valid.", fields={f"{prefix}{key}": what})


def _values(key: str, raw: Any, prefix: str) -> list[Any]:
    """A value or a list of values; a string with commas is several values (API convenience)."""
    if raw is None or raw == "" or raw == []:
        return []
    if isinstance(raw, (list, tuple, set, frozenset)):
        items: list[Any] = []
        for item in raw:
            items += _values(key, item, prefix) if isinstance(item, str) and "," in item else [item]
    elif isinstance(raw, str) and "," in raw:
        items = [v for v in raw.split(",")]
    else:
        items = [raw]
    items = [v.strip() if isinstance(v, str) else v for v in items]
    items = [v for v in items if v != "" and v is not None]
    if len(items) > MAX_VALUES:
        raise _problem(key, f"at most {MAX_VALUES} values", prefix)
    return items


def _id(key: str, value: Any, prefix: str, extras: frozenset[str]) -> IdValue:
    if isinstance(value, str) and value in extras:
        return value
    if isinstance(value, bool):
        raise _problem(key, "an id", prefix)
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        allowed = " or ".join(["an id", *sorted(f"'{e}'" for e in extras)])
        raise _problem(key, allowed, prefix)
    return value


def _when(key: str, value: Any, prefix: str) -> datetime:
    parsed = value if isinstance(value, datetime) else parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise _problem(key, "an ISO 8601 date-time", prefix)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _id_sort(value: IdValue) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, value)


@dataclass(frozen=True)
class TicketFilters:
    """Which tickets: each tuple is "any of these" (empty: no condition); keys are ANDed."""

    status: tuple[str, ...] = ()
    status_category: tuple[str, ...] = ()
    priority: tuple[int, ...] = ()
    type: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    team_id: tuple[IdValue, ...] = ()  # ids and "none"
    assignee_id: tuple[IdValue, ...] = ()  # ids, "me" (the viewer) and "none"
    requester_id: tuple[int, ...] = ()
    organisation_id: tuple[int, ...] = ()
    brand_id: tuple[int, ...] = ()
    tag: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    # the registered filters' values: sorted (key, values) pairs, only keys holding a condition
    extra: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    CHOICES: ClassVar[dict[str, Callable[[], list[str]]]] = {
        "status_category": lambda: list(StatusCategory.values),
        "type": lambda: list(TicketType.values),
        "channel": channels.values,
    }
    ID_EXTRAS: ClassVar[dict[str, frozenset[str]]] = {
        "team_id": frozenset({"none"}),
        "assignee_id": frozenset({"me", "none"}),
        "requester_id": frozenset(),
        "organisation_id": frozenset(),
        "brand_id": frozenset(),
    }
    DATES: ClassVar[tuple[str, ...]] = ("created_after", "created_before", "updated_after", "updated_before")
    # keys a saved view has always stored as one value: kept that way when they hold one
    SCALAR_WHEN_ONE: ClassVar[frozenset[str]] = frozenset(
        {"team_id", "assignee_id", "requester_id", "organisation_id", "brand_id", "tag"}
    )

    # --- parsing --------------------------------------------------------------------------

    @classmethod
    def builtin_names(cls) -> tuple[str, ...]:
        return _BUILTIN_NAMES

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every filter key: the built-in ones, then those apps registered."""
        return (*cls.builtin_names(), *filter_registry.filters())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, prefix: str = "", strict: bool = False) -> TicketFilters:
        """From a view's stored filters or an API query; ``prefix`` names the keys in errors
        (``"filters."`` for a view); ``strict`` refuses a key given with no value (a view being
        saved) where a query string just ignores it."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValidationError("filters must be an object.", fields={prefix.rstrip(".") or "filters": "an object"})
        unknown = sorted(set(data) - set(cls.names()))
        if unknown:
            known = ", ".join(cls.names())
            raise ValidationError("Unknown filters.", fields={f"{prefix}{k}": f"one of {known}" for k in unknown})
        clean: dict[str, Any] = {}
        extra: dict[str, tuple[Any, ...]] = {}
        registered = filter_registry.filters()
        for key, raw in data.items():
            if key in registered:
                given = _values(key, raw, prefix)
                if strict and not given:
                    raise _problem(key, f"1 to {MAX_VALUES} values", prefix)
                if given:
                    extra[key] = registered[key].parse(given, prefix)
                continue
            if key in cls.DATES:
                if raw not in (None, ""):
                    clean[key] = _when(key, raw, prefix)
                elif strict:
                    raise _problem(key, "an ISO 8601 date-time", prefix)
                continue
            values = _values(key, raw, prefix)
            if strict and not values:
                raise _problem(key, f"1 to {MAX_VALUES} values", prefix)
            if key == "priority":
                clean[key] = tuple(sorted({cls._priority(v, prefix) for v in values}))
            elif key in cls.CHOICES:
                allowed = cls.CHOICES[key]()
                if any(not isinstance(v, str) or v not in allowed for v in values):
                    raise _problem(key, f"one of {', '.join(allowed)}", prefix)
                clean[key] = tuple(sorted(set(values)))
            elif key in cls.ID_EXTRAS:
                ids = {_id(key, v, prefix, cls.ID_EXTRAS[key]) for v in values}
                clean[key] = tuple(sorted(ids, key=_id_sort))
            else:  # status, tag: names
                if any(not isinstance(v, str) or len(v) > MAX_TEXT for v in values):
                    raise _problem(key, f"names of at most {MAX_TEXT} characters", prefix)
                names = {v.lower() for v in values} if key == "tag" else set(values)
                clean[key] = tuple(sorted(names))
        return cls(**clean, extra=tuple(sorted((k, v) for k, v in extra.items() if v)))

    @classmethod
    def from_query(cls, query: Any, *, prefix: str = "") -> TicketFilters:
        """From a query string's keys (a QueryDict, or a mapping of lists); other keys (sort,
        cursor, page markers) are ignored."""
        data: dict[str, Any] = {}
        for key in cls.names():
            values = query.getlist(key) if hasattr(query, "getlist") else query.get(key, [])
            values = [values] if isinstance(values, str) else list(values)
            values = [v for v in values if v is not None and str(v).strip() != ""]
            if not values:
                continue
            if key in cls.DATES:
                data[key] = values[-1]
            else:
                data[key] = values
        return cls.from_dict(data, prefix=prefix)

    @staticmethod
    def _priority(value: Any, prefix: str) -> int:
        if isinstance(value, str) and value.lower() in PRIORITY_NAMES:
            return PRIORITY_NAMES[value.lower()]
        if isinstance(value, str) and value.isdigit() and len(value) < 3:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value not in Priority.values:
            raise _problem("priority", "1-4 or low, normal, high, urgent", prefix)
        return value

    def check_known(self, *, prefix: str = "") -> TicketFilters:
        """Refuse statuses that do not exist (one query, only when statuses are named)."""
        if self.status:
            known = set(TicketStatus.objects.filter(key__in=self.status).values_list("key", flat=True))
            missing = sorted(set(self.status) - known)
            if missing:
                raise ValidationError(
                    "Unknown status.", fields={f"{prefix}status": f"unknown status: {', '.join(missing)}"}
                )
        return self

    # --- output ---------------------------------------------------------------------------

    def value(self, key: str) -> Any:
        """The value of one key, built-in or registered (``()`` or None: no condition)."""
        if key in self.builtin_names():
            return getattr(self, key)
        if key not in filter_registry.filters():
            raise KeyError(key)
        return dict(self.extra).get(key, ())

    def conditions(self) -> Iterable[tuple[str, Any]]:
        """The keys that hold a condition, with their value (a tuple or a datetime)."""
        for key in self.builtin_names():
            value = getattr(self, key)
            if value not in (None, ()):
                yield key, value
        yield from self.extra

    def __bool__(self) -> bool:
        return any(True for _ in self.conditions())

    def to_dict(self) -> dict[str, Any]:
        """JSON for a saved view: lists, one value kept as one for the keys views always stored
        that way, ISO date-times."""
        out: dict[str, Any] = {}
        for key, value in self.conditions():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
            elif key in self.SCALAR_WHEN_ONE and len(value) == 1:
                out[key] = value[0]
            else:
                out[key] = list(value)
        return out

    def to_query(self) -> list[tuple[str, str]]:
        """Query-string pairs (``urlencode`` them); ``from_query`` reads them back unchanged."""
        pairs: list[tuple[str, str]] = []
        for key, value in self.conditions():
            if isinstance(value, datetime):
                pairs.append((key, value.isoformat()))
            else:
                pairs += [(key, str(item)) for item in value]
        return pairs

    def selected(self, key: str) -> list[str]:
        """The chosen values of ``key`` as a form's options spell them."""
        value = self.value(key)
        if value is None or value == ():
            return []
        return [value.isoformat()] if isinstance(value, datetime) else [str(v) for v in value]

    def replace(self, **changes: Any) -> TicketFilters:
        builtin = set(self.builtin_names())
        extra = dict(self.extra)
        for key in [k for k in changes if k not in builtin]:
            if key not in filter_registry.filters():
                raise TypeError(f"no ticket filter {key!r}")
            extra[key] = tuple(changes.pop(key) or ())
        return dataclasses.replace(self, **changes, extra=tuple(sorted((k, v) for k, v in extra.items() if v)))

    # --- the query ------------------------------------------------------------------------

    def apply(self, qs: QuerySet[Ticket], viewer: User) -> QuerySet[Ticket]:
        registered = filter_registry.filters()
        for key, value in self.conditions():
            if key in registered:
                qs = registered[key].apply(qs, value, viewer)
            elif isinstance(value, datetime):
                field = "created_at" if key.startswith("created") else "updated_at"
                qs = qs.filter(**{f"{field}__{'gte' if key.endswith('_after') else 'lt'}": value})
            elif key == "tag":
                through = Ticket.tags.through.objects.filter(tag__name__in=value)
                qs = qs.filter(pk__in=through.values("ticket_id"))
            elif key in self.ID_EXTRAS:
                qs = qs.filter(self._ids(key, value, viewer))
            else:
                qs = qs.filter(**{f"{key}__in": list(value)})
        return qs

    @staticmethod
    def _ids(key: str, values: tuple[IdValue, ...], viewer: User) -> Q:
        ids = [viewer.pk if v == "me" else v for v in values if v != "none"]
        q = Q(**{f"{key}__in": ids}) if ids else Q(pk__in=[])
        return q | Q(**{f"{key}__isnull": True}) if "none" in values else q

    @property
    def mentions_viewer(self) -> bool:
        """Whether the result depends on who looks (``assignee_id`` "me")."""
        return "me" in self.assignee_id


def as_filters(filters: TicketFilters | Mapping[str, Any] | None, *, prefix: str = "") -> TicketFilters:
    """Accept either form: services and selectors take a TicketFilters or its dict."""
    return filters if isinstance(filters, TicketFilters) else TicketFilters.from_dict(filters, prefix=prefix)


_BUILTIN_NAMES = tuple(f.name for f in dataclasses.fields(TicketFilters) if f.name != "extra")  # read on every list
filter_registry.reserve(set(_BUILTIN_NAMES))


def filter_problem(key: str, what: str, prefix: str = "") -> ValidationError:
    """The error a registered filter's ``parse`` raises for a bad value, named like the built-in ones'."""
    return _problem(key, what, prefix)
