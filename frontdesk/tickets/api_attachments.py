"""Uploading attachments (multipart) and downloading them safely."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile

from frontdesk.accounts.api_auth import caller
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import check_id, errors
from frontdesk.core.errors import ValidationError
from frontdesk.tickets import selectors, services
from frontdesk.tickets.schemas import UploadOut

router = Router(tags=["tickets"])
MAX_FILES = 20


@router.post("/tickets/{ticket_id}/attachments", response={201: UploadOut})
def upload_attachments(request: HttpRequest, ticket_id: int, files: File[list[UploadedFile]]) -> Any:
    """Store files on the ticket; send their ids as ``attachment_ids`` with a message.

    Files uploaded but not yet sent count against a quota per person
    (`FRONTDESK_UPLOAD_PENDING_QUOTA_BYTES`, `…_CUSTOMER_BYTES` for customers): over it the whole
    request is refused with `413 upload_quota_exceeded` and nothing is stored. Uploads never sent
    are deleted 24 hours after upload."""
    if len(files) > MAX_FILES:
        raise ValidationError(f"At most {MAX_FILES} files at once.", fields={"files": f"at most {MAX_FILES}"})
    by = caller(request)
    ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    stored = services.attachments_upload(actor=Actor.of(by), ticket=ticket, uploads=list(files))
    return Status(201, {"attachments": stored})


@router.delete("/attachments/{attachment_id}", response={204: None, **errors(401, 404, 409)})
def delete_attachment(request: HttpRequest, attachment_id: int) -> Any:
    """Remove one of your own uploads not yet sent in a message (frees its share of your quota).
    An attachment sent in a message stays with it: `409`."""
    by = caller(request)
    services.attachment_remove(actor=Actor.of(by), attachment_id=attachment_id)
    return Status(204, None)


def content_disposition(filename: str) -> str:
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "attachment"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/attachments/{attachment_id}/download")
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get(
        viewer=caller(request),
        attachment_id=check_id(attachment_id, "Attachment"),
    )
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
