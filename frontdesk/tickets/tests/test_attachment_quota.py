"""Uploads not yet sent in a message: a per-person quota, a way to remove one, and a sweep that
deletes them (rows and files) after 24 hours. Red-team finding 7 (issue 8): a customer stored
5 × 19 MB without sending anything."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.errors import PayloadTooLarge
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets.models import Attachment
from frontdesk.tickets.services import attachment_store, message_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _file(n: int, name: str = "a.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * n)


def _stored_files(root) -> list[str]:  # type: ignore[no-untyped-def]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def test_the_defaults_are_documented_values(settings) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings as live

    assert live.UPLOAD_PENDING_QUOTA_BYTES == 100 * 1024 * 1024
    assert live.UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES == 40 * 1024 * 1024
    with open(os.path.join(os.path.dirname(__file__), "../../../docs/configuration.md")) as fh:
        doc = fh.read()
    assert "FRONTDESK_UPLOAD_PENDING_QUOTA_BYTES" in doc and "FRONTDESK_UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES" in doc


def test_a_customer_cannot_pile_up_unsent_uploads(api_for, customer_user, settings, _media) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES = 50
    ticket = make_ticket(requester=contact_of(customer_user))
    api = api_for(customer_user)
    url = f"/api/v1/tickets/{ticket.pk}/attachments"
    for _ in range(2):
        assert api.upload(url, {"files": [_file(20)]}).status_code == 201
    files_before = _stored_files(_media)
    r = api.upload(url, {"files": [_file(20)]})
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "upload_quota_exceeded"
    assert "files" in error["fields"] and "50" in error["message"]
    assert Attachment.objects.filter(uploaded_by=customer_user).count() == 2
    assert _stored_files(_media) == files_before, "nothing of the refused upload reached storage"
    # sending them in a message frees the quota
    ids = list(Attachment.objects.filter(uploaded_by=customer_user).values_list("pk", flat=True))
    assert api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "here", "attachment_ids": ids}).status_code == 201
    assert api.upload(url, {"files": [_file(20)]}).status_code == 201


def test_one_request_over_the_quota_stores_none_of_its_files(api_for, agent, settings, _media) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_PENDING_QUOTA_BYTES = 100
    ticket = make_ticket()
    api = api_for(agent)
    r = api.upload(f"/api/v1/tickets/{ticket.pk}/attachments", {"files": [_file(40), _file(40), _file(40)]})
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload_quota_exceeded"
    assert not Attachment.objects.exists() and _stored_files(_media) == []


def test_agents_and_customers_have_their_own_quota(agent, customer_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_PENDING_QUOTA_BYTES = 100
    settings.UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES = 10
    ticket = make_ticket(requester=contact_of(customer_user))
    attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(60))
    with pytest.raises(PayloadTooLarge):
        attachment_store(actor=Actor.of(customer_user), ticket=ticket, upload=_file(11))
    attachment_store(actor=Actor.of(customer_user), ticket=ticket, upload=_file(10))
    # another person's uploads do not count against you
    attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(40))
    with pytest.raises(PayloadTooLarge) as caught:
        attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(1))
    assert caught.value.code == "upload_quota_exceeded"


def test_files_sent_with_the_message_itself_are_not_limited_by_the_quota(agent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_PENDING_QUOTA_BYTES = 10
    ticket = make_ticket()
    message = message_add(actor=Actor.of(agent), ticket=ticket, body="see", attachments=[_file(50)])
    assert Attachment.objects.get().message == message


def test_an_unsent_upload_can_be_removed_by_its_uploader(  # type: ignore[no-untyped-def]
    api_for, agent, supervisor, _media, django_capture_on_commit_callbacks
) -> None:
    ticket = make_ticket()
    att = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(5))
    path = att.file.path
    assert api_for(supervisor).delete(f"/api/v1/attachments/{att.pk}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(agent).delete(f"/api/v1/attachments/{att.pk}").status_code == 204
    assert not Attachment.objects.filter(pk=att.pk).exists() and not os.path.exists(path)
    sent = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(5))
    message_add(actor=Actor.of(agent), ticket=ticket, body="x", attachments=[sent.pk])
    r = api_for(agent).delete(f"/api/v1/attachments/{sent.pk}")
    assert r.status_code == 409 and os.path.exists(sent.file.path)


def test_the_sweep_deletes_unsent_uploads_after_a_day_rows_and_files(  # type: ignore[no-untyped-def]
    agent, _media, django_capture_on_commit_callbacks
) -> None:
    from frontdesk.tickets.services.attachments import attachments_sweep
    from frontdesk.tickets.tasks import sweep_unsent_attachments_task

    ticket = make_ticket()
    old = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(5, "old.txt"))
    recent = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(5, "new.txt"))
    sent = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=_file(5, "sent.txt"))
    message_add(actor=Actor.of(agent), ticket=ticket, body="x", attachments=[sent.pk])
    day_ago = timezone.now() - timedelta(hours=24, minutes=1)
    Attachment.objects.filter(pk__in=[old.pk, sent.pk]).update(created_at=day_ago)
    old_name = old.file.name
    assert default_storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments_sweep() == 1
    assert not Attachment.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old_name), "the file is gone from storage too"
    assert Attachment.objects.filter(pk__in=[recent.pk, sent.pk]).count() == 2
    assert default_storage.exists(recent.file.name) and default_storage.exists(sent.file.name)
    # a file already missing from storage does not stop the sweep
    Attachment.objects.filter(pk=recent.pk).update(created_at=day_ago)
    default_storage.delete(recent.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments_sweep() == 1
    assert not Attachment.objects.filter(pk=recent.pk).exists()
    assert sweep_unsent_attachments_task is not None


def test_the_sweep_is_a_periodic_job() -> None:
    from frontdesk.core.jobs.periodic import _jobs

    assert "frontdesk.tickets.tasks.sweep_unsent_attachments_task" in _jobs
