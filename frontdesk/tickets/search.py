"""Full-text search of tickets, and the one ``search()`` behind the search box and GET /search.

The index (see frontdesk/customers/search.py for the parser and the contact index):

- SQLite: the FTS5 table ``ticket_fts(subject, body, notes)``, rowid = ticket id.
- PostgreSQL: ``Ticket.search_vector`` (subject weight A, public messages B) and the column
  ``notes_vector`` (internal notes; added by migration 0003_search, unknown to the ORM), both
  with GIN indexes.

Public text and notes are kept apart so a customer can never get a hit through a note. The
in-transaction handlers in search_handlers.py keep the index consistent with each write:
a new message is appended in one UPDATE; nothing re-reads a ticket's messages except a
subject change, a merge or split, or ``rebuild_index()``.

A search reads at most a bounded number of candidate ids from the index (LIMIT), then keeps
those the viewer may see, never scanning the tickets table.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.reads import placeholders
from frontdesk.customers.search import (
    ParsedQuery,
    highlight,
    index_text,
    is_postgres,
    parse_query,
    rebuild_contacts_index,
    search_contacts,
    search_organisations,
    ts_config,
)
from frontdesk.tickets.models import Message, MessageKind, Ticket
from frontdesk.tickets.policies import can_see_notes, visible_tickets

KINDS = ("tickets", "customers", "organisations")
MAX_LIMIT = 50
CHUNK = 200
MAX_CANDIDATES = 2000  # ids read from the index per search, at most
MAX_VECTOR_BYTES = 600_000  # PostgreSQL refuses a tsvector over 1 MB: stop appending before
_TABLE = Ticket._meta.db_table


# --- index maintenance -------------------------------------------------------------------------


def _messages_text(ticket_id: int) -> tuple[str, str]:
    public: list[str] = []
    notes: list[str] = []
    for kind, body in Message.objects.filter(ticket_id=ticket_id).order_by("created_at", "pk").values_list(
        "kind", "body"
    ):
        (notes if kind == MessageKind.NOTE else public).append(index_text(body))
    return index_text(" ".join(public)), index_text(" ".join(notes))


def index_ticket(ticket_id: int) -> None:
    """(Re)build the entry of one ticket from its subject and messages."""
    subject = Ticket.objects.filter(pk=ticket_id).values_list("subject", flat=True).first()
    if subject is None:
        remove_tickets([ticket_id])
        return
    body, notes = _messages_text(ticket_id)
    with connection.cursor() as cursor:
        if is_postgres():
            cfg = ts_config()
            cursor.execute(
                f"UPDATE {_TABLE} SET search_vector = setweight(to_tsvector(%s::regconfig, %s), 'A')"  # noqa: S608 - table and column names are constants
                " || setweight(to_tsvector(%s::regconfig, %s), 'B'),"
                " notes_vector = to_tsvector(%s::regconfig, %s) WHERE id = %s",
                [cfg, index_text(subject), cfg, body, cfg, notes, ticket_id],
            )
        else:
            cursor.execute("DELETE FROM ticket_fts WHERE rowid = %s", [ticket_id])
            cursor.execute(
                "INSERT INTO ticket_fts(rowid, subject, body, notes) VALUES (%s, %s, %s, %s)",
                [ticket_id, index_text(subject), body, notes],
            )


_NEW_SEARCH_VECTOR = "setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'B')"
_NEW_NOTES_VECTOR = "CASE WHEN %s = '' THEN NULL ELSE setweight(to_tsvector(%s::regconfig, %s), 'C') END"


def new_ticket_columns(subject: str, *, body: str = "", note: bool = False) -> dict[str, tuple[str, list[Any]]] | None:
    """On PostgreSQL, the index entry of a new ticket as column expressions of its INSERT
    (``core.inserts.insert(sql=...)``): the same entry ``index_new_ticket`` writes, without a second
    version of the row just inserted (its GIN columns make that UPDATE rewrite every index of the
    table). None on SQLite, whose index is a table of its own: ``index_new_ticket`` writes it."""
    if not is_postgres():
        return None
    public, notes = ("", body) if note else (body, "")
    cfg = ts_config()
    return {
        "search_vector": (_NEW_SEARCH_VECTOR, [cfg, index_text(subject), cfg, index_text(public)]),
        "notes_vector": (_NEW_NOTES_VECTOR, [notes, cfg, index_text(notes)]),
    }


def index_new_ticket(ticket_id: int, subject: str, *, body: str = "", note: bool = False) -> None:
    """A new ticket's entry in one write: its subject and its opening message."""
    public, notes = ("", body) if note else (body, "")
    with connection.cursor() as cursor:
        if is_postgres():
            columns = new_ticket_columns(subject, body=body, note=note) or {}
            sets = ", ".join(f"{column} = {expr}" for column, (expr, _) in columns.items())
            params = [p for _, values in columns.values() for p in values]
            cursor.execute(f"UPDATE {_TABLE} SET {sets} WHERE id = %s", [*params, ticket_id])  # noqa: S608 - constants
        else:
            cursor.execute("DELETE FROM ticket_fts WHERE rowid = %s", [ticket_id])
            cursor.execute(
                "INSERT INTO ticket_fts(rowid, subject, body, notes) VALUES (%s, %s, %s, %s)",
                [ticket_id, index_text(subject), index_text(public), index_text(notes)],
            )


_APPEND = {  # a capped entry keeps what it has: PostgreSQL refuses a tsvector over 1 MB
    column: (
        f"CASE WHEN coalesce(pg_column_size({column}), 0) < %s"
        f" THEN coalesce({column}, ''::tsvector) || setweight(to_tsvector(%s::regconfig, %s), '{weight}')"
        f" ELSE {column} END"
    )
    for column, weight in (("search_vector", "B"), ("notes_vector", "C"))
}


def appended_columns(text: str, *, note: bool) -> dict[str, tuple[str, list[Any]]] | None:
    """On PostgreSQL, a new message's text added to its ticket's entry, as a column expression of
    the UPDATE that writes the ticket's other changes (``Ticket.save_fields(sql=...)``): one new
    version of the row, not two. None on SQLite (``append_text`` writes its index table) or when
    the text has no words."""
    words = index_text(text)
    if not words or not is_postgres():
        return None
    column = "notes_vector" if note else "search_vector"
    return {column: (_APPEND[column], [MAX_VECTOR_BYTES, ts_config(), words])}


def append_text(ticket_id: int, text: str, *, note: bool) -> None:
    """Add the text of new messages to a ticket's entry in one UPDATE (no message is re-read)."""
    if is_postgres():
        for column, (expr, params) in (appended_columns(text, note=note) or {}).items():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {_TABLE} SET {column} = {expr} WHERE id = %s", [*params, ticket_id])  # noqa: S608 - constants
        return
    words = index_text(text)
    if not words:
        return
    with connection.cursor() as cursor:
        column = "notes" if note else "body"
        cursor.execute(
            f"UPDATE ticket_fts SET {column} = {column} || ' ' || %s WHERE rowid = %s",  # noqa: S608 - table and column names are constants
            [words, ticket_id],
        )
        if cursor.rowcount == 0:  # not indexed yet (created before the index existed)
            index_ticket(ticket_id)


def append_messages(ticket_id: int, message_ids: Sequence[int]) -> None:
    public: list[str] = []
    notes: list[str] = []
    for kind, body in Message.objects.filter(pk__in=message_ids).order_by("created_at", "pk").values_list(
        "kind", "body"
    ):
        (notes if kind == MessageKind.NOTE else public).append(body)
    if public:
        append_text(ticket_id, " ".join(public), note=False)
    if notes:
        append_text(ticket_id, " ".join(notes), note=True)


def set_subject(ticket_id: int, subject: str) -> None:
    if is_postgres():
        index_ticket(ticket_id)  # the subject's lexemes cannot be told apart in a tsvector
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ticket_fts SET subject = %s WHERE rowid = %s", [index_text(subject), ticket_id]
        )
        if cursor.rowcount == 0:
            index_ticket(ticket_id)


def remove_tickets(ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        marks = placeholders(ids)
        if is_postgres():
            cursor.execute(
                f"UPDATE {_TABLE} SET search_vector = NULL, notes_vector = NULL WHERE id IN ({marks})",  # noqa: S608
                ids,
            )
        else:
            cursor.execute(f"DELETE FROM ticket_fts WHERE rowid IN ({marks})", ids)  # noqa: S608


def rebuild_index(batch: int = 500) -> dict[str, int]:
    """Rebuild the whole index (tickets and contacts) from the tables. Safe to run any time."""
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ticket_fts")
    tickets, last = 0, 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        for pk in ids:
            index_ticket(pk)
        tickets += len(ids)
        last = ids[-1]
    return {"tickets": tickets, "contacts": rebuild_contacts_index()}


# --- ticket search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketHit:
    id: int
    subject: str
    status: str
    status_category: str
    priority: int
    requester_id: int
    requester_name: str
    updated_at: datetime
    subject_highlight: str
    snippet: str | None
    rank: float


def _candidates(
    parsed: ParsedQuery, *, notes: bool, limit: int, offset: int, restrict: tuple[str, Sequence[Any]] | None
) -> list[tuple[int, float]]:
    """(ticket id, score) from the index, best first (lower score is better)."""
    params: list[Any] = []
    with connection.cursor() as cursor:
        if is_postgres():
            cfg = ts_config()
            if notes:  # every term in the public text or the notes, each condition on a GIN index
                one = "(search_vector @@ to_tsquery(%s::regconfig, %s)"
                one += " OR notes_vector @@ to_tsquery(%s::regconfig, %s))"
                cond = " AND ".join(one for _ in parsed.terms)
                for term in parsed.term_tsqueries():
                    params += [cfg, term, cfg, term]
                vector = "coalesce(search_vector, ''::tsvector) || coalesce(notes_vector, ''::tsvector)"
            else:
                cond = "search_vector @@ to_tsquery(%s::regconfig, %s)"
                params += [cfg, parsed.tsquery()]
                vector = "search_vector"
            sql = (
                f"SELECT id, -ts_rank({vector}, to_tsquery(%s::regconfig, %s)) AS score FROM {_TABLE}"  # noqa: S608
                f" WHERE {cond}"
            )
            params = [cfg, parsed.tsquery(), *params]
            id_col = "id"
        else:
            match = parsed.fts5() if notes else "{subject body} : (" + parsed.fts5() + ")"
            sql = "SELECT rowid, bm25(ticket_fts, 10.0, 4.0, 2.0) AS score FROM ticket_fts"
            sql += " WHERE ticket_fts MATCH %s"
            params = [match]
            id_col = "rowid"
        if restrict is not None:
            sql += f" AND {id_col} IN ({restrict[0]})"
            params += list(restrict[1])
        sql += f" ORDER BY score, {id_col} DESC LIMIT %s OFFSET %s"
        cursor.execute(sql, [*params, limit, offset])
        return [(row[0], float(row[1] or 0.0)) for row in cursor.fetchall()]


def _filtered(viewer: User, filters: dict[str, Any] | None) -> QuerySet[Ticket]:
    qs = visible_tickets(viewer)
    if filters:
        from frontdesk.tickets.queue_selectors import filter_tickets

        qs = filter_tickets(qs, filters, viewer=viewer)
    return qs


def _visible(allowed: QuerySet[Ticket], chunk: list[tuple[int, float]]) -> list[tuple[int, float]]:
    visible = set(allowed.filter(pk__in=[pk for pk, _ in chunk]).values_list("pk", flat=True))
    return [(pk, score) for pk, score in chunk if pk in visible]


def _ticket_ids(
    viewer: User, parsed: ParsedQuery, limit: int, filters: dict[str, Any] | None
) -> list[tuple[int, float]]:
    notes = can_see_notes(viewer)
    allowed = _filtered(viewer, filters)
    if viewer.is_customer:
        # a customer's own tickets are few: let the index look only at them
        sql, params = allowed.values("pk").query.sql_with_params()
        return _candidates(parsed, notes=False, limit=limit, offset=0, restrict=(sql, params))
    hits: list[tuple[int, float]] = []
    offset = 0
    while len(hits) < limit and offset < MAX_CANDIDATES:
        chunk = _candidates(parsed, notes=notes, limit=CHUNK, offset=offset, restrict=None)
        if not chunk:
            break
        hits += _visible(allowed, chunk)
        if len(chunk) < CHUNK:
            break
        offset += CHUNK
    return hits[:limit]


def _all_ticket_ids(
    viewer: User, parsed: ParsedQuery, filters: dict[str, Any] | None
) -> tuple[list[tuple[int, float]], bool]:
    """Every match ``viewer`` may see among the best MAX_CANDIDATES of the index, best first, and
    whether the index held more (then the count is a lower bound). One read of the index."""
    allowed = _filtered(viewer, filters)
    if viewer.is_customer:
        sql, params = allowed.values("pk").query.sql_with_params()
        rows = _candidates(parsed, notes=False, limit=MAX_CANDIDATES + 1, offset=0, restrict=(sql, params))
        return rows[:MAX_CANDIDATES], len(rows) > MAX_CANDIDATES
    rows = _candidates(parsed, notes=can_see_notes(viewer), limit=MAX_CANDIDATES + 1, offset=0, restrict=None)
    capped = len(rows) > MAX_CANDIDATES
    rows = rows[:MAX_CANDIDATES]
    hits: list[tuple[int, float]] = []
    for start in range(0, len(rows), CHUNK):
        hits += _visible(allowed, rows[start:start + CHUNK])
    return hits, capped


def _snippet_texts(ids: list[int], *, notes: bool) -> dict[int, list[str]]:
    """Message texts of the hits, for excerpts (public text first, then notes for agents)."""
    texts: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return texts
    qs = Message.objects.filter(ticket_id__in=ids)
    if not notes:
        qs = qs.filter(kind=MessageKind.PUBLIC)
    for ticket_id, body in qs.order_by("ticket_id", "-kind", "-created_at").values_list("ticket_id", "body")[
        : 50 * len(ids)
    ]:
        texts[ticket_id].append(body)
    return texts


def _hits(viewer: User, parsed: ParsedQuery, scored: list[tuple[int, float]]) -> list[TicketHit]:
    if not scored:
        return []
    score = dict(scored)
    rows = list(
        Ticket.objects.filter(pk__in=score).values(
            "pk", "subject", "status", "status_category", "priority", "requester_id", "requester__name",
            "updated_at",
        )
    )
    rows.sort(key=lambda r: (round(score[r["pk"]], 6), -r["updated_at"].timestamp(), -r["pk"]))
    texts = _snippet_texts([r["pk"] for r in rows], notes=can_see_notes(viewer))
    hits = []
    for r in rows:
        snippet = next((s for s in (highlight(t, parsed.terms) for t in texts[r["pk"]]) if s), None)
        hits.append(
            TicketHit(
                id=r["pk"],
                subject=r["subject"],
                status=r["status"],
                status_category=r["status_category"],
                priority=r["priority"],
                requester_id=r["requester_id"],
                requester_name=r["requester__name"] or "",
                updated_at=r["updated_at"],
                subject_highlight=highlight(r["subject"], parsed.terms) or html.escape(r["subject"]),
                snippet=snippet,
                rank=-score[r["pk"]],
            )
        )
    return hits


def search_tickets(
    *, viewer: User, parsed: ParsedQuery, limit: int = 20, filters: dict[str, Any] | None = None
) -> list[TicketHit]:
    return _hits(viewer, parsed, _ticket_ids(viewer, parsed, limit, filters))


@dataclass(frozen=True)
class TicketPage:
    """One page of ticket hits, with how many there are in all."""

    hits: list[TicketHit]
    total: int  # matches the viewer may see among the best MAX_CANDIDATES of the index
    capped: bool  # the index held more than MAX_CANDIDATES matches: ``total`` is a lower bound
    offset: int
    limit: int


def search_ticket_page(
    *, viewer: User, q: str, offset: int = 0, limit: int = MAX_LIMIT, filters: dict[str, Any] | None = None
) -> TicketPage:
    """``limit`` ticket hits from ``offset`` (counted in visible hits), and the total. Pages reach
    as far as the best MAX_CANDIDATES matches of the index: past that, add words to narrow it."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_CANDIDATES))
    parsed = parse_query(q)
    if parsed is None or not viewer.is_active:
        return TicketPage(hits=[], total=0, capped=False, offset=offset, limit=limit)
    scored, capped = _all_ticket_ids(viewer, parsed, filters)
    hits = _hits(viewer, parsed, scored[offset:offset + limit])
    return TicketPage(hits=hits, total=len(scored), capped=capped, offset=offset, limit=limit)


def search(
    *,
    viewer: User,
    q: str,
    kinds: Sequence[str] = KINDS,
    limit: int = 20,
    ticket_filters: dict[str, Any] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Search tickets (those ``viewer`` may see), and for agents contacts and organisations.

    Returns ``{"tickets": [...], "customers": [...], "organisations": [...]}`` (the kinds asked
    for); hostile or empty input gives empty lists, never an error."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    result: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS if kind in kinds}
    parsed = parse_query(q)
    if parsed is None or not viewer.is_active:
        return result
    if "tickets" in result:
        result["tickets"] = [asdict(h) for h in search_tickets(viewer=viewer, parsed=parsed, limit=limit,
                                                                filters=ticket_filters)]
    if viewer.is_agent:
        if "customers" in result:
            result["customers"] = [asdict(h) for h in search_contacts(parsed, limit=limit)]
        if "organisations" in result:
            result["organisations"] = [asdict(h) for h in search_organisations(q, parsed, limit=limit)]
    return result
