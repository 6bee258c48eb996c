"""``manage.py recover_jobs``: retry or fail the jobs whose worker died (lease expired)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analyses import jobs


class Command(BaseCommand):
    help = (
        "Retry (once) or fail every running analysis or simulation whose worker stopped "
        "renewing its lease. db_worker does this itself at start and periodically."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = jobs.recover()
        for label, pk, status in outcome:
            self.stdout.write(f"{label} {pk}: {status}")
        self.stdout.write(f"{len(outcome)} job(s) recovered")
