"""The API's view of an upload the worker is processing: its state, and where to find the
dataset version it became (``POST /api/datasets`` answers 202 with the same body)."""

from __future__ import annotations

from typing import Any

from analyses.jobs import recover_if_stale
from datasets.access import get_upload
from datasets.models import Upload
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from api.schemas import ERRORS, UploadOut

# The upload endpoint's description (the endpoint is in api.py, beside GET /datasets).
DESCRIPTION = (
    "The file is stored and queued; the answer is 202 with the upload's state and its "
    "`status_url` (also in the `Location` header). Poll that URL: `done` names the new "
    "dataset and version; `failed` gives the reason (nothing is created). A file over the "
    "upload limit is refused at once with 413.\n\n"
    "A CSV file is read in its detected dialect; the optional form fields `separator` "
    '(`,` `;` tab `|`), `decimal` (`.` `,`), `thousands` (`""`: numbers not grouped, '
    "`.` `,` or space) and `encoding` (`utf-8`, `utf-8-sig`, `windows-1252`) replace what "
    "detection found. They are checked before the file is queued: a value outside these "
    "lists, a combination that cannot be read (a decimal comma with the comma separator, "
    "the same thousands separator and decimal mark) or a dialect for a file that is not "
    "CSV is refused at once with 400, and nothing is kept."
)

router = Router(tags=["datasets"])


@router.get("/{upload_id}", response={200: UploadOut, **ERRORS})
def upload_detail(request: HttpRequest, upload_id: int) -> dict[str, Any]:
    """The state of an upload (members of the agency that will own the dataset)."""
    job = get_upload(request.user, upload_id)
    recover_if_stale(job)
    return upload_out(job)


def upload_out(job: Upload) -> dict[str, Any]:
    """An upload as :class:`~api.schemas.UploadOut`."""
    version = job.version
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "message": job.progress_message,
        "error": job.error,
        "original_name": job.original_name,
        "csv_dialect_fields": job.csv_dialect_fields,
        "dataset": version.dataset_id if version else None,
        "version": version.number if version else None,
        "status_url": reverse("api:upload_detail", args=[job.pk]),
        "dataset_url": reverse("api:dataset_detail", args=[version.dataset_id])
        if version
        else None,
    }
