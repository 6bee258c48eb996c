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
@click.option("--vardir", required=True, help="Column of their sampling variances (SE squared).")
@click.option("--area", required=True, help="Column naming each area (one row per area).")
@click.option("--covariate", "covariates", multiple=True, help="A numeric covariate column.")
@click.option(
    "--factor", "factors", multiple=True, help="A categorical column: indicators, first level out."
)
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
@output_options
@limit_options
def fh_command(
    file: str,
    direct: str,
    vardir: str,
    area: str,
    covariates: tuple[str, ...],
    factors: tuple[str, ...],
    no_intercept: bool,
    method: str,
    transform: str,
    benchmark_file: str | None,
    benchmark_weight: str | None,
    benchmark_kind: str,
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
    rows, _ = fh_estimates(
        frame,
        direct=direct,
        vardir=vardir,
        area=area,
        covariates=covariates,
        factors=factors,
        intercept=not no_intercept,
        method=method,  # type: ignore[arg-type]
        transform=transform,  # type: ignore[arg-type]
    )
    if benchmark_file is not None:
        rows = _benchmarked(rows, frame, benchmark_file, benchmark_weight, benchmark_kind, limits)
    _emit(rows.drop("reliability_reason", "shrinkage"), fmt, output)


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
