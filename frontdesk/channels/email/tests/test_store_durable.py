"""A stored message is on disk before its row commits: the listener's and the endpoint's 250/202
must survive a power cut, not only a killed process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontdesk.channels.email.pipeline import store
from frontdesk.channels.email.tests.test_pipeline_common import make_mailbox

pytestmark = pytest.mark.django_db


def test_the_raw_file_and_its_folder_are_synced_before_the_row_is_written(settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    mailbox = make_mailbox()
    events: list[tuple[str, str]] = []
    real_fsync, real_insert = os.fsync, store.insert

    def fsync(fd: int) -> None:
        events.append(("synced", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def insert(*rows):  # type: ignore[no-untyped-def]
        events.append(("inserted", rows[0].raw.name))
        real_insert(*rows)

    monkeypatch.setattr(store.os, "fsync", fsync)
    monkeypatch.setattr(store, "insert", insert)
    raw = b"From: ana@customer.test\nSubject: hi\nMessage-ID: <d1@customer.test>\n\n" + b"x" * 100_000
    row = store.store_raw(mailbox=mailbox, raw=raw, source="lmtp")

    path = Path(settings.MEDIA_ROOT) / row.raw.name
    assert path.read_bytes() == raw and row.raw.name.startswith("mail/inbound/")
    assert events[-1] == ("inserted", row.raw.name)
    synced = [what for kind, what in events if kind == "synced"]
    assert str(path) in synced and str(path.parent) in synced, "the file and the entry naming it"
    assert str(path.parent.parent) in synced, "a new month's folder is named durably too"
    with row.raw.open("rb") as f:
        assert f.read() == raw, "read back through the storage as before"

    events.clear()
    second = store.store_raw(mailbox=mailbox, raw=raw.replace(b"d1@", b"d2@"), source="lmtp")
    assert second.raw.name != row.raw.name
    assert [kind for kind, _ in events] == ["synced", "synced", "inserted"], "an existing folder is not synced again"
