"""The raw-SQL reference of `frontdesk bench email`: for each message of a corpus, the rows the
pipeline writes, with plain SQL and the facts known in advance (no parsing, no lookups).

Two transactions per message, as the pipeline: the raw file and its inbound row first, then
the contact and identity (new senders, with their search entry and outbox event), the ticket,
message, search entry, outbox events and audit entry of a new ticket, or the message, ticket
counters, search entry, outbox event and audit entry of a reply; the attachment file and row;
the Message-ID reference; the inbound row marked processed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.bulk import ts
from bench.email_corpus import Mail
from bench.raw import RawCreator
from frontdesk.customers.search import index_text, ts_config


class RawEmailWriter:
    def __init__(self, facts: dict[str, Any]) -> None:
        from frontdesk.customers.models import OrganisationDomain

        self.pg = connection.vendor == "postgresql"
        self.mark = "%s" if self.pg else "?"
        self.mailbox_id = facts["mailbox_id"]
        self.org_by_domain = dict(OrganisationDomain.objects.values_list("domain", "organisation_id"))
        self.creator = RawCreator(_brand_id())
        self.media = Path(settings.MEDIA_ROOT)
        self.actor = json.dumps({"kind": "system", "user_id": None, "rule_id": None, "label": "email"})

    def _sql(self, sql: str) -> str:
        return sql if self.pg else sql.replace("%s", "?")

    def _file(self, folder: str, data: bytes, suffix: str) -> str:
        name = f"{folder}/{uuid.uuid4().hex}{suffix}"
        path = self.media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return name

    def _insert(self, cur: Any, sql: str, params: tuple[Any, ...]) -> int:
        if self.pg:
            cur.execute(sql + " RETURNING id", params)
            return int(cur.fetchone()[0])
        cur.execute(self._sql(sql), params)
        return int(cur.lastrowid)

    def write(self, mail: Mail) -> None:
        now = ts(timezone.now())
        connection.ensure_connection()
        if True:  # the raw message and its row first, the row committed on its own (autocommit), as the pipeline
            cur = connection.connection.cursor()
            raw_name = self._file("mail/inbound/bench", mail.raw, ".eml")
            inbound_id = self._insert(
                cur,
                "INSERT INTO channel_email_inboundemail (mailbox_id, source, raw, size, sha256, header_id, sender,"
                " sender_key, sender_claim, notes, status, reason, attempts, received_at)"
                " VALUES (%s, 'bench', %s, %s, %s, %s, '', %s, '', '[]', 'received', '', 0, %s)",
                (self.mailbox_id, raw_name, len(mail.raw), hashlib.sha256(mail.raw).hexdigest(), mail.message_id,
                 mail.sender.lower(), now),  # the sender key, known in advance (no +tags here)
            )
            cur.close()
        with transaction.atomic():
            cur = connection.connection.cursor()
            contact_id = mail.contact_id or self._contact(cur, mail, now)
            if mail.ticket_id is None:
                ticket_id = self.creator.create(
                    requester_id=contact_id,
                    organisation_id=self.org_by_domain.get(mail.sender.rpartition("@")[2]),
                    subject=mail.subject,
                    body=mail.body,
                    when=timezone.now(),
                    channel="email",
                    own_transaction=False,
                )
                message_id = self.creator.last_message_id
            else:
                ticket_id = mail.ticket_id
                message_id = self._reply(cur, ticket_id, contact_id, mail, now)
            if mail.attachment is not None:
                name = self._file("attachments/bench", mail.attachment, ".pdf")
                cur.execute(
                    self._sql(
                        "INSERT INTO tickets_attachment (ticket_id, message_id, file, filename, content_type, size,"
                        " sha256, created_at) VALUES (%s, %s, %s, %s, 'application/pdf', %s, %s, %s)"
                    ),
                    (ticket_id, message_id, name, "invoice.pdf", len(mail.attachment),
                     hashlib.sha256(mail.attachment).hexdigest(), now),
                )
            cur.execute(
                self._sql(
                    "INSERT INTO channel_email_emailreference (header_id, ticket_id, message_id, outgoing, created_at)"
                    " VALUES (%s, %s, %s, false, %s)"
                ),
                (mail.message_id, ticket_id, message_id, now),
            )
            cur.execute(
                self._sql(
                    "UPDATE channel_email_inboundemail SET status = 'processed', sender = %s, attempts = 1,"
                    " ticket_id = %s, message_id = %s, processed_at = %s WHERE id = %s"
                ),
                (mail.sender, ticket_id, message_id, now, inbound_id),
            )
            cur.close()

    def _contact(self, cur: Any, mail: Mail, now: Any) -> int:
        org = self.org_by_domain.get(mail.sender.rpartition("@")[2])
        name, idents = index_text(mail.sender_name), index_text(mail.sender)
        cols = (
            "name, organisation_id, primary_email, language, time_zone, preferred_channel, vip, tier, notes,"
            " custom_fields, lifetime_value, purchase_count, created_at, updated_at"
        )
        values = "%s, %s, %s, '', '', '', false, '', '', '{}', 0, 0, %s, %s"
        params: tuple[Any, ...] = (mail.sender_name, org, mail.sender, now, now)
        if self.pg:
            cfg = ts_config()
            cols += ", search_vector"
            values += (
                f", setweight(to_tsvector('{cfg}'::regconfig, %s), 'A')"
                f" || setweight(to_tsvector('{cfg}'::regconfig, %s), 'B')"
            )
            params += (name, idents)
        contact_id = self._insert(cur, f"INSERT INTO customers_contact ({cols}) VALUES ({values})", params)  # noqa: S608
        if not self.pg:
            cur.execute(
                "INSERT INTO contact_fts(rowid, name, identities, organisation) VALUES (?, ?, ?, '')",
                (contact_id, name, idents),
            )
        cur.execute(
            self._sql(
                "INSERT INTO customers_identity (contact_id, kind, value, is_primary, undeliverable, created_at)"
                " VALUES (%s, 'email', %s, true, false, %s)"
            ),
            (contact_id, mail.sender, now),
        )
        cur.execute(
            self._sql(
                "INSERT INTO core_outboxevent (name, payload, actor, depth, created_at, dispatched_at)"
                " VALUES ('contact.created', %s, %s, 0, %s, %s)"
            ),
            (json.dumps({"contact_id": contact_id}), self.actor, now, now),
        )
        return contact_id

    def _reply(self, cur: Any, ticket_id: int, contact_id: int, mail: Mail, now: Any) -> int:
        message_id = self._insert(
            cur,
            "INSERT INTO tickets_message (ticket_id, kind, author_contact_id, channel, body, body_html, quoted_text,"
            " quoted_html, external_id, created_at) VALUES (%s, 'public', %s, 'email', %s, '', '', '', %s, %s)",
            (ticket_id, contact_id, mail.body, mail.message_id, now),
        )
        words = index_text(mail.body)
        if self.pg:
            cur.execute(
                "UPDATE tickets_ticket SET message_count = message_count + 1, last_message_at = %s, updated_at = %s,"
                " search_vector = coalesce(search_vector, ''::tsvector)"
                f" || setweight(to_tsvector('{ts_config()}'::regconfig, %s), 'B') WHERE id = %s",
                (now, now, words, ticket_id),
            )
        else:
            cur.execute(
                "UPDATE tickets_ticket SET message_count = message_count + 1, last_message_at = ?, updated_at = ?"
                " WHERE id = ?",
                (now, now, ticket_id),
            )
            cur.execute("UPDATE ticket_fts SET body = body || ' ' || ? WHERE rowid = ?", (words, ticket_id))
        event_id = self._insert(
            cur,
            "INSERT INTO core_outboxevent (name, payload, actor, depth, created_at, dispatched_at)"
            " VALUES ('ticket.message_added', %s, %s, 0, %s, NULL)",
            (json.dumps({"ticket_id": ticket_id, "message_id": message_id, "kind": "public", "channel": "email"}),
             self.actor, now),
        )
        cur.execute(
            self._sql(
                "INSERT INTO tickets_ticketaudit (ticket_id, event_id, action, field, new_value, actor_kind,"
                " actor_label, created_at) VALUES (%s, %s, 'message_added', '', %s, 'system', 'email', %s)"
            ),
            (ticket_id, event_id, json.dumps({"message_id": message_id}), now),
        )
        return message_id


def _brand_id() -> int:
    from frontdesk.brands.services import default_brand

    return int(default_brand().pk)
