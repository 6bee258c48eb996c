"""The background task that runs a diagnostic (run by ``manage.py db_worker``)."""

from __future__ import annotations

import logging

from datasets.storage import read_version
from django_tasks import task

from analyses import compute, jobs
from analyses.models import Analysis
from setara.errors import SetaraError

logger = logging.getLogger(__name__)


@task()
def run_analysis(analysis_id: int) -> str:
    lease = jobs.claim(Analysis, analysis_id)
    if lease is None:  # not queued: already run, being run, or deleted
        return "skipped"
    with lease:
        analysis = Analysis.objects.select_related("dataset_version", "owner").get(pk=analysis_id)
        version = analysis.dataset_version
        try:
            frame = read_version(version.path, columns=sorted(set(version.mapping.values())))
            result = compute.run(
                frame,
                version.mapping,
                dimension=analysis.dimension,
                breakdowns=list(analysis.breakdowns),
                progress=lease.progress,
                ci_method=analysis.ci_method,
                reliability=analysis.owner.reliability_standards,
                labels=version.labels,
                lonely_psu=version.lonely_psu or "adjust",  # "" on versions validated before
            )
        except SetaraError as exc:
            return lease.fail(str(exc))
        except Exception:
            lease.fail(jobs.INTERNAL_ERROR)
            raise
        status = lease.done(result)
    if status == "done":
        _warm(analysis_id)
    return status


def _warm(analysis_id: int) -> None:
    """Render the result pages into the cache; a failure here only costs the first view."""
    from analyses.rendering import warm

    try:
        warm(Analysis.objects.get(pk=analysis_id))
    except Exception:
        logger.exception("rendering analysis %s into the cache failed", analysis_id)
