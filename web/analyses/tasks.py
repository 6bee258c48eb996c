"""The background task that runs a diagnostic (run by ``manage.py db_worker``)."""

from __future__ import annotations

from datasets.storage import read_version
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from analyses import compute
from analyses.models import Analysis, Status
from setara.errors import SetaraError


@task()
def run_analysis(analysis_id: int) -> str:
    analysis = Analysis.objects.select_related("dataset_version").get(pk=analysis_id)
    if analysis.status not in (Status.QUEUED, Status.RUNNING):
        return analysis.status
    Analysis.objects.filter(pk=analysis_id).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=1
    )

    def progress(percent: int, message: str) -> None:
        Analysis.objects.filter(pk=analysis_id).update(
            progress=percent, progress_message=message[:200]
        )

    version = analysis.dataset_version
    try:
        frame = read_version(version.path, columns=sorted(set(version.mapping.values())))
        result = compute.run(
            frame,
            version.mapping,
            dimension=analysis.dimension,
            breakdowns=list(analysis.breakdowns),
            progress=progress,
            lonely_psu=version.lonely_psu or "adjust",  # "" on versions validated before
        )
    except SetaraError as exc:
        _finish(analysis_id, Status.FAILED, error=str(exc))
        return Status.FAILED
    except Exception as exc:
        _finish(analysis_id, Status.FAILED, error=f"internal error: {type(exc).__name__}")
        raise
    _finish(analysis_id, Status.DONE, result=result)
    from analyses.rendering import warm

    warm(Analysis.objects.get(pk=analysis_id))
    return Status.DONE


def _finish(analysis_id: int, status: str, *, result: object = None, error: str = "") -> None:
    with transaction.atomic():
        Analysis.objects.filter(pk=analysis_id).update(
            status=status,
            result=result,
            error=error,
            progress=100,
            finished_at=timezone.now(),
        )
