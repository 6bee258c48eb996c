"""Find and remove files that no database row owns: what crashes and killed uploads leave.

- temporary uploads (``SETARA_DATA_DIR/tmp``) older than the grace period;
- ``.partial`` stored files: renamed to their final name when their row was committed (the
  process died between the commit and the rename), removed otherwise;
- stored Parquet and boundary files that no dataset version or boundary refers to;
- received uploads (``uploads/``) whose job ended or is gone, and kept CSV sources
  (``.source.csv``) of no version (a worker killed mid-upload leaves both).

Files younger than the grace period are left alone: an upload may still be writing them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from analyses.models import Boundary, Status
from django.conf import settings

from datasets.models import DatasetVersion, Upload
from datasets.storage import PARTIAL, UPLOADS


@dataclass
class CleanupReport:
    removed: list[Path] = field(default_factory=list)
    completed: list[Path] = field(default_factory=list)  # .partial files given their final name
    freed_bytes: int = 0

    def summary(self) -> str:
        return (
            f"removed {len(self.removed):,} orphaned files ({self.freed_bytes / 2**20:,.1f} MB), "
            f"completed {len(self.completed):,} committed files"
        )


def cleanup_files(*, grace_seconds: float | None = None, dry_run: bool = False) -> CleanupReport:
    """Remove (or with ``dry_run`` only list) orphaned files; see the module docstring."""
    grace = settings.CLEANUP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = time.time() - grace
    storage = Path(settings.STORAGE_DIR)
    referenced = set(DatasetVersion.objects.values_list("parquet_path", flat=True))
    # CSV uploads kept (until acceptance) to be read again in another dialect
    referenced |= set(
        DatasetVersion.objects.exclude(source_path="").values_list("source_path", flat=True)
    )
    referenced |= set(Boundary.objects.values_list("path", flat=True))
    # received files the worker has still to process (or is processing)
    waiting = Upload.objects.filter(status__in=(Status.QUEUED, Status.RUNNING))
    referenced |= set(waiting.values_list("upload_path", flat=True))
    report = CleanupReport()
    temp = Path(settings.FILE_UPLOAD_TEMP_DIR)
    candidates = [p for p in temp.iterdir() if p.is_file()] if temp.exists() else []
    for path in sorted(storage.rglob("*")) if storage.exists() else []:
        if not path.is_file():
            continue
        relative = path.relative_to(storage).as_posix()
        if relative.endswith(PARTIAL) and relative[: -len(PARTIAL)] in referenced:
            if not dry_run:
                os.replace(path, path.with_name(path.name[: -len(PARTIAL)]))
            report.completed.append(path)
        elif relative not in referenced and _is_ours(relative):
            candidates.append(path)
    for path in candidates:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # removed meanwhile by the request that owned it
        if stat.st_mtime > cutoff:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        report.removed.append(path)
        report.freed_bytes += stat.st_size
    return report


def _is_ours(relative: str) -> bool:
    """Only the kinds of files datasets, uploads and boundaries store are candidates."""
    return (
        relative.endswith((".parquet", ".source.csv", PARTIAL))
        or relative.startswith(f"{UPLOADS}/")
        or (relative.startswith("boundaries/") and relative.endswith(".json"))
    )
