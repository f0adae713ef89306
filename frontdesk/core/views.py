from __future__ import annotations

import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from frontdesk.core.unavailable import (
    RETRY_AFTER_SECONDS,
    is_database_outage,
    mark_logged,
    note_database_outage,
    outage_response,
)


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this process can run a query; 503 otherwise, so a load balancer stops sending traffic
    here until the database is back (the pool reconnects by itself)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as exc:
        note_database_outage(request, exc)
        response = JsonResponse({"status": "database unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return mark_logged(response)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage raised anywhere (middleware included) answers 503 with one log
    line instead of a 500 with a traceback; every other error is Django's plain 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return outage_response(request, exc)
    return defaults.server_error(request)
