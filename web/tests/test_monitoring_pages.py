"""Monitoring pages: catalogue and targets (entry, import all-or-nothing), realisation entry
and upload, the NIK never stored, persona access (outsider 404, viewer 403), bulk approval."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from audit.models import AuditEvent
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from monitoring.models import (
    BeneficiaryRecord,
    Indicator,
    RealisationRow,
    ReportingForm,
    Submission,
    Target,
)
from monitoring_world import PASSWORD, ROWS, build, fresh

from monitoring import actions, quality, workflow

pytestmark = pytest.mark.django_db
NIK = "3201011203870004"  # a made-up NIK in the official shape


@pytest.fixture
def world(monkeypatch: Any) -> dict[str, Any]:
    found = build()
    empty = pl.DataFrame(schema={"row": pl.Int64, "severity": pl.String, "message": pl.String})
    monkeypatch.setattr(quality, "follow_up", lambda s: empty)
    users = found["users"]
    found["indicator"] = actions.create_indicator(
        users["nat_analyst"],
        found["agencies"]["nat"],
        code="SDG 1.2.1",
        name_id="Persentase penduduk miskin",
        name_en="Poverty rate",
        unit="%",
        polarity="lower",
        source_kind="survey",
        measure_spec="fgt:alpha=0,line=@poverty_line",
    )
    found["plan"] = actions.create_plan(
        users["nat_analyst"],
        found["agencies"]["nat"],
        name="RPJMN 2025-2029",
        start_year=2025,
        end_year=2029,
    )
    return found


def client(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.get_username(), password=PASSWORD)
    return c


def _csv(frame: pl.DataFrame, name: str = "rows.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.write_csv().encode())


def test_indicator_page_shows_the_readers_language(world: dict[str, Any]) -> None:
    c = client(world["users"]["nat_analyst"])
    url = f"/monitoring/indicators/{world['indicator'].pk}/"
    c.cookies["django_language"] = "en"
    page = c.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SDG 1.2.1 Poverty rate</h1>" in page
    c.post("/i18n/setlang/", {"language": "id"})
    page = c.get(url).content.decode()
    assert "SDG 1.2.1 Persentase penduduk miskin</h1>" in page


def test_survey_indicator_spec_is_checked_by_the_engine(world: dict[str, Any]) -> None:
    c = client(world["users"]["nat_analyst"])
    data = {
        "agency": world["agencies"]["nat"].pk,
        "code": "X1",
        "name_id": "x",
        "name_en": "x",
        "polarity": "higher",
        "source_kind": "survey",
        "measure_spec": "fgt:alpha=0",
        "region_levels": ["national"],
        "period_type": "annual",
    }
    response = c.post("/monitoring/indicators/new/", data)
    assert response.status_code == 400
    assert "needs a poverty line" in response.content.decode()
    assert not Indicator.objects.filter(code="X1").exists()
    data["measure_spec"] = "fgt:alpha=0,line=@poverty_line"
    assert c.post("/monitoring/indicators/new/", data).status_code == 302
    assert Indicator.objects.get(code="X1").measure_spec == "fgt:alpha=0,line=@poverty_line"


def test_target_import_is_all_or_nothing_with_counts(world: dict[str, Any]) -> None:
    c = client(world["users"]["nat_analyst"])
    url = f"/monitoring/plans/{world['plan'].pk}/"
    bad = pl.DataFrame(
        {
            "indicator_code": ["SDG 1.2.1", "SDG 1.2.1", "NOPE", "SDG 1.2.1"],
            "region_code": ["32", "33", "32", "3x"],
            "year": [2029, 2031, 2029, 2029],
            "target_value": [5.0, 6.0, 1.0, 2.0],
        }
    )
    response = c.post(url, {"import": "1", "file": _csv(bad, "targets.csv")})
    text = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in text
    assert "region_code: 1 of 4 rows are not kode wilayah (first at row 4)" in text
    assert "indicator_code: 1 of 4 rows name no indicator you can read (first at row 3)" in text
    assert "year: 1 of 4 rows lie outside the plan&#x27;s 2025-2029 (first at row 2)" in text
    assert Target.objects.count() == 0
    good = bad.with_columns(
        pl.Series("indicator_code", ["SDG 1.2.1"] * 4),
        pl.Series("region_code", ["32", "33", "", "32.01"]),
        pl.Series("year", [2029, 2029, 2029, 2029]),
    )
    response = c.post(url, {"import": "1", "file": _csv(good, "targets.csv")})
    assert response.status_code == 302
    assert Target.objects.filter(plan=world["plan"]).count() == 4
    # importing again replaces, never duplicates
    c.post(url, {"import": "1", "file": _csv(good.with_columns(pl.lit(4.0).alias("target_value")))})
    assert sorted(Target.objects.values_list("target_value", flat=True)) == [4.0] * 4
    event = AuditEvent.objects.filter(object_type="plan targets").first()
    assert event is not None and event.after == {"imported": "rows.csv", "created": 0, "updated": 4}


def test_template_downloads_read_back(world: dict[str, Any]) -> None:
    c = client(world["users"]["nat_analyst"])
    for fmt in ("csv", "xlsx"):
        response = c.get(f"/monitoring/plans/{world['plan'].pk}/targets-template.{fmt}")
        assert response.status_code == 200
        upload = SimpleUploadedFile(f"t.{fmt}", response.content)
        counts = actions.import_targets(fresh(world["users"]["nat_analyst"]), world["plan"], upload)
        assert counts["created"] + counts["updated"] == 1
    assert c.get(f"/monitoring/plans/{world['plan'].pk}/targets-template.pdf").status_code == 404


def _draft(world: dict[str, Any]) -> Submission:
    return workflow.create_submission(
        world["users"]["reg_analyst"],
        world["form"],
        world["agencies"]["reg3201"],
        period="2026-Q1",
    )


def test_entry_form_and_upload_replace_rows(world: dict[str, Any]) -> None:
    sub = _draft(world)
    c = client(world["users"]["reg_analyst"])
    url = f"/monitoring/submissions/{sub.pk}/"
    post = {"save_rows": "1", "rows": "3", "r0-region_code": "32.01.01"}
    post |= {
        "r0-budget_allocated": "1000",
        "r0-budget_realised": "900",
        "r2-region_code": "32.01.02",
    }
    assert c.post(url, post).status_code == 302
    assert RealisationRow.objects.filter(submission=sub).count() == 2
    bad = pl.DataFrame(ROWS).with_columns(pl.Series("beneficiaries_reached", [-1, 5]))
    response = c.post(url, {"upload_rows": "1", "file": _csv(bad)})
    assert response.status_code == 400
    assert "beneficiaries_reached: 1 of 2 rows are negative (first at row 1)" in (
        response.content.decode()
    )
    assert RealisationRow.objects.filter(submission=sub).count() == 2  # unchanged
    assert c.post(url, {"upload_rows": "1", "file": _csv(pl.DataFrame(ROWS))}).status_code == 302
    stored = RealisationRow.objects.get(submission=sub, region_code="32.01.02")
    assert float(stored.budget_realised or 0) == 1_500_000.0
    assert c.get(url).status_code == 200


def test_nik_is_never_stored_logged_or_exported(world: dict[str, Any], caplog: Any) -> None:
    sub = _draft(world)
    c = client(world["users"]["reg_analyst"])
    url = f"/monitoring/submissions/{sub.pk}/"
    frame = pl.DataFrame(
        {
            "nik": [NIK, "3201011203870005"],
            "region_code": ["32.01.01", "32.01.02"],
            "amount": [600_000.0, 600_000.0],
            "followed_up": ["ya", "tidak"],
        }
    )
    caplog.set_level("DEBUG")
    assert c.post(url, {"upload_beneficiaries": "1", "file": _csv(frame)}).status_code == 302
    records = BeneficiaryRecord.objects.filter(submission=sub)
    assert records.count() == 2 and all(len(r.beneficiary_key) == 64 for r in records)
    # the same NIK gets the same key (a person can be followed across uploads)
    c.post(url, {"upload_beneficiaries": "1", "file": _csv(frame)})
    assert set(records.values_list("beneficiary_key", flat=True)) == set(
        BeneficiaryRecord.objects.values_list("beneficiary_key", flat=True)
    )
    # a bad NIK is counted, never echoed
    bad = frame.with_columns(pl.Series("nik", ["12345", NIK]))
    text = c.post(url, {"upload_beneficiaries": "1", "file": _csv(bad)}).content.decode()
    assert "1 in 2 rows are missing or not 16 digits" in text
    assert "12345" not in text
    # grep every table of the database, the logs and the pages for the NIK
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            assert NIK not in repr(cursor.fetchall()), table
    assert NIK not in caplog.text
    assert NIK not in c.get(url).content.decode()
    template = c.get(f"/monitoring/forms/{world['form'].pk}/template.csv").content.decode()
    assert NIK not in template


def test_personas_on_a_submission(world: dict[str, Any]) -> None:
    sub = _draft(world)
    url = f"/monitoring/submissions/{sub.pk}/"
    users = world["users"]
    for outsider in ("outsider", "other_prov", "reg33_analyst", "partner_analyst"):
        assert client(users[outsider]).get(url).status_code == 404, outsider
    viewer = client(users["reg_viewer"])
    assert viewer.get(url).status_code == 200
    post = {"save_rows": "1", "rows": "1", "r0-region_code": "32.01.01"}
    assert viewer.post(url, post).status_code == 403
    assert client(users["prov_viewer"]).get(url).status_code == 200  # the chain reads
    assert Client().get(url).status_code == 302  # to the login page


def test_inbox_bulk_approval(world: dict[str, Any]) -> None:
    users = world["users"]
    subs = []
    for period in ("2026-Q1", "2026-Q2"):
        sub = workflow.create_submission(
            users["reg_analyst"], world["form"], world["agencies"]["reg3201"], period=period
        )
        workflow.replace_rows(users["reg_analyst"], sub, pl.DataFrame(ROWS), source="t")
        subs.append(workflow.submit(fresh(users["reg_analyst"]), sub))
    province = client(users["prov_manager"])
    page = province.get("/monitoring/inbox/").content.decode()
    assert all(f'value="{s.pk}"' in page for s in subs)
    other_page = client(users["other_prov"]).get("/monitoring/inbox/").content.decode()
    assert 'name="submission"' not in other_page and "Nothing waits" in other_page
    response = province.post("/monitoring/inbox/", {"submission": [s.pk for s in subs]})
    assert response.status_code == 302
    assert list(
        Submission.objects.filter(pk__in=[s.pk for s in subs]).values_list("state", flat=True)
    ) == ["approved", "approved"]
    nat = client(users["nat_manager"])
    assert nat.post("/monitoring/inbox/", {"submission": [subs[0].pk]}).status_code == 302
    assert Submission.objects.get(pk=subs[0].pk).state == "accepted"
    # the catalogue's plan and form pages answer every reader
    for path in (
        f"/monitoring/plans/{world['plan'].pk}/",
        f"/monitoring/forms/{world['form'].pk}/",
        "/monitoring/",
    ):
        assert nat.get(path).status_code == 200
    assert (
        client(users["outsider"]).get(f"/monitoring/plans/{world['plan'].pk}/").status_code == 404
    )


def test_catalogue_entries_from_the_pages(world: dict[str, Any]) -> None:
    """Create a plan and a reporting form, edit an indicator, open a submission: all by page."""
    users, agencies = world["users"], world["agencies"]
    c = client(users["nat_analyst"])
    plan = {"agency": agencies["nat"].pk, "name": "SDG 2030", "start_year": 2030}
    assert c.post("/monitoring/plans/new/", {**plan, "end_year": 2020}).status_code == 400
    assert c.post("/monitoring/plans/new/", {**plan, "end_year": 2030}).status_code == 302
    url = f"/monitoring/indicators/{world['indicator'].pk}/"
    edit = {"edit": "1", "code": "SDG 1.2.1", "name_id": "Kemiskinan", "name_en": "Poverty"}
    edit |= {"polarity": "lower", "source_kind": "survey", "measure_spec": "gini"}
    edit |= {"region_levels": ["national", "province"], "period_type": "annual"}
    assert c.post(url, edit).status_code == 302
    changed = Indicator.objects.get(pk=world["indicator"].pk)
    assert (changed.name_id, changed.measure_spec) == ("Kemiskinan", "gini")
    assert AuditEvent.objects.filter(action="update", object_id=str(changed.pk)).exists()
    assert client(users["prov_manager"]).post(url, edit).status_code == 404  # not shared
    form = {"agency": agencies["nat"].pk, "name": "PKH realisasi", "kind": "realisation"}
    form |= {"period_type": "quarterly", "approval_levels": "regency, national"}
    response = c.post("/monitoring/forms/new/", form)
    assert response.status_code == 302
    created = ReportingForm.objects.get(name="PKH realisasi")
    assert created.approval_levels == ["regency", "national"]
    bad = {**form, "name": "x", "approval_levels": "national, regency"}
    assert c.post("/monitoring/forms/new/", bad).status_code == 400
    created.published = True
    created.save()
    regency = client(users["reg_analyst"])
    new = regency.post(
        f"/monitoring/forms/{created.pk}/submissions/new",
        {"agency": agencies["reg3201"].pk, "period": "2026-Q2"},
    )
    sub = Submission.objects.get(form=created)
    assert new.status_code == 302 and new["Location"] == f"/monitoring/submissions/{sub.pk}/"
    assert regency.get(f"/monitoring/forms/{created.pk}/").status_code == 200
