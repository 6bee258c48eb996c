"""Stata and SPSS uploads with value labels; agency boundary uploads drive the regency map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pyreadstat
from analyses.models import Boundary
from datasets.models import Dataset
from django.core.files.uploadedfile import SimpleUploadedFile


def _labelled(frame: pl.DataFrame) -> tuple[Any, dict[str, dict[float, str]]]:
    """Susenas-style numeric codes with value labels, as BPS files carry them."""
    pdf = frame.select(
        "hh_id",
        "weight",
        "stratum",
        "psu",
        "expenditure_pc",
        "poverty_line",
        "province_code",
        pl.col("urban").cast(pl.Int64).replace({1: 1, 0: 2}).alias("klasifikasi"),
        (pl.col("sex") == "female").cast(pl.Int64).add(1).alias("jk"),
    ).to_pandas()
    labels = {
        "klasifikasi": {1.0: "Perkotaan", 2.0: "Perdesaan"},
        "jk": {1.0: "Laki-laki", 2.0: "Perempuan"},
    }
    return pdf, labels


def test_stata_and_spss_with_value_labels(
    world: dict[str, Any], as_persona: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    frame = pl.read_parquet(world["version"].path).head(10_000)
    pdf, labels = _labelled(frame)
    client = as_persona("analyst")
    for suffix, writer in ((".sav", pyreadstat.write_sav), (".dta", pyreadstat.write_dta)):
        path = tmp_path / f"susenas{suffix}"
        writer(pdf, str(path), variable_value_labels=labels)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/datasets/upload/",
                {
                    "file": SimpleUploadedFile(path.name, path.read_bytes()),
                    "name": f"labelled{suffix}",
                    "agency": world["agencies"]["alpha"].pk,
                },
            )
        assert response.status_code == 302, response.content[:500]
        version = Dataset.objects.get(name=f"labelled{suffix}").versions.get()
        assert version.file_format == ("spss" if suffix == ".sav" else "stata")
        assert version.mapping["urban"] == "klasifikasi"  # from the name
        assert version.mapping["sex"] == "jk"
        examples = {c["name"]: c["examples"] for c in version.columns}
        assert set(examples["klasifikasi"]) == {"Perkotaan", "Perdesaan"}  # labels applied
        client.post(f"/datasets/{version.dataset_id}/v1/", version.mapping)
        version.refresh_from_db()
        assert version.status == "valid", version.validation


def _square(x: float, y: float) -> list[list[list[float]]]:
    return [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]


def test_regency_boundaries_make_a_regency_map(world: dict[str, Any], as_persona: Any) -> None:
    analysis = world["analysis"]
    rows = analysis.result["breakdowns"]["regency"]
    codes = sorted({r["group"] for r in rows})[:3]
    features = [
        {
            "type": "Feature",
            "properties": {"kode": code.replace(".", "")},
            "geometry": {"type": "Polygon", "coordinates": _square(100 + i, -2)},
        }
        for i, code in enumerate(codes)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    client = as_persona("analyst")
    page = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "No regency boundaries were uploaded" in page
    response = client.post(
        "/boundaries/",
        {
            "file": SimpleUploadedFile("kab.geojson", body),
            "name": "Test regencies",
            "agency": world["agencies"]["alpha"].pk,
        },
    )
    assert response.status_code == 302
    boundary = Boundary.objects.get(name="Test regencies")
    assert boundary.level == "regency" and boundary.n_features == 3
    from django.core.cache import cache

    cache.clear()
    page = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "No regency boundaries were uploaded" not in page
    assert page.count("<path") > 3


def test_bad_boundary_file_is_explained(world: dict[str, Any], as_persona: Any) -> None:
    body = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"kode": "9999"},
                    "geometry": {"type": "Polygon", "coordinates": _square(100, -2)},
                }
            ],
        }
    ).encode()
    response = as_persona("analyst").post(
        "/boundaries/",
        {
            "file": SimpleUploadedFile("bad.geojson", body),
            "name": "Bad",
            "agency": world["agencies"]["alpha"].pk,
        },
    )
    assert response.status_code == 400
    assert "kode" in response.content.decode()
    assert not Boundary.objects.filter(name="Bad").exists()
