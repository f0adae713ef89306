"""The search index of generated rows, written with the rows, as the search handlers would have built it.

Texts are folded in Python with the search module's own `index_text`; PostgreSQL computes the
weighted tsvectors in the same INSERT as the rows (no second pass over the table); SQLite gets
its FTS5 rows with executemany.
"""

from __future__ import annotations

from django.db import connection

from bench.bulk import Table
from frontdesk.customers.search import ts_config


def _vec(text: str, weight: str) -> str:
    return f"setweight(to_tsvector('{ts_config()}'::regconfig, {text}), '{weight}')"


def write_tickets(table: Table, rows: list[tuple], texts: list[tuple[str, str, str]]) -> None:
    """Tickets with their (subject, public text, notes) entry in ticket_fts / search_vector + notes_vector."""
    if connection.vendor == "postgresql":
        table.write_with_vectors(
            (r + t for r, t in zip(rows, texts, strict=True)),
            3,
            {
                "search_vector": f"{_vec('$1', 'A')} || {_vec('$2', 'B')}",
                "notes_vector": f"CASE WHEN $3 = '' THEN NULL ELSE {_vec('$3', 'C')} END",
            },
        )
        return
    table.write(rows)
    connection.connection.executemany(
        "INSERT INTO ticket_fts(rowid, subject, body, notes) VALUES (?, ?, ?, ?)",
        [(r[0], *t) for r, t in zip(rows, texts, strict=True)],
    )


def write_contacts(table: Table, rows: list[tuple], texts: list[tuple[str, str, str]]) -> None:
    """Contacts with their (name, identities, organisation) entry in contact_fts / search_vector."""
    if connection.vendor == "postgresql":
        table.write_with_vectors(
            (r + t for r, t in zip(rows, texts, strict=True)),
            3,
            {"search_vector": f"{_vec('$1', 'A')} || {_vec('$2', 'B')} || {_vec('$3', 'C')}"},
        )
        return
    table.write(rows)
    connection.connection.executemany(
        "INSERT INTO contact_fts(rowid, name, identities, organisation) VALUES (?, ?, ?, ?)",
        [(r[0], *t) for r, t in zip(rows, texts, strict=True)],
    )
