from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.accounts import services
from kizuna.accounts.models import User
from kizuna.accounts.permissions import SCOPES


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Email of the token's owner.")
        parser.add_argument(
            "--scopes", required=True, help=f"Comma-separated; known: {', '.join(SCOPES)}"
        )
        parser.add_argument("--name", default="command line", help="A name to recognise it by.")

    def handle(self, *args: Any, user: str, scopes: str, name: str, **options: Any) -> None:
        owner = User.objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(f"No user with the email {user!r}.")
        try:
            token, plaintext = services.api_token_create(
                user=owner,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                by_operator=True,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token {token.prefix}… for {owner.email}, scopes {', '.join(token.scopes)}."
        )
        self.stderr.write("It is shown once; store it now.")
        self.stdout.write(plaintext)
