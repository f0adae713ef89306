"""Full-text search of contacts and organisations, and the query parser shared with tickets.

Two backends, chosen by ``connection.vendor``:

- SQLite: the FTS5 table ``contact_fts(name, identities, organisation)`` (rowid = contact id),
  created by tickets migration 0003_search with the unicode61 tokenizer (diacritics removed).
- PostgreSQL: ``Contact.search_vector`` (GIN index), built with the text search configuration
  ``settings.SEARCH_TS_CONFIG`` (default ``simple``: language-neutral).

Text is folded in Python (lower case, diacritics removed, split on anything that is not a
letter or digit) before it reaches either backend, so both find the same things. User input
never reaches FTS5 or tsquery syntax: ``parse_query`` keeps letters and digits only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from frontdesk.core.cache import remembered
from frontdesk.core.reads import placeholders
from frontdesk.customers.models import Contact, Identity, Organisation

TOKEN_RE = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 500
MAX_TERMS = 8
MAX_TERM_CHARS = 64
MAX_INDEXED_CHARS = 100_000  # per piece of text handed to the index
_CONFIG_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def fold(text: str) -> str:
    """Lower case without diacritics: 'Crème Brûlée' -> 'creme brulee'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return TOKEN_RE.findall(fold(text))


def index_text(text: str | None, limit: int = MAX_INDEXED_CHARS) -> str:
    """The words of ``text`` as the index sees them, separated by spaces."""
    if not text:
        return ""
    return " ".join(words(text.replace("\x00", " ")[:limit]))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def ts_config() -> str:
    config = str(getattr(settings, "SEARCH_TS_CONFIG", "simple"))
    return config if _CONFIG_RE.match(config) else "simple"


@dataclass(frozen=True)
class ParsedQuery:
    """The terms of a query: all must match; the last one is a prefix (search as you type)."""

    terms: tuple[str, ...]

    def fts5(self) -> str:
        quoted = [f'"{t}"' for t in self.terms]
        quoted[-1] += "*"
        return " AND ".join(quoted)

    def tsquery(self) -> str:
        return " & ".join(self.term_tsqueries())

    def term_tsqueries(self) -> list[str]:
        parts = [f"'{t}'" for t in self.terms]
        parts[-1] += ":*"
        return parts


def parse_query(q: str | None) -> ParsedQuery | None:
    """User text -> terms (letters and digits only), or None when nothing is searchable."""
    if not q:
        return None
    text = q[:MAX_QUERY_CHARS].replace("\x00", " ")
    terms: list[str] = []
    for term in words(text):
        term = term[:MAX_TERM_CHARS]
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return ParsedQuery(tuple(terms)) if terms else None


def highlight(text: str, terms: Iterable[str], *, width: int = 160) -> str | None:
    """An HTML-escaped excerpt of ``text`` around its first match, matches wrapped in <mark>;
    None when no word of ``text`` starts with one of ``terms``."""
    terms = tuple(terms)
    matches = [m for m in TOKEN_RE.finditer(text) if fold(m.group()).startswith(terms)]
    if not matches:
        return None
    start = max(0, matches[0].start() - width // 3)
    if start:  # do not cut a word in two
        space = text.find(" ", start, matches[0].start())
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    out: list[str] = ["…" if start else ""]
    pos = start
    for m in matches:
        if m.start() < pos:
            continue
        if m.end() > end:
            break
        out.append(html.escape(text[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    return " ".join("".join(out).split())


# --- contact index -----------------------------------------------------------------------------


def _document(name: str, values: list[str], primary_email: str, org_name: str | None) -> tuple[str, str, str]:
    if primary_email and primary_email not in values:
        values = [*values, primary_email]
    return index_text(name), index_text(" ".join(values)), index_text(org_name)


def _contact_documents(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    rows = Contact.objects.filter(pk__in=ids, merged_into__isnull=True).values_list(
        "pk", "name", "primary_email", "organisation__name"
    )
    identities: dict[int, list[str]] = {}
    for contact_id, value in Identity.objects.filter(contact_id__in=ids).values_list("contact_id", "value"):
        identities.setdefault(contact_id, []).append(value)
    return {
        pk: _document(name, identities.get(pk, []), primary_email, org_name)
        for pk, name, primary_email, org_name in rows
    }


# a contact's document on PostgreSQL: name (A), identities (B), organisation (C)
_VECTOR = (
    "setweight(to_tsvector(%s::regconfig, %s), 'A')"
    " || setweight(to_tsvector(%s::regconfig, %s), 'B')"
    " || setweight(to_tsvector(%s::regconfig, %s), 'C')"
)


def _vector_params(doc: tuple[str, str, str]) -> list[str]:
    cfg = ts_config()
    return [cfg, doc[0], cfg, doc[1], cfg, doc[2]]


def _write_documents(docs: dict[int, tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for pk, doc in docs.items():
            name, idents, org = doc
            if is_postgres():
                cursor.execute(
                    f"UPDATE {Contact._meta.db_table} SET search_vector = {_VECTOR} WHERE id = %s",  # noqa: S608 - constants
                    [*_vector_params(doc), pk],
                )
            else:
                cursor.execute("DELETE FROM contact_fts WHERE rowid = %s", [pk])
                cursor.execute(
                    "INSERT INTO contact_fts(rowid, name, identities, organisation)"
                    " VALUES (%s, %s, %s, %s)",
                    [pk, name, idents, org],
                )


def index_contacts(ids: Iterable[int]) -> None:
    """(Re)index these contacts: name, identities (emails split into local part and domain
    words), organisation name. Merged-away contacts leave the index."""
    ids = sorted(set(ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        docs = _contact_documents(chunk)
        gone = [pk for pk in chunk if pk not in docs]
        if gone:
            remove_contacts(gone)
        _write_documents(docs)


def organisation_name_key(organisation_id: int) -> str:
    """The cache key of an organisation's name (saving a new name forgets it)."""
    return f"customers:org-name:{organisation_id}"


def _organisation_name(contact: Contact) -> str | None:
    org_id = contact.organisation_id
    if not org_id:
        return None
    if Contact.organisation.is_cached(contact):  # type: ignore[attr-defined]
        return contact.organisation.name if contact.organisation else None
    # a new sender of an email has its organisation from the cache of domains: its name is cached too
    return remembered(
        organisation_name_key(org_id),
        lambda: Organisation.objects.filter(pk=org_id).values_list("name", flat=True).first(),
        in_transaction=True,  # the callers' transactions never rename organisations
    )


def _new_document(contact: Contact, identity_values: list[str]) -> tuple[str, str, str]:
    return _document(contact.name, list(identity_values), contact.primary_email, _organisation_name(contact))


def new_contact_columns(contact: Contact, identity_values: list[str]) -> dict[str, tuple[str, list[str]]] | None:
    """On PostgreSQL, a new contact's index entry as a column expression of its INSERT
    (``core.inserts.insert(sql=...)``): the entry ``index_new_contact`` writes, without a second
    version of the row just inserted. None on SQLite, whose index is a table of its own."""
    if not is_postgres():
        return None
    return {"search_vector": (_VECTOR, _vector_params(_new_document(contact, identity_values)))}


def index_new_contact(contact: Contact, identity_values: list[str]) -> None:
    """Index a contact its writer has just created, from the writer's own objects (nothing is
    read back)."""
    _write_documents({contact.pk: _new_document(contact, identity_values)})


def remove_contacts(ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    if is_postgres():
        Contact.objects.filter(pk__in=ids).update(search_vector=None)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM contact_fts WHERE rowid IN ({placeholders(ids)})", ids)  # noqa: S608


def index_organisation_contacts(organisation_id: int) -> None:
    """After an organisation is renamed: its contacts carry its name in their documents."""
    ids = list(Contact.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True))
    index_contacts(ids)


def rebuild_contacts_index(batch: int = 1000) -> int:
    """Re-index every contact (the index is derived data: safe to run at any time)."""
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM contact_fts")
    done, last = 0, 0
    while True:
        ids = list(
            Contact.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        index_contacts(ids)
        done += len(ids)
        last = ids[-1]


# --- contact and organisation search ----------------------------------------------------------


@dataclass(frozen=True)
class ContactHit:
    id: int
    name: str
    primary_email: str
    organisation_id: int | None
    organisation_name: str | None
    highlight: str


@dataclass(frozen=True)
class OrganisationHit:
    id: int
    name: str
    highlight: str


def _contact_candidates(parsed: ParsedQuery, limit: int) -> list[int]:
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                f"SELECT id FROM {Contact._meta.db_table}, to_tsquery(%s::regconfig, %s) query"  # noqa: S608
                " WHERE search_vector @@ query AND merged_into_id IS NULL"
                " ORDER BY ts_rank(search_vector, query) DESC, id DESC LIMIT %s",
                [ts_config(), parsed.tsquery(), limit],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM contact_fts WHERE contact_fts MATCH %s"
                " ORDER BY bm25(contact_fts, 10.0, 5.0, 1.0), rowid DESC LIMIT %s",
                [parsed.fts5(), limit],
            )
        return [row[0] for row in cursor.fetchall()]


def search_contacts(parsed: ParsedQuery, *, limit: int = 20) -> list[ContactHit]:
    """Contacts matching ``parsed``, best first. The caller checks the viewer may see contacts."""
    ids = _contact_candidates(parsed, limit)
    rows = {
        c.pk: c
        for c in Contact.objects.filter(pk__in=ids, merged_into__isnull=True).select_related("organisation")
    }
    hits = []
    for pk in ids:
        c = rows.get(pk)
        if c is None:
            continue
        label = c.name or c.primary_email or f"Contact {c.pk}"
        hits.append(
            ContactHit(
                id=c.pk,
                name=c.name,
                primary_email=c.primary_email,
                organisation_id=c.organisation_id,
                organisation_name=c.organisation.name if c.organisation else None,
                highlight=highlight(label, parsed.terms) or html.escape(label),
            )
        )
    return hits


def search_organisations(q: str, parsed: ParsedQuery, *, limit: int = 20) -> list[OrganisationHit]:
    """Organisations whose name starts with what was typed (case-insensitive)."""
    prefix = " ".join(q.replace("\x00", " ").split())[:200]
    if not prefix:
        return []
    orgs = Organisation.objects.filter(name__istartswith=prefix).order_by("name", "pk")[:limit]
    return [
        OrganisationHit(
            id=o.pk, name=o.name, highlight=highlight(o.name, parsed.terms) or html.escape(o.name)
        )
        for o in orgs
    ]
