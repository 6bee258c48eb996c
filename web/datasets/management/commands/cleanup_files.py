"""``manage.py cleanup_files``: remove files no database row owns, and report them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from datasets.cleanup import cleanup_files


class Command(BaseCommand):
    help = "Remove temporary and stored files that no database row owns (left by crashes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="Only files older than this many seconds "
            f"(default SETARA_CLEANUP_GRACE_SECONDS, {settings.CLEANUP_GRACE_SECONDS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, remove nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = cleanup_files(grace_seconds=options["older_than"], dry_run=options["dry_run"])
        for path in report.completed:
            self.stdout.write(f"completed {path}")
        for path in report.removed:
            self.stdout.write(f"{'would remove' if options['dry_run'] else 'removed'} {path}")
        self.stdout.write(("dry run: " if options["dry_run"] else "") + report.summary())
