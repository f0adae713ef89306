"""What the HTTP inbound endpoint takes from a request: the mailbox secret and the raw message.

MTAs post the message itself; mail providers' inbound webhooks wrap it in their own form or JSON
(which also carries their parsed copy of the message, ignored here):

- SendGrid Inbound Parse ("POST the raw, full MIME message"): multipart/form-data, field ``email``;
- Mailgun routes forwarding to a URL ending in ``mime``: form data, field ``body-mime``;
- Postmark ("Include raw email content in JSON payload"): JSON, member ``RawEmail`` (the message as text).

The secret comes as the ``X-Mailbox-Secret`` header, the password of HTTP Basic auth, or ``?secret=``,
because most providers cannot set a header.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, cast
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import ChunkIter, LazyStream, MultiPartParserError, Parser
from django.utils.http import parse_header_parameters

from frontdesk.core.errors import FrontdeskError, PayloadTooLarge
from frontdesk.core.middleware import mail_body_kind, mail_body_limit

#: The form fields that carry the raw message: SendGrid's, then Mailgun's.
FORM_FIELDS = (b"email", b"body-mime")
#: The JSON member that carries it: Postmark's.
JSON_MEMBER = "RawEmail"
EXPECTED = (
    "Post the raw RFC 5322 message as the body (message/rfc822), as the form field 'email' or 'body-mime' "
    "(multipart/form-data or application/x-www-form-urlencoded), or as 'RawEmail' in a JSON object."
)
# curl --data-binary without -H sends application/x-www-form-urlencoded: a body that starts like a
# message (a header field, or an mbox "From " line) is the message, not a form.
_LOOKS_LIKE_MESSAGE = re.compile(rb"\A(?:[A-Za-z0-9!#$%'*+.^_`|~-]+[ \t]*:|From )")


def request_secret(request: HttpRequest, header: str, query: str) -> str:
    """The secret from the header, else the password of HTTP Basic auth (the user name is ignored),
    else the ``secret`` query parameter; ``""`` when none is given."""
    if header:
        return header
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            decoded = ""
        if password := decoded.partition(":")[2]:
            return password
    return query


class _Capped:
    """The request body as a stream that refuses to yield more than ``cap`` bytes in all (413),
    whatever Content-Length said."""

    def __init__(self, request: HttpRequest, cap: int):
        self.request, self.cap, self.total = request, cap, 0

    def read(self, size: int = -1) -> bytes:
        data = self.request.read(self.cap + 1 - self.total if size is None or size < 0 else size)
        self.total += len(data)
        if self.total > self.cap:
            raise PayloadTooLarge(f"The request body is larger than the limit of {self.cap} bytes.")
        return data


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The message is larger than the mailbox's limit of {limit} bytes.")


def _bad(message: str) -> FrontdeskError:
    return FrontdeskError(f"{message} {EXPECTED}", code="unsupported_body")


def _from_multipart(body: _Capped, content_type: str, limit: int) -> bytes:
    boundary = parse_header_parameters(content_type)[1].get("boundary", "")
    if not boundary:
        raise _bad("The multipart body has no boundary.")
    try:
        for _, meta, part in Parser(LazyStream(ChunkIter(cast(Any, body))), boundary.encode("ascii", "replace")):
            name = meta.get("content-disposition", ("", {}))[1].get("name", b"")
            if name in FORM_FIELDS:  # a field, or a file (curl -F email=@message.eml)
                encoding = meta.get("content-transfer-encoding", ("", {}))[0].strip().lower()
                if encoding == "base64":
                    raw = base64.b64decode(part.read(limit * 4 // 3 + 1024), validate=False)
                else:
                    raw = part.read(limit + 1)
                if len(raw) > limit:
                    raise _too_large(limit)
                return raw
            for _chunk in part:  # skip the provider's other fields
                pass
    except (MultiPartParserError, binascii.Error, ValueError) as exc:
        raise _bad(f"The multipart body could not be read ({exc}).") from exc
    raise _bad("The form has no 'email' or 'body-mime' field.")


def _from_urlencoded(data: bytes) -> bytes:
    if _LOOKS_LIKE_MESSAGE.match(data):
        return data
    for pair in data.split(b"&"):
        name, _, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) in FORM_FIELDS:
            return unquote_to_bytes(value.replace(b"+", b" "))
    raise _bad("The form has no 'email' or 'body-mime' field.")


def _from_json(data: bytes) -> bytes:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _bad("The body is not valid JSON.") from exc
    raw = document.get(JSON_MEMBER) if isinstance(document, dict) else None
    if not isinstance(raw, str) or not raw:
        raise _bad("The JSON has no 'RawEmail' (in Postmark, turn on 'Include raw email content in JSON payload').")
    return raw.encode("utf-8", "replace")  # "replace": JSON may escape lone surrogates


def request_message(request: HttpRequest, mailbox_limit: int) -> bytes:
    """The raw message posted in whichever shape the request uses (see the module's docstring):
    at most ``mailbox_limit`` bytes (413), never empty or in an unknown wrapping (400)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    kind = mail_body_kind(content_type)
    limit = min(mailbox_limit, settings.EMAIL_MAX_MESSAGE_BYTES) if kind != "raw" else mailbox_limit
    body = _Capped(request, mail_body_limit(content_type, limit))
    if kind == "multipart":
        raw = _from_multipart(body, content_type, limit)
    else:
        try:
            data = body.read()
        except PayloadTooLarge:
            if kind == "raw":
                raise _too_large(limit) from None
            raise
        raw = data if kind == "raw" else _from_urlencoded(data) if kind == "urlencoded" else _from_json(data)
    if len(raw) > limit:
        raise _too_large(limit)
    if not raw or raw.isspace():
        raise _bad("The message is empty.")
    return raw


__all__ = ["FORM_FIELDS", "JSON_MEMBER", "request_message", "request_secret"]
