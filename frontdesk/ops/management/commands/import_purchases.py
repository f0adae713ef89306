from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdesk.core.actor import Actor
from frontdesk.customers.csv_import import COLUMNS, REQUIRED, import_purchases


class Command(BaseCommand):
    help = (
        "Import purchases from a CSV file with the columns "
        f"{', '.join(COLUMNS)} ({', '.join(REQUIRED)} required). Contacts are found or created by email. "
        "Bad rows are listed in FILE.errors.csv; the exit code is 1 when any row failed. "
        "Rows with an external_id can be imported again without duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header row first)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, change nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_purchases(
                path,
                dry_run=opts["dry_run"],
                actor=Actor.system("import_purchases"),
                # the stream OutputWrapper wraps (its write() would add a newline to every bar
                # update); django-stubs do not declare OutputWrapper._out
                progress=cast(IO[str], self.stderr._out),
                show_progress=not opts["no_progress"],
            )
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        verb = "would import" if opts["dry_run"] else "imported"
        self.stdout.write(f"{result.total} rows: {verb} {result.imported}, failed {result.failed_rows}.")
        if result.errors:
            for e in result.errors[:20]:
                self.stderr.write(f"row {e.row}, {e.column}: {e.message}")
            if len(result.errors) > 20:
                self.stderr.write(f"… and {len(result.errors) - 20} more.")
            raise CommandError(f"Some rows failed; see {result.error_file}.", returncode=1)
