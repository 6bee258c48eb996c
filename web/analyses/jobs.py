"""Jobs that always end: the lease of a running job and the recovery of lost ones.

A task claims its job (queued -> running, one more attempt) and holds a lease while it runs: a
heartbeat thread and every progress report renew ``heartbeat_at``. A job whose lease expired
lost its worker (killed, out of memory, machine restarted): :func:`recover` queues it again
while it has been tried fewer than ``JOB_MAX_ATTEMPTS`` times, else fails it with the reason.
Recovery runs when ``manage.py db_worker`` starts and every ``JOB_RECOVERY_SECONDS`` inside it,
by ``manage.py recover_jobs`` and whenever a page polls a job (:func:`recover_if_stale`), so no
extra daemon is needed. Every write of a run is conditional on its attempt number, so a run
that lost its lease can never overwrite the run that replaced it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from audit.actions import record
from audit.models import Action
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from analyses.models import Job, Status, write_result

logger = logging.getLogger(__name__)

# Stored in English, shown translated (Job.error_text); the msgids are in locale/id.
WORKER_LOST = gettext_noop(
    "The worker running this job stopped (it was tried again and stopped again). "
    "Run it again; if it keeps stopping, the data may be too large for the server."
)
SAVE_FAILED = gettext_noop(
    "The result could not be saved (it may contain values such as infinity). "
    "Check the data and run it again."
)
INTERNAL_ERROR = gettext_noop("An internal error stopped the job. Run it again.")
RETRIED = gettext_noop("the worker stopped; trying again")
WORKER_NAME = "setara worker"
SUPERSEDED = "superseded"  # what a run that lost its lease returns; the job is not touched


def job_models() -> list[type[Job]]:
    """Every concrete model that is a job (analyses, simulations, uploads)."""
    return [m for m in apps.get_models() if issubclass(m, Job)]


def _stale(now: datetime) -> Q:
    """Running with an expired lease (or, for runs from before leases, started long ago)."""
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return Q(status=Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True)
    )


def enqueue(model: type[Job], pk: int) -> None:
    """Queue the job's task once the current transaction commits."""
    task = import_string(model.task_name)
    transaction.on_commit(lambda: task.enqueue(pk))


def requeue(model: type[Job], pk: int) -> bool:
    """Queue a finished (done or failed) job again; False if it is queued or running.

    One conditional update: of concurrent requests exactly one wins. Call inside the
    transaction that records the change.
    """
    changed = model.objects.filter(pk=pk, status__in=(Status.DONE, Status.FAILED)).update(
        status=Status.QUEUED,
        progress=0,
        progress_message="",
        error="",
        attempts=0,
        heartbeat_at=None,
        started_at=None,
        finished_at=None,
    )
    if changed:
        write_result(model, pk, None)
        enqueue(model, pk)
    return bool(changed)


class Lease:
    """One run of a job: its progress, its heartbeat and its end, all tied to its attempt."""

    def __init__(self, model: type[Job], pk: int, attempt: int) -> None:
        self.model, self.pk, self.attempt = model, pk, attempt
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _mine(self) -> Any:
        return self.model.objects.filter(pk=self.pk, status=Status.RUNNING, attempts=self.attempt)

    def progress(self, percent: int, message: str) -> None:
        """Report progress (also renews the lease)."""
        self._mine().update(
            progress=percent, progress_message=message[:200], heartbeat_at=timezone.now()
        )

    def _beat(self) -> None:
        while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                self._mine().update(heartbeat_at=timezone.now())
            except Exception:  # a busy database must not kill the run; the next beat retries
                logger.warning("heartbeat of %s %s failed", self.model.__name__, self.pk)
            finally:
                connection.close()

    def __enter__(self) -> Lease:
        # Inside a transaction (a job run in-process, as tests do) another connection could not
        # see the job's row and would wait for this transaction's locks: no heartbeat thread.
        if settings.JOB_HEARTBEAT_SECONDS > 0 and not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._beat, daemon=True, name="job-heartbeat")
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if kind is not None and not issubclass(kind, Exception):
            # Interrupted (SystemExit, KeyboardInterrupt): give the lease up so recovery acts now.
            self._mine().update(heartbeat_at=timezone.now() - timedelta(days=1))

    def fail(self, error: str) -> str:
        """End the run as failed with ``error`` (shown to the user)."""
        return Status.FAILED if self._end(Status.FAILED, error=error) else SUPERSEDED

    def done(self, result: object) -> str:
        """Store the result; if saving fails for any reason, fail the job with the reason."""
        try:
            with transaction.atomic():
                ended = self._end(Status.DONE, result=result)
        except Exception:
            logger.exception("saving the result of %s %s failed", self.model.__name__, self.pk)
            return self.fail(SAVE_FAILED)
        return Status.DONE if ended else SUPERSEDED

    def done_with(self) -> bool:
        """End the run as done inside the caller's transaction, which holds the rows the run
        created (an upload's dataset version): they commit together or not at all.

        Returns False when this run no longer holds the job (its lease was taken over); the
        caller must then roll its transaction back.
        """
        if not connection.in_atomic_block:
            raise RuntimeError("Lease.done_with must run inside transaction.atomic()")
        return self._end(Status.DONE)

    def _end(self, status: str, *, result: object = None, error: str = "") -> bool:
        """Finish this run; False if it no longer holds the job (its lease was taken over)."""
        with transaction.atomic():
            ended = self._mine().update(
                status=status,
                error=error,
                progress=100,
                finished_at=timezone.now(),
                heartbeat_at=None,
            )
            if ended:
                write_result(self.model, self.pk, result)
        return bool(ended)


def claim(model: type[Job], pk: int) -> Lease | None:
    """Start a run of a queued job (one more attempt); None if it is not queued.

    The conditional update makes the claim atomic: two workers given the same job (a retry
    racing a late original) never both run it.
    """
    now = timezone.now()
    claimed = model.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=1,
        error="",
    )
    if not claimed:
        return None
    attempt = model.objects.values_list("attempts", flat=True).get(pk=pk)
    return Lease(model, pk, attempt)


def recover(now: datetime | None = None) -> list[tuple[str, int, str]]:
    """Retry or fail every running job whose lease expired; returns (model, pk, new status)."""
    now = now or timezone.now()
    outcome = []
    for model in job_models():
        for pk, attempts in model.objects.filter(_stale(now)).values_list("pk", "attempts"):
            status = _recover_one(model, pk, attempts, now)
            if status:
                outcome.append((model._meta.label, pk, status))
    return outcome


def recover_if_stale(job: Job) -> bool:
    """Recover ``job`` if it lost its worker (called where pages poll a job); True if it did."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    last = job.heartbeat_at or job.started_at
    if job.status != Status.RUNNING or (last is not None and last >= cutoff):
        return False  # the common case reads nothing more and writes nothing
    if _recover_one(type(job), job.pk, job.attempts, now) is None:
        return False
    job.refresh_from_db()
    return True


def _recover_one(model: type[Job], pk: int, attempts: int, now: datetime) -> str | None:
    retry = attempts < settings.JOB_MAX_ATTEMPTS
    with transaction.atomic():
        # Conditional on the state we saw: of concurrent recoverers exactly one acts.
        mine = model.objects.filter(_stale(now), pk=pk, attempts=attempts)
        if retry:
            changed = mine.update(
                status=Status.QUEUED, progress=0, progress_message=RETRIED, heartbeat_at=None
            )
        else:
            changed = mine.update(
                status=Status.FAILED,
                error=WORKER_LOST,
                progress=100,
                finished_at=now,
                heartbeat_at=None,
            )
        if not changed:
            return None
        status = Status.QUEUED if retry else Status.FAILED
        job = model.objects.get(pk=pk)
        record(
            Action.UPDATE,
            actor_name=WORKER_NAME,
            obj=job,
            before={"status": Status.RUNNING, "attempts": attempts},
            after={"status": status, "reason": "worker lost (lease expired)"},
        )
        if retry:
            enqueue(model, pk)
    logger.warning("%s %s lost its worker: %s", model.__name__, pk, status)
    return status
