"""The pieces of the monitoring demo (``manage.py seed_monitoring``; see its docstring)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from agencies import actions as agency_actions
from agencies.models import Agency, AgencyKind, Membership, Role
from audit.actions import record
from audit.models import Action
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from monitoring import actions, derive
from monitoring.models import (
    Indicator,
    IndicatorValue,
    Plan,
    RealisationRow,
    Submission,
    SubmissionEvent,
)

ROUNDS_DATASET = "Survei rumah tangga sintetis, putaran 2024 dan 2025 (demo)"
DEMO_PASSWORD = "setara-demo-2026"
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu"}
BATCH = 5_000
# code, name_id, name_en, unit, polarity, measure, derived column, target change 2024->2029
SURVEY = [
    ("SDG 1.2.1", "Tingkat kemiskinan (P0)", "Poverty rate (P0)", "%", "lower",
     "fgt:alpha=0,line=@poverty_line", "expenditure_pc", 100, -0.30),
    ("SDG 1.2.1-P1", "Indeks kedalaman kemiskinan (P1)", "Poverty gap index (P1)", "", "lower",
     "fgt:alpha=1,line=@poverty_line", "expenditure_pc", 100, -0.30),
    ("SDG 10.1.1-G", "Rasio Gini", "Gini ratio", "", "lower", "gini", "expenditure_pc", 1,
     -0.05),
    ("SDG 4.1-APS", "Angka partisipasi sekolah 7–18 tahun", "School participation, ages 7-18",
     "%", "higher", "mean", "in_school", 100, 0.5),
    ("SDG 3.8-JKN", "Cakupan kepesertaan JKN", "JKN health insurance coverage", "%", "higher",
     "mean", "insured", 100, 0.6),
    ("RPJMN-KES-UNMET", "Kebutuhan kesehatan tidak terpenuhi", "Unmet health need", "%", "lower",
     "mean", "unmet_need", 100, -0.30),
    ("RPJMN-TPT", "Tidak bekerja usia 15–64 (ilustrasi TPT)",
     "Not employed, ages 15-64 (stand-in for open unemployment)", "%", "lower", "mean",
     "not_employed", 100, -0.10),
]  # fmt: skip
PROGRAMMES = [("pkh", "PKH"), ("sembako", "Sembako"), ("pip", "PIP")]


def regional_agencies() -> dict[str, Agency]:
    """A Bappeda for every province and regency (existing ones kept), by kode wilayah."""
    from monitoring.dashboard import region_names

    have = {a.region_code: a for a in Agency.objects.exclude(region_code="")}
    new = [
        Agency(
            slug=f"bappeda-{code.replace('.', '')}",
            name=f"Bappeda {name}",
            kind=AgencyKind.REGIONAL,
            region_code=code,
        )
        for code, name in region_names().items()
        if code not in have
    ]
    with transaction.atomic():
        Agency.objects.bulk_create(new, batch_size=BATCH)
        record(Action.CREATE, object_type="agencies", after={"regional agencies": len(new)})
    return {a.region_code: a for a in Agency.objects.exclude(region_code="")}


def demo_users(agencies: dict[str, Agency]) -> None:
    """``analis.bandung`` (analyst, Kabupaten Bandung) and ``manajer.jabar`` (manager, Jawa
    Barat) for the walkthrough."""
    for username, code, role in (
        ("analis.bandung", "32.04", Role.ANALYST),
        ("manajer.jabar", "32", Role.MANAGER),
    ):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = agency_actions.create_user(
                None, username=username, password=DEMO_PASSWORD, language="id"
            )
        if not Membership.objects.filter(user=user, agency=agencies[code]).exists():
            agency_actions.add_member(None, agencies[code], user, role)


def _manager() -> Any:
    return get_user_model().objects.get(username="manajer.bappenas")


def catalogue(analyst: Any, bappenas: Agency) -> dict[str, Indicator]:
    """The survey and realisation indicators, published."""
    made: dict[str, Indicator] = {}
    for code, name_id, name_en, unit, polarity, measure, column, _scale, _change in SURVEY:
        made[code] = actions.create_indicator(
            analyst, bappenas, code=code, name_id=name_id, name_en=name_en, unit=unit,
            polarity=polarity, source_kind="survey", measure_spec=measure,
            welfare_column=column, region_levels=["national", "province", "regency"],
            period_type="annual", definition=f"{measure} of {column}, synthetic survey (demo)",
        )  # fmt: skip
    for key, name in PROGRAMMES:
        for suffix, what_id, what_en in (
            ("BUDGET", "realisasi anggaran", "budget realisation"),
            ("REACH", "penerima terjangkau", "beneficiaries reached"),
        ):
            code = f"PROG-{key.upper()}-{suffix}"
            made[code] = actions.create_indicator(
                analyst, bappenas, code=code, name_id=f"{name}: {what_id}",
                name_en=f"{name}: {what_en}", unit="%", polarity="higher",
                source_kind="administrative",
                region_levels=["national", "province", "regency"], period_type="quarterly",
                definition=f"{what_en} of the quarter's plan (ratio of sums of the approved "
                "rows of the regency, province or nation)",
            )  # fmt: skip
    manager = _manager()
    for indicator in made.values():
        agency_actions.publish(manager, indicator, True)
    return made


def survey_rounds(persons: int, seed: int) -> dict[int, pl.DataFrame]:
    from setara.demo_rounds import generate_round

    return {year: generate_round(persons, year=year, seed=seed) for year in (2024, 2025)}


def _derived(frame: pl.DataFrame) -> pl.DataFrame:
    """0/1 columns with nulls outside their population (domain estimation keeps the design)."""
    age = pl.col("age")
    return frame.with_columns(
        pl.when(age.is_between(7, 18)).then(pl.col("enrolled").cast(pl.Float64)).alias("in_school"),
        pl.col("health_insurance").cast(pl.Float64).alias("insured"),
        pl.when(pl.col("health_complaint"))
        .then((~pl.col("outpatient_visit")).cast(pl.Float64))
        .alias("unmet_need"),
        pl.when(age.is_between(15, 64))
        .then((~pl.col("employed")).cast(pl.Float64))
        .alias("not_employed"),
    )


def survey_values(
    rounds: dict[int, pl.DataFrame], indicators: dict[str, Indicator]
) -> pl.DataFrame:
    """Engine estimates of every survey indicator, nation, provinces and regencies, both
    rounds, stored as indicator values (no submission: estimates, not reports)."""
    import setara

    parts = []
    for year, raw in rounds.items():
        frame = _derived(raw)
        design = setara.survey_design(frame, **DESIGN, lonely_psu="adjust")
        for code, *_names, measure, column, scale, _change in SURVEY:
            for by, level in ((None, "national"), ("province_code", "p"), ("regency_code", "r")):
                res = setara.estimate(frame, design, welfare=column, measures=[measure], by=by)
                tidy = res.frame if by else res.frame.with_columns(pl.lit("").alias("region"))
                region = pl.col(by) if by else pl.col("region")
                parts.append(
                    tidy.select(
                        pl.lit(code).alias("code"),
                        region.alias("region_code"),
                        pl.lit(str(year)).alias("period"),
                        *(pl.col(c) * scale for c in ("estimate", "se", "ci_low", "ci_high")),
                        pl.col("rse"),
                        pl.col("n").cast(pl.Int64),
                    )
                )
                del level
    values = pl.concat(parts).rename({"estimate": "value"})
    objects = [
        IndicatorValue(indicator_id=indicators[r.pop("code")].pk, **r)
        for r in values.filter(pl.col("value").is_not_null()).to_dicts()
    ]
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(objects, batch_size=BATCH)
    return values


def plan_with_targets(
    analyst: Any, bappenas: Agency, name: str, indicators: dict[str, Indicator],
    estimates: pl.DataFrame,
) -> Plan:  # fmt: skip
    """The plan, and targets 2025-2029 for the nation, provinces and regencies imported from a
    CSV like a user's: from each region's 2024 estimate, a straight path to the 2029 target;
    poverty's targets are ranges (± 5 % of the point)."""
    plan = actions.create_plan(
        analyst, bappenas, name=name, start_year=2025, end_year=2029,
        document_title="Shaped like the RPJMN 2025–2029; values illustrative, derived from the "
        "synthetic 2024 round (not the published targets)",
    )  # fmt: skip
    change = {code: c for code, *_rest, c in SURVEY}
    base = estimates.filter(pl.col("period") == "2024", pl.col("value").is_not_null())
    rows = []
    for r in base.to_dicts():
        step = change[r["code"]]
        for year in range(2025, 2030):
            share = (year - 2024) / 5
            if step < 0:
                target = r["value"] * (1 + step * share)
            else:
                full = 100.0 if r["value"] <= 100 else r["value"]
                target = r["value"] + (full - r["value"]) * step * share
            ranged = r["code"] == "SDG 1.2.1"
            rows.append({
                "indicator_code": r["code"], "region_code": r["region_code"], "year": year,
                "baseline_value": r["value"], "baseline_year": 2024,
                "target_value": None if ranged else round(target, 4),
                "target_low": round(target * 0.95, 4) if ranged else None,
                "target_high": round(target * 1.05, 4) if ranged else None,
                "source_note": "illustrative",
            })  # fmt: skip
    for code in (c for c in indicators if c.startswith("PROG-")):
        for year in range(2025, 2030):
            rows.append({"indicator_code": code, "region_code": "", "year": year,
                         "target_value": 95.0, "source_note": "illustrative"})  # fmt: skip
    buffer = io.BytesIO()
    pl.DataFrame(rows, infer_schema_length=None).write_csv(buffer)
    actions.import_targets(analyst, plan, SimpleUploadedFile("targets.csv", buffer.getvalue()))
    agency_actions.publish(_manager(), plan, True)
    return plan


def _forms(analyst: Any, bappenas: Agency, indicators: dict[str, Indicator]) -> list[Any]:
    from programmes.models import Programme

    forms = []
    for key, name in PROGRAMMES:
        programme = Programme.objects.filter(name=f"{name} (demo)", owner=bappenas).first()
        form = actions.create_form(
            analyst, bappenas, name=f"Realisasi {name} (demo)", kind="realisation",
            period_type="quarterly", approval_levels=["regency", "province", "national"],
            programme=programme, programme_name="" if programme else name,
            indicators=[indicators[f"PROG-{key.upper()}-{s}"] for s in ("BUDGET", "REACH")],
        )  # fmt: skip
        agency_actions.publish(_manager(), form, True)
        for suffix, formula in (
            ("BUDGET", "budget_realisation"),
            ("REACH", "beneficiary_coverage"),
        ):
            indicator = indicators[f"PROG-{key.upper()}-{suffix}"]
            actions.update_indicator(analyst, indicator, source_form=form, formula=formula)
        forms.append((key, form))
    return forms


def _q3_state(key: str, code: str, rng: np.random.Generator) -> str:
    """Jawa Barat waits for its province; a few regencies are drafts; one is returned."""
    if (key, code) == ("pkh", "53.01"):
        return "returned"
    if code.startswith("32."):
        return "submitted"
    return str(rng.choice(["accepted", "approved", "submitted", "draft"], p=[0.5, 0.25, 0.2, 0.05]))


def realisation(
    analyst: Any, bappenas: Agency, indicators: dict[str, Indicator],
    agencies: dict[str, Agency], rng: np.random.Generator,
) -> dict[str, int]:  # fmt: skip
    """Quarterly submissions 2025-Q1..Q3 of every regency for every form, with rows and trail
    entries; the forms' derived indicators then get their values from the approved rows
    (regency, province and nation; see the module docstring of the command)."""
    forms = _forms(analyst, bappenas, indicators)
    regencies = sorted(c for c in agencies if len(c) == 5)
    outliers = {("pkh", "33.01"), ("pkh", "35.07"), ("sembako", "52.02"), ("pip", "61.03")}
    now = timezone.now()
    subs, rows, events = [], [], []
    for key, form in forms:
        for quarter in ("2025-Q1", "2025-Q2", "2025-Q3"):
            for code in regencies:
                state = "accepted" if quarter != "2025-Q3" else _q3_state(key, code, rng)
                approvals = {"approved": 1, "accepted": 2}.get(state, 0)
                subs.append(Submission(
                    form=form, agency=agencies[code], region_code=code, period=quarter,
                    state=state, approvals=approvals, locked=approvals > 0,
                    submitted_at=None if state == "draft" else now,
                    approved_at=now if approvals else None,
                    accepted_at=now if approvals == 2 else None,
                    justification="",
                ))  # fmt: skip
    with transaction.atomic():
        made = Submission.objects.bulk_create(subs, batch_size=BATCH)
        keys = {form.pk: key for key, form in forms}
        for sub in made:
            key = keys[sub.form_id]
            allocated = float(rng.integers(20, 400)) * 10_000_000
            planned = int(rng.integers(500, 20_000))
            spent = min(1.0, rng.normal(0.9, 0.05))
            reached = min(1.0, rng.normal(0.92, 0.04))
            if sub.period == "2025-Q3" and (key, sub.region_code) in outliers:
                spent, reached = 1.6, 0.25  # far from the regency's Q1 and Q2
            rows.append(RealisationRow(
                submission=sub, region_code=sub.region_code,
                budget_allocated=Decimal(f"{allocated:.2f}"),
                budget_realised=Decimal(f"{allocated * spent:.2f}"),
                beneficiaries_planned=planned, beneficiaries_reached=round(planned * reached),
            ))  # fmt: skip
            steps = ["create"] + (["submit"] if sub.state != "draft" else [])
            steps += ["approve", "accept"][: sub.approvals]
            steps += ["submit", "return"] if sub.state == "returned" else []
            for step in steps:
                comment = (
                    "Realisasi anggaran melebihi pagu? Periksa kembali dan lampirkan SP2D."
                    if step == "return"
                    else ""
                )
                events.append(SubmissionEvent(
                    submission=sub, step=step, actor_name="seed_monitoring",
                    agency=sub.agency if step in ("create", "submit") else None,
                    comment=comment,
                ))  # fmt: skip
        RealisationRow.objects.bulk_create(rows, batch_size=BATCH)
        SubmissionEvent.objects.bulk_create(events, batch_size=BATCH)
        # the indicator values come from the approved rows, as after a user's approval
        derived = sum(derive.rebuild(form.pk) for _key, form in forms)
        record(
            Action.CREATE,
            actor=analyst,
            agency_id=bappenas.pk,
            object_type="demo submissions",
            after={"submissions": len(made), "rows": len(rows), "values": derived},
        )
    return {"submissions": len(made), "outliers": len(outliers)}
