"""``manage.py db_worker``: django-tasks-db's worker, recovering lost jobs as it runs.

Listed before ``django_tasks_db`` in ``INSTALLED_APPS``, this command replaces the plain one
under the same name, so deployments keep running ``manage.py db_worker`` and need no other
daemon. Before taking tasks it retries or fails the jobs whose lease expired
(:func:`analyses.jobs.recover`), then does so every ``JOB_RECOVERY_SECONDS`` from a thread; the
same thread removes the files a killed process left behind (:func:`datasets.cleanup.
cleanup_files`) at start and every ``CLEANUP_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
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


def clean_now() -> None:
    """Remove orphaned files (older than ``CLEANUP_GRACE_SECONDS``) and log what went."""
    from datasets.cleanup import cleanup_files

    try:
        report = cleanup_files()
        if report.removed or report.completed:
            logger.warning("file clean-up: %s", report.summary())
    except Exception:  # the next round retries
        logger.exception("cleaning up orphaned files failed")
    finally:
        connection.close()


def recover_periodically(stop: threading.Event) -> None:
    cleaned = time.monotonic()
    while not stop.wait(settings.JOB_RECOVERY_SECONDS):
        recover_now()
        interval = settings.CLEANUP_INTERVAL_SECONDS
        if interval > 0 and time.monotonic() - cleaned >= interval:
            clean_now()
            cleaned = time.monotonic()


class Command(db_worker.Command):
    help = db_worker.Command.help + " (Setara: recovers jobs whose worker died)"

    def handle(self, *args: Any, **options: Any) -> None:
        recover_now()
        if settings.CLEANUP_INTERVAL_SECONDS > 0:
            clean_now()
        stop = threading.Event()
        if settings.JOB_RECOVERY_SECONDS > 0:
            threading.Thread(
                target=recover_periodically, args=(stop,), daemon=True, name="job-recovery"
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
