"""Create the first administrator from the command line (production setup)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies import actions
from agencies.models import AgencyKind, Role


class Command(BaseCommand):
    help = "Create an agency and its first admin (password from SETARA_ADMIN_PASSWORD or a prompt)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--agency-slug", required=True)
        parser.add_argument("--agency-name", required=True)
        parser.add_argument(
            "--agency-kind", default=AgencyKind.PLANNING, choices=[k for k, _ in AgencyKind.choices]
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if get_user_model().objects.filter(username=o["username"]).exists():
            raise CommandError(f"user {o['username']!r} already exists")
        password = os.environ.get("SETARA_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        agency = actions.create_agency(
            None, slug=o["agency_slug"], name=o["agency_name"], kind=o["agency_kind"]
        )
        user = actions.create_user(
            None,
            username=o["username"],
            password=password,
            email=o["email"],
            is_superuser=True,
            language="id",
        )
        actions.add_member(None, agency, user, Role.ADMIN)
        self.stdout.write(self.style.SUCCESS(f"admin {user.username!r} of {agency.name} created"))
