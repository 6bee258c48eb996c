"""``manage.py db_worker``: django-tasks-db's worker, recovering lost jobs as it runs.

Listed before ``django_tasks_db`` in ``INSTALLED_APPS``, this command replaces the plain one
under the same name, so deployments keep running ``manage.py db_worker`` and need no other
daemon. Before taking tasks it retries or fails the jobs whose lease expired
(:func:`analyses.jobs.recover`), then does so every ``JOB_RECOVERY_SECONDS`` from a thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands import db_worker

from analyses import jobs

logger = logging.getLogger(__name__)


def recover_now() -> None:
    try:
        for label, pk, status in jobs.recover():
            logger.warning("recovered %s %s: %s", label, pk, status)
    except Exception:  # a busy database must not stop the worker; the next round retries
        logger.exception("recovering lost jobs failed")
    finally:
        connection.close()


def recover_periodically(stop: threading.Event) -> None:
    while not stop.wait(settings.JOB_RECOVERY_SECONDS):
        recover_now()


class Command(db_worker.Command):
    help = db_worker.Command.help + " (Setara: recovers jobs whose worker died)"

    def handle(self, *args: Any, **options: Any) -> None:
        recover_now()
        stop = threading.Event()
        if settings.JOB_RECOVERY_SECONDS > 0:
            threading.Thread(
                target=recover_periodically, args=(stop,), daemon=True, name="job-recovery"
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
