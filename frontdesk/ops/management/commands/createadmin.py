from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdesk.accounts import services
from frontdesk.accounts.models import Role, User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import FrontdeskError


class Command(BaseCommand):
    help = "Create an administrator who can sign in with the given email and password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the administrator's email (their sign-in)")
        parser.add_argument("--password", required=True, help="at least 10 characters, not a common password")
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument("--superuser", action="store_true", help="also allow the Django admin at /admin/")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = services.user_create(
                actor=Actor.system("createadmin"), email=opts["email"], name=opts["name"],
                role=Role.ADMIN, password=opts["password"],
            )
        except FrontdeskError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from None
        if opts["superuser"]:
            User.objects.filter(pk=user.pk).update(is_superuser=True)
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.email} created."))
