"""``setara evaluate rd`` and ``setara evaluate match``: regression discontinuity and
matching/weighting estimates from a data file (issue 12, point 7).

rdrobust, rddensity and SciPy load inside the commands, so ``setara --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from setara.cli.base import _emit, _split, csv_options, limit_options, output_options, read_data
from setara.cli.evaluate import evaluate
from setara.limits import ReadLimits

FILE = click.Path(dir_okay=False)


@evaluate.command("rd")
@click.argument("file", type=FILE)
@click.option("--outcome", required=True, help="Outcome column.")
@click.option("--running", required=True, help="Running variable (score) column.")
@click.option("--cutoff", type=float, default=0.0, show_default=True, help="Treatment from here.")
@click.option("--fuzzy", help="Treatment received (fuzzy design), when not all comply.")
@click.option(
    "--p",
    "order",
    type=click.IntRange(1, 4),
    default=1,
    show_default=True,
    help="Order of the local polynomial.",
)
@click.option(
    "--kernel",
    type=click.Choice(["triangular", "uniform", "epanechnikov"]),
    default="triangular",
    show_default=True,
)
@click.option(
    "--bwselect",
    type=click.Choice(["mserd", "msetwo", "cerrd"]),
    default="mserd",
    show_default=True,
    help="Bandwidth: one MSE-optimal, two, or CER-optimal.",
)
@output_options
@csv_options
@limit_options
def rd_command(
    file: str,
    outcome: str,
    running: str,
    cutoff: float,
    fuzzy: str | None,
    order: int,
    kernel: str,
    bwselect: str,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Regression discontinuity at a cutoff of the running variable (rdrobust): rows
    conventional, bias_corrected and robust, with bandwidths h and b and the effective
    numbers of observations on each side."""
    from setara.evaluation import rd_estimate

    frame = read_data(file, csv_separator, decimal_comma, limits)
    result = rd_estimate(
        frame,
        outcome=outcome,
        running=running,
        cutoff=cutoff,
        fuzzy=fuzzy,
        p=order,
        kernel=kernel,
        bwselect=bwselect,
    )
    _emit(result.frame, fmt, output)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


@evaluate.command("match")
@click.argument("file", type=FILE)
@click.option("--outcome", required=True, help="Outcome column.")
@click.option("--treat", required=True, help="Treatment indicator column (0/1).")
@click.option(
    "--covariate",
    "covariates",
    multiple=True,
    required=True,
    help="Pre-treatment covariate; repeat it (or separate with commas).",
)
@click.option(
    "--method",
    type=click.Choice(["nn", "kernel", "ipw", "entropy"]),
    default="nn",
    show_default=True,
)
@click.option("--estimand", type=click.Choice(["att", "ate"]), default="att", show_default=True)
@click.option("--weight", help="Survey weight column.")
@click.option("--balance", is_flag=True, help="Add one balance row per covariate.")
@click.option(
    "--neighbours",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Nearest neighbours per unit (nn).",
)
@click.option(
    "--caliper", type=float, help="Largest match distance in SDs of the log-odds score (nn)."
)
@click.option(
    "--bandwidth",
    type=float,
    help="Kernel half-width in SDs of the log-odds score (kernel; default 0.2).",
)
@output_options
@csv_options
@limit_options
def match_command(
    file: str,
    outcome: str,
    treat: str,
    covariates: Sequence[str],
    method: str,
    estimand: str,
    weight: str | None,
    balance: bool,
    neighbours: int,
    caliper: float | None,
    bandwidth: float | None,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Effect of a 0/1 treatment by propensity-score matching (nn, kernel), inverse
    probability weighting or entropy balancing; with --balance, the covariates' means by
    arm before and after, differences, normalised differences and variance ratios."""
    import polars as pl

    from setara.evaluation import match_estimate

    frame = read_data(file, csv_separator, decimal_comma, limits)
    result = match_estimate(
        frame,
        outcome=outcome,
        treat=treat,
        covariates=[c for text in covariates for c in _split(text)],
        method=method,
        estimand=estimand,
        weight=weight,
        neighbours=neighbours,
        caliper=caliper,
        bandwidth=bandwidth,
    )
    rows = result.frame.select(pl.lit("estimate").alias("row"), pl.all())
    if balance:
        rows = pl.concat(
            [rows, result.balance.select(pl.lit("balance").alias("row"), pl.all())],
            how="diagonal_relaxed",
        )
    _emit(rows, fmt, output)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
