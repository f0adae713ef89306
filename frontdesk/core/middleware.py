from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from frontdesk.core.cache import request_memo
from frontdesk.core.errors import PayloadTooLarge

RAW_MAIL_PATH = "/api/v1/mail/inbound/"


def mail_body_kind(content_type: str) -> str:
    """How a body posted to the inbound mail endpoint carries its message: ``"multipart"`` or
    ``"urlencoded"`` (a provider's form), ``"json"`` (a provider's JSON), else ``"raw"`` (the message itself)."""
    mime = content_type.partition(";")[0].strip().lower()
    if mime == "multipart/form-data":
        return "multipart"
    if mime == "application/x-www-form-urlencoded":
        return "urlencoded"
    if mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json")):
        return "json"
    return "raw"


def mail_body_limit(content_type: str, message_limit: int) -> int:
    """The largest body that may carry a message of ``message_limit`` bytes. Providers' forms and JSON
    carry their own parsed copy of the message next to the raw one (text, HTML, attachments again):
    twice the message plus 1 MiB for the rest."""
    if mail_body_kind(content_type) == "raw":
        return message_limit
    return 2 * message_limit + 1024 * 1024


class RequestSizeMiddleware:
    """Refuse request bodies over the limit before anything reads them.

    Attachment uploads (multipart) may be as large as FRONTDESK_MAX_ATTACHMENT_BYTES
    plus form overhead; raw mail posted to the inbound endpoint up to
    FRONTDESK_EMAIL_MAX_MESSAGE_BYTES (more when a provider's form or JSON wraps it: ``mail_body_limit``);
    every other body is limited to FRONTDESK_API_MAX_BODY_BYTES.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        is_multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        if request.path.startswith(RAW_MAIL_PATH):  # whole RFC 5322 messages from MTAs and providers
            limit = mail_body_limit(request.META.get("CONTENT_TYPE", ""), settings.EMAIL_MAX_MESSAGE_BYTES)
        elif is_multipart:
            limit = settings.MAX_ATTACHMENT_BYTES + 65536
        else:
            limit = settings.API_MAX_BODY_BYTES
        if length > limit:
            err = PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.")
            return HttpResponse(json.dumps(err.as_dict()), status=413, content_type="application/json")
        return self.get_response(request)


class RequestMemoMiddleware:
    """Configuration read from the cache once per request (frontdesk.core.cache.request_memo)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_memo():
            return self.get_response(request)


class ServerTimingMiddleware:
    """``Server-Timing: app;dur=<ms>`` on every response: the time Django spent on the request,
    for browsers' developer tools, load balancers' logs and `frontdesk bench`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
