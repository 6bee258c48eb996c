"""``setara evaluate did`` and ``setara evaluate twfe``: difference-in-differences.

``did`` writes Callaway–Sant'Anna ATT(g,t) rows and their aggregations; ``twfe`` the two-way
fixed effects coefficient, with ``--bacon`` its Goodman-Bacon decomposition and with
``--event-study`` the Sun–Abraham event study. Heavy imports happen inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from setara.cli.base import _emit, _split, csv_options, limit_options, output_options, read_data
from setara.cli.evaluate import evaluate
from setara.errors import SetaraError

if TYPE_CHECKING:
    from setara.limits import ReadLimits

FILE = click.Path(dir_okay=False)
AGGREGATES = ("att_gt", "simple", "dynamic", "group", "calendar")


@evaluate.command("did")
@click.argument("file", type=FILE)
@click.option("--outcome", required=True, help="Outcome column.")
@click.option("--unit", required=True, help="Unit (panel identifier) column.")
@click.option("--time", "time_", required=True, help="Period column.")
@click.option(
    "--cohort", required=True, help="First treated period of each unit, 0 or empty for never."
)
@click.option(
    "--control", type=click.Choice(["never", "notyet"]), default="never", show_default=True
)
@click.option("--method", type=click.Choice(["dr", "ipw", "reg"]), default="dr", show_default=True)
@click.option("--covariate", "covariates", multiple=True, help="Covariate column, repeatable.")
@click.option("--cluster", help="Cluster column (constant within unit); units by default.")
@click.option("--weight", help="Unit sampling weight column (constant within unit).")
@click.option(
    "--aggregate",
    "aggregates",
    multiple=True,
    help="att_gt, simple, dynamic, group or calendar; repeatable or comma-separated "
    "(default att_gt).",
)
@output_options
@csv_options
@limit_options
def did(
    file: str,
    outcome: str,
    unit: str,
    time_: str,
    cohort: str,
    control: str,
    method: str,
    covariates: tuple[str, ...],
    cluster: str | None,
    weight: str | None,
    aggregates: tuple[str, ...],
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Staggered DiD (Callaway–Sant'Anna): ATT(g,t) and aggregations of FILE's --outcome."""
    chosen = [a for value in aggregates for a in _split(value)] or ["att_gt"]
    unknown = [a for a in chosen if a not in AGGREGATES]
    if unknown:
        raise SetaraError(f"--aggregate {', '.join(unknown)}: use any of {', '.join(AGGREGATES)}")
    covs = [c for value in covariates for c in _split(value)]
    frame = read_data(file, csv_separator, decimal_comma, limits)
    from setara.evaluation import att_gt

    result = att_gt(
        frame,
        outcome=outcome,
        unit=unit,
        time=time_,
        cohort=cohort,
        control=control,
        method=method,
        covariates=covs,
        weight=weight,
        cluster=cluster,
        aggregate=chosen,
    )
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.pretest_df:
        click.echo(
            f"pre-trend test: chi2({result.pretest_df}) = {result.pretest_chi2:.4f}, "
            f"p = {result.pretest_pvalue:.4f}",
            err=True,
        )
    _emit(result.table, fmt, output)


@evaluate.command("twfe")
@click.argument("file", type=FILE)
@click.option("--outcome", required=True, help="Outcome column.")
@click.option("--treat", required=True, help="0/1 column: the unit is treated in this period.")
@click.option("--unit", required=True, help="Unit (panel identifier) column.")
@click.option("--time", "time_", required=True, help="Period column.")
@click.option("--cluster", help="Cluster column; units by default.")
@click.option("--weight", help="Analytic weight column (weighted least squares).")
@click.option(
    "--bacon", is_flag=True, help="Add the Goodman-Bacon decomposition (absorbing treatment)."
)
@click.option(
    "--event-study", is_flag=True, help="Add the Sun–Abraham event study (absorbing treatment)."
)
@output_options
@csv_options
@limit_options
def twfe_command(
    file: str,
    outcome: str,
    treat: str,
    unit: str,
    time_: str,
    cluster: str | None,
    weight: str | None,
    bacon: bool,
    event_study: bool,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Two-way fixed effects DiD of FILE's --outcome on --treat, unit and period effects."""
    frame = read_data(file, csv_separator, decimal_comma, limits)
    import polars as pl

    from setara.evaluation import twfe
    from setara.evaluation.twfe import bacon as bacon_decomposition
    from setara.evaluation.twfe import cohort_from_treatment

    common: dict[str, Any] = {"outcome": outcome, "unit": unit, "time": time_}
    table = twfe(frame, treat=treat, cluster=cluster, weight=weight, **common).table
    parts = [
        table.select(
            "estimand",
            group=pl.lit(None, pl.Float64),
            control=pl.lit(None, pl.Float64),
            event=pl.lit(None, pl.Float64),
            estimate="estimate",
            se="se",
            ci_low="ci_low",
            ci_high="ci_high",
            weight=pl.lit(None, pl.Float64),
        )
    ]
    if bacon or event_study:
        cohort = cohort_from_treatment(frame, treat=treat, unit=unit, time=time_)
        staggered = frame.with_columns(cohort.alias("__cohort"))
    if bacon:
        decomposition = bacon_decomposition(staggered, cohort="__cohort", **common)
        parts.append(
            decomposition.select(
                estimand=pl.lit("bacon_") + pl.col("type"),
                group=pl.col("treated"),
                control=pl.col("control"),
                event=pl.lit(None, pl.Float64),
                estimate="estimate",
                se=pl.lit(None, pl.Float64),
                ci_low=pl.lit(None, pl.Float64),
                ci_high=pl.lit(None, pl.Float64),
                weight="weight",
            )
        )
    if event_study:
        from setara.evaluation import sun_abraham

        events = sun_abraham(staggered, cohort="__cohort", cluster=cluster, weight=weight, **common)
        parts.append(
            events.select(
                "estimand",
                group=pl.lit(None, pl.Float64),
                control=pl.lit(None, pl.Float64),
                event=pl.col("event").cast(pl.Float64),
                estimate="estimate",
                se="se",
                ci_low="ci_low",
                ci_high="ci_high",
                weight=pl.lit(None, pl.Float64),
            )
        )
    out = pl.concat(parts)
    if not (bacon or event_study):
        out = out.drop("group", "control", "event", "weight")
    else:  # cohorts and event times as whole numbers when the periods are
        labels = [c for c in ("group", "control", "event") if out[c].drop_nulls().len()]
        if all((out[c].drop_nulls() == out[c].drop_nulls().round()).all() for c in labels):
            out = out.with_columns(pl.col("group", "control", "event").cast(pl.Int64))
    _emit(out, fmt, output)
