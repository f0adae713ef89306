"""The raw-SQL reference for ticket creation: the rows ticket_create writes for a ticket
(the ticket, its first message, its search entry, its two outbox events and its two audit entries)
with plain SQL, one transaction per ticket."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from bench.bulk import Table, ts
from frontdesk.customers.search import index_text, ts_config


class RawCreator:
    def __init__(self, brand_id: int) -> None:
        from frontdesk.tickets.models import Message, Ticket

        self.pg = connection.vendor == "postgresql"
        self.brand_id = brand_id
        self.ticket = Table(
            Ticket,
            [
                "brand_id",
                "subject",
                "status",
                "status_category",
                "priority",
                "type",
                "channel",
                "requester_id",
                "organisation_id",
                "created_at",
                "updated_at",
                "message_count",
                "last_message_at",
            ],
            skip=["id", "search_vector"],
        )
        self.message = Table(
            Message, ["ticket_id", "kind", "author_contact_id", "channel", "body", "created_at"], skip=["id"]
        )
        mark = "%s" if self.pg else "?"
        t_cols = ", ".join(f'"{c}"' for c in self.ticket.columns)
        t_marks = ", ".join(mark for _ in self.ticket.columns)
        m_cols = ", ".join(f'"{c}"' for c in self.message.columns)
        m_marks = ", ".join(mark for _ in self.message.columns)
        if self.pg:
            cfg = ts_config()
            self.ticket_sql = (
                f'INSERT INTO "{self.ticket.name}" ({t_cols}, search_vector) VALUES ({t_marks}, '
                f"setweight(to_tsvector('{cfg}'::regconfig, %s), 'A') || "
                f"setweight(to_tsvector('{cfg}'::regconfig, %s), 'B')) RETURNING id"
            )
        else:
            self.ticket_sql = f'INSERT INTO "{self.ticket.name}" ({t_cols}) VALUES ({t_marks})'
            self.fts_sql = "INSERT INTO ticket_fts(rowid, subject, body, notes) VALUES (?, ?, ?, '')"
        self.message_sql = f'INSERT INTO "{self.message.name}" ({m_cols}) VALUES ({m_marks})'
        returning = " RETURNING id"
        self.outbox2_sql = (
            "INSERT INTO core_outboxevent (name, payload, actor, depth, created_at, dispatched_at)"
            f" VALUES ({mark}, {mark}, {mark}, 0, {mark}, {mark}), ({mark}, {mark}, {mark}, 0, {mark}, {mark})"
            + returning
        )
        self.audit_sql = (
            "INSERT INTO tickets_ticketaudit (ticket_id, event_id, action, field, new_value, actor_kind, actor_label,"
            f" created_at) VALUES ({mark}, {mark}, {mark}, '', {mark}, 'user', 'bench', {mark})"
        )
        self.actor = json.dumps({"kind": "user", "user_id": None, "rule_id": None, "label": "bench"})

    def create(
        self,
        *,
        requester_id: int,
        organisation_id: int | None,
        subject: str,
        body: str,
        when: datetime,
        channel: str = "api",
        own_transaction: bool = True,
    ) -> int:
        """One ticket's rows, in a transaction of its own (or the caller's)."""
        if not own_transaction:
            return self._create(requester_id, organisation_id, subject, body, when, channel)
        with transaction.atomic():
            return self._create(requester_id, organisation_id, subject, body, when, channel)

    def _create(
        self, requester_id: int, organisation_id: int | None, subject: str, body: str, when: datetime, channel: str
    ) -> int:
        at = ts(when)
        ticket_row: tuple[Any, ...] = (
            self.brand_id,
            subject,
            "new",
            "new",
            2,
            "question",
            channel,
            requester_id,
            organisation_id,
            at,
            at,
            1,
            at,
        ) + self.ticket.tail
        subject_words, body_words = index_text(subject), index_text(body)
        cur = connection.connection.cursor()
        if self.pg:
            cur.execute(self.ticket_sql, (*ticket_row, subject_words, body_words))
            ticket_id = cur.fetchone()[0]
        else:
            cur.execute(self.ticket_sql, ticket_row)
            ticket_id = cur.lastrowid
        cur.execute(
            self.message_sql + (" RETURNING id" if self.pg else ""),
            (ticket_id, "public", requester_id, channel, body, at) + self.message.tail,
        )
        message_id = cur.fetchone()[0] if self.pg else cur.lastrowid
        self.last_message_id = int(message_id)
        fields = {
            "subject": subject, "status": "new", "priority": 2, "channel": channel, "requester_id": requester_id,
        }
        added = {"ticket_id": ticket_id, "message_id": message_id, "kind": "public", "channel": channel}
        events = [
            ("ticket.created", json.dumps({"ticket_id": ticket_id, "fields": fields})),
            ("ticket.message_added", json.dumps(added)),
        ]
        # both outbox rows in one statement, as the service writes them
        cur.execute(self.outbox2_sql, (*events[0], self.actor, at, at, *events[1], self.actor, at, at))
        event_id = min(row[0] for row in cur.fetchall())
        created = {**fields, "opening_message": {"message_id": message_id, "kind": "public", "channel": channel}}
        cur.execute(self.audit_sql, (ticket_id, event_id, "created", json.dumps(created), at))
        if not self.pg:
            cur.execute(self.fts_sql, (ticket_id, subject_words, body_words))
        cur.close()
        return int(ticket_id)
