"""Small-area estimation commands: ``setara sae fh``.

Heavy imports happen inside the commands to keep ``setara --help`` fast.
"""

from __future__ import annotations

from typing import Any

import click

from setara.cli.base import _emit, cli, limit_options, output_options, resume_collector
from setara.errors import SetaraError

FILE = click.Path(exists=True, dir_okay=False)


@cli.group("sae")
def sae() -> None:
    """Small-area estimation: model-based estimates where direct ones are unreliable."""
    # a click group: the subcommands do the work


@sae.command("fh")
@click.argument("file", type=FILE)
@click.option("--direct", required=True, help="Column of direct estimates (empty: no sample).")
@click.option("--vardir", help="Column of their sampling variances (SE squared).")
@click.option(
    "--se", "se_column", help="Or a column of standard errors (as `setara measure` writes)."
)
@click.option("--area", required=True, help="Column naming each area (one row per area).")
@click.option("--covariate", "covariates", multiple=True, help="A numeric covariate column.")
@click.option(
    "--factor", "factors", multiple=True, help="A categorical column: indicators, first level out."
)
@click.option(
    "--covariates-file",
    type=FILE,
    help="Covariates per area, joined on --area; its areas missing from FILE are predicted.",
)
@click.option(
    "--measure", "measure_name", help="Keep the rows of this measure (a `setara measure` file)."
)
@click.option(
    "--smooth",
    type=click.Choice(["loglinear", "proportion"]),
    help="Predict the variances of areas with few PSUs by a generalised variance function.",
)
@click.option("--n", "n_column", default="n", show_default=True, help="Sample size column.")
@click.option("--psu", "psu_column", help="Column of sampled PSUs per area (for --smooth).")
@click.option("--min-psu", type=int, default=5, show_default=True)
@click.option("--no-intercept", is_flag=True, help="Fit without an intercept.")
@click.option(
    "--method", type=click.Choice(["reml", "ml", "fh"]), default="reml", show_default=True
)
@click.option(
    "--transform", type=click.Choice(["none", "arcsine", "log"]), default="none", show_default=True
)
@click.option(
    "--benchmark",
    "benchmark_file",
    type=FILE,
    help="Targets of the level above: a column shared with FILE naming the group, and 'target'.",
)
@click.option(
    "--benchmark-weight", help="Column of FILE weighting areas in their group (e.g. population)."
)
@click.option(
    "--benchmark-kind",
    type=click.Choice(["ratio", "difference"]),
    default="ratio",
    show_default=True,
)
@click.option(
    "--model-output",
    help="Write the fitted model and its diagnostics to this JSON file.",
)
@output_options
@limit_options
def fh_command(
    file: str,
    direct: str,
    vardir: str | None,
    se_column: str | None,
    area: str,
    covariates: tuple[str, ...],
    factors: tuple[str, ...],
    covariates_file: str | None,
    measure_name: str | None,
    smooth: str | None,
    n_column: str,
    psu_column: str | None,
    min_psu: int,
    no_intercept: bool,
    method: str,
    transform: str,
    benchmark_file: str | None,
    benchmark_weight: str | None,
    benchmark_kind: str,
    model_output: str | None,
    fmt: str,
    output: str | None,
    limits: Any,
) -> None:
    """Fay–Herriot estimates for every area of FILE, with their MSE, SE, CI and reliability.

    Areas with an empty direct estimate get the regression part alone (``in_sample`` false).
    With --benchmark the estimates of each group are adjusted to its target; the MSE stays the
    model's.
    """
    from setara.io import read_survey
    from setara.sae import fh_estimates

    resume_collector()
    frame = read_survey(file, limits=limits)
    if measure_name is not None:
        frame = _one_measure(frame, measure_name)
    frame = _with_variance(frame, direct, vardir, se_column)
    if covariates_file is not None:
        frame = _joined(frame, read_survey(covariates_file, limits=limits), area)
    if smooth is not None:
        frame = _smoothed(frame, direct, smooth, n_column, psu_column, min_psu)
    rows, fit = fh_estimates(
        frame,
        direct=direct,
        vardir=VARDIR,
        area=area,
        covariates=covariates,
        factors=factors,
        intercept=not no_intercept,
        method=method,  # type: ignore[arg-type]
        transform=transform,  # type: ignore[arg-type]
    )
    if benchmark_file is not None:
        rows = _benchmarked(rows, frame, benchmark_file, benchmark_weight, benchmark_kind, limits)
    if smooth is not None:
        rows = rows.with_columns(vardir_smoothed=frame["vardir_smoothed"])
    if model_output is not None:
        _write_model(model_output, rows, fit, frame, covariates, factors, no_intercept, transform)
    _emit(rows.drop("reliability_reason", "shrinkage"), fmt, output)


VARDIR = "__vardir"


def _write_model(
    path: str,
    rows: Any,
    fit: Any,
    frame: Any,
    covariates: tuple[str, ...],
    factors: tuple[str, ...],
    no_intercept: bool,
    transform: str,
) -> None:
    """The fitted model as JSON: ``fixed`` (coefficient and SE by name, the intercept as
    ``(Intercept)``), ``refvar`` (σ²_u), ``transform`` and the diagnostics."""
    import json

    from setara.cli.base import write_output
    from setara.sae import design_matrix, fh_diagnostics

    _, names = design_matrix(frame, covariates, factors, intercept=not no_intercept)
    model = {
        "model": "fay-herriot",
        "fixed": dict(zip(names, fit.beta.tolist(), strict=True)),
        "fixed_se": dict(zip(names, fit.beta_se.tolist(), strict=True)),
        "refvar": fit.refvar,
        "transform": transform,
        "diagnostics": fh_diagnostics(rows, fit),
    }
    write_output(json.dumps(model, indent=1, ensure_ascii=False, allow_nan=False) + "\n", path)


def _one_measure(frame: Any, name: str) -> Any:
    import polars as pl

    if "measure" not in frame.columns:
        raise SetaraError("--measure needs a 'measure' column (a file written by setara measure)")
    kept = frame.filter(pl.col("measure") == name)
    if kept.height == 0:
        found = sorted(frame["measure"].unique().to_list())
        raise SetaraError(f"no rows of measure {name!r}; the file has {', '.join(found)}")
    return kept


def _with_variance(frame: Any, direct: str, vardir: str | None, se: str | None) -> Any:
    import polars as pl

    if (vardir is None) == (se is None):
        raise SetaraError("give the sampling variance as --vardir COL or as --se COL (not both)")
    column = vardir if vardir is not None else str(se)
    for name in (direct, column):
        if name not in frame.columns:
            raise SetaraError(f"column '{name}' is not in the file ({frame.width} columns)")
    if "measure" in frame.columns and frame["measure"].n_unique() > 1:
        found = ", ".join(sorted(frame["measure"].unique().to_list()))
        raise SetaraError(f"the file holds several measures ({found}): choose one with --measure")
    value = pl.col(column).cast(pl.Float64)
    return frame.with_columns((value if vardir is not None else value**2).alias(VARDIR))


def _joined(frame: Any, covariates: Any, area: str) -> Any:
    import polars as pl

    if area not in covariates.columns:
        raise SetaraError(f"the covariates file has no area column '{area}'")
    if (dupes := covariates.height - covariates[area].n_unique()) > 0:
        raise SetaraError(f"the covariates file repeats {dupes} area(s) of '{area}'")
    if area not in frame.columns:
        raise SetaraError(f"column '{area}' is not in the file ({frame.width} columns)")
    key = pl.col(area).cast(pl.String)
    left = frame.with_columns(key)
    right = covariates.with_columns(key).drop(
        [c for c in covariates.columns if c in frame.columns and c != area]
    )
    missing = left.join(right, on=area, how="anti").height
    if missing:
        raise SetaraError(f"{missing} area(s) of the file have no row in the covariates file")
    return right.join(left, on=area, how="left")


def _smoothed(frame: Any, direct: str, kind: str, n: str, psu: str | None, min_psu: int) -> Any:
    import numpy as np
    import polars as pl

    from setara.sae import smooth_variances

    if psu is None or psu not in frame.columns or n not in frame.columns:
        raise SetaraError("--smooth needs --psu COL and --n COL naming columns of the file")
    sampled = frame[direct].is_not_null() & frame[direct].is_not_nan()
    part = frame.filter(sampled)
    variances, smoothed = smooth_variances(
        part[direct].cast(pl.Float64).to_numpy(),
        part[VARDIR].to_numpy(),
        part[n].to_numpy(),
        part[psu].to_numpy(),
        kind=kind,  # type: ignore[arg-type]
        min_psu=min_psu,
    )
    full = np.full(frame.height, np.nan)
    flag = np.zeros(frame.height, dtype=bool)
    where = sampled.to_numpy()
    full[where], flag[where] = variances, smoothed
    return frame.with_columns(pl.Series(VARDIR, full), vardir_smoothed=pl.Series(flag))


def _benchmarked(
    rows: Any, frame: Any, path: str, weight: str | None, kind: str, limits: Any
) -> Any:
    import numpy as np
    import polars as pl

    from setara.io import read_survey
    from setara.sae import benchmark

    targets = read_survey(path, limits=limits)
    keys = [c for c in targets.columns if c != "target" and c in frame.columns]
    if "target" not in targets.columns or len(keys) != 1:
        raise SetaraError(
            f"the benchmark file needs a 'target' column and exactly one column shared with "
            f"{len(frame.columns)} columns of the areas file (found {len(keys)}: {keys})"
        )
    if weight is None or weight not in frame.columns:
        raise SetaraError("--benchmark needs --benchmark-weight naming a column of the areas file")
    key = keys[0]
    groups = targets[key].cast(pl.String).to_list()
    if len(set(groups)) != len(groups):
        raise SetaraError(f"the benchmark file repeats a value of '{key}'")
    index = {g: i for i, g in enumerate(groups)}
    member = frame[key].cast(pl.String).to_list()
    unknown = sorted({g for g in member if g not in index})
    if unknown:
        raise SetaraError(
            f"{len(unknown)} value(s) of '{key}' have no benchmark target (first: {unknown[0]})"
        )
    group = np.array([index[g] for g in member])
    adjusted = benchmark(
        rows["estimate"].to_numpy(),
        frame[weight].cast(pl.Float64).to_numpy(),
        group,
        targets["target"].cast(pl.Float64).to_numpy(),
        kind=kind,  # type: ignore[arg-type]
    )
    return rows.with_columns(estimate=pl.Series(adjusted), benchmark=pl.lit(kind))


@sae.command("ebp")
@click.argument("sample", type=FILE)
@click.option("--population", required=True, type=FILE, help="Census or registry: covariates.")
@click.option("--welfare", required=True, help="Welfare column of the sample.")
@click.option("--area", required=True, help="Area column, in both files.")
@click.option("--covariate", "covariates", multiple=True, required=True)
@click.option(
    "--measure", "measures", multiple=True, required=True,
    help="mean, gini, fgt:alpha=A,line=Z or quantile:q=Q (repeatable).",
)  # fmt: skip
@click.option(
    "--transform", "transform_spec", default="none", show_default=True,
    help="none, log, log-shift:C or boxcox (λ chosen by likelihood).",
)  # fmt: skip
@click.option("--method", type=click.Choice(["reml", "ml"]), default="reml", show_default=True)
@click.option("--population-excludes-sample", is_flag=True)
@click.option("--mc", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--bootstrap", type=click.IntRange(0, 10_000), default=100, show_default=True)
@click.option("--seed", type=int, default=None, help="Seed of the Monte Carlo and bootstrap.")
@click.option("--model-output", help="Write the fitted model to this JSON file.")
@output_options
@limit_options
def ebp_command(
    sample: str,
    population: str,
    welfare: str,
    area: str,
    covariates: tuple[str, ...],
    measures: tuple[str, ...],
    transform_spec: str,
    method: str,
    population_excludes_sample: bool,
    mc: int,
    bootstrap: int,
    seed: int | None,
    model_output: str | None,
    fmt: str,
    output: str | None,
    limits: Any,
) -> None:
    """Empirical best prediction of area indicators from SAMPLE and a --population file.

    Rows per area and measure: ``area, measure, method, estimate, mse, se, ci_low, ci_high,
    rse, reliability``; the MSE is the parametric bootstrap's (none with --bootstrap 0).
    """
    import numpy as np
    import polars as pl

    from setara.io import read_survey
    from setara.sae import design_matrix
    from setara.sae.ebp import ebp, parse_indicator

    resume_collector()
    indicators = [parse_indicator(m) for m in measures]
    kind, parameter = _transform(transform_spec)
    survey = read_survey(sample, limits=limits)
    census = read_survey(population, limits=limits)
    for frame, label, needed in (
        (survey, "sample", [welfare, area]),
        (census, "population", [area]),
    ):
        missing = [c for c in (*needed, *covariates) if c not in frame.columns]
        if missing:
            raise SetaraError(f"the {label} file has no column(s) {', '.join(missing)}")
    codes = census[area].cast(pl.String)
    names = codes.unique(maintain_order=True).sort()
    index = {name: i for i, name in enumerate(names.to_list())}
    sample_names = survey[area].cast(pl.String).to_list()
    unknown = sorted({a for a in sample_names if a not in index})
    if unknown:
        raise SetaraError(
            f"{len(unknown)} area(s) of the sample are not in the population (first: {unknown[0]})"
        )
    xs, terms = design_matrix(survey, covariates)
    xc, _ = design_matrix(census, covariates)
    result = ebp(
        survey[welfare].cast(pl.Float64).to_numpy(), xs,
        np.array([index[a] for a in sample_names]), xc,
        np.array([index[a] for a in codes.to_list()]), indicators,
        rng=np.random.default_rng(seed), mc=mc, bootstrap=bootstrap, method=method,
        transform_kind=kind, parameter=parameter,
        population_excludes_sample=population_excludes_sample,
    )  # fmt: skip
    _emit(_ebp_rows(result, names), fmt, output)
    if model_output is not None:
        import json

        from setara.cli.base import write_output

        fit = result.fit
        model = {
            "model": "nested-error",
            "fixed": dict(zip(terms, fit.beta.tolist(), strict=True)),
            "fixed_se": dict(zip(terms, fit.beta_se.tolist(), strict=True)),
            "refvar": fit.refvar,
            "errorvar": fit.errorvar,
            "transform": fit.transform,
            "parameter": fit.parameter,
            "method": fit.method,
            "loglik": fit.loglik,
        }
        write_output(json.dumps(model, indent=1) + "\n", model_output)


def _transform(spec: str) -> tuple[str, float | None]:
    name, _, value = spec.partition(":")
    if name in ("none", "log", "boxcox") and not value:
        return name, None
    if name == "log-shift" and value:
        try:
            return name, float(value)
        except ValueError:
            pass
    raise SetaraError(f"--transform must be none, log, log-shift:C or boxcox, not {spec!r}")


def _ebp_rows(result: Any, names: Any) -> Any:
    """One row per area and indicator; bounded indicators keep their interval in [0, 1]."""
    import numpy as np
    import polars as pl

    from setara.reliability import ReliabilityRule

    frames = []
    for k, indicator in enumerate(result.indicators):
        estimate = result.estimate[:, k]
        mse = result.mse[:, k] if result.mse is not None else np.full(estimate.size, np.nan)
        se = np.sqrt(mse)
        low, high = estimate - 1.959963984540054 * se, estimate + 1.959963984540054 * se
        if indicator.name in ("fgt", "gini"):
            low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rse = se / np.abs(estimate)
        flags: list[str | None] = [None] * estimate.size  # no MSE, no verdict
        if result.mse is not None:
            flags = list(
                ReliabilityRule(standards=("bps",)).flags(
                    rse, np.full(estimate.size, np.iinfo(np.int64).max // 2)
                )
            )
        frames.append(
            pl.DataFrame(
                {
                    "area": names, "measure": indicator.label, "method": "ebp",
                    "estimate": estimate, "mse": mse, "se": se, "ci_low": low, "ci_high": high,
                    "rse": rse, "reliability": flags, "in_sample": result.in_sample,
                }
            )
        )  # fmt: skip
    return pl.concat(frames)
