"""The migrations that moved stored results into their own tables carry every result over, and
back when reversed (run in a fresh process on its own SQLite database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[1]

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

def old_models(*targets):
    return MigrationExecutor(connection).loader.project_state(list(targets)).apps

call_command("migrate", "analyses", "0003", verbosity=0)
call_command("migrate", "programmes", "0004", verbosity=0)
apps = old_models(("programmes", "0004_job_lease"), ("analyses", "0003_job_lease"))
agency = apps.get_model("agencies", "Agency").objects.create(slug="x", name="X", kind="planning")
dataset = apps.get_model("datasets", "Dataset").objects.create(owner=agency, name="d")
version = apps.get_model("datasets", "DatasetVersion").objects.create(
    dataset=dataset, number=1, original_name="f.csv", file_format="csv", parquet_path="p",
    size_bytes=1, n_rows=1, n_columns=1,
)
big = {"headline": [{"row": n} for n in range(20000)]}  # several hundred KB, as real results
for i in range(120):  # more than one chunk of the copy
    apps.get_model("analyses", "Analysis").objects.create(
        owner=agency, title=str(i), dataset_version=version, dimension="economic",
        result=big if i % 2 else None,
    )
apps.get_model("programmes", "Simulation").objects.create(
    owner=agency, title="s", dataset_version=version, result={"tables": {"t": [1]}}
)
call_command("migrate", verbosity=0)
from analyses.models import Analysis, AnalysisResult
from programmes.models import Simulation
assert AnalysisResult.objects.count() == 60
moved = [a.result == big for a in Analysis.objects.order_by("pk")]
assert moved == [i % 2 == 1 for i in range(120)]
assert Simulation.objects.get().result == {"tables": {"t": [1]}}
call_command("migrate", "analyses", "0003", verbosity=0)
old = old_models(("analyses", "0003_job_lease")).get_model("analyses", "Analysis")
assert old.objects.filter(result__isnull=False).count() == 60
assert old.objects.filter(result__isnull=False).first().result == big
print("moved")
"""


def run_django_script(script: str, data_dir: Path) -> str:
    """Run ``script`` in a fresh process with Django set up on its own SQLite database in
    ``data_dir``; its standard output (the test fails with its error output if it fails)."""
    env = {
        **os.environ,
        "SETARA_DATA_DIR": str(data_dir),
        "SETARA_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "setara_web.settings",
        "PYTHONPATH": os.pathsep.join([str(WEB), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_results_move_to_their_tables_and_back(tmp_path: Path) -> None:
    assert run_django_script(SCRIPT, tmp_path).strip().endswith("moved")
