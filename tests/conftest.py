"""Shared fixtures: reference data sets copied from R packages (see tests/data/*.md)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def eusilc() -> pl.DataFrame:
    return pl.read_csv(DATA / "eusilc.csv")


@pytest.fixture(scope="session")
def eusilc_with_replicates(eusilc: pl.DataFrame) -> pl.DataFrame:
    reps = pl.read_csv(DATA / "eusilc_bootstrap_weights.csv")
    return eusilc.join(reps, on="rb030", how="left", maintain_order="left")


def read_api(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / f"{name}.csv", null_values=["NA", ""], infer_schema_length=None)
