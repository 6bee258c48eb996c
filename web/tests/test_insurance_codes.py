"""Insurance schemes are coded like every other coded role (issue 9, Deliver 2): canonical
meanings (JKN PBI, JKN non-PBI, Jamkesda, private, other, none) stored in the code table,
value labels such as "Swasta" read as them, shown in the reader's language; tables saved when
the role took free text are made canonical by a data migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from datasets.labels import MEANINGS, clean_labels, default_meaning, suggest_table
from test_result_tables_migration import run_django_script

SCHEMES = ("JKN PBI", "JKN non-PBI", "Jamkesda", "private", "other", "none")


def test_value_labels_and_bps_codes_become_canonical_schemes() -> None:
    assert MEANINGS["insurance_scheme"] == SCHEMES
    labelled = pl.Series(["PBI", "Non PBI", "Jamkesda", "Swasta", "Tidak ada", None])
    assert suggest_table("insurance_scheme", labelled) == {
        "Jamkesda": "Jamkesda",
        "Non PBI": "JKN non-PBI",
        "PBI": "JKN PBI",
        "Swasta": "private",
        "Tidak ada": "none",
    }
    coded = pl.Series([1, 2, 3, 4, 5])
    assert suggest_table("insurance_scheme", coded) == {
        "1": "JKN PBI",
        "2": "JKN non-PBI",
        "3": "Jamkesda",
        "4": "private",
        "5": "none",
    }
    # canonical text (the demo survey's column) needs no table
    assert suggest_table("insurance_scheme", pl.Series(["none", "JKN PBI", "private"])) == {}
    assert default_meaning("insurance_scheme", "swasta") == "private"
    assert default_meaning("insurance_scheme", "Askes") == ""  # unknown: missing until chosen
    # free text is no longer kept: only canonical meanings (or "" for missing)
    submitted = {"insurance_scheme": {"1": "JKN PBI", "4": "Swasta", "9": ""}}
    mapping = {"insurance_scheme": "jaminan"}
    assert clean_labels(submitted, mapping) == {"insurance_scheme": {"1": "JKN PBI", "9": ""}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "private", "none"),
    [("id", "asuransi swasta", "tidak punya jaminan"), ("en", "private insurance", "no insurance")],
)
def test_mapping_page_offers_the_schemes_in_the_readers_language(
    world: dict[str, Any],
    as_persona: Any,
    django_capture_on_commit_callbacks: Any,
    language: str,
    private: str,
    none: str,
) -> None:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model
    from test_files_codes import _upload

    frame = pl.read_parquet(world["version"].path).head(300)
    coded = frame.select(
        "weight",
        "expenditure_pc",
        jenis_jaminan=pl.col("insurance_scheme").replace_strict(
            {s: str(i) for i, s in enumerate(SCHEMES, start=1)}, return_dtype=pl.String
        ),
    )
    client = as_persona("analyst")
    set_language(get_user_model().objects.get(username="analyst"), language)
    dataset = _upload(
        client,
        world,
        coded.write_csv().encode(),
        f"Jaminan {language}",
        django_capture_on_commit_callbacks,
    )
    version = dataset.versions.get()
    assert version.mapping["insurance_scheme"] == "jenis_jaminan"
    page = client.get(f"/datasets/{dataset.pk}/v1/").content.decode()
    assert 'id="codes-insurance_scheme"' in page
    assert f'value="private">{private}</option>' in page
    assert f'value="none">{none}</option>' in page
    # the preset's label too: "4 = asuransi swasta"
    assert f"4 = {private}" in page


SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", "datasets", "0003", verbosity=0)
before = [("datasets", "0003_version_lonely_psu")]
apps = MigrationExecutor(connection).loader.project_state(before).apps
agency = apps.get_model("agencies", "Agency").objects.create(slug="x", name="X", kind="planning")
dataset = apps.get_model("datasets", "Dataset").objects.create(owner=agency, name="d")
Version = apps.get_model("datasets", "DatasetVersion")
def version(number, labels):
    return Version.objects.create(
        dataset=dataset, number=number, original_name="f.csv", file_format="csv",
        parquet_path="p", size_bytes=1, n_rows=1, n_columns=1, labels=labels,
    )
typed = {"1": "PBI", "2": "BPJS non PBI", "3": "Jamkesda", "4": "Swasta", "5": "Tidak ada",
         "6": "Askes", "9": ""}
preset = {"1": "JKN PBI", "2": "JKN non-PBI", "3": "Jamkesda", "4": "private", "5": "none"}
a = version(1, {"insurance_scheme": typed, "urban": {"1": "urban", "2": "rural"}})
b = version(2, {"insurance_scheme": preset})
c = version(3, {})
call_command("migrate", verbosity=0)
from datasets.models import DatasetVersion
got = DatasetVersion.objects.get(pk=a.pk).labels
assert got["insurance_scheme"] == {"1": "JKN PBI", "2": "JKN non-PBI", "3": "Jamkesda",
    "4": "private", "5": "none", "6": "other", "9": ""}, got
assert got["urban"] == {"1": "urban", "2": "rural"}
assert DatasetVersion.objects.get(pk=b.pk).labels == {"insurance_scheme": preset}
assert DatasetVersion.objects.get(pk=c.pk).labels == {}
call_command("migrate", "datasets", "0003", verbosity=0)  # reversible (nothing to undo)
print("canonical")
"""


def test_migration_makes_stored_scheme_tables_canonical(tmp_path: Path) -> None:
    assert run_django_script(SCRIPT, tmp_path).strip().endswith("canonical")
