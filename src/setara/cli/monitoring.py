"""Change-over-time commands: ``setara change`` and ``setara gic``.

Both read two survey rounds, BEFORE and AFTER, apply the design options of ``setara measure``
(:mod:`setara.cli.design`) to each, and call :func:`setara.monitoring.change`,
:func:`setara.monitoring.growth_redistribution` (``--decompose``) or
:func:`setara.monitoring.growth_incidence`; ``--common-psu`` says the rounds share PSUs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from setara.cli.base import (
    _emit,
    _split,
    cli,
    csv_options,
    limit_options,
    output_options,
    read_data,
)
from setara.cli.design import DesignChoice, design_options
from setara.errors import SetaraError
from setara.limits import ReadLimits

if TYPE_CHECKING:
    import polars as pl

FILE = click.Path(dir_okay=False)
COMMON_PSU = click.option(
    "--common-psu",
    is_flag=True,
    help="The rounds share PSUs (same stratum and PSU id): covariance from the shared PSUs.",
)


def design_arguments(choice: DesignChoice) -> dict[str, Any]:
    """The keyword arguments of :func:`setara.survey_design` given on the command line."""
    if choice.make_replicates:
        raise SetaraError(
            "--replicates is not available when comparing rounds: give the rounds' PSUs "
            "(linearization) or their own --replicate-weights"
        )
    return {
        "weight": choice.weight,
        "strata": _split(choice.strata) or None,
        "psu": _split(choice.psu) or None,
        "fpc": _split(choice.fpc) or None,
        "nest": choice.nest,
        "lonely_psu": choice.lonely_psu,
        "replicate_weights": choice.replicate_weights,
        "replicate_type": choice.replicate_type,
        "replicate_scale": choice.replicate_scale,
        "replicate_rscales": choice._rscales(),
        "mse": choice.mse,
        "rho": choice.rho,
    }


def _read_rounds(
    before: str,
    after: str,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        read_data(before, csv_separator, decimal_comma, limits),
        read_data(after, csv_separator, decimal_comma, limits),
    )


def _line(text: str) -> float | str:
    """``--line``: a number or ``@column``."""
    if text.startswith("@"):
        return text
    try:
        value = float(text)
    except ValueError:
        raise SetaraError(f"--line {text!r} is not a number or @column") from None
    if not value > 0:
        raise SetaraError(f"--line must be positive, not {text}")
    return value


@cli.command("change")
@click.argument("before", type=FILE)
@click.argument("after", type=FILE)
@click.option("--income", required=True, help="Welfare column, in the same real prices.")
@click.option("--measure", "measures", multiple=True, help="Measure SPEC, repeatable.")
@COMMON_PSU
@click.option(
    "--decompose",
    type=click.Choice(["datt-ravallion", "shapley"]),
    help="Split the change in FGT(--alpha) at --line into growth and redistribution.",
)
@click.option("--line", help="Poverty line for --decompose: a number or @column.")
@click.option("--alpha", type=float, default=0.0, show_default=True, help="FGT alpha.")
@design_options
@output_options
@csv_options
@limit_options
def change_command(
    before: str,
    after: str,
    income: str,
    measures: Sequence[str],
    common_psu: bool,
    decompose: str | None,
    line: str | None,
    alpha: float,
    design: DesignChoice,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Change of measures of --income between the rounds BEFORE and AFTER, with SEs."""
    from setara.monitoring import change, growth_redistribution

    if decompose:
        if not line:
            raise SetaraError("--decompose needs the poverty line: --line 550000 or --line @col")
        if measures:
            raise SetaraError("--decompose splits FGT(--alpha) at --line: leave out --measure")
    elif not measures:
        raise SetaraError("give at least one --measure SPEC (e.g. --measure gini)")
    arguments = design_arguments(design)
    first, second = _read_rounds(before, after, csv_separator, decimal_comma, limits)
    if decompose and line:
        results = growth_redistribution(
            first,
            second,
            welfare=income,
            line=_line(line),
            alpha=alpha,
            design=arguments,
            by=design.by_columns,
            method=decompose,
        )
    else:
        results = change(
            first,
            second,
            welfare=income,
            measures=list(measures),
            design=arguments,
            by=design.by_columns,
            common_psu=common_psu,
            level=design.level,
        )
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    _emit(results.frame, fmt, output)


@cli.command("gic")
@click.argument("before", type=FILE)
@click.argument("after", type=FILE)
@click.option("--income", required=True, help="Welfare column, in the same real prices.")
@click.option(
    "--points",
    type=click.IntRange(1, 999),
    default=99,
    show_default=True,
    help="Evenly spaced points of the curve (99: percentiles).",
)
@COMMON_PSU
@design_options
@output_options
@csv_options
@limit_options
def gic_command(
    before: str,
    after: str,
    income: str,
    points: int,
    common_psu: bool,
    design: DesignChoice,
    fmt: str,
    output: str | None,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits,
) -> None:
    """Growth incidence curve of --income between the rounds BEFORE and AFTER, with CIs."""
    from setara.monitoring import growth_incidence

    arguments = design_arguments(design)
    first, second = _read_rounds(before, after, csv_separator, decimal_comma, limits)
    results = growth_incidence(
        first,
        second,
        welfare=income,
        design=arguments,
        by=design.by_columns,
        points=points,
        common_psu=common_psu,
        level=design.level,
    )
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    _emit(results.frame, fmt, output)
