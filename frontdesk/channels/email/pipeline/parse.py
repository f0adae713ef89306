"""Step 2: parse a raw message into what the ticket needs. Never raises on broken mail."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from typing import Any

from django.utils import timezone

from frontdesk.channels.email.pipeline.quotes import split_html, split_text
from frontdesk.channels.email.pipeline.sender import Sender, address_pairs, sender_of
from frontdesk.core.text import html_to_text as text_of_html

MAX_ATTACHMENTS = 100
MAX_PARTS_WALKED = 2000
_ID = re.compile(r"<([^<>\s]+)>")


def clean_id(value: str) -> str:
    """A Message-ID without angle brackets, whitespace or NULs, at most 998 characters."""
    value = (value or "").replace("\x00", "").strip()
    match = re.search(r"<([^<>]*)>", value)
    if match:
        value = match.group(1)
    return "".join(value.split())[:998]


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class Parsed:
    message_id: str
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    text: str  # the full plain text
    body: str  # the new part, the quoted history folded away
    html: str  # the full HTML (unsanitised)
    in_reply_to: list[str]
    references: list[str]
    parts: list[Part] = field(default_factory=list)
    skipped_parts: int = 0
    quoted_text: str = ""  # the quoted history cut from the text ('' for forwards): body + quoted_text = text
    html_body: str = ""  # the new part of the HTML
    html_quoted: str = ""  # its quoted history: html_body + html_quoted = html
    sender_claim: str = ""  # an address the From display name (or a comment) claims, other than from_address
    sender_problem: str = ""  # why there is no from_address (no From, several addresses in it)


_HEADER_CACHE: dict[tuple[str, str], Any] = {}
_HEADER_CACHE_SIZE = 4096


_HEADER_CAP = 16_384
# parameters parse in quadratic time: keep these short (a long non-ASCII file name in RFC 2231
# continuations is about 2 KB); a long thread's References are plain text and may be long
_HEADER_CAPS = {"content-type": 4096, "content-disposition": 4096, "references": 262_144}
_PARAMETER_HEADERS = frozenset({"content-type", "content-disposition"})
_MAX_PARAMETERS = 64  # a file name in RFC 2231 continuations takes a few dozen at most


class _RememberingPolicy(email.policy.EmailPolicy):
    """``email.policy.default`` that parses each (name, value) header once: the standard library
    parses a header again on every read, and a message's Content-Type headers are read dozens of
    times while its body is found. Parsed headers are immutable strings, safe to share."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if isinstance(value, str) and not hasattr(value, "name") and len(value) > _HEADER_CAPS.get(
            name.lower(), _HEADER_CAP
        ):
            # The standard library parses parameters and encoded words in quadratic time (16,000
            # parameters in a Content-Type took 5 s): a header is cut before it is parsed. No real
            # header of the kind read this way is that long; the raw message keeps it whole.
            value = value[: _HEADER_CAPS.get(name.lower(), _HEADER_CAP)]
        if isinstance(value, str) and name.lower() in _PARAMETER_HEADERS and value.count(";") > _MAX_PARAMETERS:
            # each parameter costs the standard library about a quarter of a millisecond
            value = ";".join(value.split(";", _MAX_PARAMETERS + 1)[: _MAX_PARAMETERS + 1])
        if not isinstance(value, str) or hasattr(value, "name") or len(value) > 4096:
            return super().header_fetch_parse(name, value)
        key = (name.lower(), value)
        found = _HEADER_CACHE.get(key)
        if found is None:
            found = super().header_fetch_parse(name, value)
            if len(_HEADER_CACHE) >= _HEADER_CACHE_SIZE:
                _HEADER_CACHE.clear()
            _HEADER_CACHE[key] = found
        return found


POLICY = _RememberingPolicy()


def load(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=POLICY)  # type: ignore[return-value, arg-type]


def clean(text: str) -> str:
    return text.replace("\x00", "")


_ESCAPED = re.compile("[\udc80-\udcff]")  # a raw 8-bit byte kept by the parser (surrogateescape)
_LATIN_1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


def _declared_charset(msg: Message) -> str:
    """The charset the message (its first text part) declares, '' if none."""
    try:
        for n, part in enumerate(msg.walk()):
            if n > MAX_PARTS_WALKED:
                break
            if part.get_content_maintype() == "text":
                return (part.get_content_charset() or "").strip().lower()
    except Exception:  # noqa: BLE001, S110 - a broken structure declares nothing
        pass
    return ""


def _repair(msg: Message, value: str, charset: list[str]) -> str:
    """A raw header value with its 8-bit bytes decoded: UTF-8 if they are, else the message's
    declared charset (ISO-8859-1 read as its superset Windows-1252, as mail clients write it),
    else Windows-1252, undecodable bytes replaced. ``charset`` caches the declared one per message."""
    if not _ESCAPED.search(value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not charset:
        charset.append(_declared_charset(msg))
    declared = "cp1252" if charset[0] in _LATIN_1 else charset[0]
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    return data.decode("cp1252", "replace")


def _values(msg: Message, name: str, first: bool = False) -> list[str]:
    """The named header's values, parsed by the message's policy after their 8-bit bytes are
    repaired (the policy would turn them into U+FFFD). Parsing the repaired text goes through the
    same per-(name, value) cache: the repaired value is the key, so a cached parse is always right."""
    wanted = name.lower()
    charset: list[str] = []
    found: list[str] = []
    for key, raw in msg.raw_items():
        if key.lower() != wanted:
            continue
        value = _repair(msg, raw, charset) if isinstance(raw, str) else raw
        found.append(clean(str(msg.policy.header_fetch_parse(key, value))))
        if first:
            break
    return found


def header(msg: Message, name: str) -> str:
    """A header's decoded text ('' if missing or unreadable)."""
    try:
        found = _values(msg, name, first=True)
        return found[0] if found else ""
    except Exception:  # noqa: BLE001 - a broken header is an absent header
        try:
            raw = msg.get_all(name, failobj=[])
            return clean(str(raw[0])) if raw else ""
        except Exception:  # noqa: BLE001
            return ""


def _raw_values(msg: Message, name: str) -> list[str]:
    """The named header's values as written (8-bit bytes repaired, not parsed by the policy)."""
    wanted = name.lower()
    charset: list[str] = []
    return [
        clean(_repair(msg, raw, charset) if isinstance(raw, str) else str(raw))
        for key, raw in msg.raw_items()
        if key.lower() == wanted
    ]


def addresses(msg: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) of the named headers; invalid addresses dropped. Read
    by ``sender.py``, not by the policy: the angle address wins over an address-like name."""
    values: list[str] = []
    for name in names:
        try:
            values += _raw_values(msg, name)
        except Exception:  # noqa: BLE001, S112 - an unreadable header is skipped
            continue
    found: list[tuple[str, str]] = []
    for display, addr in address_pairs(values):
        addr = addr.strip().lower()
        if "@" in addr and " " not in addr and len(addr) <= 254 and (display, addr) not in found:
            found.append((display.strip()[:200], addr))
    return found


def sender(msg: Message) -> Sender:
    """Who sent the message: the From header only (never Sender, Reply-To or Return-Path),
    exactly one address (see ``sender.sender_of``)."""
    try:
        return sender_of(_raw_values(msg, "From"))
    except Exception:  # noqa: BLE001 - an unreadable From names nobody
        return Sender("", "", "", "unreadable From header")


def ids(value: str) -> list[str]:
    found = [clean_id(m) for m in _ID.findall(value or "")]
    if not found and value.strip():
        found = [clean_id(value)]
    return [i for i in found if i][:100]


def _payload(part: Message) -> bytes | None:
    """A part's bytes after its transfer encoding, or None when they cannot be had."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken part has no bytes
        return None
    return data if isinstance(data, bytes) else None


def decode_part(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return clean(content)
    except Exception:  # noqa: BLE001, S110 - unknown charset, bad encoding: decode by hand
        pass
    payload = _payload(part)
    if payload is None:
        payload = str(part.get_payload() or "").encode("utf-8", "replace")
    charset = "utf-8"
    try:
        charset = part.get_content_charset() or "utf-8"
        "".encode(charset)
    except Exception:  # noqa: BLE001
        charset = "utf-8"
    return clean(payload.decode(charset, "replace"))


def html_to_text(value: str) -> str:
    """The plain text of an HTML body, in linear time (see core/text.py)."""
    return text_of_html(value)


def _split_html(html: str, forwarded: bool) -> tuple[str, str]:
    """(new part, quoted history) of the HTML (see quotes.split_html)."""
    try:
        return split_html(html, forwarded=forwarded)
    except Exception:  # noqa: BLE001 - never expected; a message we cannot cut is shown whole
        return html, ""


def _date(msg: Message) -> datetime | None:
    value = header(msg, "Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except Exception:  # noqa: BLE001
        return None
    if when is None:
        return None
    if timezone.is_naive(when):
        when = when.replace(tzinfo=UTC)
    return when


def _body_parts(msg: EmailMessage) -> tuple[Message | None, Message | None]:
    plain = html = None
    try:
        plain = msg.get_body(preferencelist=("plain",))
    except Exception:  # noqa: BLE001
        plain = None
    try:
        html = msg.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001
        html = None
    if plain is None and html is None and not msg.is_multipart() and msg.get_content_maintype() == "text":
        plain = msg
    return plain, html


def _collect_parts(msg: EmailMessage, skip: tuple[Message | None, ...]) -> tuple[list[Part], int]:
    parts: list[Part] = []
    skipped = 0
    for n, part in enumerate(msg.walk()):
        if n > MAX_PARTS_WALKED:
            skipped += 1
            break
        if part.is_multipart() or any(part is s for s in skip if s is not None):
            continue
        try:
            filename = part.get_filename() or ""
        except Exception:  # noqa: BLE001
            filename = ""
        disposition = (part.get_content_disposition() or "").lower()
        cid = clean_id(header(part, "Content-ID"))
        ctype = part.get_content_type()
        if part.get_content_maintype() == "text" and not filename and disposition != "attachment":
            continue
        if ctype == "message/rfc822" or (not filename and not cid and disposition != "attachment"):
            continue
        if len(parts) >= MAX_ATTACHMENTS:
            skipped += 1
            continue
        data = _payload(part)
        if data is None:
            skipped += 1
            continue
        parts.append(Part(filename=clean(filename) or "attachment", content_type=ctype, data=data, content_id=cid))
    return parts, skipped


def parse(raw: bytes, msg: EmailMessage | None = None) -> Parsed:
    """``msg``: the raw bytes already loaded (saves parsing them twice)."""
    if msg is None:
        msg = load(raw)
    found = sender(msg)
    from_name, from_address = found.name, found.address
    subject = " ".join(header(msg, "Subject").split())[:250] or "(no subject)"
    plain, html_part = _body_parts(msg)
    html = decode_part(html_part) if html_part is not None else ""
    text = decode_part(plain) if plain is not None else html_to_text(html)
    text = text.replace("\r\n", "\n").strip()
    forwarded = bool(re.match(r"^\s*(fwd?|tr|wg)\s*:", subject, re.IGNORECASE))
    body, quoted_text = split_text(text, forwarded=forwarded)
    html_body, html_quoted = _split_html(html, forwarded)
    parts, skipped = _collect_parts(msg, (plain, html_part))
    return Parsed(
        message_id=clean_id(header(msg, "Message-ID")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        to=[a for _, a in addresses(msg, "To", "Delivered-To", "X-Original-To")],
        cc=[a for _, a in addresses(msg, "Cc")],
        date=_date(msg),
        text=text,
        body=body,
        html=html,
        in_reply_to=ids(header(msg, "In-Reply-To")),
        references=ids(header(msg, "References")),
        parts=parts,
        skipped_parts=skipped,
        quoted_text=quoted_text,
        html_body=html_body,
        html_quoted=html_quoted,
        sender_claim=found.claim,
        sender_problem=found.problem,
    )
