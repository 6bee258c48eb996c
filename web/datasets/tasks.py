"""The background task that turns a received upload into a dataset version (``db_worker``)."""

from __future__ import annotations

from analyses import jobs
from django_tasks import task

from datasets import actions
from datasets.models import Upload
from setara.errors import SetaraError


@task()
def process_upload(upload_id: int) -> str:
    lease = jobs.claim(Upload, upload_id)
    if lease is None:  # not queued: already run, being run, or its dataset deleted
        return "skipped"
    with lease:
        job = Upload.objects.select_related("owner", "dataset", "created_by").get(pk=upload_id)
        try:
            version = actions.process(job, lease)
        except SetaraError as exc:  # the file cannot become a version: the user's message
            return _failed(job, lease.fail(str(exc)))
        except Exception:
            _failed(job, lease.fail(jobs.INTERNAL_ERROR))
            raise
    return "done" if version is not None else jobs.SUPERSEDED


def _failed(job: Upload, status: str) -> str:
    """A failed upload keeps its row and message, not its file (unless a retry now owns it)."""
    if status != jobs.SUPERSEDED:
        job.path.unlink(missing_ok=True)
    return status
