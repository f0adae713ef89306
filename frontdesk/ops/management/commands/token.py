from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdesk.accounts import services
from frontdesk.accounts.models import ApiToken, User
from frontdesk.core.actor import Actor


class Command(BaseCommand):
    help = "Manage personal API tokens: create EMAIL (prints the secret once), list EMAIL, revoke ID."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print its secret (shown only once)")
        create.add_argument("email")
        create.add_argument("--name", default="cli", help="a label to recognise the token by")
        lst = sub.add_parser("list", help="list a user's tokens")
        lst.add_argument("email")
        revoke = sub.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("id", type=int)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        return user

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = Actor.system("cli")
        if opts["action"] == "create":
            user = self._user(opts["email"])
            _, secret = services.token_create(actor=actor, user=user, name=opts["name"])
            self.stdout.write(secret)
        elif opts["action"] == "list":
            for t in ApiToken.objects.filter(user=self._user(opts["email"])):
                state = "revoked" if t.revoked_at else "active"
                used = t.last_used_at.isoformat() if t.last_used_at else "never"
                self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.name}\t{state}\tlast used {used}")
        else:
            token = ApiToken.objects.filter(pk=opts["id"]).select_related("user").first()
            if token is None:
                raise CommandError(f"No token {opts['id']}.")
            services.token_revoke(actor=Actor.of(token.user), token_id=token.pk)  # the owner may revoke their own
            self.stdout.write(f"Token {token.pk} revoked.")
