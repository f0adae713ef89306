"""Filters and sort orders that apps add to the one ticket filter (``tickets/filters.py``).

An app (SLA, routing, surveys …) registers from its ``AppConfig.ready``:

- a :class:`FilterSpec`: a key, how its values are parsed and normalised, and how it narrows a
  queryset of tickets. ``TicketFilters`` then takes the key everywhere the built-in keys go: saved
  views, the API's query string, the list pages' links, ``to_dict``/``to_query`` round trips;
- a :class:`SortSpec`: a sort name (``"-sla_due_at"``) and, when it is not a ticket column, the
  annotation that provides it (a non-null value: keyset pagination seeks on (value, id)).

The built-in keys stay fields of ``TicketFilters``; a registered key may not shadow one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.registry import Registry
from frontdesk.tickets.models import Ticket

Values = tuple[Any, ...]


@dataclass(frozen=True)
class FilterSpec:
    key: str
    label: Any
    # the values given (a list of strings or JSON values; never empty) -> a sorted, deduplicated tuple;
    # raises frontdesk.core.errors.ValidationError (``filter_problem``) for a bad value
    parse: Callable[[list[Any], str], Values]
    # narrow the tickets to those matching any of the values
    apply: Callable[[QuerySet[Ticket], Values, User], QuerySet[Ticket]]
    choices: Callable[[], list[tuple[str, Any]]] | None = None  # for a picker, when the values are few


@dataclass(frozen=True)
class SortSpec:
    name: str  # as given in ``sort``: a field name, "-" first for descending
    label: Any = ""
    # adds the annotation named like the sort (without "-") when it is not a ticket column
    annotate: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] | None = None


_filters: Registry[FilterSpec] = Registry("ticket filter")
_sorts: Registry[SortSpec] = Registry("ticket sort")
_reserved: set[str] = set()  # the built-in filter keys, set by tickets/filters.py


def reserve(keys: set[str]) -> None:
    _reserved.update(keys)


def register_filter(spec: FilterSpec) -> FilterSpec:
    if spec.key in _reserved:
        raise ImproperlyConfigured(f"ticket filter {spec.key!r} is a built-in one")
    return _filters.add(spec.key, spec)


def register_sort(spec: SortSpec) -> SortSpec:
    return _sorts.add(spec.name, spec)


def unregister(name: str) -> None:
    """Remove a filter or sort (tests that register their own)."""
    _filters.remove(name)
    _sorts.remove(name)


def filters() -> dict[str, FilterSpec]:
    return _filters.items()


def sorts() -> tuple[str, ...]:
    return tuple(_sorts.items())


def sorted_tickets(qs: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """``qs`` with what ``sort`` orders by: the annotation of a registered sort (nothing for a column)."""
    spec = _sorts.get(sort)
    return spec.annotate(qs) if spec is not None and spec.annotate is not None else qs


for _name in ("-updated_at", "updated_at", "-created_at", "created_at", "-priority", "-id"):
    register_sort(SortSpec(_name))
