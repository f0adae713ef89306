"""The `frontdesk` command. Every sub-command is a Django management command of
frontdesk.ops (or Django's own, like migrate), so each has a full --help."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "run": "Embedded shape: migrate, load demo data once, serve HTTP + websockets and run the worker in one process.",
    "web": "Scaled shape: serve HTTP and websockets (run any number behind a load balancer).",
    "worker": "Scaled shape: run background tasks and periodic jobs.",
    "migrate": "Create or upgrade the database schema.",
    "demo": "Load the demo support organisation (idempotent).",
    "createadmin": "Create an administrator: --email E --password P.",
    "token": "API tokens: `token create EMAIL`, `token list EMAIL`, `token revoke ID`.",
    "mail": "Email: `mail ingest FILE|-`, `mail import MAILDIR|MBOX|FOLDER`, `mail quarantine`, "
            "`mail reprocess ID`, `mail listen`, `mail poll`.",
    "events": "Print the event -> handler table, or failed handler runs with --failures.",
    "check": "Check the configuration; --deploy refuses unsafe settings.",
    "bench": "Run a benchmark scenario and print JSON: `bench core --db sqlite --tickets 10000`.",
    "import_purchases": "Import purchases from a CSV file.",
    "shell": "A Python shell with Frontdesk loaded.",
    "manage": "Any Django management command, for developers: `manage makemigrations`.",
}


def _usage() -> str:
    lines = ["usage: frontdesk <command> [options]", "", "commands:"]
    lines += [f"  {name:<18}{text}" for name, text in COMMANDS.items()]
    lines += ["", "`frontdesk <command> --help` explains a command. Configuration: docs/configuration.md."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdesk.settings")
    command = argv[0]
    if command not in COMMANDS:
        print(f"frontdesk: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        sys.exit(2)
    if command == "manage":  # Django's own commands by their own names (`manage check --deploy`)
        argv = argv[1:] or ["help"]
        django_command = argv[0]
    else:
        django_command = {"check": "frontdesk_check", "run": "frontdesk_run"}.get(command, command)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["frontdesk", django_command, *argv[1:]])


if __name__ == "__main__":
    main()
