from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from frontdesk.customers.models import Contact, Purchase
from frontdesk.customers.tests.factories import events
from frontdesk.testing import factories as f

GOOD = (
    "email,name,product,sku,amount,currency,purchased_at,status,external_id\n"
    "ada@example.com,Ada,Plan,PL-1,49.90,EUR,2026-01-05,,ord-1\n"
    "ADA@example.com,,Addon,AD-1,10,eur,2026-01-06T10:00:00+01:00,paid,ord-2\n"
    "bob@example.com,Bob,Plan,PL-1,49.90,EUR,2026-01-07,refunded,ord-3\n"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "purchases.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path, *args: str) -> None:
    call_command("import_purchases", str(path), "--no-progress", *args)


def test_good_file_imports_every_row_and_is_idempotent(db, tmp_path) -> None:
    existing = f.ContactFactory(primary_email="bob@example.com", name="Robert")
    path = _write(tmp_path, GOOD)
    _run(path)
    ada = Contact.objects.get(primary_email="ada@example.com")
    assert ada.name == "Ada"
    assert (ada.lifetime_value, ada.purchase_count) == (Decimal("59.90"), 2)
    bob = Contact.objects.get(pk=existing.pk)
    assert (bob.lifetime_value, bob.purchase_count, bob.name) == (Decimal("0.00"), 1, "Robert")
    assert not (tmp_path / "purchases.errors.csv").exists()
    _run(path)  # a second run changes nothing
    assert Purchase.objects.count() == 3
    ada.refresh_from_db()
    assert (ada.lifetime_value, ada.purchase_count) == (Decimal("59.90"), 2)
    assert len(events("purchase.recorded")) == 3


def test_bad_rows_are_reported_and_the_rest_imported(db, tmp_path) -> None:
    path = _write(
        tmp_path,
        "email,product,sku,amount,currency,purchased_at\n"
        "ok@example.com,Plan,,10.00,EUR,2026-01-01\n"
        "not-an-email,Plan,,10.00,EUR,2026-01-01\n"
        "ok@example.com,Plan,,-5,EURO,2026-01-01\n"
        "ok@example.com,,,1.00,EUR,someday\n"
        "later@example.com,Plan,,2.50,USD,2026-01-02T08:00:00\n",
    )
    with pytest.raises(CommandError) as exc:
        _run(path)
    assert exc.value.returncode == 1
    report = list(csv.DictReader((tmp_path / "purchases.errors.csv").open(encoding="utf-8")))
    got = {(r["row"], r["column"]) for r in report}
    assert got == {
        ("3", "email"),
        ("4", "amount"),
        ("4", "currency"),
        ("5", "product"),
        ("5", "purchased_at"),
    }
    assert Purchase.objects.count() == 2
    assert not Contact.objects.filter(primary_email="not-an-email").exists()


def test_dry_run_changes_nothing(db, tmp_path) -> None:
    path = _write(tmp_path, GOOD)
    _run(path, "--dry-run")
    assert Purchase.objects.count() == 0 and Contact.objects.count() == 0


def test_missing_columns_fail_before_any_row(db, tmp_path) -> None:
    path = _write(tmp_path, "email,product\nada@example.com,Plan\n")
    with pytest.raises(CommandError):
        _run(path)
    report = (tmp_path / "purchases.errors.csv").read_text(encoding="utf-8")
    assert "amount,missing column" in report
    assert Contact.objects.count() == 0
