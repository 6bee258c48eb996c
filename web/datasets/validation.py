"""The validation report of a mapped survey, built from the engine's own checks (no Django).

Each check gives a status ``ok``, ``warning`` or ``error``, the column, a message and a count;
a version with any error cannot be accepted. The design check runs ``setara.survey_design`` on
the mapped roles, so the web platform rejects exactly what the engine would reject.
"""

from __future__ import annotations

from typing import Any

import polars as pl

import setara
from datasets.labels import apply_labels
from datasets.mapping import REQUIRED, ROLE_BY_KEY
from setara import regions
from setara.errors import LonelyPSUError
from setara.regions import read_provinces, read_regencies

YES = {"1", "true", "ya", "yes", "y", "t"}
NO = {"0", "false", "tidak", "no", "n", "f"}


def _check(status: str, role: str, column: str, message: str, count: int = 0) -> dict[str, Any]:
    return {"status": status, "role": role, "column": column, "message": message, "count": count}


def _numeric(frame: pl.DataFrame, role: str, column: str, out: list[dict[str, Any]]) -> None:
    series = frame[column]
    if not series.dtype.is_numeric():
        out.append(_check("error", role, column, f"{column!r} is {series.dtype}, not numeric"))
        return
    if series.dtype.is_float() and (infinite := int(series.is_infinite().sum())):
        out.append(
            _check(
                "error",
                role,
                column,
                f"{column!r} has {infinite:,} infinite values (inf or -inf) in "
                f"{frame.height:,} rows",
                infinite,
            )
        )
    missing = series.null_count() + (series.is_nan().sum() if series.dtype.is_float() else 0)
    if missing:
        out.append(
            _check(
                "warning",
                role,
                column,
                f"{column!r} has {missing:,} missing values in {frame.height:,} rows",
                int(missing),
            )
        )
    if role in ("welfare", "poverty_line"):
        bad = int((series <= 0).sum())
        if bad:
            out.append(
                _check(
                    "warning",
                    role,
                    column,
                    f"{column!r} has {bad:,} non-positive values in {frame.height:,} "
                    "rows (left out of measures that need positive welfare)",
                    bad,
                )
            )
    if role == "age":
        bad = int(((series < 0) | (series > 130)).sum())
        if bad:
            out.append(
                _check(
                    "error",
                    role,
                    column,
                    f"age column {column!r} has {bad:,} values outside 0-130",
                    bad,
                )
            )


def to_binary(series: pl.Series) -> pl.Series:
    """0/1 (as Float64, nulls kept) from booleans, numbers or yes/no words."""
    if series.dtype == pl.Boolean:
        return series.cast(pl.Float64)
    if series.dtype.is_numeric():
        return series.cast(pl.Float64)
    words = series.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.select(
        pl.when(words.is_in(list(YES)))
        .then(1.0)
        .when(words.is_in(list(NO)))
        .then(0.0)
        .otherwise(None)
    ).to_series()


def _binary(frame: pl.DataFrame, role: str, column: str, out: list[dict[str, Any]]) -> None:
    series = frame[column]
    if role == "urban" and series.dtype == pl.String:
        return  # labelled urban/rural values are used as group labels
    values = to_binary(series)
    unreadable = int(values.null_count() - series.null_count())
    if unreadable:
        out.append(
            _check(
                "error",
                role,
                column,
                f"{column!r} has {unreadable:,} values that are not yes/no or 0/1",
                unreadable,
            )
        )
        return
    others = int(values.drop_nulls().is_in([0.0, 1.0]).not_().sum())
    if others:
        out.append(
            _check(
                "error",
                role,
                column,
                f"{column!r} has {others:,} values other than 0 and 1",
                others,
            )
        )


def _codes(frame: pl.DataFrame, role: str, column: str, out: list[dict[str, Any]]) -> None:
    official = read_provinces() if role == "province_code" else read_regencies()
    codes = normalise_codes(frame[column], role)
    unknown = codes.drop_nulls().filter(~codes.drop_nulls().is_in(official["code"].to_list()))
    if unknown.len():
        examples = ", ".join(repr(v) for v in unknown.unique().sort().head(5).to_list())
        out.append(
            _check(
                "error",
                role,
                column,
                f"{column!r} has {unknown.len():,} rows with codes that are not "
                f"official kode wilayah (e.g. {examples})",
                unknown.len(),
            )
        )
    if codes.null_count():
        out.append(
            _check(
                "warning",
                role,
                column,
                f"{column!r} has {codes.null_count():,} missing codes",
                codes.null_count(),
            )
        )


def normalise_codes(series: pl.Series, role: str) -> pl.Series:
    """The mapped ``province_code`` or ``regency_code`` column in official form."""
    return regions.normalise_codes(series, "province" if role == "province_code" else "regency")


def validate(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    labels: dict[str, dict[str, str]] | None = None,
    *,
    lonely_psu: str = "fail",
) -> list[dict[str, Any]]:
    """Every check of the mapped frame (coded columns read through their code tables, as the
    analyses read them), errors first.

    ``lonely_psu`` is the policy chosen for strata with a single PSU; with ``"fail"`` such
    strata are an error that names them and the options.
    """
    out: list[dict[str, Any]] = []
    if frame.height == 0:
        return [_check("error", "", "", "the file has no rows")]
    frame = _recoded(frame, mapping, labels or {}, out)
    dims = [dim for dim, roles in REQUIRED.items() if all(r in mapping for r in roles)]
    if not dims:
        needs = "; ".join(f"{d}: {', '.join(r)}" for d, r in REQUIRED.items())
        out.append(_check("error", "", "", f"map the roles of at least one analysis ({needs})"))
    for role, column in mapping.items():
        kind = ROLE_BY_KEY[role].kind
        if kind == "numeric" and role != "fpc":
            _numeric(frame, role, column, out)
        elif kind == "binary":
            _binary(frame, role, column, out)
        elif kind == "code":
            _codes(frame, role, column, out)
    if "weight" in mapping:
        try:
            setara.survey_design(
                frame,
                weight=mapping["weight"],
                strata=mapping.get("strata"),
                psu=mapping.get("psu"),
                fpc=mapping.get("fpc"),
                lonely_psu=lonely_psu,
            )
            design = f"weights {mapping['weight']!r}"
            if "strata" in mapping:
                design += f", {frame[mapping['strata']].n_unique():,} strata"
            if "psu" in mapping:
                design += f", {frame[mapping['psu']].n_unique():,} PSUs"
            out.append(_check("ok", "design", mapping["weight"], f"design accepted: {design}"))
        except LonelyPSUError as exc:
            message = str(exc).split("; choose")[0]
            out.append(
                _check(
                    "error",
                    "lonely_psu",
                    mapping.get("psu", ""),
                    f"{message}; choose what to do with them under 'Strata with one PSU' "
                    "(remove, certainty, adjust or average)",
                )
            )
        except setara.SetaraError as exc:
            out.append(_check("error", "design", mapping["weight"], str(exc)))
    if "psu" not in mapping:
        out.append(
            _check(
                "warning",
                "psu",
                "",
                "no PSU mapped: standard errors assume each "
                "row was sampled independently, which understates them for a "
                "clustered survey",
            )
        )
    out.append(
        _check(
            "ok",
            "",
            "",
            f"{frame.height:,} rows, {frame.width:,} columns; "
            f"analyses possible: {', '.join(dims) or 'none'}",
        )
    )
    order = {"error": 0, "warning": 1, "ok": 2}
    return sorted(out, key=lambda c: order[c["status"]])


def _recoded(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    labels: dict[str, dict[str, str]],
    out: list[dict[str, Any]],
) -> pl.DataFrame:
    frame, unknown = apply_labels(frame, mapping, labels)
    for role, (count, examples) in unknown.items():
        column = mapping[role]
        shown = ", ".join(repr(v) for v in examples)
        out.append(
            _check(
                "warning",
                role,
                column,
                f"{column!r} has {count:,} rows with codes not in its code table (e.g. {shown}); "
                "they count as missing",
                count,
            )
        )
    return frame


def has_errors(report: list[dict[str, Any]]) -> bool:
    return any(check["status"] == "error" for check in report)
