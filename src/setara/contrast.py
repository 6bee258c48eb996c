"""Linearized estimates and the variance of their linear combinations on one design.

:func:`linearize` estimates measures by domain like :func:`setara.estimate` and keeps what
each variance came from: the weighted influence value of every row (its own domain only), the
population-level term shared by every domain (a linearized relative poverty line) or the
replicate estimates. :func:`combination_variance` gives the variance of any sum of such terms
on a design that holds their rows, e.g. the change of a measure between two survey rounds
stacked on their common PSUs, or a growth rate by the delta method.

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, sec. 3.5 (``svycontrast``).
Deville, J.-C. (1999). Variance estimation for complex statistics and estimators:
linearization and residual techniques. Survey Methodology 25(2), 193-203.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from setara.design import SurveyDesign
from setara.errors import DesignError
from setara.estimation import (
    _extra_columns,
    _Rows,
    _rows_for,
    checked_frame,
    column_names,
    domain_codes,
)
from setara.frames import check_finite, key_column, numeric_column
from setara.kernels.groups import FloatArray, IntArray, factorize, group_sum
from setara.kernels.variance import totals_covariance, unit_totals
from setara.measures.base import Measure, MeasureData
from setara.measures.quantiles import Quantile
from setara.measures.registry import parse_spec

__all__ = [
    "Linearization",
    "combination_variance",
    "domain_codes_for",
    "linearize",
    "stack_designs",
]

MAX_THREADS = 4  # as setara.estimate: measures run concurrently, each with n-sized temporaries


@dataclass(frozen=True)
class Linearization:
    """One measure for every domain, with what its variance came from.

    ``weighted`` holds weight times influence for every row of the data (zero outside its
    domain, coded by ``domain``); ``shared = (b, c)`` adds ``c[d] * b`` to every domain ``d``
    (``b`` is a row vector, e.g. the linearized national poverty line); ``replicates`` are the
    replicate estimates (domains x replicates) of a replicate design, when ``weighted`` is
    ``None``. ``linear_se`` is False when ``se`` is not the linearized one (Woodruff quantiles):
    combine such an estimate through its covariance only.
    """

    measure: str
    params: str
    estimate: FloatArray
    se: FloatArray
    n: IntArray
    df: FloatArray
    domain: IntArray
    weighted: FloatArray | None
    shared: tuple[FloatArray, FloatArray] | None
    replicates: FloatArray | None
    linear_se: bool


def domain_codes_for(
    frame: pl.DataFrame, by: list[str], domains: pl.DataFrame | None
) -> tuple[IntArray, int, pl.DataFrame]:
    """Row codes of the ``by`` domains: the frame's own (first-seen order) or the rows of
    ``domains`` (rows with another combination are coded -1)."""
    if domains is None or not by:
        return domain_codes(frame, by)
    keys = domains.select(by).with_row_index("__setara_domain")
    coded = (
        frame.select(by)
        .with_row_index("__setara_row")
        .join(keys, on=by, how="left", nulls_equal=True)
    )
    codes = coded.sort("__setara_row")["__setara_domain"].fill_null(-1).to_numpy()
    return np.asarray(codes, dtype=np.int64), domains.height, domains.select(by)


def linearize(
    data: Any,
    design: SurveyDesign,
    *,
    welfare: str,
    measures: Sequence[str | Measure] | str,
    by: str | Sequence[str] | None = None,
    domains: pl.DataFrame | None = None,
    variance: bool = True,
) -> tuple[list[Linearization], pl.DataFrame, list[str]]:
    """Estimate ``measures`` of ``welfare`` by domain, keeping their linearized parts.

    The rows, exclusions and poverty lines are those of :func:`setara.estimate` (population
    lines from all the rows of ``data``). ``domains`` (a frame of ``by`` values) fixes the
    domains and their order, so two data sets can be estimated over the same domains; rows
    with other values are left out. With ``variance=False`` the standard errors and degrees
    of freedom on this design are not computed (NaN) for a linearization design, when the
    variance is taken on another one (rounds stacked on their shared PSUs); Woodruff
    quantiles keep their SE, which is not a linearized one.

    Returns
    -------
    (linearizations, labels, notes)
        One :class:`Linearization` per measure, the domain labels (one row per domain) and
        notes on rows left out.

    Examples
    --------
    >>> import setara
    >>> from setara.contrast import linearize
    >>> frame = setara.demo.generate_survey(10_000, seed=3)
    >>> design = setara.survey_design(frame, weight="weight", strata="stratum", psu="psu")
    >>> lins, labels, notes = linearize(frame, design, welfare="expenditure_pc", measures="mean")
    >>> bool(abs(lins[0].se[0] ** 2 - combination_variance(
    ...     design, lins[0].domain, 1, lins[0].weighted)[0]) < 1e-6 * lins[0].se[0] ** 2)
    True
    """
    frame = checked_frame(data, design, 0.95)
    specs = [measures] if isinstance(measures, str) else list(measures)
    parsed: list[Measure] = []
    for spec in specs:
        parsed.extend(parse_spec(spec) if isinstance(spec, str) else [spec])
    y = numeric_column(frame, welfare, "welfare")
    check_finite(y, welfare, "welfare")
    by_cols = column_names(by)
    domain, n_domains, labels = domain_codes_for(frame, by_cols, domains)
    valid = ~np.isnan(y)
    notes: list[str] = []
    if (~valid).any():
        notes.append(
            f"welfare column {welfare!r}: {int((~valid).sum()):,} rows with missing values"
        )
    views: dict[bytes, _Rows] = {}
    jobs: list[tuple[Measure, MeasureData]] = []
    for measure in parsed:
        keep = valid.copy()
        if measure.positive_only:
            nonpositive = valid & (y <= 0)
            if nonpositive.any():
                notes.append(
                    f"{measure.name}: {int(nonpositive.sum()):,} rows with zero or negative "
                    f"{welfare!r} left out"
                )
                keep &= ~nonpositive
        extra = _extra_columns(frame, measure)
        for values in extra.values():
            keep &= ~np.isnan(values)
        rows = _rows_for(views, keep, y, domain)
        line = getattr(measure, "line", None)
        own = line is not None and getattr(line, "scope", "") == "domain"
        view = MeasureData(
            y=rows.y,
            weights=design.weights,
            domain=rows.domain,
            n_domains=n_domains,
            population=rows.domain if own else rows.population,
            n_population=n_domains if own else 1,
            extra=extra,
            memo=rows.memo,
        )
        if variance:
            design.cells(view.domain, n_domains)  # shared by the threads: built once here
        jobs.append((measure, view))

    def run(job: tuple[Measure, MeasureData]) -> Linearization:
        measure, view = job
        linear_se = not (isinstance(measure, Quantile) and measure.se == "woodruff")
        if variance or not linear_se or design.replicates is not None:
            estimate, se, parts = measure.estimate_parts(design, view)
            df = design.domain_degf(view.domain, n_domains)
        else:
            estimate, parts = measure.linear_parts(view)
            se = df = np.full(n_domains, np.nan)
        return Linearization(
            measure=measure.name,
            params=measure.params(),
            estimate=estimate,
            se=se,
            n=view.n_obs,
            df=df,
            domain=view.domain,
            weighted=parts.weighted,
            shared=parts.shared,
            replicates=parts.thetas,
            linear_se=linear_se,
        )

    workers = max(1, min(MAX_THREADS, os.cpu_count() or 1, len(jobs)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        out = list(pool.map(run, jobs))
    return out, labels, notes


def combination_variance(
    design: SurveyDesign,
    domain: IntArray,
    n_domains: int,
    weighted: FloatArray,
    shared: Sequence[tuple[FloatArray, FloatArray]] = (),
) -> FloatArray:
    """Variance of ``sum_i a_i + sum_k c_k[d] sum_i b_ki`` for every domain ``d``.

    ``weighted`` (``a``) holds weighted linearized values, each row counted in its own domain
    (``domain``, -1 outside every domain); each ``(b_k, c_k)`` of ``shared`` is a row vector
    counted in every domain with a per-domain coefficient. This is the linearized variance of
    a linear combination of estimates whose terms :func:`linearize` returned (multiplied by
    their coefficients), as R survey's ``svycontrast`` on one design.
    """
    cells = design.cells(domain, n_domains)
    whole = np.zeros(design.n, dtype=np.int64)
    whole_cells = design.cells(whole, 1) if shared else cells
    var = np.zeros(n_domains)
    for index, (stage, stage_cells) in enumerate(zip(design.stages, cells, strict=True)):
        # every vector is summed by cell or unit once; the covariances combine the totals
        t_a = group_sum(stage_cells.cell, weighted, stage_cells.n_cells)
        var += totals_covariance(stage, stage_cells, n_domains, t_a)
        # the whole sample's cells are its units (one domain): unit totals serve both
        units = [unit_totals(stage, b_k) for b_k, _ in shared]
        for k, (_, c_k) in enumerate(shared):
            cov = totals_covariance(stage, stage_cells, n_domains, t_a, unit_b=units[k])
            var += 2.0 * c_k * cov
            for m in range(k, len(shared)):
                c_l = shared[m][1]
                vb = totals_covariance(stage, whole_cells[index], 1, units[k], units[m])[0]
                var += (1.0 if m == k else 2.0) * c_k * c_l * vb
    return np.asarray(np.maximum(var, 0.0), dtype=np.float64)


def stack_designs(
    frames: Sequence[pl.DataFrame],
    designs: Sequence[SurveyDesign],
    *,
    weight: str | None = None,
    strata: str | None = None,
    psu: str,
    fpc: str | None = None,
    lonely_psu: str = "fail",
) -> SurveyDesign:
    """The one-stage design of ``frames`` stacked, in which a PSU with the same stratum and PSU
    value in several frames is one PSU (``nest=True`` on the stacked frame).

    ``designs`` are the frames' own designs built with the same columns: each of their PSUs
    is one (stratum, PSU) key, so only one row per PSU is read to code the keys, and the
    stacked rows' codes are gathered from the frames' PSU codes instead of sorting every row
    again. The codes are those :func:`setara.survey_design` gives the stacked frame (they
    follow the sorted order of the distinct keys, which both see), so the design is the same.

    Examples
    --------
    >>> import setara
    >>> frame = setara.demo.generate_survey(2_000, seed=3)
    >>> args = {"weight": "weight", "strata": "stratum", "psu": "psu"}
    >>> design = setara.survey_design(frame, **args)
    >>> stacked = stack_designs([frame, frame], [design, design], **args)
    >>> stacked.n == 2 * design.n, stacked.degf == design.degf
    (True, True)
    """
    keys = [c for c in (strata, psu) if c is not None]
    tables = []
    for frame, design in zip(frames, designs, strict=True):
        if len(design.stages) != 1 or design.replicates is not None:
            raise DesignError("stacking needs one-stage linearization designs")
        unit = design.stages[0].unit
        first = np.zeros(design.stages[0].unit_stratum.size, dtype=np.int64)
        first[unit[::-1]] = np.arange(unit.size - 1, -1, -1)  # first row of every PSU
        tables.append(frame.select(keys)[first])
    table = pl.concat(tables, how="vertical_relaxed")
    psu_codes, _ = factorize(key_column(table, psu, "psu"))
    if strata is None:
        stratum_codes = np.zeros(table.height, dtype=np.int64)
    else:
        stratum_codes, _ = factorize(key_column(table, strata, "strata"))
    key_unit, _ = factorize(stratum_codes, psu_codes)  # (stratum, PSU) sorted, as nest=True
    offsets = np.cumsum([0] + [t.height for t in tables])
    unit = np.concatenate([key_unit[offsets[i] + d.stages[0].unit] for i, d in enumerate(designs)])
    stratum = np.concatenate(
        [stratum_codes[offsets[i] + d.stages[0].unit] for i, d in enumerate(designs)]
    )
    names = {"psu0": f"psu column {psu!r}"}
    if strata is not None:
        names["strata0"] = f"strata column {strata!r}"
    if fpc is not None:
        names["fpc0"] = fpc
    return SurveyDesign.from_arrays(
        weights=None if weight is None else np.concatenate([d.weights for d in designs]),
        strata=[stratum],
        ids=[unit],  # unique across strata already: coded as given, no sort
        fpc=None
        if fpc is None
        else [np.concatenate([numeric_column(f, fpc, "fpc") for f in frames])],
        n=unit.size,
        nest=False,
        lonely_psu=lonely_psu,
        names=names,
        strata_labels=None
        if strata is None
        else [pl.concat([f.select(strata) for f in frames], how="vertical_relaxed")[strata]],
    )
