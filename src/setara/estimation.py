"""The public estimation API: build a design from a frame, estimate measures by domain.

>>> import setara
>>> frame = setara.demo.generate_survey(20_000, seed=1)
>>> design = setara.survey_design(frame, weight="weight", strata="stratum", psu="psu")
>>> res = setara.estimate(frame, design, welfare="expenditure_pc", measures=["gini"])
>>> res.frame["measure"][0]
'gini'
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from setara.comparison import difference_from_national
from setara.design import SurveyDesign
from setara.errors import ColumnNotFoundError, DesignError, InputValueError
from setara.frames import (
    check_finite,
    check_weight_total,
    key_column,
    numeric_column,
    require_rows,
    to_polars,
    weight_column,
)
from setara.intervals import Scale, check_method, scale_of
from setara.kernels.groups import FloatArray, IntArray, factorize
from setara.measures.base import Measure, MeasureData, VariableParts
from setara.measures.registry import parse_spec
from setara.replicates import jackknife, rao_wu_bootstrap, supplied
from setara.results import (
    ReliabilityRule,
    Results,
    psu_counts,
    results_frame,
    with_difference,
)

__all__ = [
    "estimate",
    "psu_counts",
    "results_frame",
    "survey_design",
    "with_replicates",
]

MAX_THREADS = 4  # measures estimated concurrently (bounded: each holds n-sized temporaries)


def column_names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def survey_design(
    data: Any,
    *,
    weight: str | None = None,
    strata: str | Sequence[str] | None = None,
    psu: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    nest: bool = False,
    lonely_psu: str = "fail",
    replicate_weights: str | Sequence[str] | None = None,
    replicate_type: str = "bootstrap",
    replicate_scale: float | None = None,
    replicate_rscales: float | Sequence[float] | None = None,
    mse: bool = False,
    rho: float | None = None,
) -> SurveyDesign:
    """Declare the sample design of ``data`` by column names (R survey's ``svydesign``).

    ``psu`` and ``fpc`` take one column per stage (a list or comma-separated text); ``strata``
    one column, or one per stage. ``fpc`` columns hold population counts, or sampling
    fractions when all values are at most 1. ``replicate_weights`` is a list of columns or a
    glob such as ``"rep*"``: the design then estimates variance from the replicates.
    """
    frame = to_polars(data)
    require_rows(frame)
    names: dict[str, str] = {}
    w = weight_column(frame, weight) if weight else None
    if w is not None and weight is not None:
        check_weight_total(w, weight)
    strata_cols = column_names(strata)
    psu_cols = column_names(psu)
    fpc_cols = column_names(fpc)
    if len(fpc_cols) > max(len(psu_cols), 1):
        raise DesignError(f"{len(fpc_cols)} fpc columns given for {max(len(psu_cols), 1)} stages")
    for s, col in enumerate(psu_cols):
        names[f"psu{s}"] = f"psu column {col!r}"
    for s, col in enumerate(strata_cols):
        names[f"strata{s}"] = f"strata column {col!r}"
    for s, col in enumerate(fpc_cols):
        names[f"fpc{s}"] = col
    design = SurveyDesign.from_arrays(
        weights=w,
        strata=[key_column(frame, c, "strata") for c in strata_cols] or None,
        ids=[key_column(frame, c, "psu") for c in psu_cols] or None,
        fpc=[numeric_column(frame, c, "fpc") for c in fpc_cols] or None,
        n=frame.height,
        nest=nest,
        lonely_psu=lonely_psu,
        names=names,
        strata_labels=[frame.get_column(c) for c in strata_cols] or None,
    )
    if replicate_weights is not None:
        columns = _replicate_columns(frame, replicate_weights)
        matrix = np.column_stack([weight_column(frame, c) for c in columns])
        reps = supplied(
            matrix,
            kind=replicate_type,
            scale=replicate_scale,
            rscales=replicate_rscales,
            mse=mse,
            rho=rho,
        )
        design = design.with_replicates(reps)
    return design


def _replicate_columns(frame: pl.DataFrame, spec: str | Sequence[str]) -> list[str]:
    if isinstance(spec, str):
        patterns = [p.strip() for p in spec.split(",") if p.strip()]
        columns = [c for c in frame.columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
        if not columns:
            raise ColumnNotFoundError(f"no column matches the replicate-weight pattern {spec!r}")
        return columns
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise ColumnNotFoundError(f"replicate-weight columns not in the data: {', '.join(missing)}")
    return list(spec)


def with_replicates(
    design: SurveyDesign,
    kind: str = "bootstrap",
    *,
    replicates: int = 200,
    rng: np.random.Generator | None = None,
    mse: bool = False,
) -> SurveyDesign:
    """Create replicate weights from a design: ``jk1``, ``jkn`` or Rao–Wu ``bootstrap``."""
    first = design.stages[0]
    kind = kind.lower()
    if kind == "bootstrap":
        reps = rao_wu_bootstrap(
            first.unit,
            first.unit_stratum,
            replicates,
            rng=rng if rng is not None else np.random.default_rng(),
            mse=mse,
        )
    elif kind in ("jk1", "jkn"):
        if first.unit_stratum.size > 5000:
            raise DesignError(
                f"{kind} creates one replicate per PSU; {first.unit_stratum.size:,} PSUs is too "
                "many, use the bootstrap"
            )
        reps = jackknife(
            first.unit,
            first.unit_stratum,
            first.fraction,
            stratified=kind == "jkn",
            mse=mse,
            sampled=design.sampled_psus,
        )
    else:
        raise DesignError(f"replicates can be created as jk1, jkn or bootstrap, not {kind!r}")
    return design.with_replicates(reps)


def domain_codes(frame: pl.DataFrame, by: list[str]) -> tuple[IntArray, int, pl.DataFrame]:
    if not by:
        return np.zeros(frame.height, dtype=np.int64), 1, pl.DataFrame()
    keys = [key_column(frame, c, "by") for c in by]
    codes, n_domains = factorize(*keys)
    first = np.full(n_domains, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(frame.height)[::-1]
    labels = frame.select(by)[first]
    return codes, n_domains, labels


def estimate(
    data: Any,
    design: SurveyDesign,
    *,
    welfare: str,
    measures: Sequence[str | Measure] | str,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    reliability: ReliabilityRule | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    overall: bool = False,
    ci_method: str = "logit",
) -> Results:
    """Estimate ``measures`` of ``welfare`` for the population and every ``by`` domain.

    Rows with missing welfare are left out of every domain (the design is kept whole, as in
    domain estimation) and counted in ``Results.notes``; so are non-positive values for the
    measures that need positive welfare (Atkinson, GE, Watts, as R convey).
    ``overall=True`` with ``by`` also returns the whole population (``by`` columns null)
    first, sharing the sorting and quantiles of the domain estimates, and gives every domain
    row its difference from the national figure with the SE of the difference
    (:mod:`setara.comparison`) and a flag: significantly ``above``, ``below`` or
    ``not different``.

    ``ci_method`` (``logit`` default, ``beta``, ``wald``) is the interval for measures with a
    range (proportions, FGT, shares, Gini, concentration index; :mod:`setara.intervals`);
    unbounded measures always get ``estimate ± t se``. ``reliability`` is the flag rule (BPS
    RSE categories with the NCHS interval checks by default; :mod:`setara.reliability`).
    """
    frame = checked_frame(data, design, level)
    method = check_method(ci_method)
    rule = reliability or ReliabilityRule()
    specs = [measures] if isinstance(measures, str) else list(measures)
    parsed: list[Measure] = []
    for spec in specs:
        parsed.extend(parse_spec(spec) if isinstance(spec, str) else [spec])
    y = numeric_column(frame, welfare, "welfare")
    check_finite(y, welfare, "welfare")
    by_cols = column_names(by)
    domain, n_domains, labels = domain_codes(frame, by_cols)
    valid = ~np.isnan(y)
    notes: list[str] = []
    if (~valid).any():
        notes.append(
            f"welfare column {welfare!r}: {int((~valid).sum()):,} rows with missing values left "
            "out of every estimate"
        )
    jobs: list[_Job] = []
    overall_labels = pl.DataFrame([pl.Series(c, [None], dtype=labels.schema[c]) for c in by_cols])
    views: dict[bytes, _Rows] = {}
    for measure in parsed:
        keep = valid.copy()
        if measure.positive_only:
            nonpositive = valid & (y <= 0)
            if nonpositive.any():
                notes.append(
                    f"{measure.name}: {int(nonpositive.sum()):,} rows with zero or negative "
                    f"{welfare!r} treated as outside the domain"
                )
                keep &= ~nonpositive
        extra = _extra_columns(frame, measure)
        for name, values in extra.items():
            bad = keep & np.isnan(values)
            if bad.any():
                notes.append(
                    f"{measure.name}: {int(bad.sum()):,} rows with missing {name} left out"
                )
                keep &= ~bad
        rows = _rows_for(views, keep, y, domain)
        dom = rows.domain
        line = getattr(measure, "line", None)
        own = line is not None and getattr(line, "scope", "") == "domain"
        data_view = MeasureData(
            y=rows.y,
            weights=design.weights,
            domain=dom,
            n_domains=n_domains,
            population=dom if own else rows.population,
            n_population=n_domains if own else 1,
            extra=extra,
            memo=rows.memo,
        )
        whole = None
        if overall and by_cols:
            # the whole population shares the sorted layout and quantiles that relative
            # poverty lines already computed for the domains
            whole = MeasureData(
                y=rows.y,
                weights=design.weights,
                domain=rows.population,
                n_domains=1,
                population=rows.population,
                n_population=1,
                extra=extra,
                memo={"value_order": data_view.order} if own else data_view.population_memo(),
            )
        kind = measure.value_range()
        values = extra.get("outcome", y) if kind == "signed_unit" else y
        scale = scale_of(kind, values, keep)
        jobs.append(_Job(measure, data_view, labels, whole, overall_labels, scale))
        design.cells(data_view.domain, data_view.n_domains)  # shared: build before threads
        if whole is not None:
            design.cells(whole.domain, 1)
    steps = sum(2 if job.whole is not None else 1 for job in jobs)
    done: list[int] = []

    def report(measure: Measure, scope: str) -> None:
        if progress is not None:
            done.append(1)
            label = f"{measure.name} {measure.params()}".strip()
            progress(len(done), steps, f"{label} ({scope})" if overall and by_cols else label)

    def run_job(job: _Job) -> tuple[pl.DataFrame | None, pl.DataFrame]:
        options = _Options(level, rule, method)
        if job.whole is None:
            report(job.measure, "domains")
            return None, _run(job.measure, design, job.view, job.labels, options, job.scale)[0]
        report(job.measure, "population")
        national, nat_parts = _run(
            job.measure, design, job.whole, job.whole_labels, options, job.scale
        )
        report(job.measure, "domains")
        domains, dom_parts = _run(job.measure, design, job.view, job.labels, options, job.scale)
        diff, diff_se = difference_from_national(
            design, job.view.domain, n_domains, job.whole.domain, dom_parts, nat_parts
        )
        t = design.t_quantile(level, design.domain_degf(job.view.domain, n_domains))
        return national, with_difference(domains, diff, diff_se, t)

    # measures run concurrently: NumPy releases the GIL in the heavy kernels, and measures
    # over the same rows share sorted layouts and quantiles through their memo
    workers = min(MAX_THREADS, os.cpu_count() or 1, len(jobs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pairs = list(pool.map(run_job, jobs))
    ordered = [first for first, _ in pairs if first is not None]
    ordered += [second for _, second in pairs]
    return Results(pl.concat(ordered, how="vertical_relaxed"), tuple(by_cols), level, notes)


@dataclass(frozen=True)
class _Job:
    """One measure: its domain view and, with ``overall``, the whole-population view."""

    measure: Measure
    view: MeasureData
    labels: pl.DataFrame
    whole: MeasureData | None
    whole_labels: pl.DataFrame
    scale: Scale | None


@dataclass(frozen=True)
class _Options:
    level: float
    rule: ReliabilityRule
    ci_method: str


def _run(
    measure: Measure,
    design: SurveyDesign,
    view: MeasureData,
    labels: pl.DataFrame,
    options: _Options,
    scale: Scale | None,
) -> tuple[pl.DataFrame, tuple[FloatArray, FloatArray, VariableParts]]:
    """One measure on one view: its results rows and what its variance came from."""
    parts = measure.estimate_parts(design, view)
    frame = results_frame(
        measure.name,
        measure.params(),
        labels,
        parts[0],
        parts[1],
        design,
        view.domain,
        view.n_domains,
        level=options.level,
        rule=options.rule,
        n_obs=view.n_obs,
        ci_method=options.ci_method,
        scale=scale,
    )
    return frame, parts


def checked_frame(data: Any, design: SurveyDesign, level: float) -> pl.DataFrame:
    """The data as a Polars frame, checked against the design and the confidence level."""
    frame = to_polars(data)
    if frame.height != design.n:
        raise InputValueError(f"the data has {frame.height:,} rows but the design {design.n:,}")
    if not 0.5 <= level < 1.0:
        raise InputValueError(f"confidence level must be between 0.5 and 1, not {level}")
    return frame


@dataclass
class _Rows:
    """The rows one or more measures use: welfare, domain and population codes, and the
    sorted layouts they share, so measures over the same rows sort once."""

    y: np.ndarray
    domain: IntArray
    population: IntArray
    memo: dict[object, Any]


def _rows_for(
    views: dict[bytes, _Rows], keep: np.ndarray, y: np.ndarray, domain: IntArray
) -> _Rows:
    key = hashlib.blake2b(np.packbits(keep).tobytes(), digest_size=16).digest()
    rows = views.get(key)
    if rows is None:
        rows = _Rows(
            y=np.where(keep, y, 0.0),
            domain=np.where(keep, domain, -1),
            population=np.where(keep, 0, -1),
            memo={},
        )
        views[key] = rows
    return rows


def _extra_columns(frame: pl.DataFrame, measure: Measure) -> dict[str, np.ndarray]:
    """Read the other columns a measure needs (a poverty-line column, a denominator, ...)."""
    extra: dict[str, np.ndarray] = {}
    for key, column in measure.extra_columns().items():
        if not column:
            raise InputValueError(f"{measure.name} needs a column for {key}")
        values = numeric_column(frame, column, f"{measure.name} {key}")
        if key == "line" and (values[~np.isnan(values)] <= 0).any():
            raise InputValueError(
                f"poverty line column {column!r} has "
                f"{int((values <= 0).sum()):,} zero or negative values"
            )
        extra[key] = values
    return extra
