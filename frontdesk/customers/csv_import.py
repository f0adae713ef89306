"""Import purchases from a CSV file, one transaction per row.

Columns: email, name (optional), product, sku, amount, currency, purchased_at (ISO date or
date-time), status (optional, default paid), external_id (optional). A bad row is reported
(row number, column, message) and skipped; the import never stops at the first error.
Rows with an external_id are idempotent, so a file can be imported again safely.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import DatabaseError, transaction
from tqdm import tqdm

from frontdesk.core.actor import Actor
from frontdesk.core.errors import FrontdeskError
from frontdesk.customers.models import IdentityKind, PurchaseStatus
from frontdesk.customers.services import contact_for_identity, purchase_record
from frontdesk.customers.services._common import normalise_email
from frontdesk.customers.services.purchases import clean_purchase

REQUIRED = ("email", "product", "amount", "currency", "purchased_at")
OPTIONAL = ("name", "sku", "status", "external_id")
COLUMNS = REQUIRED + OPTIONAL
_COLUMN_OF = {"value": "email", "kind": "email"}  # service field names that are not columns


@dataclass
class RowError:
    row: int  # the line's number in the file, the header being row 1
    column: str
    message: str


@dataclass
class ImportResult:
    total: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_file: Path | None = None

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


class _DryRun(Exception):
    """Raised to roll back a row's transaction in a dry run."""


def errors_path(path: Path) -> Path:
    return (
        path.with_name(path.name + ".errors.csv")
        if path.suffix != ".csv"
        else path.with_suffix(".errors.csv")
    )


def _rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    for record in reader:
        # reader.line_num is the physical line where the record ends (quoted newlines span lines)
        yield reader.line_num, {k.strip().lower(): (v or "").strip() for k, v in record.items() if k}


def _import_row(values: dict[str, str], *, actor: Actor) -> None:
    errors: dict[str, str] = {}
    if values.get("email"):
        try:
            normalise_email(values["email"])
        except FrontdeskError as exc:
            errors.update(exc.fields)
    try:  # check every column now, so a row's report is complete
        clean_purchase(
            values.get("product", ""),
            values.get("sku", ""),
            values.get("amount", ""),
            values.get("currency", ""),
            values.get("purchased_at", ""),
            values.get("status") or PurchaseStatus.PAID,
            values.get("external_id") or None,
        )
    except FrontdeskError as exc:
        errors.update(exc.fields)
    for column in REQUIRED:
        if not values.get(column):
            errors[column] = "required"
    if errors:
        raise FrontdeskError("The row is not valid.", fields=errors)
    contact = contact_for_identity(
        actor=actor, kind=IdentityKind.EMAIL, value=values["email"], name=values.get("name", "")
    )
    purchase_record(
        actor=actor,
        contact=contact,
        product=values["product"],
        sku=values.get("sku", ""),
        amount=values["amount"],
        currency=values["currency"],
        purchased_at=values["purchased_at"],
        status=values.get("status") or PurchaseStatus.PAID,
        external_id=values.get("external_id") or None,
    )


def import_purchases(
    path: Path | str,
    *,
    dry_run: bool = False,
    actor: Actor | None = None,
    progress: IO[str] | None = None,
    show_progress: bool = True,
) -> ImportResult:
    """Import the file; write FILE.errors.csv when some rows failed. The bar goes to ``progress`` (stderr)."""
    path = Path(path)
    actor = actor or Actor.system("import_purchases")
    result = ImportResult()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
        names = {h.strip().lower() for h in header}
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            result.errors = [RowError(1, c, "missing column") for c in missing]
            _write_errors(path, result)
            return result
        unknown = sorted(n for n in names if n and n not in COLUMNS)
        if unknown:
            result.errors = [RowError(1, c, "unknown column") for c in unknown]
            _write_errors(path, result)
            return result
        handle.seek(0)
        total = sum(1 for _ in csv.DictReader(handle))
        handle.seek(0)
        bar = tqdm(total=total, unit="row", file=progress or sys.stderr, disable=not show_progress)
        for line, values in _rows(handle):
            result.total += 1
            try:
                with transaction.atomic():
                    _import_row(values, actor=actor)
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                result.imported += 1
            except FrontdeskError as exc:
                fields = exc.fields or {"row": exc.message}
                result.errors += [RowError(line, _COLUMN_OF.get(c, c), m) for c, m in fields.items()]
            except DatabaseError as exc:  # the row's transaction rolled back; carry on
                result.errors.append(RowError(line, "row", f"database error: {exc}"))
            else:
                result.imported += 1
            bar.update(1)
        bar.close()
    _write_errors(path, result)
    return result


def _write_errors(path: Path, result: ImportResult) -> None:
    target = errors_path(path)
    if not result.errors:
        target.unlink(missing_ok=True)  # a report from an earlier run would mislead
        return
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["row", "column", "message"])
        for e in result.errors:
            writer.writerow([e.row, e.column, e.message])
    result.error_file = target
