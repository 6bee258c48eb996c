"""Survey commands: ``setara measure``, ``setara demo-data``, ``setara diagnose``."""

from __future__ import annotations

import time
from collections.abc import Sequence

import click

from setara.cli.base import (
    _emit,
    _progress,
    _split,
    cli,
    csv_options,
    limit_options,
    output_options,
    read_data,
    resume_collector,
)
from setara.errors import SetaraError
from setara.limits import ReadLimits


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--income", required=True, help="Welfare column (income or expenditure).")
@click.option("--weight", help="Sampling weight column (derived from --fpc when absent).")
@click.option("--strata", help="Stratum column (one, or one per stage, comma-separated).")
@click.option("--psu", help="Cluster columns, one per stage: PSU[,SSU...].")
@click.option("--fpc", help="Finite population corrections per stage (counts or fractions).")
@click.option("--nest", is_flag=True, help="PSU codes repeat within strata.")
@click.option(
    "--lonely-psu",
    type=click.Choice(["fail", "remove", "certainty", "adjust", "average"]),
    default="fail",
    show_default=True,
)
@click.option("--measure", "measures", multiple=True, help="Measure SPEC, repeatable.")
@click.option("--by", help="Domain columns, comma-separated.")
@click.option("--replicate-weights", help="Replicate-weight columns: a glob such as 'rep*'.")
@click.option(
    "--replicate-type",
    type=click.Choice(["bootstrap", "jk1", "jkn", "brr", "fay"]),
    default="bootstrap",
    show_default=True,
)
@click.option("--replicate-scale", type=float, help="Overall variance scale.")
@click.option("--replicate-rscales", help="Per-replicate scales: one number or a list.")
@click.option("--mse", is_flag=True, help="Centre replicate variance at the full estimate.")
@click.option("--rho", type=float, help="Fay's rho for --replicate-type fay.")
@click.option("--replicates", "make_replicates", help="Create replicates: jk1, jkn, bootstrap:R.")
@click.option("--seed", type=int, default=20261127, show_default=True, help="Bootstrap seed.")
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option(
    "--ci-method",
    type=click.Choice(["logit", "beta", "wald"]),
    default="logit",
    show_default=True,
    help="Interval for measures with a range (proportions, FGT, shares, Gini): logit or "
    "beta (Korn-Graubard, proportions) stay inside it; wald is estimate +/- t SE.",
)
@click.option(
    "--reliability",
    type=click.Choice(["bps+nchs", "bps"]),
    default="bps+nchs",
    show_default=True,
    help="Flag rule: BPS RSE categories, with the NCHS interval checks or without.",
)
@click.option(
    "--overall", is_flag=True, help="With --by: national rows too, and each domain minus them."
)
@output_options
@csv_options
@limit_options
@click.option("--quiet", is_flag=True, help="No progress messages.")
def measure(
    file: str,
    income: str,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    nest: bool,
    lonely_psu: str,
    measures: Sequence[str],
    by: str | None,
    replicate_weights: str | None,
    replicate_type: str,
    replicate_scale: float | None,
    replicate_rscales: str | None,
    mse: bool,
    rho: float | None,
    make_replicates: str | None,
    seed: int,
    level: float,
    ci_method: str,
    reliability: str,
    overall: bool,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    quiet: bool,
    limits: ReadLimits,
) -> None:
    """Estimate measures of FILE's --income column with design-based standard errors."""
    from setara.estimation import estimate, survey_design, with_replicates
    from setara.reliability import ReliabilityRule

    frame = read_data(file, csv_separator, decimal_comma, limits)
    rscales: float | list[float] | None = None
    if replicate_rscales:
        try:
            values = [float(v) for v in _split(replicate_rscales)]
        except ValueError:
            raise SetaraError(f"--replicate-rscales {replicate_rscales!r} is not numbers") from None
        rscales = values[0] if len(values) == 1 else values
    design = survey_design(
        frame,
        weight=weight,
        strata=_split(strata) or None,
        psu=_split(psu) or None,
        fpc=_split(fpc) or None,
        nest=nest,
        lonely_psu=lonely_psu,
        replicate_weights=replicate_weights,
        replicate_type=replicate_type,
        replicate_scale=replicate_scale,
        replicate_rscales=rscales,
        mse=mse,
        rho=rho,
    )
    if make_replicates:
        import numpy as np

        kind, _, count = make_replicates.partition(":")
        try:
            n_rep = int(count) if count else 200
        except ValueError:
            raise SetaraError(f"--replicates {make_replicates!r}: R must be a number") from None
        design = with_replicates(
            design, kind, replicates=n_rep, rng=np.random.default_rng(seed), mse=mse
        )
    results = estimate(
        frame,
        design,
        welfare=income,
        measures=list(measures) or ["mean", "median", "gini"],
        by=_split(by) or None,
        level=level,
        progress=_progress(quiet or frame.height < 200_000),
        ci_method=ci_method,
        reliability=ReliabilityRule(standards=tuple(reliability.split("+"))),
        overall=overall,
    )
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    _emit(results.frame, fmt, output)


@cli.command("demo-data")
@click.option("--persons", type=int, default=200_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--output", default="demo-survey.parquet", show_default=True, help=".parquet or .csv")
def demo_data(persons: int, seed: int, output: str) -> None:
    """Generate the synthetic Indonesia-like household survey (labelled synthetic)."""
    from setara import demo

    resume_collector()
    if persons < 10_000:
        raise SetaraError(f"--persons must be at least 10,000, not {persons:,}")
    started = time.perf_counter()
    demo.write_survey(output, n_persons=persons, seed=seed)
    click.echo(
        f"wrote {persons:,} synthetic persons to {output} in {time.perf_counter() - started:.1f}s",
        err=True,
    )


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--persons", type=int, default=200_000, show_default=True, help="Demo size.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--output", default="diagnostic.csv", show_default=True, help="CSV of all rows.")
@click.option("--quiet", is_flag=True)
@csv_options
@limit_options
def diagnose(
    file: str | None,
    persons: int,
    seed: int,
    output: str,
    quiet: bool,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """National and provincial diagnostic of the demo survey (or FILE in the demo layout)."""
    from setara import demo
    from setara.diagnostic import diagnostic, render_report
    from setara.io import write_table

    resume_collector()
    if file:
        frame = read_data(file, csv_separator, decimal_comma, limits)
    else:
        frame = demo.generate_survey(persons, seed=seed)
    results = diagnostic(frame, progress=_progress(quiet))
    click.echo(render_report(results, frame))
    write_table(results.frame, output)
    click.echo(f"\nwrote {results.frame.height:,} rows to {output}", err=True)
