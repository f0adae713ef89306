from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

SCENARIOS = ("core", "email", "faults", "signin")


class Command(BaseCommand):
    help = (
        "Run a benchmark scenario and print one JSON object on stdout (progress on stderr). "
        "`bench core --db sqlite|postgres --tickets N`, "
        "`bench email --db sqlite|postgres --messages N --workers 1,2`, "
        "`bench faults --replies 500` (the scaled shape under a killed worker and restarted PostgreSQL and "
        "Redis, real processes; PostgreSQL from FRONTDESK_BENCH_DATABASE_URL), "
        "`bench signin --db sqlite|postgres --signins 40` (server time of a sign-in): see docs/performance.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", choices=SCENARIOS)
        parser.add_argument(
            "--db",
            choices=("sqlite", "postgres"),
            default="sqlite",
            help="sqlite: a file under var/bench/; postgres: FRONTDESK_BENCH_DATABASE_URL "
            "(default postgres://postgres@127.0.0.1:5432/frontdesk_bench)",
        )
        parser.add_argument("--tickets", type=int, default=10_000, help="tickets in the generated dataset")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="reuse the bench database and its dataset if they exist (no regeneration)",
        )
        parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
        parser.add_argument(
            "--create",
            type=int,
            default=500,
            help="tickets created through the service (and as many as raw SQL)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replies", type=int, default=500, help="faults: replies sent while the worker is killed")
        parser.add_argument("--messages", type=int, default=2000, help="email: messages per corpus")
        parser.add_argument("--signins", type=int, default=40, help="signin: timed sign-ins")
        parser.add_argument(
            "--workers",
            default="1,2",
            help="email: worker process counts to time, comma-separated (default 1,2)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        sys.path.insert(0, str(Path(settings.BASE_DIR).parent))
        if opts["scenario"] == "faults":
            from bench import faults
            from bench.core import DEFAULT_PG_URL

            if opts["replies"] < 20:
                raise CommandError("--replies must be at least 20")
            base = os.environ.get("FRONTDESK_BENCH_DATABASE_URL", DEFAULT_PG_URL)
            result = faults.run(pg_base=base, replies=opts["replies"])
            sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
            return
        if opts["scenario"] == "signin":
            from bench import signin

            result = signin.run(db=opts["db"], signins=opts["signins"], var_root=Path(settings.VAR_DIR))
            sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
            return
        if opts["scenario"] == "email":
            result = self._email(opts)
            sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
            return
        from bench import core

        if opts["tickets"] < 100:
            raise CommandError("--tickets must be at least 100")
        result = core.run(
            db=opts["db"],
            tickets=opts["tickets"],
            keep=opts["keep"],
            requests=max(1, opts["requests"]),
            create=max(1, opts["create"]),
            seed=opts["seed"],
            var_root=Path(settings.VAR_DIR),
        )
        sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")

    def _email(self, opts: dict[str, Any]) -> dict[str, Any]:
        from bench import email

        try:
            workers = [int(w) for w in str(opts["workers"]).split(",") if w.strip()]
        except ValueError:
            raise CommandError("--workers is a comma-separated list of numbers, like 1,2") from None
        if not workers or any(w < 1 or w > 32 for w in workers):
            raise CommandError("--workers: each count is between 1 and 32")
        if opts["messages"] < 20:
            raise CommandError("--messages must be at least 20")
        return email.run(
            db=opts["db"], messages=opts["messages"], workers=workers, seed=opts["seed"],
            var_root=Path(settings.VAR_DIR),
        )
