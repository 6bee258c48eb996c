"""A provincial analyst's file (issue 9, points 1 and 2): a semicolon CSV with decimal commas
from Indonesian Excel, in Windows-1252, with BPS codes (R105 1/2, sex 1/2, yes/no 1/5).

The dialect is detected, shown and can be changed before acceptance; codes are read through
their code tables by validation and by every analysis; groups show in the user's language and
in their declared order.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from analyses import actions as analysis_actions
from audit.models import AuditEvent
from datasets import actions
from datasets.labels import apply_labels, suggest_table
from datasets.models import Dataset
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile


def _bps_coded(world: dict[str, Any], rows: int = 10_000) -> bytes:
    """The demo survey as a Bappeda analyst gets it: BPS codes, Indonesian Excel CSV."""
    frame = pl.read_parquet(world["version"].path).head(rows)
    coded = frame.select(
        kode_prov=pl.col("province_code"),
        kode_kab=pl.col("regency_code"),
        nks=pl.col("psu"),
        strata=pl.col("stratum"),
        bobot=pl.col("weight"),
        r105=pl.when(pl.col("urban")).then(1).otherwise(2),
        jenis_kelamin=pl.when(pl.col("sex") == "male").then(1).otherwise(2),
        umur=pl.col("age"),
        jkn=pl.when(pl.col("health_insurance")).then(1).otherwise(5),
        pengeluaran_kapita=pl.col("expenditure_pc") + 0.25,
        garis_kemiskinan=pl.col("poverty_line"),
        nama=pl.lit("Désa Sukamaju"),
    )
    decimals = ["pengeluaran_kapita", "bobot", "garis_kemiskinan"]
    text = coded.with_columns(
        pl.col(decimals).cast(pl.String).str.replace(".", ",", literal=True)
    ).write_csv(separator=";")
    return text.encode("cp1252")


def _upload(client: Any, world: dict[str, Any], content: bytes, name: str, capture: Any) -> Dataset:
    with capture(execute=True):  # the stored file gets its final name once the row commits
        response = client.post(
            "/datasets/upload/",
            {
                "file": SimpleUploadedFile(f"{name}.csv", content),
                "name": name,
                "agency": world["agencies"]["alpha"].pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return Dataset.objects.get(name=name)


def test_excel_csv_with_bps_codes_end_to_end(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    dataset = _upload(
        client, world, _bps_coded(world), "Susenas Bappeda", django_capture_on_commit_callbacks
    )
    version = dataset.versions.get()
    assert version.csv_dialect["separator"] == ";" and version.csv_dialect["decimal"] == ","
    assert version.csv_dialect["encoding"] == "windows-1252"
    kept = version.source
    assert kept is not None and kept.exists()
    columns = {c["name"]: c["dtype"] for c in version.columns}
    assert columns["pengeluaran_kapita"] == "Float64" and columns["kode_kab"] == "String"
    assert version.mapping["urban"] == "r105" and version.mapping["sex"] == "jenis_kelamin"
    # BPS codings are recognised and proposed as code tables
    assert version.labels["urban"] == {"1": "urban", "2": "rural"}
    assert version.labels["sex"] == {"1": "male", "2": "female"}
    assert version.labels["health_insurance"] == {"1": "yes", "5": "no"}
    page = client.get(f"/datasets/{dataset.pk}/v1/").content.decode()
    assert 'id="csv-dialect"' in page and "semicolon" in page and "windows-1252" in page
    assert 'id="codes-urban"' in page and 'id="read-again"' in page
    # save roles with the proposed tables: R105 1/2 and JKN 1/5 are accepted
    form = {k: v for k, v in version.mapping.items()}
    form |= {"codes-preset-urban": "urban_r105", "codes-preset-sex": "sex_1_2"}
    form |= {"codes-preset-health_insurance": "yes_no_1_5"}
    client.post(f"/datasets/{dataset.pk}/v1/", form)
    version.refresh_from_db()
    assert version.status == "valid", version.validation
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/datasets/{dataset.pk}/v1/accept")
    version.refresh_from_db()
    assert version.status == "accepted" and version.source is None
    assert not kept.exists()
    # every analysis reads the codes through the tables
    analyst = get_user_model().objects.get(username="analyst")
    analysis = analysis_actions.create(
        analyst,
        version,
        dimension="health",
        breakdowns=["sex", "urban", "age_group"],
        run_now=True,
    )
    analysis.refresh_from_db()
    assert analysis.status == "done", analysis.error
    result = analysis.result
    assert {r["group"] for r in result["breakdowns"]["sex"]} == {"male", "female"}
    assert [r["group"] for r in result["breakdowns"]["urban"]][:1] == ["urban"]
    ages = list(dict.fromkeys(r["group"] for r in result["breakdowns"]["age_group"]))
    assert ages == ["0-6", "7-12", "13-15", "16-18", "19-24", "25-59", "60+"]
    coverage = next(r for r in result["headline"] if r["indicator"] == "rate")
    expected = pl.read_parquet(world["version"].path).head(10_000)
    share = (expected["health_insurance"].cast(pl.Float64) * expected["weight"]).sum()
    assert coverage["estimate"] == pytest.approx(share / expected["weight"].sum(), rel=1e-9)
    english = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "female" in english and "urban" in english
    from agencies.actions import set_language

    set_language(analyst, "id")
    indonesian = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "perempuan" in indonesian and "laki-laki" in indonesian and "perkotaan" in indonesian
    table = indonesian[indonesian.index('id="g-age_group"') :]
    table = table[table.index("</svg>") :]  # the table after the chart
    assert table.index("0-6") < table.index("7-12") < table.index("25-59") < table.index("60+")


def test_dialect_can_be_changed_before_acceptance(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    dataset = _upload(
        client, world, _bps_coded(world, 500), "Dialect check", django_capture_on_commit_callbacks
    )
    version = dataset.versions.get()
    first_parquet = version.path
    # read it wrongly (decimal point): the amounts stay text and the validation says so
    wrong = {"dialect": "1", "separator": "semicolon", "decimal": ".", "thousands": ""}
    wrong["encoding"] = "windows-1252"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/datasets/{dataset.pk}/v1/", wrong).status_code == 302
    version.refresh_from_db()
    columns = {c["name"]: c["dtype"] for c in version.columns}
    assert columns["pengeluaran_kapita"] == "String"
    assert version.csv_dialect["decimal"] == "." and version.status == "uploaded"
    assert not first_parquet.exists() and version.path.exists()
    assert version.mapping["welfare"] == "pengeluaran_kapita"  # roles kept
    client.post(f"/datasets/{dataset.pk}/v1/", version.mapping)
    version.refresh_from_db()
    assert version.status == "invalid"
    assert any("not numeric" in c["message"] for c in version.validation)
    # and back: decimal comma
    right = wrong | {"decimal": ","}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/datasets/{dataset.pk}/v1/", right)
    version.refresh_from_db()
    assert {c["name"]: c["dtype"] for c in version.columns}["pengeluaran_kapita"] == "Float64"
    events = AuditEvent.objects.filter(object_type="dataset version", object_id=version.pk)
    assert events.filter(after__csv_dialect__decimal=",").exists()
    # a comma decimal with a comma separator is refused with a message, nothing changes
    bad = right | {"separator": "comma"}
    response = client.post(f"/datasets/{dataset.pk}/v1/", bad)
    assert response.status_code == 200 and "decimal commas need" in response.content.decode()
    # a viewer cannot change it; after acceptance nobody can
    assert as_persona("viewer").post(f"/datasets/{dataset.pk}/v1/", right).status_code == 403
    analyst = get_user_model().objects.get(username="analyst")
    version.status = "accepted"
    version.save()
    with pytest.raises(actions.NotAllowed):
        actions.change_dialect(analyst, version, _dialect(right))


def _dialect(form: dict[str, str]) -> Any:
    from setara.csv_dialect import CsvDialect

    return CsvDialect(separator=";", decimal=form["decimal"], encoding=form["encoding"])


def test_codes_outside_the_table_are_counted(world: dict[str, Any]) -> None:
    frame = pl.DataFrame({"r105": [1, 2, 2, 3, None]})
    recoded, unknown = apply_labels(
        frame, {"urban": "r105"}, {"urban": {"1": "urban", "2": "rural"}}
    )
    assert recoded["r105"].to_list() == ["urban", "rural", "rural", None, None]
    assert unknown == {"urban": (1, ["3"])}
    from datasets.validation import validate

    report = validate(
        frame.with_columns(w=pl.lit(1.0)),
        {"weight": "w", "urban": "r105"},
        {"urban": {"1": "urban", "2": "rural"}},
    )
    assert any("1 rows with codes not in its code table (e.g. '3')" in c["message"] for c in report)


@pytest.mark.parametrize(
    ("role", "values", "table"),
    [
        ("sex", ["Laki-laki", "Perempuan"], {"Laki-laki": "male", "Perempuan": "female"}),
        ("urban", ["Perkotaan", "Perdesaan"], {"Perdesaan": "rural", "Perkotaan": "urban"}),
        ("urban", [1.0, 2.0], {"1": "urban", "2": "rural"}),
        ("disability", [1, 5], {"1": "yes", "5": "no"}),
        ("enrolled", [1, 2], {"1": "yes", "2": "no"}),
        ("enrolled", [0, 1], {}),
        ("sex", ["male", "female"], {}),
        ("urban", [True, False], {}),
    ],
)
def test_suggested_tables(role: str, values: list[Any], table: dict[str, str]) -> None:
    """Value labels (text from Stata/SPSS) and BPS codings give tables; 0/1 needs none."""
    assert suggest_table(role, pl.Series(values)) == table
