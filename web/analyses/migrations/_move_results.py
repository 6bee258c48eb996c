"""Copy stored results between a job table's old ``result`` column and its result table
(used by the migrations that moved them; the migration loader skips this module)."""

from typing import Any

CHUNK = 50


def copy_results(job_model: Any, result_model: Any) -> None:
    """Copy every non-null ``result`` into ``result_model`` rows, a few documents at a time."""
    pks = list(job_model.objects.filter(result__isnull=False).values_list("pk", flat=True))
    for start in range(0, len(pks), CHUNK):
        rows = job_model.objects.filter(pk__in=pks[start : start + CHUNK]).values_list(
            "pk", "result"
        )
        result_model.objects.bulk_create(result_model(job_id=pk, data=data) for pk, data in rows)


def copy_back(job_model: Any, result_model: Any) -> None:
    for pk, data in result_model.objects.values_list("job_id", "data").iterator(chunk_size=CHUNK):
        job_model.objects.filter(pk=pk).update(result=data)
